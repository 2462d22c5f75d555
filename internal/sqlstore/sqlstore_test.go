package sqlstore_test

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/pgtest"
	"github.com/catalonia/mygov/internal/sqlstore"
	"github.com/catalonia/mygov/postgres"
	"github.com/catalonia/mygov/sqlite"
)

// dialects opens a fresh store of each dialect with opts.
var dialects = map[string]func(t *testing.T, opts ...sqlstore.Option) (*sqlstore.Store, error){
	"sqlite": func(t *testing.T, opts ...sqlstore.Option) (*sqlstore.Store, error) {
		return sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "mygov.db"), opts...)
	},
	"postgres": func(t *testing.T, opts ...sqlstore.Option) (*sqlstore.Store, error) {
		url := pgtest.URL(t)
		return postgres.Open(t.Context(), url, append(opts, postgres.WithSchema(pgtest.Schema(t, url)))...)
	},
}

func TestWithClock(t *testing.T) {
	for name, open := range dialects {
		t.Run(name, func(t *testing.T) {
			now := time.Date(2026, 3, 1, 9, 0, 0, 123456789, time.UTC)
			s, err := open(t, sqlstore.WithClock(func() time.Time { return now }), sqlstore.WithLogger(slog.New(slog.DiscardHandler)))
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
		})
	}
}

func TestNumberedPlaceholders(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"SELECT 1", "SELECT 1"},
		{"a = ? AND b = ?", "a = $1 AND b = $2"},
		{"x = '?' OR y = ?", "x = '?' OR y = $1"},
		{"x = 'it''s ?' AND y IN (?, ?)", "x = 'it''s ?' AND y IN ($1, $2)"},
	} {
		if got := sqlstore.NumberedPlaceholders(c.in); got != c.want {
			t.Errorf("NumberedPlaceholders(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestMigrations(t *testing.T) {
	for name, files := range map[string][]string{
		"unnumbered": {"init.sql"},
		"zero":       {"0000_init.sql"},
		"twice":      {"0001_a.sql", "0001_b.sql"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := sqlstore.Migrations(fsOf(files...)); err == nil {
				t.Errorf("Migrations accepted %v", files)
			}
		})
	}
	got, err := sqlstore.Migrations(fsOf("0002_b.sql", "0010_c.sql", "0001_a.sql", "README"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range got {
		names = append(names, m.Name)
	}
	if got, want := strings.Join(names, " "), "0001_a 0002_b 0010_c"; got != want {
		t.Errorf("Migrations = %s, want %s", got, want)
	}
}

// fsOf is a file system of empty files.
func fsOf(names ...string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for _, n := range names {
		fsys["migrations/"+n] = &fstest.MapFile{}
	}
	return fsys
}
