package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
)

// runMigrate brings the database schema up to date (opening a store migrates it).
func runMigrate(ctx context.Context, cfg config, log *slog.Logger, stdout, stderr io.Writer) int {
	st, where, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "mygov migrate: %v\n", err)
		return 1
	}
	defer st.Close()
	fmt.Fprintf(stdout, "The schema of %s is up to date.\n", where)
	return 0
}
