package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/catalonia/mygov/channels/console"
	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/config"
	"github.com/catalonia/mygov/records"
)

// runChat talks to the assistant in the terminal, one message a line of stdin, as the
// citizen with the --as phone (or anonymously).
func runChat(ctx context.Context, args []string, cfg config.Config, log *slog.Logger, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	as := fs.String("as", "", "talk as the citizen with this phone number (E.164, e.g. +34600000001)")
	lang := fs.String("lang", "", "language of the conversation: ca or es")
	db := fs.String("db", "", "SQLite database file (default "+cfg.DBPath+")")
	demo := fs.Bool("demo", false, "load the demo data into an empty database, even one named by --db, DATABASE_URL or MYGOV_DB")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *lang != "" && *lang != dialog.LangCA && *lang != dialog.LangES {
		fmt.Fprintln(stderr, "mygov chat: --lang must be ca or es")
		return 2
	}
	if *as != "" && !records.ValidPhone(*as) {
		fmt.Fprintln(stderr, "mygov chat: --as must be a phone number in E.164 form, e.g. +34600000001")
		return 2
	}
	if *db != "" {
		cfg.DBPath, cfg.DBNamed = *db, true
	}
	// The conversation's text goes to standard output; keep the logs to warnings unless
	// MYGOV_LOG_LEVEL says otherwise.
	if !cfg.LogLevelSet {
		log = newLogger(stderr, "warn", cfg.LogFormat)
	}
	cfg.DemoAsked = *demo
	m, err := NewMain(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "mygov chat: %v\n", err)
		return 1
	}
	defer m.Close()

	address := *as
	if address == "" {
		address = "anonymous"
	}
	con := console.New(address, m.Catalog, stdout)
	stop, err := m.startDelivery(ctx, map[string]delivery.Sender{console.Name: con})
	if err != nil {
		fmt.Fprintf(stderr, "mygov chat: %v\n", err)
		return 1
	}
	defer stop()
	if err := con.Converse(ctx, m.Engine, console.Session{Phone: *as, Lang: *lang}, stdin); err != nil {
		fmt.Fprintf(stderr, "mygov chat: %v\n", err)
		return 1
	}
	return 0
}
