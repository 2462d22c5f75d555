package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/catalonia/mygov/ingest"
	"github.com/catalonia/mygov/internal/config"
)

// openKeys opens the store for ingest.KeysCommand.
func openKeys(cfg config.Config, log *slog.Logger) func(context.Context) (ingest.Keys, io.Closer, error) {
	return func(ctx context.Context) (ingest.Keys, io.Closer, error) {
		st, _, err := openStore(ctx, cfg, log)
		return st, st, err
	}
}
