package postgres

import (
	"context"
	"strings"
	"testing"

	"github.com/catalonia/mygov/internal/sqlstore"
	"github.com/catalonia/mygov/records"
)

// TestBatchNamesTheFailingStatement: a batch's error is its first failing statement's,
// named, with the constraint's code still found under it; the statements before it ran,
// and go with the transaction's rollback; a statement without rows scans as no row.
func TestBatchNamesTheFailingStatement(t *testing.T) {
	s := openSchema(t, "")
	ctx := context.Background()
	if _, err := s.DB().ExecContext(ctx, `CREATE TABLE probe (id int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	d := &dialect{}
	tx, err := sqlstore.BeginOn(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.End()
	var first int
	err = d.Batch(ctx, tx, []sqlstore.BatchStmt{
		{What: "first", Query: `INSERT INTO probe VALUES (1) RETURNING id`, Scan: func(r sqlstore.Row) error { return r.Scan(&first) }},
		{What: "second", Query: `INSERT INTO probe VALUES (1)`},
		{What: "third", Query: `INSERT INTO probe VALUES (3)`},
	})
	if err == nil || !strings.HasPrefix(err.Error(), "second: ") || d.ErrorCode(err) != records.ECONFLICT {
		t.Errorf("Batch error = %v (code %q), want the second statement's unique violation", err, d.ErrorCode(err))
	}
	if first != 1 {
		t.Errorf("first statement's row = %d, want 1", first)
	}
	tx.Rollback()

	tx, err = sqlstore.BeginOn(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.End()
	defer tx.Rollback()
	var none, rows int
	err = d.Batch(ctx, tx, []sqlstore.BatchStmt{
		{What: "none", Query: `SELECT id FROM probe`, Scan: func(r sqlstore.Row) error {
			if err := r.Scan(&none); err != nil {
				return err
			}
			t.Error("a row in probe after the rollback")
			return nil
		}},
	})
	if err == nil || !strings.Contains(err.Error(), "no rows") {
		t.Errorf("scan of no row: %v, want sql.ErrNoRows", err)
	}
	err = d.Batch(ctx, tx, []sqlstore.BatchStmt{{What: "all", Query: `SELECT g FROM generate_series(1, 3) g`,
		Each: func(r sqlstore.Row) error { rows++; return nil }}})
	if err != nil || rows != 3 {
		t.Errorf("Each read %d rows, %v; want 3", rows, err)
	}
}
