package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/internal/config"
)

// runSweep runs the nightly eligibility sweep once, now, and prints what it did.
func runSweep(ctx context.Context, args []string, cfg config.Config, log *slog.Logger, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintf(stderr, "mygov sweep: unexpected arguments %q\n", args)
		return 2
	}
	cfg.DemoAsked, cfg.DBNamed = false, true // a sweep never brings the demo data
	m, err := NewMain(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "mygov sweep: %v\n", err)
		return 1
	}
	defer m.Close()
	start := time.Now()
	res, err := m.Sweep().Run(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "mygov sweep: %v\n", err)
		return 1
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "Swept %d citizens × %d benefits in %s (%.0f evaluations a second): %d changed, %d new-benefit notices queued.\n",
		res.Citizens, len(m.Benefits), took.Round(time.Millisecond), float64(res.Citizens*len(m.Benefits))/took.Seconds(), res.Changed, res.Notices)
	return 0
}
