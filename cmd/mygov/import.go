package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/catalonia/mygov/ingest"
	"github.com/catalonia/mygov/internal/config"
)

// openImport builds the administrations' API for ingest.ImportCommand: the same writes,
// the same notices, as the HTTP API of serve.
func openImport(cfg config.Config, log *slog.Logger) func(context.Context) (*ingest.API, func(context.Context, string) error, io.Closer, error) {
	return func(ctx context.Context) (*ingest.API, func(context.Context, string) error, io.Closer, error) {
		cfg.DemoAsked, cfg.DBNamed = false, true // an import never brings the demo data
		m, err := NewMain(ctx, cfg, log)
		if err != nil {
			return nil, nil, nil, err
		}
		admins := func(ctx context.Context, id string) error {
			_, err := m.Store.FindAdministration(ctx, id)
			return err
		}
		return m.API(), admins, m, nil
	}
}
