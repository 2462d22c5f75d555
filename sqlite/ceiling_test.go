package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/internal/sqlstore"
)

// ceilingSchema holds the tables of BenchmarkCeiling: rows of the size a turn writes.
const ceilingSchema = `
CREATE TABLE IF NOT EXISTS conv (id INTEGER PRIMARY KEY, state TEXT NOT NULL, data TEXT NOT NULL, updated_at TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS msg (id INTEGER PRIMARY KEY AUTOINCREMENT, conv INTEGER NOT NULL, dir TEXT NOT NULL, body TEXT NOT NULL, at TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS access (id INTEGER PRIMARY KEY AUTOINCREMENT, who TEXT NOT NULL, what TEXT NOT NULL, at TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS job (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, args TEXT NOT NULL, state TEXT NOT NULL, at TEXT NOT NULL) STRICT;
INSERT OR IGNORE INTO conv VALUES (1, 'start', '{}', '');`

// ceilingWrites are the six small writes of one ceiling transaction.
var ceilingWrites = []string{
	`INSERT INTO msg (conv, dir, body, at) VALUES (1, 'in', ?, ?)`,
	`INSERT INTO access (who, what, at) VALUES ('engine', ?, ?)`,
	`UPDATE conv SET state = 'status', data = ?, updated_at = ? WHERE id = 1`,
	`INSERT INTO msg (conv, dir, body, at) VALUES (1, 'out', ?, ?)`,
	`INSERT INTO job (kind, args, state, at) VALUES ('delivery', ?, 'available', ?)`,
	`INSERT INTO access (who, what, at) VALUES ('delivery', ?, ?)`,
}

// BenchmarkCeiling is the ceiling of BenchmarkEngineTurn: what SQLite itself commits, one
// transaction after another, with the store's connection settings (dsn) and six small
// writes a transaction, each a statement prepared once. It reports tx/s.
func BenchmarkCeiling(b *testing.B) {
	db, err := sql.Open("sqlite", dsn(filepath.Join(b.TempDir(), "ceiling.db"), 30*time.Second))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(ceilingSchema); err != nil {
		b.Fatalf("schema: %v", err)
	}
	stmts := make([]*sql.Stmt, len(ceilingWrites))
	for i, q := range ceilingWrites {
		if stmts[i], err = db.Prepare(q); err != nil {
			b.Fatalf("prepare %q: %v", q, err)
		}
		defer stmts[i].Close()
	}
	body := strings.Repeat("x", 120)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		tx, err := db.Begin()
		if err != nil {
			b.Fatalf("begin: %v", err)
		}
		at := time.Now().UTC().Format(sqlstore.TimeLayout)
		for _, st := range stmts {
			if _, err := tx.Stmt(st).Exec(fmt.Sprintf("%s-%d", body, i), at); err != nil {
				b.Fatalf("write: %v", err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatalf("commit: %v", err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}
