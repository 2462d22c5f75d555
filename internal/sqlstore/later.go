package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// A turn's writes whose results it does not need at once — the access log, the
// conversation's new state, the lockout counter — wait in the transaction and go out with
// the next statement that returns something, or before the commit: on a dialect that
// batches (Batcher, PostgreSQL), all of them in one round trip.

// BatchStmt is one statement of a Batcher's batch: its query in the dialect's form, its
// (cleaned) arguments, and either Scan, which reads its first row (a Row whose Scan is
// sql.ErrNoRows when it returns none), or Each, which reads each of its rows, or, when
// Affected is not nil, where to write the number of rows it changed. What names it in its
// error: a Batcher returns the first failing statement's error as "What: error".
type BatchStmt struct {
	What     string
	Query    string
	Args     []any
	Scan     func(Row) error
	Each     func(Row) error
	Affected *int64
	// ID, when not nil, receives the id of the row the statement, an INSERT, wrote
	// (LastInsertId); one that wrote none is sql.ErrNoRows. Dialect.LastInsertID tells
	// whether a dialect's Batch takes it.
	ID *int64
}

// Row is a row to scan: *sql.Row's Scan, or a batch's.
type Row interface{ Scan(dest ...any) error }

// NoRow is the Row of a statement that returned none.
type NoRow struct{}

func (NoRow) Scan(...any) error { return sql.ErrNoRows }

// Batcher is implemented by a Dialect that sends several statements of a transaction in
// one round trip; the others run them one after the other.
type Batcher interface {
	Batch(ctx context.Context, tx Tx, stmts []BatchStmt) error
}

// write is a statement waiting in the transaction (see conn.later).
type write struct {
	what  string // names the write in its error
	query string
	args  []any
	scan  func(Row) error            // nil, or reads its row (see BatchStmt)
	each  func(Row) error            // nil, or reads each of its rows
	check func(affected int64) error // nil, or checks the number of rows changed
	// id, when not nil, receives the id of the row the write, an INSERT ending in
	// returningID, wrote; a write that wrote none fails with sql.ErrNoRows. Where the
	// driver reports the id itself (Dialect.LastInsertID), the insert runs without the
	// clause, which SQLite answers from a temporary table built for the statement.
	id *int64
}

// returningID ends an insert that returns the id of its row (see write.id).
const returningID = "RETURNING id"

// insertID returns the query that w runs and whether the driver's last insert id is
// w's id: its query without returningID, where the dialect has it.
func (c conn) insertID(w write) (string, bool) {
	if w.id == nil || !c.s.d.LastInsertID() {
		return w.query, false
	}
	return strings.CutSuffix(w.query, returningID)
}

// into returns the scan of a write that returns one row into dest.
func into(dest ...any) func(Row) error {
	return func(r Row) error { return r.Scan(dest...) }
}

// later runs w when the transaction comes to its next statement, or at once outside a
// turn. Its error comes back from that statement, or from the commit.
func (c conn) later(ctx context.Context, w write) error {
	if c.pending == nil {
		return c.flush(ctx, w)
	}
	*c.pending = append(*c.pending, w)
	return nil
}

// flush runs the writes waiting in the transaction, then those of now, in order: in one
// batch when the dialect batches.
func (c conn) flush(ctx context.Context, now ...write) error {
	var ws []write
	if c.pending != nil {
		ws, *c.pending = append(*c.pending, now...), nil
	} else {
		ws = now
	}
	if len(ws) == 0 {
		return nil
	}
	affected := make([]int64, len(ws))
	if b, ok := c.s.d.(Batcher); ok && c.tx.Conn != nil {
		stmts := make([]BatchStmt, len(ws))
		for i, w := range ws {
			q, last := c.insertID(w)
			stmts[i] = BatchStmt{What: w.what, Query: c.s.sql(q), Args: CleanArgs(w.args), Scan: w.scan, Each: w.each}
			switch {
			case last:
				stmts[i].ID = w.id
			case w.id != nil:
				stmts[i].Scan = into(w.id)
			}
			if w.check != nil {
				stmts[i].Affected = &affected[i]
			}
		}
		if err := b.Batch(ctx, c.tx, stmts); err != nil {
			return c.mapConstraint(err)
		}
	} else {
		direct := c
		direct.pending = nil
		for i, w := range ws {
			if w.each != nil {
				if err := direct.eachRow(ctx, w); err != nil {
					return fmt.Errorf("%s: %w", w.what, err)
				}
				continue
			}
			q, last := c.insertID(w)
			scan := w.scan
			if w.id != nil && !last {
				scan = into(w.id)
			}
			if scan != nil {
				if err := scan(direct.queryRow(ctx, q, w.args...)); err != nil {
					return fmt.Errorf("%s: %w", w.what, c.mapConstraint(err))
				}
				continue
			}
			res, err := direct.exec(ctx, q, w.args...)
			if err == nil && last {
				err = lastInsertID(res, w.id)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", w.what, c.mapConstraint(err))
			}
			if w.check != nil {
				if affected[i], err = res.RowsAffected(); err != nil {
					return fmt.Errorf("%s: %w", w.what, err)
				}
			}
		}
	}
	for i, w := range ws {
		if w.check != nil {
			if err := w.check(affected[i]); err != nil {
				return fmt.Errorf("%s: %w", w.what, err)
			}
		}
	}
	return nil
}

// OutboxWriter is implemented by a Dialect that writes a stored reply and its delivery job
// in the statements it chooses, which then go in the turn's tail batch with the waiting
// writes; the others insert the reply, then the job (Dialect.InsertJob).
type OutboxWriter interface {
	// InsertWithJob returns the statements that run insert ("INSERT ... RETURNING id",
	// with ? placeholders and the arguments args) and enqueue job with the new row's id at
	// the key "id" of its JSON arguments: the first of them gives that id, as an insert
	// ending in RETURNING id does (see write.id).
	InsertWithJob(insert string, args []any, job JobRow) []Statement
	// NotifyJob returns the statement that wakes the workers of queue at once, "" when a
	// wake-up went out a moment ago (River's own rule: once a fetch cooldown) or the
	// workers poll.
	NotifyJob(queue string) (query string, args []any)
}

// Statement is a query in the dialect's form, ? placeholders rebound, with its arguments.
type Statement struct {
	Query string
	Args  []any
}

// JobRow is a River job as OutboxWriter writes it: no uniqueness, schedule, tags or
// metadata, River's default priority.
type JobRow struct {
	Kind, Queue string
	Args        []byte // JSON
	MaxAttempts int
}

// ValidQueue reports whether name is a queue name River accepts on any database: 1 to 64
// lower-case letters and digits, in groups joined by "_" or "-". A job for any other goes
// through River, which says what is wrong.
func ValidQueue(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	sep := true // at the start, as after a separator
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			sep = false
		case (c == '_' || c == '-') && !sep:
			sep = true
		default:
			return false
		}
	}
	return !sep
}

// lastInsertID sets id to the id of the row res wrote: sql.ErrNoRows when it wrote none.
func lastInsertID(res sql.Result, id *int64) error {
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		return sql.ErrNoRows
	}
	if err == nil {
		*id, err = res.LastInsertId()
	}
	return err
}

// eachRow runs w's query, which reads rows, through database/sql.
func (c conn) eachRow(ctx context.Context, w write) error {
	rows, err := c.query(ctx, w.query, w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := w.each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
