package enginetest

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/dialog"
)

// BenchmarkTurn measures full turns of the engine on st: classification, the state
// machine, record reads, the access log and the outbox, one "com va la meva sol·licitud?"
// a turn from Maria's phone (StatusTurns). It reports turns per second and allocations.
func BenchmarkTurn(b *testing.B, st Store) {
	turn := StatusTurns(b, st)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		if err := turn(i); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
}

// StatusTurns seeds st and returns the turn of BenchmarkTurn: the i-th "com va la meva
// sol·licitud?" from Maria's phone over SMS, answered with her applications' status. A
// turn answered otherwise is an error: a failed turn, which Handle answers with an
// apology, must not pass for a fast one.
func StatusTurns(tb testing.TB, st Store) func(i int) error {
	e := New(tb, st, NewClock(), dialog.WithClock(time.Now))                  // real time: the benchmark measures the real thing
	caps := sms.NewRenderer(sms.Config{GSM7: true}, e.Catalog).Capabilities() // as the SMS webhook sets them
	return func(i int) error {
		ctx, cancel := context.WithCancel(context.Background()) // a webhook's context can end
		defer cancel()
		res, err := e.Engine.Handle(ctx, dialog.Inbound{
			Channel: sms.Name, Caps: caps, Address: maria, Phone: maria, Kind: dialog.KindText,
			MessageID: "bench-" + strconv.Itoa(i), Text: "com va la meva sol·licitud?",
		})
		if err != nil {
			return err
		}
		if len(res.Outbound) != 1 || len(res.Outbound[0].Reply.Lines) == 0 || res.Outbound[0].Reply.Lines[0].Key != dialog.KeyStatusHeader {
			return fmt.Errorf("turn %d: not answered with the status: %+v", i, res.Outbound)
		}
		return nil
	}
}
