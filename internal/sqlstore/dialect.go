package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"io/fs"
	"time"

	"github.com/catalonia/mygov/records"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

// Dialect is what one database does its own way; everything else of the store is written
// once, in this package. Packages sqlite and postgres implement it.
type Dialect interface {
	// Name prefixes the store's errors ("sqlite", "postgres").
	Name() string
	// Rebind returns query, written with ? placeholders, in the database's own form.
	Rebind(query string) string
	// Begin starts a write transaction (see BeginOn) holding the lock named lock ("" for
	// none) until it ends: the lock of a conversation or of a provider's receipts. Where
	// every write takes one lock, an urgent ctx (IsUrgent) goes before the others waiting.
	Begin(ctx context.Context, db *sql.DB, lock string) (Tx, error)
	// Lock takes the lock named name in the transaction t, until t ends (nothing where t
	// holds the database's write lock anyway).
	Lock(ctx context.Context, t Tx, name string) error
	// InsertJob enqueues a River job in tx: the job exists, and runs, only if tx commits.
	InsertJob(ctx context.Context, tx Tx, args river.JobArgs, opts *river.InsertOpts) error
	// ForUpdate is the clause that locks the rows a SELECT reads until its transaction
	// ends (" FOR UPDATE"), or "" where writes run one at a time anyway; a statement that
	// needs it runs alone, outside Begin, where it is not "" (see Store.writeStatement).
	ForUpdate() string
	// NoLimit is the LIMIT argument that means no limit.
	NoLimit() any
	// LastInsertID reports whether the driver gives the id of the row an INSERT wrote
	// (sql.Result.LastInsertId): an insert that asks for its id with RETURNING id then runs
	// without it (see write.id).
	LastInsertID() bool
	// Time and Date return the argument of a time and of a date column (never the zero
	// time: the store writes NULL for it). Scanning takes the drivers' forms as they come
	// (see timeCol).
	Time(t time.Time) any
	Date(t time.Time) any
	// JSONInt returns the SQL expression of the integer at key of the JSON column col.
	JSONInt(col, key string) string
	// ResetIdentity returns the statement that moves the identity of table past the ids
	// written explicitly into it ("" when the database does it itself).
	ResetIdentity(table string) string
	// ErrorCode returns the records error code of a constraint error: records.ECONFLICT for
	// a unique violation, records.EINVALID for a foreign key; "" for any other error.
	ErrorCode(err error) records.Code
	// River returns the River driver of the workers and the migrations, and Configure
	// adjusts a River client's configuration (schema, polling).
	River() riverdriver.Driver[*sql.Tx]
	Configure(c *river.Config)
	// Migrations holds the dialect's migrations, "migrations/NNNN_name.sql", and
	// MigrationsTable the statement that creates the schema_migrations table when missing.
	Migrations() fs.FS
	MigrationsTable() string
	// LockMigrations keeps other processes from migrating the database until unlock.
	LockMigrations(ctx context.Context) (unlock func(), err error)
	// Close releases what the dialect opened beside the *sql.DB, after the store closed it.
	Close() error
}

// Tx is a write transaction of Dialect.Begin, on a connection of its own; or, with a nil
// *sql.Tx, one begun on the driver itself (DirectTx, LazyTx), whose statements run on Conn.
type Tx struct {
	*sql.Tx
	Conn *sql.Conn // the connection of the transaction, for the driver's own calls
	End  func()    // called once the transaction has ended: frees what Begin took
	open *bool     // a direct transaction: whether it has not ended
	// begin is the statement that begins a lazy transaction (LazyTx), which its first
	// statements carry.
	begin string
}

// DirectBeginner is implemented by a Dialect that begins a turn's transaction on the
// driver itself: database/sql's transaction starts a goroutine and a context for each,
// and waking them at the commit measured about a tenth of a turn's CPU on SQLite. The
// turn's commit goes with its last writes when nothing checks them after they ran.
type DirectBeginner interface {
	BeginDirect(ctx context.Context, db *sql.DB) (Tx, error)
}

// DirectTx returns the transaction that begin, a statement run on c's driver connection
// (RunDirect), starts: its statements run on c, Commit and Rollback run theirs the same
// way, and End, once it has ended, gives c back, then calls end. A connection whose
// transaction did not end is closed, not given back.
func DirectTx(ctx context.Context, c *sql.Conn, begin string, end func()) (Tx, error) {
	if err := c.Raw(func(dc any) error { return RunDirect(ctx, dc, []BatchStmt{{Query: begin}}) }); err != nil {
		c.Close()
		end()
		return Tx{}, err
	}
	return LazyTx(c, "", end), nil
}

// LazyTx returns the transaction on c that begin starts, sent with the transaction's first
// statements (one round trip fewer where each costs one: PostgreSQL), or already begun when
// begin is "". Its statements, Commit and Rollback run on c; End is DirectTx's.
func LazyTx(c *sql.Conn, begin string, end func()) Tx {
	open := true
	return Tx{Conn: c, open: &open, begin: begin, End: func() {
		if open {
			c.Raw(func(any) error { return driver.ErrBadConn }) // database/sql closes it
		}
		c.Close()
		end()
	}}
}

// Commit ends the transaction, keeping what it wrote.
func (t Tx) Commit() error {
	if t.Tx != nil {
		return t.Tx.Commit()
	}
	if !*t.open {
		return sql.ErrTxDone
	}
	if err := t.direct("COMMIT"); err != nil {
		t.Rollback() // SQLite keeps a transaction whose COMMIT failed
		return err
	}
	*t.open = false
	return nil
}

// Rollback ends the transaction, undoing what it wrote: sql.ErrTxDone when it has ended.
// PostgreSQL answers a ROLLBACK of a lazy transaction never begun with a warning only.
func (t Tx) Rollback() error {
	if t.Tx != nil {
		return t.Tx.Rollback()
	}
	if !*t.open {
		return sql.ErrTxDone
	}
	err := t.direct("ROLLBACK")
	if err == nil {
		*t.open = false
	}
	return err
}

// direct runs query, a statement that ends a direct transaction: prepared once on a
// connection of DirectConnector, as any other statement elsewhere.
func (t Tx) direct(query string) error {
	return t.Conn.Raw(func(dc any) error {
		if _, ok := dc.(*preparedConn); ok {
			return RunDirect(context.Background(), dc, []BatchStmt{{Query: query}})
		}
		ec, ok := dc.(driver.ExecerContext)
		if !ok {
			return fmt.Errorf("%s on a connection %T that runs no statement itself", query, dc)
		}
		_, err := ec.ExecContext(context.Background(), query, nil)
		return err
	})
}

// BeginOn begins a transaction on a connection of db, which End returns.
func BeginOn(ctx context.Context, db *sql.DB) (Tx, error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return Tx{}, err
	}
	t, err := c.BeginTx(ctx, nil)
	if err != nil {
		c.Close()
		return Tx{}, err
	}
	return Tx{Tx: t, Conn: c, End: func() { c.Close() }}, nil
}
