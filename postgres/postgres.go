// Package postgres is MyGov's production store: package sqlstore on PostgreSQL through pgx
// v5 (pgxpool, used through database/sql), with River's job queue in the same database, so
// that a turn's state and its outbound jobs commit together. It holds what PostgreSQL does
// its own way: the connection and schema, the advisory locks, River's driver (woken by
// LISTEN/NOTIFY) and the migrations.
//
// A turn holds pg_advisory_xact_lock on a key hashed from its (channel, address), so any
// number of replicas serialize the turns of one conversation, while turns of different
// conversations run at the same time. Times are timestamptz, JSON is jsonb.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"regexp"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/internal/sqlstore"
	"github.com/catalonia/mygov/records"
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Store is the PostgreSQL store. It is safe for concurrent use, in any number of processes.
type Store = sqlstore.Store

// WithSchema keeps every table, River's included, in the schema name, created when it
// does not exist. The name is letters, digits and underscores, not starting with a digit.
func WithSchema(name string) sqlstore.Option { return func(c *sqlstore.Config) { c.Schema = name } }

var schemaName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Open connects to the database of dsn (a postgres:// URL or key=value string; pgxpool's
// pool_* settings apply, and pool_max_conns defaults to 20) and brings its schema and
// River's up to date. sqlstore.WithClock and sqlstore.WithLogger set its clock and logger.
func Open(ctx context.Context, dsn string, opts ...sqlstore.Option) (*Store, error) {
	cfg := sqlstore.NewConfig(opts)
	if cfg.Schema != "" && !schemaName.MatchString(cfg.Schema) {
		return nil, fmt.Errorf("postgres: open: %w", records.Errorf(records.EINVALID, "invalid schema name %q", cfg.Schema))
	}
	pcfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		pcfg.MaxConns = 20
	}
	if cfg.Schema != "" {
		pcfg.ConnConfig.RuntimeParams["search_path"] = cfg.Schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	// database/sql keeps its own connections, and their prepared statements, between
	// queries; the pool serves River's listener and the migration lock. Delivery (River's
	// workers, the outbox's claims and marks) has half the connections to itself, so that
	// under load the replies do not wait behind the webhooks' turns.
	deliveryConns := max(int(pcfg.MaxConns)/2, 1)
	db := openDB(pcfg, max(int(pcfg.MaxConns)-deliveryConns, 1))
	cfg.DeliveryDB = openDB(pcfg, deliveryConns)
	d := &dialect{pool: pool, schema: cfg.Schema, river: riverdatabasesql.NewWithPgxListener(cfg.DeliveryDB, pool)}
	rc := &river.Config{Logger: cfg.Logger}
	d.Configure(rc)
	if d.inserter, err = river.NewClient(riverpgxv5.New(nil), rc); err != nil {
		db.Close()
		cfg.DeliveryDB.Close()
		pool.Close()
		return nil, fmt.Errorf("postgres: river client: %w", err)
	}
	return sqlstore.Open(ctx, d, db, cfg)
}

// openDB opens database/sql connections of pcfg, at most conns at a time.
func openDB(pcfg *pgxpool.Config, conns int) *sql.DB {
	db := stdlib.OpenDB(*pcfg.ConnConfig)
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxIdleTime(5 * time.Minute)
	return db
}

// dialect is PostgreSQL's sqlstore.Dialect.
type dialect struct {
	pool   *pgxpool.Pool
	schema string
	river  *riverdatabasesql.Driver
	// inserter enqueues jobs with River's pgx driver, on the connection of the
	// transaction: the outbox's inserts skip database/sql's conversions.
	inserter *river.Client[pgx.Tx]
	notifier notifier
}

var _ sqlstore.Dialect = (*dialect)(nil)

func (*dialect) Name() string               { return "postgres" }
func (*dialect) Rebind(query string) string { return sqlstore.NumberedPlaceholders(query) }
func (*dialect) NoLimit() any               { return nil } // LIMIT NULL
func (*dialect) ForUpdate() string          { return " FOR UPDATE" }
func (*dialect) LastInsertID() bool         { return false } // pgx has none: RETURNING id

func (*dialect) Time(t time.Time) any                 { return t }
func (*dialect) Date(t time.Time) any                 { return t }
func (*dialect) JSONInt(col, key string) string       { return "(" + col + "->>'" + key + "')::bigint" }
func (d *dialect) River() riverdriver.Driver[*sql.Tx] { return d.river }

// Configure sets the schema and the delivery's fetch defaults: LISTEN/NOTIFY wakes River
// on each new job, and it fetches again after 10 ms at the least.
func (d *dialect) Configure(c *river.Config) {
	c.Schema = d.schema
	c.FetchCooldown, c.FetchPollInterval = delivery.DefaultFetchCooldown, delivery.DefaultFetchPollInterval
}

func (*dialect) ResetIdentity(table string) string {
	return `SELECT setval(seq, greatest(nextval(seq), coalesce((SELECT max(id) FROM ` + table + `), 0) + 1), false)
		FROM pg_get_serial_sequence('` + table + `', 'id') AS seq`
}

func (d *dialect) Close() error {
	d.pool.Close()
	return nil
}

// lockKey returns the advisory lock key of a lock name in the store's schema.
func (d *dialect) lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(d.schema))
	h.Write([]byte{0})
	h.Write([]byte(name))
	return int64(h.Sum64())
}

var _ sqlstore.DirectBeginner = (*dialect)(nil)

