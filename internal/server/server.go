// Package server runs MyGov's HTTP endpoints (health and the channels' webhooks) and the
// channels' background loops (long polling) together, and stops them together.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// shutdownTimeout bounds the wait for requests in flight when the server stops.
const shutdownTimeout = 10 * time.Second

// Server is the HTTP server and the loops of the channels that are on.
type Server struct {
	Addr  string                                     // the address to listen on, e.g. 127.0.0.1:8080
	Mux   *http.ServeMux                             // the routes; Run adds GET /healthz
	Loops map[string]func(ctx context.Context) error // background loops by channel name
	Log   *slog.Logger
}

// Run listens on Addr, calls ready with the address it listens on, and serves until ctx
// ends (it returns nil) or the server or a loop fails (it returns that error). Either way
// it shuts the HTTP server down gracefully and cancels the loops.
func (s *Server) Run(ctx context.Context, ready func(net.Addr)) error {
	s.Mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("server: listen on %s: %w", s.Addr, err)
	}
	srv := &http.Server{Handler: s.Mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	ctx, stop := context.WithCancel(ctx) // the loops end with Run
	defer stop()
	errc := make(chan error, 1+len(s.Loops))
	go func() { errc <- srv.Serve(ln) }()
	for name, loop := range s.Loops {
		go func() {
			if err := loop(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errc <- fmt.Errorf("server: %s: %w", name, err)
			}
		}()
	}
	ready(ln.Addr())
	var runErr error
	select {
	case <-ctx.Done():
		s.Log.Info("server: shutting down")
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			runErr = err
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		s.Log.Warn("server: http shutdown", "err", err)
	}
	return runErr
}
