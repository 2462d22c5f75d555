package synthetic

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/catalonia/mygov/internal/cli"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
)

// Target is the store "mygov seed" loads into.
type Target struct {
	Store interface {
		Seed(ctx context.Context, d *records.Dataset) error
	}
	Where string // which database, for the summary ("SQLite mygov.db")
	// AfterDemo, when set, runs once the demo data is loaded: the inbox's demo accounts.
	AfterDemo func(ctx context.Context) error
}

// SeedCommand is "mygov seed --demo" (the demo dataset) and "mygov seed --synthetic N
// [--seed S]" (N synthetic citizens, deterministic for S, one transaction a chunk of
// ChunkSize). It opens the store once the command line is known to be right and prints
// what it loaded where.
func SeedCommand(ctx context.Context, args []string, open cli.Opener[Target], stdout, stderr io.Writer) int {
	fs := cli.Flags("seed", stderr)
	loadDemo := fs.Bool("demo", false, "load the synthetic demo dataset")
	n := fs.Int("synthetic", 0, "load a synthetic population of this many citizens (benchmarks, load tests)")
	seed := fs.Uint64("seed", 1, "with --synthetic: the seed; the same seed gives the same population")
	if err := fs.Parse(args); err != nil {
		return cli.ExitUsage
	}
	if *loadDemo == (*n > 0) || *n < 0 {
		fmt.Fprintln(stderr, "mygov seed: say what to load: --demo or --synthetic N")
		return cli.ExitUsage
	}
	t, closer, err := open(ctx)
	if err != nil {
		return cli.Fail(stderr, "seed", err)
	}
	defer closer.Close()
	if *n > 0 {
		start := time.Now()
		var citizens, apps int
		err = Each(*n, *seed, time.Now(), func(d *records.Dataset) error {
			citizens, apps = citizens+len(d.Citizens), apps+len(d.Applications)
			return t.Store.Seed(ctx, d)
		})
		if err != nil {
			return cli.Fail(stderr, "seed", err)
		}
		fmt.Fprintf(stdout, "Loaded %d synthetic citizens and %d applications into %s in %s.\n", citizens, apps, t.Where, time.Since(start).Round(time.Millisecond))
		return cli.ExitOK
	}
	d := demo.Dataset(time.Now())
	if err := d.Validate(); err != nil {
		return cli.Fail(stderr, "seed", fmt.Errorf("the demo data is invalid: %w", err))
	}
	if err := t.Store.Seed(ctx, d); err != nil {
		return cli.Fail(stderr, "seed", err)
	}
	if t.AfterDemo != nil {
		if err := t.AfterDemo(ctx); err != nil {
			return cli.Fail(stderr, "seed", err)
		}
	}
	fmt.Fprintf(stdout, "Loaded %d citizens, %d applications and %d benefits into %s.\n", len(d.Citizens), len(d.Applications), len(d.Benefits), t.Where)
	return cli.ExitOK
}
