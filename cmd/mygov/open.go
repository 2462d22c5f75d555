package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/inbox"
	"github.com/catalonia/mygov/intents"
	"github.com/catalonia/mygov/internal/cli"
	"github.com/catalonia/mygov/internal/config"
	"github.com/catalonia/mygov/records/synthetic"
)

// openAs returns the opener of a command that works on T, what its package declares of the
// store: privacy.Store, ingest.Keys, inbox.StaffStore.
func openAs[T any](cfg config.Config, log *slog.Logger) cli.Opener[T] {
	return func(ctx context.Context) (T, io.Closer, error) {
		var zero T
		st, err := openStore(ctx, cfg, log)
		if err != nil {
			return zero, nil, err
		}
		t, ok := st.(T)
		if !ok {
			st.Close()
			return zero, nil, fmt.Errorf("the store (%s) cannot serve this command", cfg.Database())
		}
		return t, st, nil
	}
}

// openMain returns the opener of a command that works on what part takes of a Main on the
// operator's database, never seeded with the demo data (import, sweep).
func openMain[T any](cfg config.Config, log *slog.Logger, part func(*Main) T) cli.Opener[T] {
	return func(ctx context.Context) (T, io.Closer, error) {
		cfg.DemoAsked, cfg.DBNamed = false, true
		m, err := NewMain(ctx, cfg, log)
		if err != nil {
			var zero T
			return zero, nil, err
		}
		return part(m), m, nil
	}
}

// openSeed opens the store for synthetic.SeedCommand; the demo data brings the inbox's
// demo accounts.
func openSeed(cfg config.Config, log *slog.Logger) cli.Opener[synthetic.Target] {
	return func(ctx context.Context) (synthetic.Target, io.Closer, error) {
		st, err := openStore(ctx, cfg, log)
		if err != nil {
			return synthetic.Target{}, nil, err
		}
		seedStaff := func(ctx context.Context) error { return inbox.SeedDemoStaff(ctx, st, time.Now()) }
		return synthetic.Target{Store: st, Where: cfg.Database(), AfterDemo: seedStaff}, st, nil
	}
}

// procedures returns the procedure names of the store's benefits catalog, for the
// classifier's gazetteer (tool.ClassifyCommand).
func procedures(cfg config.Config, log *slog.Logger) func(context.Context) ([]intents.Procedure, error) {
	return func(ctx context.Context) ([]intents.Procedure, error) {
		m, err := NewMain(ctx, cfg, log)
		if err != nil {
			return nil, err
		}
		defer m.Close()
		return intents.ProceduresOf(m.Benefits), nil
	}
}

// runMigrate brings the database schema up to date (opening a store migrates it).
func runMigrate(ctx context.Context, cfg config.Config, log *slog.Logger, stdout, stderr io.Writer) int {
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return cli.Fail(stderr, "migrate", err)
	}
	defer st.Close()
	fmt.Fprintf(stdout, "The schema of %s is up to date.\n", cfg.Database())
	return cli.ExitOK
}
