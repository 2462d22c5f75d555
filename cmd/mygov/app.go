package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"time"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/inbox"
	"github.com/catalonia/mygov/ingest"
	"github.com/catalonia/mygov/intents"
	"github.com/catalonia/mygov/internal/config"
	"github.com/catalonia/mygov/internal/metrics"
	"github.com/catalonia/mygov/internal/sqlstore"
	"github.com/catalonia/mygov/locales"
	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/postgres"
	"github.com/catalonia/mygov/privacy"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
	"github.com/catalonia/mygov/sqlite"
	"github.com/riverqueue/river"
)

// store is what main needs of a store: both implementations have it.
type store interface {
	dialog.Store
	delivery.Outbox
	sms.Outbox
	privacy.Store
	privacy.Purger
	records.Reader
	Seed(ctx context.Context, d *records.Dataset) error
	Empty(ctx context.Context) (bool, error)
	Ready(ctx context.Context) error
	QueuedOutbound(ctx context.Context) (map[string]int64, error)
	StartWorkers(ctx context.Context, workers *river.Workers, queues ...string) (func(context.Context) error, error)
	Close() error

	inbox.Store // the social workers' inbox and its staff accounts

	// The administrations' API and the notices.
	ingest.Store
	ingest.Keys
	notices.Store
	notices.Queuer
	notices.SweepStore
	notices.SweepScheduler
	notices.Applications
}

var (
	_ store = (*sqlite.Store)(nil)
	_ store = (*postgres.Store)(nil)
)

// Main is MyGov wired together from its configuration: the store, the catalog, the
// classifier and the engine. Run serves citizens with it (serve.go); the subcommands use
// its parts. Close releases the store.
type Main struct {
	Config     config.Config
	Log        *slog.Logger
	Store      store
	Catalog    *locales.Catalog
	Benefits   []records.Benefit // the store's benefits catalog
	Classifier *intents.Classifier
	Engine     *dialog.Engine
	Handler    dialog.Handler // the engine, measured
	Metrics    *metrics.Metrics
	Matcher    *records.Eligibility // the benefits' rules, compiled once
	Location   *time.Location       // Catalonia's time zone: dates citizens read, quiet hours
	notices    bool                 // startDelivery also works the notices' queue (serve)
}

// openStore opens PostgreSQL when DATABASE_URL is set, else the embedded SQLite file.
func openStore(ctx context.Context, cfg config.Config, log *slog.Logger) (store, error) {
	if cfg.DatabaseURL != "" {
		return postgres.Open(ctx, cfg.DatabaseURL, sqlstore.WithLogger(log), sqlstore.WithQueue(cfg.Queue))
	}
	return sqlite.Open(ctx, cfg.DBPath, sqlstore.WithLogger(log), sqlstore.WithQueue(cfg.Queue))
}

// NewMain opens the store (loading the demo data into an empty one when
// config.Config.SeedDemo says so), the catalog and the classifier, whose procedure names
// come from the store's benefits catalog, and builds the engine, which hands conversations
// to the inbox's Escalator.
func NewMain(ctx context.Context, cfg config.Config, log *slog.Logger) (_ *Main, err error) {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			st.Close()
		}
	}()
	seeded := false
	if cfg.SeedDemo() {
		if seeded, err = demo.SeedIfEmpty(ctx, st, time.Now()); err != nil {
			return nil, err
		} else if seeded {
			log.Info("loaded the demo data into the empty database")
		}
	}
	m := &Main{Config: cfg, Log: log, Store: st}
	if m.Catalog, err = locales.Load(); err != nil {
		return nil, err
	}
	if m.Benefits, err = st.ListBenefits(ctx); err != nil {
		return nil, fmt.Errorf("list benefits: %w", err)
	}
	elig, err := records.NewEligibility(m.Benefits)
	if err != nil {
		return nil, err
	}
	if m.Classifier, err = intents.Default(intents.WithProcedures(intents.ProceduresOf(m.Benefits))); err != nil {
		return nil, err
	}
	madrid, err := time.LoadLocation("Europe/Madrid") // Catalonia's, for the dates citizens read
	if err != nil {
		return nil, err
	}
	m.Matcher, m.Location = elig, madrid
	m.Metrics = metrics.New(cfg.Threshold)
	m.Engine = dialog.NewEngine(st, m.Metrics.Classify(m.Classifier), elig, log, dialog.WithLocation(madrid), dialog.WithThreshold(cfg.Threshold),
		dialog.WithVerifyWindow(cfg.VerifyIdle, cfg.VerifyMax))
	routing, err := inbox.ParseRouting(cfg.InboxTeams, cfg.InboxHours, madrid)
	if err != nil {
		return nil, err
	}
	m.Engine.Escalator = &inbox.Escalator{Store: st, Routing: routing}
	if seeded { // the demo data comes with the inbox's demo accounts
		if err := inbox.SeedDemoStaff(ctx, st, time.Now()); err != nil {
			return nil, err
		}
	}
	m.Engine.Escalator = m.Metrics.Escalate(m.Engine.Escalator)
	m.Handler = m.Metrics.Handle(m.Engine)
	return m, nil
}

