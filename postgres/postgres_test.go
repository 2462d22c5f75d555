package postgres

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/migrations"
	"github.com/catalonia/mygov/storetest"
)

// defaultURL is the server the tests use when DATABASE_URL is not set.
const defaultURL = "postgres://postgres@127.0.0.1:5432/test"

// testURL returns the server of the tests. When none answers (or scripts/test found none
// and set MYGOV_SKIP_POSTGRES), the test is skipped, loudly, except on CI (CI set), where
// it fails.
func testURL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = defaultURL
	}
	var err error
	if os.Getenv("MYGOV_SKIP_POSTGRES") != "" { // scripts/test found no server
		err = errors.New("MYGOV_SKIP_POSTGRES is set")
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var conn *pgx.Conn
		if conn, err = pgx.Connect(ctx, url); err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
	}
	if err != nil {
		msg := "\n\n*** NO POSTGRESQL: the postgres store was NOT tested ***\n" +
			"*** set DATABASE_URL (default " + defaultURL + "): " + err.Error() + " ***\n"
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return url
}

// freshSchema returns the name of a new schema, dropped when the test ends.
func freshSchema(tb testing.TB, url string) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "storetest_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}

// suiteStore gives the suite its Inspector over the store's database.
type suiteStore struct{ *Store }

func (s suiteStore) QueryInt(ctx context.Context, query string) (int64, error) {
	var n int64
	err := s.pool.QueryRow(ctx, query).Scan(&n)
	return n, err
}

func (s suiteStore) QueryStrings(ctx context.Context, query string) ([]string, error) {
	rows, err := s.pool.Query(ctx, query)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

func (s suiteStore) JobArgs(ctx context.Context, kind string) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT args::text FROM river_job WHERE kind = $1 ORDER BY id`, kind)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// ParallelTurns says that turns of different conversations run at the same time.
func (suiteStore) ParallelTurns() bool { return true }

// opener opens one schema per test; a second open in a test reopens its schema.
type opener struct {
	url     string
	mu      sync.Mutex
	schemas map[*testing.T]string
}

func (o *opener) open(t *testing.T) storetest.Store {
	t.Helper()
	o.mu.Lock()
	if o.schemas == nil {
		o.schemas = map[*testing.T]string{}
	}
	schema, ok := o.schemas[t]
	if !ok {
		schema = freshSchema(t, o.url)
		o.schemas[t] = schema
		t.Cleanup(func() {
			o.mu.Lock()
			delete(o.schemas, t)
			o.mu.Unlock()
		})
	}
	o.mu.Unlock()
	s, err := Open(t.Context(), o.url, WithSchema(schema), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		t.Fatalf("Open(schema %s): %v", schema, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return suiteStore{s}
}

func TestStore(t *testing.T) {
	o := &opener{url: testURL(t)}
	storetest.Run(t, o.open)
}

func TestOpenTwiceMigratesOnce(t *testing.T) {
	url := testURL(t)
	schema := freshSchema(t, url)
	for range 2 {
		s, err := Open(t.Context(), url, WithSchema(schema), WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		var n int
		if err := s.pool.QueryRow(t.Context(), `SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		files, _ := migrations.Files(migrationsFS)
		if n != len(files) {
			t.Errorf("schema_migrations has %d rows, want %d", n, len(files))
		}
		s.Close()
	}
}

func TestOpenRejectsBadSchema(t *testing.T) {
	if _, err := Open(t.Context(), defaultURL, WithSchema(`x"; DROP TABLE y; --`)); err == nil {
		t.Fatal("Open accepted a schema name that is not an identifier")
	}
}

func TestWithNow(t *testing.T) {
	url := testURL(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
	s, err := Open(t.Context(), url, WithSchema(freshSchema(t, url)), WithNow(func() time.Time { return now }),
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

func openBench(b *testing.B) *Store {
	url := testURL(b)
	s, err := Open(context.Background(), url, WithSchema(freshSchema(b, url)), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkTurn(b *testing.B) { storetest.BenchmarkTurn(b, suiteStore{openBench(b)}) }

func BenchmarkTurnParallel(b *testing.B) {
	storetest.BenchmarkTurnParallel(b, suiteStore{openBench(b)})
}
