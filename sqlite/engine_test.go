package sqlite

import (
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/catalonia/mygov/dialog/enginetest"
)

// TestEngine runs the engine's behaviour suite on the embedded store.
func TestEngine(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, clock *enginetest.Clock) enginetest.Store {
		s, err := Open(t.Context(), filepath.Join(t.TempDir(), "mygov.db"), WithNow(clock.Now), WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func BenchmarkEngineTurn(b *testing.B) {
	s, err := Open(b.Context(), filepath.Join(b.TempDir(), "mygov.db"), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	enginetest.BenchmarkTurn(b, s)
}
