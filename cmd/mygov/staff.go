package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

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

// mountInbox serves the social workers' inbox under /inbox/ and starts the watcher of
// unclaimed cases, when the store has the inbox's tables.
func mountInbox(ctx context.Context, a *app, mux *http.ServeMux) error {
	is, ok := a.store.(inbox.Store)
	if !ok {
		a.log.Info("inbox off: the store has no inbox tables")
		return nil
	}
	srv, err := inbox.New(is, a.catalog, a.engine.Matcher, a.log,
		inbox.WithLocation(a.engine.Location),
		inbox.WithSecureCookies(strings.HasPrefix(a.cfg.PublicURL, "https://")))
	if err != nil {
		return err
	}
	srv.Routes(mux)
	w := &inbox.Watcher{Store: is, After: a.cfg.InboxUnclaimed, Logger: a.log}
	go w.Run(ctx)
	a.log.Info("inbox on", "path", inbox.Prefix)
	return nil
}
