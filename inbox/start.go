package inbox

import (
	"context"
	"net/http"
	"time"
)

// Start mounts the inbox under Prefix on mux and works in the background until ctx ends:
// it runs the Watcher that tells the citizens of cases unclaimed for unclaimed that they
// can call the 012, and when ctx ends it stops the live-update streams, so that shutting
// the HTTP server down does not wait for them.
func (s *Server) Start(ctx context.Context, mux *http.ServeMux, unclaimed time.Duration) {
	s.Routes(mux)
	go func() {
		<-ctx.Done()
		s.Stop()
	}()
	w := &Watcher{Store: s.store, After: unclaimed, Now: s.now, Logger: s.log}
	go w.Run(ctx)
}
