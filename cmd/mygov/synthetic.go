package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/internal/config"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/synthetic"
)

// seedSynthetic loads n synthetic citizens, chunk by chunk, one transaction a chunk.
func seedSynthetic(ctx context.Context, cfg config.Config, log *slog.Logger, n int, seed uint64, stdout, stderr io.Writer) int {
	st, where, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "mygov seed: %v\n", err)
		return 1
	}
	defer st.Close()
	start := time.Now()
	var citizens, apps int
	err = synthetic.Each(n, seed, time.Now(), func(d *records.Dataset) error {
		citizens, apps = citizens+len(d.Citizens), apps+len(d.Applications)
		return st.Seed(ctx, d)
	})
	if err != nil {
		fmt.Fprintf(stderr, "mygov seed: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "Loaded %d synthetic citizens and %d applications into %s in %s.\n", citizens, apps, where, time.Since(start).Round(time.Millisecond))
	return 0
}
