package postgres

import (
	"testing"

	"github.com/catalonia/mygov/dialog/enginetest"
	"github.com/catalonia/mygov/internal/sqlstore"
)

// TestEngine runs the engine's behaviour suite on PostgreSQL, one schema per test.
func TestEngine(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, clock *enginetest.Clock) enginetest.Store {
		return openSchema(t, "", sqlstore.WithClock(clock.Now))
	})
}

func BenchmarkEngineTurn(b *testing.B) { enginetest.BenchmarkTurn(b, openSchema(b, "")) }