// BeginDirect begins a turn's transaction lazily (sqlstore.LazyTx): the BEGIN goes in the
// batch of the turn's first statement, and its COMMIT in that of its last writes, two
// round trips fewer than database/sql's transaction.
func (d *dialect) BeginDirect(ctx context.Context, db *sql.DB) (sqlstore.Tx, error) {
	c, err := db.Conn(ctx)
	if err != nil {
		return sqlstore.Tx{}, err
	}
	return sqlstore.LazyTx(c, "BEGIN", func() {}), nil
}

// Begin holds the advisory lock of lock until the transaction ends: turns of one
// conversation wait for each other, turns of others do not.
func (d *dialect) Begin(ctx context.Context, db *sql.DB, lock string) (sqlstore.Tx, error) {
	t, err := sqlstore.BeginOn(ctx, db)
	if err != nil || lock == "" {
		return t, err
	}
	if err := d.Lock(ctx, t, lock); err != nil {
		t.Rollback()
		t.End()
		return sqlstore.Tx{}, err
	}
	return t, nil
}

// Lock holds the advisory lock of name until t ends.
func (d *dialect) Lock(ctx context.Context, t sqlstore.Tx, name string) error {
	if _, err := t.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, d.lockKey(name)); err != nil {
		return fmt.Errorf("lock: %w", err)
	}
	return nil
}

// InsertJob inserts through River's pgx driver on the transaction's own connection.
func (d *dialect) InsertJob(ctx context.Context, tx sqlstore.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	return tx.Conn.Raw(func(dc any) error {
		_, err := d.inserter.InsertTx(ctx, openTx{dc.(*stdlib.Conn).Conn()}, args, opts)
		return err
	})
}

var _ sqlstore.Batcher = (*dialect)(nil)

// Batch sends the statements in one round trip (a pgx.Batch) on the transaction's own
// connection: a turn's waiting writes and the reply's insert.
func (d *dialect) Batch(ctx context.Context, tx sqlstore.Tx, stmts []sqlstore.BatchStmt) error {
	return tx.Conn.Raw(func(dc any) error {
		b := &pgx.Batch{}
		for _, st := range stmts {
			b.Queue(st.Query, st.Args...).Fn = func(br pgx.BatchResults) error {
				return sqlstore.NamedError(st.What, result(br, st))
			}
		}
		return dc.(*stdlib.Conn).Conn().SendBatch(ctx, b).Close()
	})
}

// result reads the result of st, the next statement of br.
func result(br pgx.BatchResults, st sqlstore.BatchStmt) error {
	if st.Scan == nil && st.Each == nil {
		tag, err := br.Exec()
		if err == nil && st.Affected != nil {
			*st.Affected = tag.RowsAffected()
		}
		return err
	}
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if st.Each == nil {
			if err := st.Scan(rows); err != nil {
				return err
			}
			rows.Close()
			return rows.Err()
		}
		if err := st.Each(rows); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil || st.Each != nil {
		return err
	}
	return st.Scan(sqlstore.NoRow{})
}

// openTx is the pgx.Tx of a transaction that database/sql began on the connection: it
// runs statements in it, and leaves ending it to database/sql.
type openTx struct{ c *pgx.Conn }

var errNotHere = errors.New("postgres: the transaction is database/sql's to end")

func (t openTx) Begin(context.Context) (pgx.Tx, error) { return nil, errNotHere }
func (t openTx) Commit(context.Context) error          { return errNotHere }
func (t openTx) Rollback(context.Context) error        { return errNotHere }
func (t openTx) LargeObjects() pgx.LargeObjects        { return pgx.LargeObjects{} }
func (t openTx) Conn() *pgx.Conn                       { return t.c }

func (t openTx) CopyFrom(ctx context.Context, table pgx.Identifier, cols []string, src pgx.CopyFromSource) (int64, error) {
	return t.c.CopyFrom(ctx, table, cols, src)
}

func (t openTx) SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults {
	return t.c.SendBatch(ctx, b)
}

func (t openTx) Prepare(ctx context.Context, name, sql string) (*pgconn.StatementDescription, error) {
	return t.c.Prepare(ctx, name, sql)
}

func (t openTx) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return t.c.Exec(ctx, sql, args...)
}

func (t openTx) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	return t.c.Query(ctx, sql, args...)
}

func (t openTx) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return t.c.QueryRow(ctx, sql, args...)
}

func (*dialect) ErrorCode(err error) records.Code {
	var e *pgconn.PgError
	switch {
	case !errors.As(err, &e):
		return ""
	case e.Code == "23505": // unique_violation
		return records.ECONFLICT
	case e.Code == "23503": // foreign_key_violation
		return records.EINVALID
	}
	return ""
}

func (*dialect) Migrations() fs.FS { return migrationsFS }

func (*dialect) MigrationsTable() string {
	return `CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`
}

// LockMigrations takes a session advisory lock, so that replicas starting together
// migrate one at a time, and creates the store's schema when needed.
func (d *dialect) LockMigrations(ctx context.Context) (func(), error) {
	conn, err := d.pool.Acquire(ctx)
	if err != nil {
		return nil, err
	}
	key := d.lockKey("mygov:migrate")
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		conn.Release()
		return nil, err
	}
	unlock := func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); err != nil {
			conn.Conn().Close(context.Background()) // closing the session releases the lock
		}
		conn.Release()
	}
	if d.schema != "" {
		if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{d.schema}.Sanitize()); err != nil {
			unlock()
			return nil, fmt.Errorf("create schema: %w", err)
		}
	}
	return unlock, nil
}
