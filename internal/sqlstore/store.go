package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

var (
	_ dialog.Store   = (*Store)(nil)
	_ records.Reader = (*Store)(nil)
	_ records.Writer = (*Store)(nil)
	_ dialog.Tx      = (*tx)(nil)
)

// Store is MyGov's SQL store over one Dialect. It is safe for concurrent use; how turns of
// different conversations overlap is the dialect's (see Dialect.Begin).
type Store struct {
	reader
	d  Dialect
	db *sql.DB
	// ddb is delivery's: the River workers' and the outbox's claims and marks, so that
	// replies do not queue for a connection behind the webhooks' turns (db where the
	// dialect has no separate one).
	ddb    *sql.DB
	marks  *markWriter // MarkOutbound's groups
	now    func() time.Time
	logger *slog.Logger
	// queries caches the dialect's form of each query (see conn).
	queries sync.Map

	queue   delivery.QueueConfig
	mu      sync.Mutex
	workers []*river.Client[*sql.Tx] // started by StartWorkers, stopped by Close
	closed  bool
}

// Config is what the options set. The dialect packages read their own fields.
type Config struct {
	Now         func() time.Time     // clock of created, updated and received times
	Logger      *slog.Logger         // River's and the store's
	Schema      string               // PostgreSQL: the schema of every table, River's included
	BusyTimeout time.Duration        // SQLite: how long a transaction waits for the write lock
	Queue       delivery.QueueConfig // how StartWorkers works the delivery queues
	// DeliveryDB, when set, is delivery's own pool of connections to the same database
	// (its River driver must use it too); the store owns and closes it.
	DeliveryDB *sql.DB
}

// Option configures a store.
type Option func(*Config)

// WithClock sets the clock used for created, updated and received times (default time.Now).
func WithClock(now func() time.Time) Option { return func(c *Config) { c.Now = now } }

// WithLogger sets the logger of River and of the store (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(c *Config) { c.Logger = l } }

// NewConfig applies opts to the defaults.
func NewConfig(opts []Option) Config {
	c := Config{Now: time.Now, Logger: slog.Default(), BusyTimeout: 30 * time.Second}
	for _, opt := range opts {
		opt(&c)
	}
	return c
}

// Open brings the schema of db, the dialect's migrations and River's, up to date and
// returns the store. The store owns db and d: Close closes them, and so does a failed Open.
func Open(ctx context.Context, d Dialect, db *sql.DB, cfg Config) (*Store, error) {
	s := &Store{d: d, db: db, ddb: cmp.Or(cfg.DeliveryDB, db), now: cfg.Now, logger: cfg.Logger, queue: cfg.Queue.WithDefaults()}
	s.reader = reader{s.conn(db)}
	s.marks = &markWriter{s: s, writers: markWriters(d), reqs: make(chan markRequest), quit: make(chan struct{})}
	if err := s.open(ctx); err != nil {
		s.closeDB()
		return nil, fmt.Errorf("%s: open: %w", d.Name(), err)
	}
	return s, nil
}

func (s *Store) open(ctx context.Context) error {
	if err := s.migrate(ctx); err != nil {
		return err
	}
	m, err := rivermigrate.New(s.d.River(), &rivermigrate.Config{Logger: s.logger, Schema: s.riverConfig().Schema})
	if err != nil {
		return fmt.Errorf("river migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("river migrate: %w", err)
	}
	return nil
}

// riverConfig is the River configuration of the store's clients, before queues.
func (s *Store) riverConfig() *river.Config {
	c := &river.Config{Logger: s.logger}
	s.d.Configure(c)
	return c
}

// DB returns the store's database, for tests and tools that read it directly.
func (s *Store) DB() *sql.DB { return s.db }

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
			errs = append(errs, s.errorf("stop workers", err))
		}
		cancel()
	}
	s.marks.stop()
	if err := s.closeDB(); err != nil {
		errs = append(errs, s.errorf("close", err))
	}
	return errors.Join(errs...)
}

func (s *Store) closeDB() error {
	var err error
	if s.ddb != s.db {
		err = s.ddb.Close()
	}
	return errors.Join(s.db.Close(), err, s.d.Close())
}

// StartWorkers starts a River client that works the named queues (the default queue when
// none is named) with workers, as WithQueue says (delivery.QueueConfig): how many jobs at
// a time in each, how often to fetch, the job timeout and the rescue of the jobs a crashed
// process left running. Replies are queued by
// channel (dialog.Outbound.Channel), so a process works only the channels it can send on.
// stop waits for running jobs, then returns.
func (s *Store) StartWorkers(ctx context.Context, workers *river.Workers, queues ...string) (stop func(context.Context) error, err error) {
	cfg := s.riverConfig()
	cfg.Workers = workers
	q := s.queue
	if q.FetchCooldown > 0 { // else the dialect's (Configure)
		cfg.FetchCooldown = q.FetchCooldown
	}
	if q.FetchPollInterval > 0 {
		cfg.FetchPollInterval = q.FetchPollInterval
	}
	cfg.FetchPollInterval = max(cfg.FetchPollInterval, cfg.FetchCooldown) // as River requires
	cfg.JobTimeout, cfg.RescueStuckJobsAfter = q.JobTimeout, q.RescueAfter
	cfg.Queues = map[string]river.QueueConfig{}
	for _, name := range queues {
		cfg.Queues[name] = river.QueueConfig{MaxWorkers: q.MaxWorkers}
	}
	if len(queues) == 0 {
		cfg.Queues[river.QueueDefault] = river.QueueConfig{MaxWorkers: q.MaxWorkers}
	}
	c, err := river.NewClient(s.d.River(), cfg)
	if err != nil {
		return nil, s.errorf("start workers", err)
	}
	if err := c.Start(ctx); err != nil {
		return nil, s.errorf("start workers", err)
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
			return s.errorf("stop workers", err)
		}
		return nil
	}, nil
}

// errorf wraps err with the dialect's name and the operation: "sqlite: seed: …". A nil
// err stays nil.
func (s *Store) errorf(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s: %w", s.d.Name(), op, err)
}

// write runs fn in a write transaction that holds lock ("" for none; see Dialect.Begin)
// and commits when fn returns nil.
func (s *Store) write(ctx context.Context, lock string, fn func(q conn) error) error {
	return s.writeOn(ctx, s.db, lock, fn)
}

// writeOn is write on the connections of db (the store's, or delivery's).
func (s *Store) writeOn(ctx context.Context, db *sql.DB, lock string, fn func(q conn) error) error {
	t, err := s.d.Begin(ctx, db, lock)
	if err != nil {
		return err
	}
	defer t.End()
	defer t.Rollback()
	if err := fn(s.txConn(t)); err != nil {
		return err
	}
	return t.Commit()
}
