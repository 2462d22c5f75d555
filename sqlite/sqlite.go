// Package sqlite is MyGov's embedded store: every store interface of dialog and records on
// one SQLite file (modernc.org/sqlite, pure Go), with River's job queue in the same file.
//
// The database runs in WAL mode with a busy timeout and foreign keys on, and every
// transaction begins IMMEDIATE: BEGIN takes the database's write lock, which is how the
// turns of one database, whatever their conversation, run one at a time, across processes
// too. Readers outside a transaction are not blocked.
//
// Text is stored as PostgreSQL would store it (see package postgres): NUL bytes and bytes
// that are not valid UTF-8 are replaced with U+FFFD, in columns and in JSON alike, and
// times are kept in UTC to the microsecond.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/migrations"
	"github.com/catalonia/mygov/records"
)

// DefaultPath is the database file used when Open is given an empty path.
const DefaultPath = "mygov.db"

var (
	_ dialog.Store   = (*Store)(nil)
	_ dialog.Outbox  = (*Store)(nil)
	_ records.Reader = (*Store)(nil)
	_ records.Writer = (*Store)(nil)
	_ dialog.Tx      = (*tx)(nil)
)

//go:embed migrations/*.sql
var migrationsFS embed.FS

// Store is the SQLite store. It is safe for concurrent use; turns run one at a time.
type Store struct {
	reader
	db     *sql.DB
	river  *river.Client[*sql.Tx] // insert-only: the outbox
	now    func() time.Time
	logger *slog.Logger
	// turns lets one turn of this Store at a time at the write lock: waiting here hands the
	// lock over at once, where SQLite's busy handler would poll for it.
	turns chan struct{}

	queue   delivery.QueueConfig
	mu      sync.Mutex
	workers []*river.Client[*sql.Tx] // started by StartWorkers, stopped by Close
	closed  bool
}

// Option configures Open.
type Option func(*options)

type options struct {
	now         func() time.Time
	logger      *slog.Logger
	busyTimeout time.Duration
	queue       delivery.QueueConfig
}

// WithNow sets the clock used for created, updated and received times (default time.Now).
func WithNow(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithQueue sets how StartWorkers works the delivery queues (see delivery.QueueConfig).
func WithQueue(c delivery.QueueConfig) Option { return func(o *options) { o.queue = c } }

// WithLogger sets the logger of River and of the store (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithBusyTimeout sets how long a transaction waits for the write lock before it fails
// (default 30 seconds).
func WithBusyTimeout(d time.Duration) Option { return func(o *options) { o.busyTimeout = d } }

// Open opens (creating it if needed) the database file at path, or a "file:" URI, and
// brings its schema and River's up to date.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	o := options{now: time.Now, logger: slog.Default(), busyTimeout: 30 * time.Second}
	for _, opt := range opts {
		opt(&o)
	}
	if path == "" {
		path = DefaultPath
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	dsn := path + sep + "_txlock=immediate&_foreign_keys=1&_journal_mode=WAL" +
		"&_busy_timeout=" + strconv.FormatInt(o.busyTimeout.Milliseconds(), 10)
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open: %w", err)
	}
	// Writers wait for each other on the file lock; a few connections let readers run
	// beside them (WAL).
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	db.SetConnMaxIdleTime(5 * time.Minute)

	s := &Store{reader: reader{q: db}, db: db, now: o.now, logger: o.logger, turns: make(chan struct{}, 1), queue: o.queue.WithDefaults()}
	if err := s.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	drv := riversqlite.New(db)
	m, err := rivermigrate.New(drv, &rivermigrate.Config{Logger: o.logger})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: river migrate: %w", err)
	}
	s.river, err = river.NewClient(drv, &river.Config{Logger: o.logger})
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: river client: %w", err)
	}
	return s, nil
}

// Close stops the workers that are still running and closes the database. Closing a
// closed Store does nothing.
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
			errs = append(errs, fmt.Errorf("sqlite: stop workers: %w", err))
		}
		cancel()
	}
	if err := s.db.Close(); err != nil {
		errs = append(errs, fmt.Errorf("sqlite: close: %w", err))
	}
	return errors.Join(errs...)
}

// StartWorkers starts a River client that works the named queues (the default queue when
// none is named) with workers, as many jobs at a time in each as WithQueue says (delivery.QueueConfig). Replies are queued by
// channel (dialog.Outbound.Channel), so a process works only the channels it can send on. It polls for jobs every 50 ms (SQLite has no LISTEN/NOTIFY), so a reply
// leaves within a blink of its turn's commit. stop waits for running jobs, then returns.
func (s *Store) StartWorkers(ctx context.Context, workers *river.Workers, queues ...string) (stop func(context.Context) error, err error) {
	qs := map[string]river.QueueConfig{}
	for _, q := range queues {
		qs[q] = river.QueueConfig{MaxWorkers: s.queue.MaxWorkers}
	}
	if len(qs) == 0 {
		qs[river.QueueDefault] = river.QueueConfig{MaxWorkers: s.queue.MaxWorkers}
	}
	c, err := river.NewClient(riversqlite.New(s.db), &river.Config{
		Logger:               s.logger,
		Queues:               qs,
		Workers:              workers,
		PollOnly:             true,
		FetchCooldown:        s.queue.FetchCooldown,
		FetchPollInterval:    s.queue.FetchPollInterval,
		JobTimeout:           s.queue.JobTimeout,
		RescueStuckJobsAfter: s.queue.RescueAfter,
	})
	if err != nil {
		return nil, fmt.Errorf("sqlite: start workers: %w", err)
	}
	if err := c.Start(ctx); err != nil {
		return nil, fmt.Errorf("sqlite: start workers: %w", err)
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
			return fmt.Errorf("sqlite: stop workers: %w", err)
		}
		return nil
	}, nil
}

// migrate applies the embedded migrations that the schema_migrations table does not list,
// each in its own transaction.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	files, err := migrations.Files(migrationsFS)
	if err != nil {
		return fmt.Errorf("sqlite: migrate: %w", err)
	}
	for _, f := range files {
		if err := s.applyMigration(ctx, f); err != nil {
			return fmt.Errorf("sqlite: migrate %s: %w", f.Name, err)
		}
	}
	return nil
}

func (s *Store) applyMigration(ctx context.Context, f migrations.File) error {
	t, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer t.Rollback()
	var n int
	if err := t.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, f.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(migrationsFS, f.Path)
	if err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	if _, err := t.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		f.Version, f.Name, ts(s.now())); err != nil {
		return err
	}
	return t.Commit()
}