// startDelivery starts the River workers that send the outbox's replies through senders,
// one queue per channel. The workers outlive ctx: on SIGTERM, stop makes them take no new
// job and waits a while for the sends in flight, which would otherwise be cancelled and
// sent again after the restart.
func (m *Main) startDelivery(ctx context.Context, senders map[string]delivery.Sender) (stop func(), err error) {
	queues := slices.Collect(maps.Keys(senders))
	if len(queues) == 0 {
		queues = append(queues, river.QueueDefault) // nothing to send, but River wants a queue
	}
	c := m.Config
	w := &delivery.Worker{Outbox: m.Store, Senders: senders, Logger: m.Log, Observer: m.Metrics,
		Lease: c.Queue.JobTimeout, MaxBackoff: c.MaxBackoff, GiveUpAfter: c.GiveUpAfter, Rates: c.Rates}
	workers := delivery.Workers(w)
	if m.notices {
		m.addNoticeWorkers(workers)
		queues = append(queues, notices.Queue)
	}
	stopWorkers, err := m.Store.StartWorkers(context.WithoutCancel(ctx), workers, queues...)
	if err != nil {
		return nil, fmt.Errorf("start delivery: %w", err)
	}
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := stopWorkers(sctx); err != nil {
			m.Log.Warn("mygov: stop delivery", "err", err)
		}
	}, nil
}

// Close releases the store.
func (m *Main) Close() error { return m.Store.Close() }

// API returns the administrations' API on the store: profile changes are checked against
// the benefits' rules for new-benefit notices.
func (m *Main) API() *ingest.API {
	return ingest.New(m.Store, m.Log.With("component", "ingest"), ingest.WithMatcher(m.Matcher))
}

// Importer returns what "mygov import" writes through: the API of API, the store's
// administrations.
func (m *Main) Importer() ingest.Importer {
	return ingest.Importer{API: m.API(), Administration: func(ctx context.Context, id string) error {
		_, err := m.Store.FindAdministration(ctx, id)
		return err
	}}
}

// Sweep returns the nightly eligibility sweep on the store.
func (m *Main) Sweep() *notices.Sweep {
	return &notices.Sweep{Store: m.Store, Matcher: m.Matcher, Benefits: len(m.Benefits), Logger: m.Log.With("component", "sweep")}
}

// addNoticeWorkers registers the workers of the notices' queue: the notices themselves, the
// deadline reminders and the nightly sweep.
func (m *Main) addNoticeWorkers(ws *river.Workers) {
	river.AddWorker(ws, &notices.Worker{Store: m.Store, Notifier: m.Engine, Quiet: m.Config.QuietHours,
		Location: m.Location, Logger: m.Log.With("component", "notices")})
	river.AddWorker(ws, &notices.ReminderWorker{Applications: m.Store, Queuer: m.Store})
	river.AddWorker(ws, &notices.SweepWorker{Sweep: m.Sweep()})
}
