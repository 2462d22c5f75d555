package loadtest

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
)

// BenchmarkPost measures what one webhook costs the generator: signing an SMS and posting
// it to a replica that answers at once, from 64 citizens at a time, with the generator's
// client and, for comparison, with http.DefaultClient (2 kept connections a host). The
// connections the stub replica accepted are reported per op.
//
//	go test -run XXX -bench BenchmarkPost -benchmem ./loadtest
func BenchmarkPost(b *testing.B) {
	for _, tc := range []struct {
		name   string
		client *http.Client
	}{{"Kept", newClient(256, new(atomic.Int64))}, {"Default", http.DefaultClient}} {
		b.Run(tc.name, func(b *testing.B) {
			var conns atomic.Int64
			srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
			srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
				if s == http.StateNew {
					conns.Add(1)
				}
			}
			srv.Start()
			defer srv.Close()
			r := newReplica("stub", "", nil, nil)
			r.url, r.up = srv.URL, true
			replicas := []*Replica{r}
			c := smsCitizen("bench", 0, "+34611000000")
			c.texts = []string{"quin temps farà demà?"}
			var retries atomic.Int64
			b.SetParallelism(32) // 64 goroutines on 2 cores
			b.ReportAllocs()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					post(context.Background(), tc.client, replicas, c.webhook(0), 0, &retries)
				}
			})
			b.ReportMetric(float64(conns.Load())/float64(b.N), "conns/op")
		})
	}
}
