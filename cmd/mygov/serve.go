package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/riverqueue/river"
)

// channel is a citizen-facing channel that serve runs: it mounts its webhooks, runs its
// background loop (long polling, if any) and sends replies.
type channel struct {
	name   string
	routes func(mux *http.ServeMux)
	run    func(ctx context.Context) error // nil when the channel only answers webhooks
	sender delivery.Sender
}

// channelFactories build the channels whose credentials are configured; each returns nil,
// nil when its channel is off, with the reason.
var channelFactories []func(a *app) (*channel, string, error)

func runServe(ctx context.Context, args []string, cfg config, log *slog.Logger, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	demo := fs.Bool("demo", false, "load the demo data into an empty database, even one named by DATABASE_URL or MYGOV_DB")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mygov serve: unexpected arguments %q\n", fs.Args())
		return 2
	}
	a, err := openApp(ctx, cfg, log, cfg.seedDemo(*demo))
	if err != nil {
		log.Error("mygov: start", "err", err)
		return 1
	}
	defer a.Close()

	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		io.WriteString(w, "ok\n")
	})
	senders := map[string]delivery.Sender{}
	var loops []*channel
	for _, f := range channelFactories {
		ch, why, err := f(a)
		if err != nil {
			log.Error("mygov: channel", "err", err)
			return 1
		}
		if ch == nil {
			log.Info("channel off: " + why)
			continue
		}
		ch.routes(mux)
		senders[ch.name] = ch.sender
		if ch.run != nil {
			loops = append(loops, ch)
		}
		log.Info("channel on", "channel", ch.name)
	}

	w := &delivery.Worker{Outbox: a.store, Senders: senders, Logger: log}
	queues := make([]string, 0, len(senders))
	for name := range senders {
		queues = append(queues, name)
	}
	if len(queues) == 0 {
		queues = append(queues, river.QueueDefault) // nothing to send, but keep one queue
	}
	stopWorkers, err := a.store.StartWorkers(ctx, delivery.Workers(w), queues...)
	if err != nil {
		log.Error("mygov: start delivery", "err", err)
		return 1
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := stopWorkers(sctx); err != nil {
			log.Warn("mygov: stop delivery", "err", err)
		}
	}()

	go purgeLoop(ctx, a.store, cfg.RetentionDays, log)

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		log.Error("mygov: listen", "addr", cfg.Addr, "err", err)
		return 1
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
	errc := make(chan error, 1+len(loops))
	go func() { errc <- srv.Serve(ln) }()
	for _, ch := range loops {
		go func() {
			if err := ch.run(ctx); err != nil && !errors.Is(err, context.Canceled) {
				errc <- fmt.Errorf("%s: %w", ch.name, err)
			}
		}()
	}
	fmt.Fprintf(stdout, "MyGov is running on http://%s (database: %s).\n", ln.Addr(), a.where)
	fmt.Fprintf(stdout, "Channels: %d on. To chat in the terminal: go run ./cmd/mygov chat --as +34600000001\n", len(senders))

	select {
	case <-ctx.Done():
		log.Info("mygov: shutting down")
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Error("mygov: stopped", "err", err)
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		log.Warn("mygov: http shutdown", "err", err)
	}
	return 0
}

var _ dialog.Handler = (*dialog.Engine)(nil)
