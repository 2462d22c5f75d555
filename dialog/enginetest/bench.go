package enginetest

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/dialog"
)

// BenchmarkTurn measures full turns of the engine on st: classification, the state
// machine, record reads, the access log and the outbox, one "com va la meva sol·licitud?"
// a turn from Maria's phone. It reports turns per second and allocations.
func BenchmarkTurn(b *testing.B, st Store) {
	clock := NewClock()
	e := New(b, st, clock, dialog.WithClock(time.Now)) // real time: the benchmark measures the real thing
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_, err := e.Engine.Handle(ctx, dialog.Inbound{
			Channel: sms.Name, Caps: sms.Capabilities, Address: maria, Phone: maria, Kind: dialog.KindText,
			MessageID: "bench-" + strconv.Itoa(i), Text: "com va la meva sol·licitud?",
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
}
