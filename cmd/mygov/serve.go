package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/telegram"
	"github.com/catalonia/mygov/channels/whatsapp"
	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/inbox"
	"github.com/catalonia/mygov/internal/cli"
	"github.com/catalonia/mygov/internal/config"
	"github.com/catalonia/mygov/internal/server"
	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/privacy"
)

// retentionInterval is how often serve deletes the messages older than the retention period.
const retentionInterval = time.Hour

func runServe(ctx context.Context, args []string, cfg config.Config, log *slog.Logger, stdout, stderr io.Writer) int {
	fs := cli.Flags("serve", stderr)
	demo := fs.Bool("demo", false, "load the demo data into an empty database, even one named by DATABASE_URL or MYGOV_DB")
	if err := fs.Parse(args); err != nil {
		return cli.ExitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "mygov serve: unexpected arguments %q\n", fs.Args())
		return cli.ExitUsage
	}
	cfg.DemoAsked = *demo
	m, err := NewMain(ctx, cfg, log)
	if err != nil {
		log.Error("mygov: start", "err", err)
		return cli.ExitFail
	}
	defer m.Close()
	if err := m.Run(ctx, stdout); err != nil {
		log.Error("mygov: stopped", "err", err)
		return cli.ExitFail
	}
	return cli.ExitOK
}

// channels builds the channels whose credentials are configured and puts their webhooks,
// loops and senders on srv and senders; it logs the channels left off.
func (m *Main) channels(srv *server.Server, senders map[string]delivery.Sender) error {
	log := func(name string) *slog.Logger { return m.Log.With("channel", name) }
	if c, on := m.Config.Telegram(); on {
		tg, err := telegram.New(c, m.Handler, m.Catalog, log(telegram.Name))
		if err != nil {
			return err
		}
		tg.Routes(srv.Mux)
		srv.Loops[telegram.Name], senders[telegram.Name] = tg.Run, tg
	}
	if c, on := m.Config.SMS(); on {
		s, err := sms.New(c, m.Handler, m.Store, m.Catalog, log(sms.Name), sms.WithSentHook(m.Metrics.SMSSent))
		if err != nil {
			return err
		}
		s.Routes(srv.Mux)
		senders[sms.Name] = s
	}
	if c, on := m.Config.WhatsApp(); on {
		w, err := whatsapp.New(c, m.Engine, m.Store, m.Catalog, log(whatsapp.Name))
		if err != nil {
			return err
		}
		w.Routes(srv.Mux)
		senders[whatsapp.Name] = w
	}
	for _, name := range []string{telegram.Name, sms.Name, whatsapp.Name} {
		if senders[name] == nil {
			m.Log.Info("channel off: " + name + " (" + config.TurnOn(name) + " to turn it on)")
		}
	}
	return nil
}

// Run serves citizens until ctx ends: the HTTP server (health, readiness, metrics,
// webhooks, the administrations' API, the inbox), the channels' loops, the delivery and
// notices workers and the retention policy.
func (m *Main) Run(ctx context.Context, stdout io.Writer) error {
	srv := &server.Server{Addr: m.Config.Addr, Mux: http.NewServeMux(), Loops: map[string]func(context.Context) error{}, Log: m.Log}
	senders := map[string]delivery.Sender{}
	if err := m.channels(srv, senders); err != nil {
		return err
	}
	on := slices.Sorted(maps.Keys(senders))
	srv.Mux.Handle("GET /readyz", server.Ready(m.Store.Ready, on, m.Log))
	m.Metrics.SetQueueDepth(m.Store.QueuedOutbound, on...)
	srv.Mux.Handle("GET /metrics", m.Metrics.Handler(m.Config.MetricsToken, m.Log))
	m.API().Routes(srv.Mux)
	m.notices = true
	stop, err := m.startDelivery(ctx, senders)
	if err != nil {
		return err
	}
	defer stop()

	// TODO(store engineer): the retention purge becomes a River periodic job started with
	// the delivery workers; this goroutine goes then.
	go notices.ScheduleNightly(ctx, m.Store, m.Location, m.Log)
	go privacy.PurgeEvery(ctx, m.Store, m.Config.RetentionDays, retentionInterval, time.Now, m.Log)

	in, err := inbox.New(m.Store, m.Catalog, m.Engine.Matcher, m.Log, inbox.WithSecureCookies(strings.HasPrefix(m.Config.PublicURL, "https://")))
	if err != nil {
		return err
	}
	in.Start(ctx, srv.Mux, m.Config.InboxUnclaimed)
	m.Log.Info("inbox on", "path", inbox.Prefix)

	return srv.Run(ctx, func(addr net.Addr) {
		fmt.Fprintf(stdout, "MyGov is running on http://%s (database: %s).\n", addr, m.Config.Database())
		fmt.Fprintf(stdout, "Channels: %v on. To chat in the terminal: go run ./cmd/mygov chat --as +34600000001\n", on)
	})
}
