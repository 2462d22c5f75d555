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

// TestWALFramesOfATurn counts the pages a status turn writes to the WAL, on average over
// a number of turns (page splits included), against the ceiling's transaction
// (BenchmarkCeiling): the commit's cost follows them. It fails when a turn writes more
// than maxTurnFrames, as a new index on a table every turn writes would make it.
func TestWALFramesOfATurn(t *testing.T) {
	const n = 40 // turns: under SQLite's automatic checkpoint (1,000 frames)
	s := openFile(t, tempPath(t))
	turn := enginetest.StatusTurns(t, s)
	turns := walFrames(t, s.DB(), n, turn)
	cdb := ceilingDB(t)
	ceiling := walFrames(t, cdb, n, func(i int) error { return ceilingTx(cdb, i) })
	t.Logf("WAL frames: %.1f a turn, %.1f a ceiling transaction", turns, ceiling)
	if turns > maxTurnFrames {
		t.Errorf("a turn writes %.1f WAL frames, more than %v", turns, maxTurnFrames)
	}
}

// maxTurnFrames is what a status turn writes to the WAL today, 12.0 frames, and a little
// room for page splits.
const maxTurnFrames = 12.5
