// Package postgres is MyGov's production store: every store interface of dialog and records
// on PostgreSQL through pgx v5 (pgxpool), with River's job queue (riverpgxv5) in the same
// database, so that a turn's state and its outbound jobs commit together.
//
// A turn holds pg_advisory_xact_lock on a key hashed from its (channel, address), so any
// number of replicas serialize the turns of one conversation, while turns of different
// conversations run at the same time.
//
// PostgreSQL rejects NUL bytes and invalid UTF-8 in text and JSON; the store replaces each
// such byte with U+FFFD before writing, in columns and in JSON alike (package sqlite does
// exactly the same), so that nothing a citizen types can make a turn fail. Times are kept
// in UTC to the microsecond.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/migrations"
	"github.com/catalonia/mygov/records"
)

var (
	_ dialog.Store   = (*Store)(nil)
	_ dialog.Outbox  = (*Store)(nil)
	_ records.Reader = (*Store)(nil)
	_ records.Writer = (*Store)(nil)
	_ dialog.Tx      = (*tx)(nil)
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Store is the PostgreSQL store. It is safe for concurrent use, in any number of processes.
type Store struct {
	reader
	pool   *pgxpool.Pool
	river  *river.Client[pgx.Tx] // insert-only: the outbox
	schema string
	now    func() time.Time
	logger *slog.Logger

	queue   delivery.QueueConfig
	mu      sync.Mutex
	workers []*river.Client[pgx.Tx] // started by StartWorkers, stopped by Close
	closed  bool
}

// Option configures Open.
type Option func(*options)

type options struct {
	now    func() time.Time
	logger *slog.Logger
	schema string
	queue  delivery.QueueConfig
}

// WithNow sets the clock used for created, updated and received times (default time.Now).
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithQueue sets how StartWorkers works the delivery queues (see delivery.QueueConfig).
func WithQueue(c delivery.QueueConfig) Option { return func(o *options) { o.queue = c } }

// WithLogger sets the logger of River and of the store (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithSchema keeps every table, River's included, in the schema name, created when it
// does not exist. The name is letters, digits and underscores, not starting with a digit.
func WithSchema(name string) Option { return func(o *options) { o.schema = name } }

var schemaName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]{0,62}$`)

// Open connects to the database of dsn (a postgres:// URL or key=value string; pgxpool's
// pool_* settings apply, and pool_max_conns defaults to 20) and brings its schema and
// River's up to date.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	o := options{now: time.Now, logger: slog.Default()}
	for _, opt := range opts {
		opt(&o)
	}
	if o.schema != "" && !schemaName.MatchString(o.schema) {
		return nil, fmt.Errorf("postgres: open: %w", records.Errorf(records.EINVALID, "invalid schema name %q", o.schema))
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = 20
	}
	if o.schema != "" {
		cfg.ConnConfig.RuntimeParams["search_path"] = o.schema
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	s := &Store{reader: reader{q: pool}, pool: pool, schema: o.schema, now: o.now, logger: o.logger, queue: o.queue.WithDefaults()}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	s.river, err = river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: o.logger, Schema: o.schema})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: river client: %w", err)
	}
	return s, nil
}

// Close stops the workers that are still running and closes the pool. Closing a closed
// Store does nothing.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	workers := s.workers
	s.workers = nil
	s.mu.Unlock()
	var errs []error
	for _, c := range workers {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := c.Stop(ctx); err != nil {
			errs = append(errs, fmt.Errorf("postgres: stop workers: %w", err))
		}
		cancel()
	}
	s.pool.Close()
	return errors.Join(errs...)
}

// StartWorkers starts a River client that works the default queue with workers, as many jobs at
// a time as WithQueue says (delivery.QueueConfig), woken by LISTEN/NOTIFY when a turn commits a job. stop waits for running
// jobs, then returns.
func (s *Store) StartWorkers(ctx context.Context, workers *river.Workers, queues ...string) (stop func(context.Context) error, err error) {
	qs := map[string]river.QueueConfig{}
	for _, q := range queues {
		qs[q] = river.QueueConfig{MaxWorkers: s.queue.MaxWorkers}
	}
	if len(qs) == 0 {
		qs[river.QueueDefault] = river.QueueConfig{MaxWorkers: s.queue.MaxWorkers}
	}
	c, err := river.NewClient(riverpgxv5.New(s.pool), &river.Config{
		Logger:               s.logger,
		Schema:               s.schema,
		Queues:               qs,
		Workers:              workers,
		FetchCooldown:        s.queue.FetchCooldown,
		FetchPollInterval:    s.queue.FetchPollInterval,
		JobTimeout:           s.queue.JobTimeout,
		RescueStuckJobsAfter: s.queue.RescueAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: start workers: %w", err)
	}
	if err := c.Start(ctx); err != nil {
		return nil, fmt.Errorf("postgres: start workers: %w", err)
	}
	s.mu.Lock()
	s.workers = append(s.workers, c)
	s.mu.Unlock()
	return func(ctx context.Context) error {
		s.mu.Lock()
		for i, w := range s.workers {
			if w == c {
				s.workers = append(s.workers[:i], s.workers[i+1:]...)
				break
			}
		}
		s.mu.Unlock()
		if err := c.Stop(ctx); err != nil {
			return fmt.Errorf("postgres: stop workers: %w", err)
		}
		return nil
	}, nil
}

// lockKey returns the advisory lock key of a name in the store's schema.
func (s *Store) lockKey(parts ...string) int64 {
	h := fnv.New64a()
	h.Write([]byte(s.schema))
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return int64(h.Sum64())
}

// migrate creates the schema when needed, then applies the embedded migrations that the
// schema_migrations table does not list, each in its own transaction, and River's, all
// under an advisory lock so that replicas starting together migrate one at a time.
func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	defer conn.Release()
	key := s.lockKey("mygov:migrate")
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, key); err != nil {
		return fmt.Errorf("postgres: migrate: lock: %w", err)
	}
	defer func() {
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, key); err != nil {
			conn.Conn().Close(context.Background()) // closing the session releases the lock
		}
	}()
	if s.schema != "" {
		if _, err := conn.Exec(ctx, `CREATE SCHEMA IF NOT EXISTS `+pgx.Identifier{s.schema}.Sanitize()); err != nil {
			return fmt.Errorf("postgres: migrate: create schema: %w", err)
		}
	}
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL
	)`); err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	files, err := migrations.Files(migrationsFS)
	if err != nil {
		return fmt.Errorf("postgres: migrate: %w", err)
	}
	for _, f := range files {
		if err := s.applyMigration(ctx, conn.Conn(), f); err != nil {
			return fmt.Errorf("postgres: migrate %s: %w", f.Name, err)
		}
	}
	m, err := rivermigrate.New(riverpgxv5.New(s.pool), &rivermigrate.Config{Logger: s.logger, Schema: s.schema})
	if err != nil {
		return fmt.Errorf("postgres: river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("postgres: river migrate: %w", err)
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, conn *pgx.Conn, f migrations.File) error {
	return pgx.BeginFunc(ctx, conn, func(t pgx.Tx) error {
		var applied bool
		if err := t.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, f.Version).Scan(&applied); err != nil {
			return err
		}
		if applied {
			return nil
		}
		body, err := fs.ReadFile(migrationsFS, f.Path)
		if err != nil {
			return err
		}
		// No arguments: the simple protocol runs every statement of the file.
		if _, err := t.Exec(ctx, string(body)); err != nil {
			return err
		}
		_, err = t.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			f.Version, f.Name, ts(s.now()))
		return err
	})
}

// isUniqueViolation reports whether err is PostgreSQL's unique_violation (23505).
func isUniqueViolation(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && e.Code == "23505"
}

// mapConstraint gives constraint errors their domain code.
func mapConstraint(err error) error {
	var e *pgconn.PgError
	switch {
	case !errors.As(err, &e):
		return err
	case e.Code == "23505":
		return errors.Join(records.Errorf(records.ECONFLICT, "already exists"), err)
	case e.Code == "23503":
		return errors.Join(records.Errorf(records.EINVALID, "refers to a record that does not exist"), err)
	}
	return err
}
