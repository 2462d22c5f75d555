package convtest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/catalonia/mygov/records/demo"

	"github.com/catalonia/mygov/internal/sqlstore"
	"github.com/catalonia/mygov/sqlite"
)

// SQLite opens each scenario's store as a new SQLite file in dir, a copy of one seeded
// with the demo data the first time (seeding is most of the cost of a scenario).
func SQLite(dir string) Open {
	var (
		n        atomic.Int64
		once     sync.Once
		template = filepath.Join(dir, "template.db")
		seedErr  error
	)
	open := func(ctx context.Context, path string, now func() time.Time) (*sqlite.Store, error) {
		return sqlite.Open(ctx, path, sqlstore.WithClock(now), sqlstore.WithLogger(slog.New(slog.DiscardHandler)))
	}
	return func(ctx context.Context, now func() time.Time) (Store, func(), error) {
		once.Do(func() {
			s, err := open(ctx, template, now)
			if err != nil {
				seedErr = err
				return
			}
			seedErr = errors.Join(s.Seed(ctx, demo.Dataset(Start)), s.Close())
		})
		if seedErr != nil {
			return nil, nil, fmt.Errorf("seed template: %w", seedErr)
		}
		path := filepath.Join(dir, "conv-"+strconv.FormatInt(n.Add(1), 10)+".db")
		b, err := os.ReadFile(template)
		if err != nil {
			return nil, nil, err
		}
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, nil, err
		}
		s, err := open(ctx, path, now)
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close(); os.Remove(path) }, nil
	}
}

// Command is "mygov evalconv [-v] [-category NAME]": it plays the embedded scenarios on
// SQLite files in a temporary directory and prints the success rate by category. It
// exits 1 when a scenario fails.
func Command(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("evalconv", flag.ContinueOnError)
	fs.SetOutput(stderr)
	verbose := fs.Bool("v", false, "print every failed check with the reply")
	category := fs.String("category", "", "play only the scenarios of this category")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	scenarios, err := Load()
	if err != nil {
		fmt.Fprintf(stderr, "mygov evalconv: %v\n", err)
		return 1
	}
	if *category != "" {
		var keep []Scenario
		for _, s := range scenarios {
			if s.Category == *category {
				keep = append(keep, s)
			}
		}
		scenarios = keep
	}
	dir, err := os.MkdirTemp("", "mygov-evalconv-")
	if err != nil {
		fmt.Fprintf(stderr, "mygov evalconv: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	results, err := Run(ctx, SQLite(dir), scenarios)
	if err != nil {
		fmt.Fprintf(stderr, "mygov evalconv: %v\n", err)
		return 1
	}
	Report(stdout, results, *verbose)
	for _, r := range results {
		if !r.Passed() {
			return 1
		}
	}
	return 0
}
