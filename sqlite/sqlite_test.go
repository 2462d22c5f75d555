package sqlite

import (
	"context"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/migrations"
	"github.com/catalonia/mygov/storetest"
)

// suiteStore gives the suite its Inspector over the store's database.
type suiteStore struct{ *Store }

func (s suiteStore) QueryInt(ctx context.Context, query string) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

func (s suiteStore) QueryStrings(ctx context.Context, query string) ([]string, error) {
	return s.queryStrings(ctx, query)
}

func (s suiteStore) queryStrings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// opener opens one database file per test; a second open in a test reopens its file.
type opener struct {
	mu    sync.Mutex
	paths map[*testing.T]string
}

func (o *opener) open(t *testing.T) storetest.Store {
	t.Helper()
	o.mu.Lock()
	if o.paths == nil {
		o.paths = map[*testing.T]string{}
	}
	path, ok := o.paths[t]
	if !ok {
		path = filepath.Join(t.TempDir(), "mygov.db")
		o.paths[t] = path
		t.Cleanup(func() {
			o.mu.Lock()
			delete(o.paths, t)
			o.mu.Unlock()
		})
	}
	o.mu.Unlock()
	s, err := Open(t.Context(), path, WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("Open(%s): %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return suiteStore{s}
}

func TestStore(t *testing.T) {
	var o opener
	storetest.Run(t, o.open)
}

func TestOpenTwiceMigratesOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mygov.db")
	for range 2 {
		s, err := Open(t.Context(), path, WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		var n int
		if err := s.db.QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		files, _ := migrations.Files(migrationsFS)
		if n != len(files) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(files))
		}
		s.Close()
	}
}

func TestWithNow(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "mygov.db"), WithNow(func() time.Time { return now }),
		WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer s.Close()
	want := now.Truncate(time.Microsecond)
	for range 2 {
		err := s.Turn(t.Context(), "console", "clock", func(ctx context.Context, tx dialog.Tx) error {
			c := tx.Conversation()
			if !c.CreatedAt.Equal(want) || !c.UpdatedAt.Equal(want) {
				t.Errorf("times = %v, %v, want %v", c.CreatedAt, c.UpdatedAt, want)
			}
			return tx.SaveConversation(ctx, c)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestTwoStoresOneFile checks that turns are serialized by the database's write lock, not
// only inside one Store, as they must be when two processes share the file.
func TestTwoStoresOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mygov.db")
	var stores [2]*Store
	for i := range stores {
		s, err := Open(t.Context(), path, WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		defer s.Close()
		stores[i] = s
	}
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

func BenchmarkTurn(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "mygov.db"), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	storetest.BenchmarkTurn(b, suiteStore{s})
}

func BenchmarkTurnParallel(b *testing.B) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "mygov.db"), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	storetest.BenchmarkTurnParallel(b, suiteStore{s})
}

func (s suiteStore) JobArgs(ctx context.Context, kind string) ([]string, error) {
	return s.queryStrings(ctx, `SELECT json(args) FROM river_job WHERE kind = ? ORDER BY id`, kind)
}
