package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/catalonia/mygov/privacy"
)

// openPrivacyStore opens the store for privacy.Command.
func openPrivacyStore(cfg config, log *slog.Logger) func(context.Context) (privacy.Store, io.Closer, error) {
	return func(ctx context.Context) (privacy.Store, io.Closer, error) {
		st, _, err := openStore(ctx, cfg, log)
		return st, st, err
	}
}
