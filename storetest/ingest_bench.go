package storetest

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/ingest"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/synthetic"
)

// BenchmarkIngest measures writes through the administrations' API on the store: status
// changes of the applications of 2,000 synthetic citizens, each by its own administration
// under its own Idempotency-Key and each queuing a notice and its job, four goroutines per
// GOMAXPROCS as several administrations' systems call at once. It reports writes/s and the
// p50 and p99 latency.
func BenchmarkIngest(b *testing.B, s Store) {
	ctx := context.Background()
	var apps []records.Application
	err := synthetic.Each(2000, 1, time.Now(), func(d *records.Dataset) error {
		apps = append(apps, d.Applications...)
		return s.Seed(ctx, d)
	})
	if err != nil {
		b.Fatalf("Seed: %v", err)
	}
	api := ingest.New(s, slog.New(slog.DiscardHandler))
	statuses := []records.Status{records.StatusInReview, records.StatusApproved}
	run := time.Now().UnixNano()
	var (
		mu        sync.Mutex
		latencies []time.Duration
		n         int
	)
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			mu.Lock()
			i := n
			n++
			mu.Unlock()
			app := apps[i%len(apps)]
			body := fmt.Sprintf(`{"status": %q, "note": {"ca": "Pas %d", "es": "Paso %d"}}`, statuses[i%2], i, i)
			start := time.Now()
			_, err := api.Do(ctx, app.AdministrationID, "status", fmt.Sprintf("bench-%d-%d", run, i), map[string]string{"reference": app.Ref}, []byte(body))
			if err != nil {
				b.Errorf("status change: %v", err)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		latencies = append(latencies, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	slices.Sort(latencies)
	if len(latencies) > 0 {
		b.ReportMetric(float64(len(latencies))/b.Elapsed().Seconds(), "writes/s")
		b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(latencies[len(latencies)*99/100].Microseconds())/1000, "p99-ms")
	}
}
