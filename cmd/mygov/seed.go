package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/inbox"
	"github.com/catalonia/mygov/internal/config"
	"github.com/catalonia/mygov/records/demo"
)

// runSeed loads a dataset into the store: for now the synthetic demo data (--demo).
func runSeed(ctx context.Context, args []string, cfg config.Config, log *slog.Logger, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	fs.SetOutput(stderr)
	loadDemo := fs.Bool("demo", false, "load the synthetic demo dataset")
	n := fs.Int("synthetic", 0, "load a synthetic population of this many citizens (benchmarks, load tests)")
	seed := fs.Uint64("seed", 1, "with --synthetic: the seed; the same seed gives the same population")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *loadDemo == (*n > 0) || *n < 0 {
		fmt.Fprintln(stderr, "mygov seed: say what to load: --demo or --synthetic N")
		return 2
	}
	if *n > 0 {
		return seedSynthetic(ctx, cfg, log, *n, *seed, stdout, stderr)
	}
	st, where, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "mygov seed: %v\n", err)
		return 1
	}
	defer st.Close()
	d := demo.Dataset(time.Now())
	if err := d.Validate(); err != nil {
		fmt.Fprintf(stderr, "mygov seed: the demo data is invalid: %v\n", err)
		return 1
	}
	if err := st.Seed(ctx, d); err != nil {
		fmt.Fprintf(stderr, "mygov seed: %v\n", err)
		return 1
	}
	if is, ok := st.(inbox.StaffStore); ok {
		if err := inbox.SeedDemoStaff(ctx, is, time.Now()); err != nil {
			fmt.Fprintf(stderr, "mygov seed: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stdout, "Loaded %d citizens, %d applications and %d benefits into %s.\n", len(d.Citizens), len(d.Applications), len(d.Benefits), where)
	return 0
}
