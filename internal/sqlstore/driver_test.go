package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"
)

// TestDirectConnFinalizesItsStatements: a connection closes with the statements it keeps
// prepared, which SQLite would otherwise keep it open for.
func TestDirectConnFinalizesItsStatements(t *testing.T) {
	db := directDB(t)
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var kept *preparedConn
	err = c.Raw(func(dc any) error {
		kept, _ = dc.(*preparedConn)
		for i := range 3 {
			var n int
			err := RunDirect(context.Background(), dc, []BatchStmt{{Query: fmt.Sprintf(`SELECT %d`, i), Scan: into(&n)}})
			if err != nil || n != i {
				return fmt.Errorf("SELECT %d = %d, %v", i, n, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if kept == nil || len(kept.stmts) != 3 {
		t.Fatalf("connection %+v, want one with 3 statements kept", kept)
	}
	c.Close()
	if err := db.Close(); err != nil { // closes the connection, back in the pool
		t.Fatal(err)
	}
	if len(kept.stmts) != 0 {
		t.Errorf("%d statements left after the connection closed", len(kept.stmts))
	}
	if err := RunDirect(context.Background(), "not a connection", nil); err == nil {
		t.Error("RunDirect on a connection not of DirectConnector: no error")
	}
}

// TestDirectConnQueryWhileItsRowsAreOpen: a query database/sql runs again on the same
// connection while the first one's rows are still open gets a statement of its own, and
// both read all their rows.
func TestDirectConnQueryWhileItsRowsAreOpen(t *testing.T) {
	db := directDB(t)
	ctx := context.Background()
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const q = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) SELECT i FROM n`
	read := func(rows *sql.Rows, n int) []int {
		var got []int
		for len(got) < n && rows.Next() {
			var i int
			if err := rows.Scan(&i); err != nil {
				t.Fatal(err)
			}
			got = append(got, i)
		}
		return got
	}
	outer, err := c.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	first := read(outer, 1)
	inner, err := c.QueryContext(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	all := read(inner, 10)
	inner.Close()
	rest := read(outer, 10)
	outer.Close()
	if fmt.Sprint(first, all, rest) != "[1] [1 2 3] [2 3]" {
		t.Errorf("outer read %v then %v, inner %v; want [1] then [2 3], inner [1 2 3]", first, rest, all)
	}
	var n int
	if err := c.QueryRowContext(ctx, `SELECT count(*) FROM (`+q+`)`).Scan(&n); err != nil || n != 3 {
		t.Errorf("count = %d, %v", n, err)
	}
	err = c.Raw(func(dc any) error {
		if got := len(dc.(*preparedConn).stmts); got != 2 {
			t.Errorf("%d statements kept, want 2 (the query's, once, and the count's)", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// directDB opens a SQLite database in a new file through DirectConnector, closed when t
// ends.
func directDB(t *testing.T) *sql.DB {
	t.Helper()
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		t.Fatal(err)
	}
	drv := probe.Driver()
	probe.Close()
	db := sql.OpenDB(DirectConnector(drv, filepath.Join(t.TempDir(), "direct.db")))
	t.Cleanup(func() { db.Close() })
	return db
}
