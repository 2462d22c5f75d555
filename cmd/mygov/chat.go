package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/catalonia/mygov/channels/console"
	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/internal/cli"
	"github.com/catalonia/mygov/internal/config"
)

// runChat talks to the assistant in the terminal, one message a line of stdin, as the
// citizen with the --as phone (or anonymously).
func runChat(ctx context.Context, args []string, cfg config.Config, log *slog.Logger, stdin io.Reader, stdout, stderr io.Writer) int {
	o, ok := console.ParseFlags(args, cfg.DBPath, stderr)
	if !ok {
		return cli.ExitUsage
	}
	if o.DB != "" {
		cfg.DBPath, cfg.DBNamed = o.DB, true
	}
	// The conversation's text goes to standard output; keep the logs to warnings unless
	// MYGOV_LOG_LEVEL says otherwise.
	if !cfg.LogLevelSet {
		log = newLogger(stderr, "warn", cfg.LogFormat)
	}
	cfg.DemoAsked = o.Demo
	m, err := NewMain(ctx, cfg, log)
	if err != nil {
		return cli.Fail(stderr, "chat", err)
	}
	defer m.Close()
	con := console.New(o.Address(), m.Catalog, stdout)
	stop, err := m.startDelivery(ctx, map[string]delivery.Sender{console.Name: con})
	if err != nil {
		return cli.Fail(stderr, "chat", err)
	}
	defer stop()
	if err := con.Converse(ctx, m.Engine, o.Session, stdin); err != nil {
		return cli.Fail(stderr, "chat", err)
	}
	return cli.ExitOK
}
