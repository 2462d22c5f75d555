package postgres

import (
	"log/slog"
	"testing"

	"github.com/catalonia/mygov/dialog/enginetest"
)

// TestEngine runs the engine's behaviour suite on PostgreSQL, each case in a fresh schema.
func TestEngine(t *testing.T) {
	url := testURL(t)
	enginetest.Run(t, func(t *testing.T, clock *enginetest.Clock) enginetest.Store {
		s, err := Open(t.Context(), url, WithSchema(freshSchema(t, url)), WithNow(clock.Now), WithLogger(slog.New(slog.DiscardHandler)))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func BenchmarkEngineTurn(b *testing.B) {
	url := testURL(b)
	s, err := Open(b.Context(), url, WithSchema(freshSchema(b, url)), WithLogger(slog.New(slog.DiscardHandler)))
	if err != nil {
		b.Fatalf("Open: %v", err)
	}
	defer s.Close()
	enginetest.BenchmarkTurn(b, s)
}
