package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/intents"
	"github.com/catalonia/mygov/locales"
	"github.com/catalonia/mygov/postgres"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
	"github.com/catalonia/mygov/sqlite"
	"github.com/riverqueue/river"
)

// store is what main needs of a store: both implementations have it.
type store interface {
	dialog.Store
	dialog.Outbox
	dialog.Privacy
	records.Reader
	Seed(ctx context.Context, d *records.Dataset) error
	Empty(ctx context.Context) (bool, error)
	StartWorkers(ctx context.Context, workers *river.Workers, queues ...string) (func(context.Context) error, error)
	Close() error
}

var (
	_ store = (*sqlite.Store)(nil)
	_ store = (*postgres.Store)(nil)
)

// app is MyGov wired together: the store, the catalog and the engine.
type app struct {
	cfg        config
	log        *slog.Logger
	store      store
	catalog    *locales.Catalog
	classifier *intents.Classifier
	engine     *dialog.Engine
	where      string // which database, for the start-up message
}

// madrid is the time zone of Catalonia, for the dates citizens read.
func madrid() *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		return time.UTC
	}
	return loc
}

// openStore opens PostgreSQL when DATABASE_URL is set, else the embedded SQLite file.
func openStore(ctx context.Context, cfg config, log *slog.Logger) (store, string, error) {
	if cfg.DatabaseURL != "" {
		s, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.WithLogger(log))
		return s, "PostgreSQL (DATABASE_URL)", err
	}
	s, err := sqlite.Open(ctx, cfg.DBPath, sqlite.WithLogger(log))
	return s, "SQLite " + cfg.DBPath, err
}

// openApp opens the store, loads the demo data into an empty embedded database when asked,
// and builds the engine.
func openApp(ctx context.Context, cfg config, log *slog.Logger, seedEmpty bool) (*app, error) {
	st, where, err := openStore(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, store: st, where: where}
	if err := a.init(ctx, seedEmpty); err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

func (a *app) init(ctx context.Context, seedEmpty bool) error {
	if seedEmpty {
		empty, err := a.store.Empty(ctx)
		if err != nil {
			return err
		}
		if empty {
			if err := a.store.Seed(ctx, demo.Dataset(time.Now())); err != nil {
				return fmt.Errorf("seed demo data: %w", err)
			}
			a.log.Info("loaded the demo data into the empty database")
		}
	}
	cat, err := locales.Load()
	if err != nil {
		return err
	}
	a.catalog = cat
	benefits, err := a.store.ListBenefits(ctx)
	if err != nil {
		return fmt.Errorf("list benefits: %w", err)
	}
	elig, err := records.NewEligibility(benefits)
	if err != nil {
		return err
	}
	cls, err := intents.Default(intents.WithProcedures(procedures(benefits)))
	if err != nil {
		return err
	}
	a.classifier = cls
	e := dialog.NewEngine(a.store, a.classifier, elig, a.log)
	e.Location = madrid()
	e.VerifyIdle, e.VerifyMax = a.cfg.VerifyIdle, a.cfg.VerifyMax
	if a.cfg.Threshold >= 0 {
		e.Threshold = a.cfg.Threshold
	} else {
		e.Threshold = intents.DefaultThreshold
	}
	a.engine = e
	return nil
}

// procedures turns the benefits catalog into the classifier's gazetteer, so "com va la
// renda garantida?" points at that application.
func procedures(bs []records.Benefit) []intents.Procedure {
	out := make([]intents.Procedure, 0, len(bs))
	for _, b := range bs {
		names := append([]string{}, b.Aliases...)
		for _, n := range b.Name {
			names = append(names, n)
		}
		out = append(out, intents.Procedure{ID: b.ID, Names: names})
	}
	return out
}

func (a *app) Close() error { return a.store.Close() }
