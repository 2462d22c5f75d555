package main

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/catalonia/mygov/delivery"
)

// routeOps mounts the operator's endpoints (server.Server adds GET /healthz): GET /readyz (it can serve: the database answers, its schema is current, every configured
// channel has its sender) and GET /metrics (Prometheus, behind MYGOV_METRICS_TOKEN when
// set).
func (m *Main) routeOps(mux *http.ServeMux, senders map[string]delivery.Sender) {
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		var b strings.Builder
		status := http.StatusOK
		if err := m.Store.Ready(ctx); err != nil {
			m.Log.Warn("mygov: not ready", "err", err)
			status = http.StatusServiceUnavailable
			fmt.Fprintln(&b, "database: not ready")
		} else {
			fmt.Fprintln(&b, "database: ok")
		}
		names := make([]string, 0, len(senders))
		for name := range senders {
			names = append(names, name)
		}
		slices.Sort(names)
		for _, name := range names {
			fmt.Fprintf(&b, "%s: ok\n", name)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, b.String())
	})
	m.Metrics.SetQueueDepth(func(ctx context.Context) (map[string]int64, error) {
		depth, err := m.Store.QueuedOutbound(ctx)
		for name := range senders { // an empty queue reads 0, not nothing
			if _, ok := depth[name]; !ok && err == nil {
				depth[name] = 0
			}
		}
		return depth, err
	})
	mux.Handle("GET /metrics", m.Metrics.Handler(m.Config.MetricsToken, m.Log))
}
