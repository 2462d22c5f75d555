// Package sqlite is MyGov's embedded store: package sqlstore on one SQLite file
// (modernc.org/sqlite, pure Go), with River's job queue in the same file. It holds what
// SQLite does its own way: the connection, the write lock, River's SQLite driver and the
// migrations.
//
// The database runs in WAL mode with a busy timeout and foreign keys on, and every
// transaction begins IMMEDIATE: BEGIN takes the database's write lock, which is how the
// turns of one database, whatever their conversation, run one at a time, across processes
// too. Readers outside a transaction are not blocked. Times are TEXT in
// sqlstore.TimeLayout, JSON is TEXT.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/internal/sqlstore"
	"github.com/catalonia/mygov/records"
)

// DefaultPath is the database file used when Open is given an empty path.
const DefaultPath = "mygov.db"

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Store is the SQLite store. It is safe for concurrent use; turns run one at a time.
type Store = sqlstore.Store

// WithBusyTimeout sets how long a transaction waits for the write lock before it fails
// (default 30 seconds).
func WithBusyTimeout(d time.Duration) sqlstore.Option {
	return func(c *sqlstore.Config) { c.BusyTimeout = d }
}

// Open opens (creating it if needed) the database file at path, or a "file:" URI, and
// brings its schema and River's up to date. sqlstore.WithClock and sqlstore.WithLogger set
// its clock and logger.
func Open(ctx context.Context, path string, opts ...sqlstore.Option) (*Store, error) {
	cfg := sqlstore.NewConfig(opts)
	if path == "" {
		path = DefaultPath
	}
	db, err := openDB(dsn(path, cfg.BusyTimeout))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	// Writers wait for each other on the file lock; a few connections let readers run
	// beside them (WAL).
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)
	d := &dialect{river: riversqlite.New(db)}
	rc := &river.Config{Logger: cfg.Logger}
	d.Configure(rc)
	if d.inserter, err = river.NewClient(d.river, rc); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: river client: %w", err)
	}
	return sqlstore.Open(ctx, d, db, cfg)
}

// dsn is the data source name of the database at path: its connection settings, which
// the ceiling benchmark shares.
func dsn(path string, busyTimeout time.Duration) string {
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "_txlock=immediate&_foreign_keys=1&_journal_mode=WAL" +
		"&_busy_timeout=" + strconv.FormatInt(busyTimeout.Milliseconds(), 10)
}

// dialect is SQLite's sqlstore.Dialect.
type dialect struct {
	river    *riversqlite.Driver
	inserter *river.Client[*sql.Tx] // insert-only: the outbox
	// writes lets one transaction of this Store at a time at the write lock: waiting here
	// hands the lock over at once, where SQLite's busy handler would poll for it.
	writes writeLock
}

var _ sqlstore.Dialect = (*dialect)(nil)

func (*dialect) Name() string                { return "sqlite" }
func (*dialect) Rebind(query string) string  { return query }
func (*dialect) NoLimit() any                { return -1 }
func (*dialect) ForUpdate() string           { return "" } // writes take the database's lock
func (*dialect) LastInsertID() bool          { return true }
func (*dialect) Time(t time.Time) any        { return sqlstore.FormatTime(t) }
func (*dialect) Date(t time.Time) any        { return t.Format(sqlstore.DateLayout) }
func (*dialect) ResetIdentity(string) string { return "" } // AUTOINCREMENT goes past the largest id
func (*dialect) Close() error                { return nil }

func (*dialect) JSONInt(col, key string) string {
	return "json_extract(" + col + ", '$." + key + "')"
}

// Begin takes the database's write lock, whatever lock is named: turns run one at a time,
// and delivery's urgent writes (sqlstore.Urgent) go before the turns waiting.
func (d *dialect) Begin(ctx context.Context, db *sql.DB, lock string) (sqlstore.Tx, error) {
	if err := d.writes.lock(ctx, sqlstore.IsUrgent(ctx)); err != nil {
		return sqlstore.Tx{}, err
	}
	t, err := sqlstore.BeginOn(ctx, db) // IMMEDIATE (see Open)
	if err != nil {
		d.writes.unlock()
		return t, err
	}
	end := t.End
	t.End = func() { end(); d.writes.unlock() }
	return t, nil
}

var _ sqlstore.DirectBeginner = (*dialect)(nil)

// BeginDirect is Begin for a turn, its transaction begun on the driver itself
// (sqlstore.DirectTx). ctx ends the wait for the Store's turn at the write lock; another
// process holding the lock is waited for up to the busy timeout (see holding).
func (d *dialect) BeginDirect(ctx context.Context, db *sql.DB) (sqlstore.Tx, error) {
	if err := d.writes.lock(ctx, sqlstore.IsUrgent(ctx)); err != nil {
		return sqlstore.Tx{}, err
	}
	c, err := db.Conn(ctx)
	if err == nil {
		ctx, err = holding(ctx)
	}
	if err != nil {
		if c != nil {
			c.Close()
		}
		d.writes.unlock()
		return sqlstore.Tx{}, err
	}
	return sqlstore.DirectTx(ctx, c, "BEGIN IMMEDIATE", d.writes.unlock)
}

// Lock does nothing: the transaction holds the database's write lock.
func (*dialect) Lock(context.Context, sqlstore.Tx, string) error { return nil }

// InsertJob writes a plain job (the outbox's replies) with a statement prepared once (see
// insertJob), and any other through River without returning it (InsertManyFastTx): the
// outbox needs no id back.
func (d *dialect) InsertJob(ctx context.Context, tx sqlstore.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	if ok, err := insertJob(ctx, tx, args, opts); ok {
		return err
	}
	if tx.Tx == nil {
		return fmt.Errorf("sqlite: a %s job with River's options needs a database/sql transaction, not a turn's", args.Kind())
	}
	_, err := d.inserter.InsertManyFastTx(ctx, tx.Tx, []river.InsertManyParams{{Args: args, InsertOpts: opts}})
	return err
}

func (*dialect) ErrorCode(err error) records.Code {
	var e interface{ Code() int }
	if !errors.As(err, &e) {
		return ""
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return records.ECONFLICT
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return records.EINVALID
	}
	return ""
}

func (d *dialect) River() riverdriver.Driver[*sql.Tx] { return d.river }

// Configure makes River poll: SQLite has no LISTEN/NOTIFY. It looks every 100 ms and
// fetches at most every 50 ms (delivery.SQLiteFetch…): each fetch is a write, which waits
// for the write lock and holds up the turns; fetching every 10 ms measured a turn p50 of
// 0.4 s at 200 turns/s, every 50 ms 4 ms (README, "Delivery").
func (*dialect) Configure(c *river.Config) {
	c.PollOnly = true
	c.FetchCooldown = delivery.SQLiteFetchCooldown
	c.FetchPollInterval = delivery.SQLiteFetchPollInterval
}

func (*dialect) Migrations() fs.FS { return migrationsFS }

func (*dialect) MigrationsTable() string {
	return `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`
}

// LockMigrations does nothing: each migration checks and applies itself in one
// transaction, and transactions hold the database's write lock.
func (*dialect) LockMigrations(context.Context) (func(), error) { return func() {}, nil }
