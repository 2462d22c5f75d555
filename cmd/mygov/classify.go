package main

import (
	"context"
	"log/slog"

	"github.com/catalonia/mygov/intents"
)

// procedures returns the procedure names of the store's benefits catalog, for the
// classifier's gazetteer (see tool.ClassifyCommand).
func procedures(cfg config, log *slog.Logger) func(context.Context) ([]intents.Procedure, error) {
	return func(ctx context.Context) ([]intents.Procedure, error) {
		m, err := NewMain(ctx, cfg, log)
		if err != nil {
			return nil, err
		}
		defer m.Close()
		return intents.ProceduresOf(m.Benefits), nil
	}
}
