package postgres

import (
	"context"
	"log/slog"
	"testing"

	"github.com/catalonia/mygov/internal/pgtest"
	"github.com/catalonia/mygov/internal/sqlstore"
	"github.com/catalonia/mygov/storetest"
)

// suiteStore gives the suite its Inspector over the store's database.
type suiteStore struct {
	*Store
	storetest.SQLInspector
}

// ParallelTurns says that turns of different conversations run at the same time.
func (suiteStore) ParallelTurns() bool { return true }

func inspected(s *Store) suiteStore {
	return suiteStore{s, storetest.SQLInspector{DB: s.DB(),
		JobArgsQuery: `SELECT args::text FROM river_job WHERE kind = $1 ORDER BY id`}}
}

// openSchema opens the store on a schema for the test, closed when it ends; an empty
// schema is a fresh one.
func openSchema(tb testing.TB, schema string, opts ...sqlstore.Option) *Store {
	tb.Helper()
	url := pgtest.URL(tb)
	if schema == "" {
		schema = pgtest.Schema(tb, url)
	}
	opts = append([]sqlstore.Option{WithSchema(schema), sqlstore.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	s, err := Open(context.Background(), url, opts...)
	if err != nil {
		tb.Fatalf("Open(schema %s): %v", schema, err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Errorf("Close: %v", err)
		}
	})
	return s
}

func TestStore(t *testing.T) {
	url := pgtest.URL(t)
	storetest.Run(t, storetest.Reopening(func(t *testing.T) string { return pgtest.Schema(t, url) },
		func(t *testing.T, schema string) storetest.Store { return inspected(openSchema(t, schema)) }))
}

func TestOpenRejectsBadSchema(t *testing.T) {
	if _, err := Open(t.Context(), pgtest.DefaultURL, WithSchema(`x"; DROP TABLE y; --`)); err == nil {
		t.Fatal("Open accepted a schema name that is not an identifier")
	}
}

func BenchmarkTurn(b *testing.B) { storetest.BenchmarkTurn(b, inspected(openSchema(b, ""))) }

func BenchmarkTurnParallel(b *testing.B) {
	storetest.BenchmarkTurnParallel(b, inspected(openSchema(b, "")))
}
