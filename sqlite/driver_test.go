package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/catalonia/mygov/internal/sqlstore"
)

// TestBatchScanIsDatabaseSQLs scans every kind of value SQLite returns into every type the
// store scans, once through database/sql and once through a batch on the driver, and
// checks that both give the same values and fail in the same cases.
func TestBatchScanIsDatabaseSQLs(t *testing.T) {
	s := openFile(t, tempPath(t))
	ctx := context.Background()
	values := []string{`NULL`, `0`, `1`, `-7`, `9223372036854775807`, `2.5`, `'text'`, `'42'`, `'true'`, `''`,
		`x'00ff'`, `'2026-11-30T10:00:00.000000Z'`, `'{"ca":"a"}'`}
	dests := map[string]func() any{
		"*string": func() any { return new(string) }, "*[]byte": func() any { return new([]byte) },
		"*int64": func() any { return new(int64) }, "*int": func() any { return new(int) },
		"*bool": func() any { return new(bool) }, "*float64": func() any { return new(float64) },
		"*any": func() any { return new(any) }, "*sql.NullString": func() any { return new(sql.NullString) },
		"*sql.NullInt64": func() any { return new(sql.NullInt64) },
		"*namedString":   func() any { return new(namedString) }, "*namedInt": func() any { return new(namedInt) },
		"*namedBool": func() any { return new(namedBool) }, "*struct": func() any { return new(struct{}) },
	}
	for _, v := range values {
		for name, dest := range dests {
			query := `SELECT ` + v
			want, got := dest(), dest()
			wantErr := s.DB().QueryRowContext(ctx, query).Scan(want)
			gotErr := batchRow(t, s, query, got)
			if (wantErr == nil) != (gotErr == nil) {
				t.Errorf("%s into %s: database/sql error %v, batch error %v", v, name, wantErr, gotErr)
				continue
			}
			if wantErr == nil && !reflect.DeepEqual(want, got) {
				t.Errorf("%s into %s: database/sql %#v, batch %#v", v, name, reflect.ValueOf(want).Elem(), reflect.ValueOf(got).Elem())
			}
		}
	}
}

// batchRow scans the one row of query, run in a batch of a transaction, into dest.
func batchRow(t *testing.T, s *Store, query string, dest ...any) error {
	t.Helper()
	d := &dialect{}
	tx, err := d.Begin(context.Background(), s.DB(), "")
	if err != nil {
		t.Fatal(err)
	}
	defer tx.End()
	defer tx.Rollback()
	var scanErr error
	err = d.Batch(context.Background(), tx, []sqlstore.BatchStmt{{Query: query, Scan: func(r sqlstore.Row) error {
		scanErr = r.Scan(dest...)
		return nil
	}}})
	if err != nil {
		t.Fatalf("batch %q: %v", query, err)
	}
	return scanErr
}

// TestBatchBadInput: a batch stops at its first failing statement, with the driver's
// error, and what it wrote goes with the transaction's rollback; a statement without rows
// scans as sql.ErrNoRows; an argument the driver cannot take, or a wrong number of
// destinations, is an error, not a panic.
func TestBatchBadInput(t *testing.T) {
	s := openFile(t, tempPath(t))
	ctx := context.Background()
	d := &dialect{}
	if _, err := s.DB().Exec(`CREATE TABLE probe (id INTEGER PRIMARY KEY, v TEXT NOT NULL UNIQUE)`); err != nil {
		t.Fatal(err)
	}
	insert := `INSERT INTO probe (v) VALUES (?)`
	cases := map[string]struct {
		stmts   []sqlstore.BatchStmt
		wantErr string
	}{
		"unique": {[]sqlstore.BatchStmt{{What: "a", Query: insert, Args: []any{"a"}}, {What: "again", Query: insert, Args: []any{"a"}},
			{What: "b", Query: insert, Args: []any{"b"}}}, "again: constraint failed: UNIQUE"},
		"syntax":      {[]sqlstore.BatchStmt{{Query: insert, Args: []any{"a"}}, {Query: `INSERT INTO`}}, "incomplete input"},
		"argument":    {[]sqlstore.BatchStmt{{Query: insert, Args: []any{struct{}{}}}}, "argument 1"},
		"destination": {[]sqlstore.BatchStmt{{Query: `SELECT 1, 2`, Scan: func(r sqlstore.Row) error { var n int; return r.Scan(&n) }}}, "destination"},
		"huge": {[]sqlstore.BatchStmt{{Query: insert, Args: []any{strings.Repeat("x", 2<<20)}},
			{Query: `SELECT length(v) FROM probe WHERE v = ?`, Args: []any{"nothing"}, Scan: func(r sqlstore.Row) error { return r.Scan(new(int)) }}}, "no rows"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			tx, err := d.Begin(ctx, s.DB(), "")
			if err != nil {
				t.Fatal(err)
			}
			err = d.Batch(ctx, tx, c.stmts)
			tx.Rollback()
			tx.End()
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("Batch error = %v, want one saying %q", err, c.wantErr)
			}
			var n int
			if err := s.DB().QueryRow(`SELECT count(*) FROM probe`).Scan(&n); err != nil || n != 0 {
				t.Errorf("%d rows after the rollback (%v), want 0", n, err)
			}
		})
	}
}

