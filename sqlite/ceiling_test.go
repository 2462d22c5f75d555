package sqlite

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog/enginetest"
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
	tx := preparedCeiling(b, ceilingDB(b))
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if err := tx(i); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// BenchmarkTurnAgainstCeiling runs BenchmarkEngineTurn's turns and BenchmarkCeiling's
// transactions in alternate blocks, b.N of each, so that both meet the same machine: the
// virtual disk's flush latency, which moves both, moves them together, where the two
// benchmarks run one after the other meet it minutes apart. It reports turns/s, tx/s and
// their ratio.
func BenchmarkTurnAgainstCeiling(b *testing.B) {
	turn := enginetest.StatusTurns(b, openFile(b, tempPath(b)))
	tx := preparedCeiling(b, ceilingDB(b))
	const block = 100
	var turns, txs time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i += block {
		n := min(block, b.N-i)
		start := time.Now()
		for j := i; j < i+n; j++ {
			if err := turn(j); err != nil {
				b.Fatal(err)
			}
		}
		mid := time.Now()
		for j := i; j < i+n; j++ {
			if err := tx(j); err != nil {
				b.Fatal(err)
			}
		}
		turns, txs = turns+mid.Sub(start), txs+time.Since(mid)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/turns.Seconds(), "turns/s")
	b.ReportMetric(float64(b.N)/txs.Seconds(), "tx/s")
	b.ReportMetric(txs.Seconds()/turns.Seconds(), "ratio")
}

// preparedCeiling prepares the ceiling's writes on db and returns its i-th transaction,
// which is as it was before the two benchmarks shared it: no rollback on the way (a failed
// transaction fails the benchmark, whose database is then closed).
func preparedCeiling(tb testing.TB, db *sql.DB) func(i int) error {
	stmts := make([]*sql.Stmt, len(ceilingWrites))
	for i, q := range ceilingWrites {
		st, err := db.Prepare(q)
		if err != nil {
			tb.Fatalf("prepare %q: %v", q, err)
		}
		tb.Cleanup(func() { st.Close() })
		stmts[i] = st
	}
	body := strings.Repeat("x", 120)
	return func(i int) error {
		tx, err := db.Begin()
		if err != nil {
			return fmt.Errorf("begin: %w", err)
		}
		at := time.Now().UTC().Format(sqlstore.TimeLayout)
		for _, st := range stmts {
			if _, err := tx.Stmt(st).Exec(fmt.Sprintf("%s-%d", body, i), at); err != nil {
				return fmt.Errorf("write: %w", err)
			}
		}
		return tx.Commit()
	}
}

// ceilingDB opens the database of BenchmarkCeiling in a new file, closed when tb ends.
func ceilingDB(tb testing.TB) *sql.DB {
	db, err := sql.Open("sqlite", dsn(filepath.Join(tb.TempDir(), "ceiling.db"), 30*time.Second))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(ceilingSchema); err != nil {
		tb.Fatalf("schema: %v", err)
	}
	return db
}

// ceilingTx runs the i-th transaction of the ceiling, its statements unprepared.
func ceilingTx(db *sql.DB, i int) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	at := time.Now().UTC().Format(sqlstore.TimeLayout)
	for _, q := range ceilingWrites {
		if _, err := tx.Exec(q, fmt.Sprintf("%s-%d", strings.Repeat("x", 120), i), at); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// walFrames runs a few transactions of run, empties the WAL, runs n more and returns the
// frames they wrote to it, on average.
func walFrames(t *testing.T, db *sql.DB, n int, run func(i int) error) float64 {
	t.Helper()
	const warm = 10
	for i := range warm {
		if err := run(i); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	for i := warm; i < warm+n; i++ {
		if err := run(i); err != nil {
			t.Fatal(err)
		}
	}
	var busy, frames, done int
	if err := db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &done); err != nil {
		t.Fatal(err)
	}
	return float64(frames) / float64(n)
}
