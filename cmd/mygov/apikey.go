package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/catalonia/mygov/ingest"
)

// openKeys opens the store for ingest.KeysCommand.
func openKeys(cfg config, log *slog.Logger) func(context.Context) (ingest.Keys, io.Closer, error) {
	return func(ctx context.Context) (ingest.Keys, io.Closer, error) {
		st, _, err := openStore(ctx, cfg, log)
		return st, st, err
	}
}