// Named types of basic kinds, as records.Status is one.
type (
	namedString string
	namedInt    int32
	namedBool   bool
)

// TestDirectTxEnds: a turn's transaction on the driver commits or rolls back once, and
// one left open (its end failed, or was never called) takes its connection with it: the
// next turn begins on a clean connection and sees none of its writes.
func TestDirectTxEnds(t *testing.T) {
	s := openFile(t, tempPath(t))
	ctx := context.Background()
	d := &dialect{}
	if _, err := s.DB().Exec(`CREATE TABLE probe (v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	insert := func(tx sqlstore.Tx, v string) {
		t.Helper()
		if _, err := tx.Conn.ExecContext(ctx, `INSERT INTO probe VALUES (?)`, v); err != nil {
			t.Fatalf("insert %s: %v", v, err)
		}
	}
	tx, err := d.BeginDirect(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	insert(tx, "committed")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); !errors.Is(err, sql.ErrTxDone) {
		t.Errorf("second Commit = %v, want sql.ErrTxDone", err)
	}
	if err := tx.Rollback(); !errors.Is(err, sql.ErrTxDone) {
		t.Errorf("Rollback after Commit = %v, want sql.ErrTxDone", err)
	}
	tx.End()

	tx, err = d.BeginDirect(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	insert(tx, "rolled back")
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	tx.End()

	tx, err = d.BeginDirect(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	insert(tx, "left open")
	tx.End() // neither committed nor rolled back

	tx, err = d.BeginDirect(ctx, s.DB())
	if err != nil {
		t.Fatalf("a turn after one left open: %v", err)
	}
	insert(tx, "after")
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx.End()
	var got []string
	rows, err := s.DB().Query(`SELECT v FROM probe ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var v string
		rows.Scan(&v)
		got = append(got, v)
	}
	rows.Close()
	if fmt.Sprint(got) != "[committed after]" {
		t.Errorf("rows %v, want [committed after]", got)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := d.BeginDirect(cancelled, s.DB()); err == nil {
		t.Error("BeginDirect with a cancelled context: no error")
	}
	if tx, err = d.BeginDirect(ctx, s.DB()); err != nil { // the write lock was given back
		t.Fatal(err)
	}
	tx.Rollback()
	tx.End()
}

// TestTurnContextEnds: a turn's statements run whole once begun (holding), but a batch
// asked for after the turn's context ended fails with its error, writes nothing, and leaves
// the transaction to roll back; so does the job insert.
func TestTurnContextEnds(t *testing.T) {
	s := openFile(t, tempPath(t))
	d := &dialect{}
	if _, err := s.DB().Exec(`CREATE TABLE probe (v TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	tx, err := d.BeginDirect(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	defer tx.End()
	write := []sqlstore.BatchStmt{{Query: `INSERT INTO probe VALUES ('v')`}}
	if err := d.Batch(ctx, tx, write); err != nil {
		t.Fatalf("Batch with a live context: %v", err)
	}
	cancel()
	if err := d.Batch(ctx, tx, write); !errors.Is(err, context.Canceled) {
		t.Errorf("Batch after the context ended = %v, want context.Canceled", err)
	}
	if ok, err := insertJob(ctx, tx, probeJob{}, nil); !ok || !errors.Is(err, context.Canceled) {
		t.Errorf("insertJob after the context ended = %v, %v; want true, context.Canceled", ok, err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.DB().QueryRow(`SELECT count(*) FROM probe`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows after the rollback (%v), want 0", n, err)
	}
}

type probeJob struct{}

func (probeJob) Kind() string { return "probe" }
