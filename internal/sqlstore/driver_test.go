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
	probe, err := sql.Open("sqlite", "")
	if err != nil {
		t.Fatal(err)
	}
	drv := probe.Driver()
	probe.Close()
	db := sql.OpenDB(DirectConnector(drv, filepath.Join(t.TempDir(), "direct.db")))
	defer db.Close()
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
