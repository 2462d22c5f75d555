package sqlite

import (
	"testing"

	"github.com/catalonia/mygov/dialog/enginetest"
	"github.com/catalonia/mygov/internal/sqlstore"
)

// TestEngine runs the engine's behaviour suite on the embedded store.
func TestEngine(t *testing.T) {
	enginetest.Run(t, func(t *testing.T, clock *enginetest.Clock) enginetest.Store {
		return openFile(t, tempPath(t), sqlstore.WithClock(clock.Now))
	})
}

func BenchmarkEngineTurn(b *testing.B) { enginetest.BenchmarkTurn(b, openFile(b, tempPath(b))) }
