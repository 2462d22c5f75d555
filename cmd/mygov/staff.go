package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/catalonia/mygov/inbox"
)

// runStaff manages the inbox's accounts: "mygov staff add|list|disable".
func runStaff(ctx context.Context, args []string, cfg config, log *slog.Logger, stdin io.Reader, stdout, stderr io.Writer) int {
	st, _, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "mygov staff: %v\n", err)
		return 1
	}
	defer st.Close()
	is, ok := st.(inbox.StaffStore)
	if !ok {
		fmt.Fprintln(stderr, "mygov staff: this store has no inbox tables")
		return 1
	}
	return inbox.StaffCommand(ctx, is, args, stdin, stdout, stderr)
}

// escalateToInbox gives the engine the inbox's Escalator, when the store has the inbox's
// tables, and adds the demo accounts when the demo data was just loaded.
func (m *Main) escalateToInbox(ctx context.Context, seeded bool, loc *time.Location) error {
	is, ok := m.Store.(inbox.Store)
	if !ok {
		return nil
	}
	r, err := inbox.ParseRouting(m.Config.InboxTeams, m.Config.InboxHours, loc)
	if err != nil {
		return err
	}
	m.Engine.Escalator = &inbox.Escalator{Store: is, Routing: r}
	if seeded {
		return inbox.SeedDemoStaff(ctx, is, time.Now())
	}
	return nil
}

// inbox serves the social workers' inbox under /inbox/ and starts the watcher of
// unclaimed cases, when the store has the inbox's tables.
func (m *Main) inbox(ctx context.Context, mux *http.ServeMux) error {
	is, ok := m.Store.(inbox.Store)
	if !ok {
		m.Log.Info("inbox off: the store has no inbox tables")
		return nil
	}
	srv, err := inbox.New(is, m.Catalog, m.Engine.Matcher, m.Log,
		inbox.WithSecureCookies(strings.HasPrefix(m.Config.PublicURL, "https://")))
	if err != nil {
		return err
	}
	srv.Routes(mux)
	go func() {
		<-ctx.Done()
		srv.Stop() // ends the live-update streams, so shutting down does not wait for them
	}()
	w := &inbox.Watcher{Store: is, After: m.Config.InboxUnclaimed, Logger: m.Log}
	go w.Run(ctx)
	m.Log.Info("inbox on", "path", inbox.Prefix)
	return nil
}
