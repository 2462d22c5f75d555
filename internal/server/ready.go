package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"
)

// readyTimeout bounds the readiness check of one GET /readyz.
const readyTimeout = 2 * time.Second

// Ready returns the handler of GET /readyz: 200 when check passes (for MyGov: the database
// answers and its schema is current), 503 when it fails. The body says which, then names
// each channel that is on (each has its sender).
func Ready(check func(context.Context) error, channels []string, log *slog.Logger) http.Handler {
	channels = slices.Sorted(slices.Values(channels))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
		defer cancel()
		var b strings.Builder
		status := http.StatusOK
		if err := check(ctx); err != nil {
			log.Warn("server: not ready", "err", err)
			status = http.StatusServiceUnavailable
			fmt.Fprintln(&b, "database: not ready")
		} else {
			fmt.Fprintln(&b, "database: ok")
		}
		for _, name := range channels {
			fmt.Fprintf(&b, "%s: ok\n", name)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(status)
		fmt.Fprint(w, b.String())
	})
}
