package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/telegram"
	"github.com/catalonia/mygov/channels/whatsapp"
	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/internal/config"
	"github.com/catalonia/mygov/internal/server"
	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/privacy"
)

// retentionInterval is how often serve deletes the messages older than the retention period.
const retentionInterval = time.Hour

func runServe(ctx context.Context, args []string, cfg config.Config, log *slog.Logger, stdout, stderr io.Writer) int {
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
	cfg.DemoAsked = *demo
	m, err := NewMain(ctx, cfg, log)
	if err != nil {
		log.Error("mygov: start", "err", err)
		return 1
	}
	defer m.Close()
	if err := m.Run(ctx, stdout); err != nil {
		log.Error("mygov: stopped", "err", err)
		return 1
	}
	return 0
}

// channels builds the channels whose credentials are configured and puts their webhooks,
// loops and senders on srv and senders; it logs the channels left off.
func (m *Main) channels(srv *server.Server, senders map[string]delivery.Sender) error {
	c := m.Config
	if c.TelegramToken == "" {
		m.Log.Info("channel off: telegram (set " + config.EnvTelegramToken + " to turn it on)")
	} else {
		tg, err := telegram.New(telegram.Config{
			Token:         c.TelegramToken,
			APIURL:        c.TelegramAPI,
			WebhookURL:    c.TelegramWebhook,
			WebhookSecret: c.TelegramSecret,
		}, m.Handler, m.Catalog, m.Log.With("channel", telegram.Name))
		if err != nil {
			return err
		}
		tg.Routes(srv.Mux)
		srv.Loops[telegram.Name], senders[telegram.Name] = tg.Run, tg
	}
	if !c.SMSOn() {
		m.Log.Info("channel off: sms (set " + config.EnvTwilioSID + ", " + config.EnvTwilioToken + ", " + config.EnvTwilioFrom + " or " + config.EnvTwilioService + " and " + config.EnvPublicURL + " to turn it on)")
	} else {
		s, err := sms.New(sms.Config{
			AccountSID:          c.TwilioSID,
			AuthToken:           c.TwilioToken,
			From:                c.TwilioFrom,
			MessagingServiceSID: c.TwilioService,
			PublicURL:           c.PublicURL,
			APIURL:              c.TwilioAPI,
			SegmentBudget:       c.SMSSegments,
			GSM7:                c.SMSGSM7,
		}, m.Handler, m.Store, m.Catalog, m.Log.With("channel", sms.Name), sms.WithSentHook(m.Metrics.SMSSent))
		if err != nil {
			return err
		}
		s.Routes(srv.Mux)
		senders[sms.Name] = s
	}
	return m.whatsapp(srv, senders)
}

// whatsapp builds the WhatsApp channel when the Twilio credentials and a WhatsApp sender
// are set.
func (m *Main) whatsapp(srv *server.Server, senders map[string]delivery.Sender) error {
	c := m.Config
	if !c.WhatsAppOn() {
		m.Log.Info("channel off: whatsapp (set " + config.EnvTwilioSID + ", " + config.EnvTwilioToken + " and " + config.EnvWhatsAppFrom + " to turn it on)")
		return nil
	}
	templates, err := whatsapp.ParseTemplates(c.WhatsAppTemplates)
	if err != nil {
		return fmt.Errorf("%s: %w", config.EnvWhatsAppTpl, err)
	}
	w, err := whatsapp.New(whatsapp.Config{
		AccountSID:          c.TwilioSID,
		AuthToken:           c.TwilioToken,
		From:                c.WhatsAppFrom,
		MessagingServiceSID: c.WhatsAppService,
		PublicURL:           c.PublicURL,
		APIURL:              c.TwilioAPI,
		Templates:           templates,
	}, m.Engine, m.Store, m.Catalog, m.Log.With("channel", whatsapp.Name))
	if err != nil {
		return err
	}
	w.Routes(srv.Mux)
	senders[whatsapp.Name] = w
	return nil
}

// Run serves citizens until ctx ends: the HTTP server (health and webhooks), the channels'
// loops, the delivery workers and the retention policy.
func (m *Main) Run(ctx context.Context, stdout io.Writer) error {
	srv := &server.Server{Addr: m.Config.Addr, Mux: http.NewServeMux(), Loops: map[string]func(context.Context) error{}, Log: m.Log}
	senders := map[string]delivery.Sender{}
	if err := m.channels(srv, senders); err != nil {
		return err
	}
	m.routeOps(srv.Mux, senders)
	server.Profile(ctx, m.Config.PprofAddr, m.Log)
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

	if err := m.inbox(ctx, srv.Mux); err != nil {
		return err
	}

	return srv.Run(ctx, func(addr net.Addr) {
		fmt.Fprintf(stdout, "MyGov is running on http://%s (database: %s).\n", addr, m.where)
		fmt.Fprintf(stdout, "Channels: %v on. To chat in the terminal: go run ./cmd/mygov chat --as +34600000001\n", slices.Sorted(maps.Keys(senders)))
	})
}
