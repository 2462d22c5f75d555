package sqlite

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/sqlstore"
	"github.com/catalonia/mygov/storetest"
)

// suiteStore gives the suite its Inspector over the store's database.
type suiteStore struct {
	*Store
	storetest.SQLInspector
}

func inspected(s *Store) suiteStore {
	return suiteStore{s, storetest.SQLInspector{DB: s.DB(),
		JobArgsQuery: `SELECT json(args) FROM river_job WHERE kind = ? ORDER BY id`}}
}

func quiet() sqlstore.Option { return sqlstore.WithLogger(slog.New(slog.DiscardHandler)) }

// openFile opens the database file at path for the test, closed when it ends.
func openFile(tb testing.TB, path string, opts ...sqlstore.Option) *Store {
	tb.Helper()
	s, err := Open(context.Background(), path, append([]sqlstore.Option{quiet()}, opts...)...)
	if err != nil {
		tb.Fatalf("Open(%s): %v", path, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func tempPath(tb testing.TB) string { return filepath.Join(tb.TempDir(), "mygov.db") }

func TestStore(t *testing.T) {
	storetest.Run(t, storetest.Reopening(func(t *testing.T) string { return tempPath(t) },
		func(t *testing.T, path string) storetest.Store { return inspected(openFile(t, path)) }))
}

// TestTwoStoresOneFile checks that turns are serialized by the database's write lock, not
// only inside one Store, as they must be when two processes share the file.
func TestTwoStoresOneFile(t *testing.T) {
	path := tempPath(t)
	stores := [2]*Store{openFile(t, path), openFile(t, path)}
	const n = 10
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for _, s := range stores {
		for range n {
			wg.Go(func() {
				errs <- s.Turn(t.Context(), "sms", "+34600000020", func(ctx context.Context, tx dialog.Tx) error {
					c := tx.Conversation()
					v := c.Offset
					time.Sleep(time.Millisecond)
					c.Offset = v + 1
					return tx.SaveConversation(ctx, c)
				})
			})
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("turn: %v", err)
		}
	}
	err := stores[0].Turn(t.Context(), "sms", "+34600000020", func(ctx context.Context, tx dialog.Tx) error {
		if got := tx.Conversation().Offset; got != 2*n {
			t.Errorf("counter = %d, want %d", got, 2*n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func BenchmarkTurn(b *testing.B) { storetest.BenchmarkTurn(b, inspected(openFile(b, tempPath(b)))) }

func BenchmarkTurnParallel(b *testing.B) {
	storetest.BenchmarkTurnParallel(b, inspected(openFile(b, tempPath(b))))
}
