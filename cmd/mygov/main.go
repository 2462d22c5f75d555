// Command mygov runs MyGov, the public-service assistant of Catalonia's administrations:
// "mygov serve" (the default) answers citizens over Telegram and SMS, "mygov chat" talks to it
// in a terminal, and the other subcommands seed, train and evaluate.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // Europe/Madrid on machines without a zoneinfo database

	"github.com/catalonia/mygov/dialog/convtest"
	"github.com/catalonia/mygov/inbox"
	"github.com/catalonia/mygov/ingest"
	"github.com/catalonia/mygov/intents/tool"
	"github.com/catalonia/mygov/internal/cli"
	"github.com/catalonia/mygov/internal/config"
	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/privacy"
	"github.com/catalonia/mygov/records/synthetic"
)

func main() {
	os.Exit(run(os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// version is set at build time: go build -ldflags "-X main.version=v1.2.3".
var version = ""

// run is main without the process: it returns the exit code.
func run(args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	if cmd == "help" || cmd == "-h" || cmd == "--help" || cmd == "-help" {
		fmt.Fprint(stdout, cli.Usage)
		return cli.ExitOK
	}
	if cli.WantsHelp(args) {
		return cli.Help(cmd, stdout, stderr)
	}
	if cmd == "version" {
		fmt.Fprintln(stdout, "mygov", cli.Version(version))
		return cli.ExitOK
	}
	cfg, err := config.Load(getenv)
	if cmd == "config" {
		return config.Check(args, cfg, err, stdout, stderr)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mygov: invalid configuration:\n%s\n", config.Indent(err))
		return 2
	}
	log := newLogger(stderr, cfg.LogLevel, cfg.LogFormat)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	switch cmd {
	case "serve":
		return runServe(ctx, args, cfg, log, stdout, stderr)
	case "chat":
		return runChat(ctx, args, cfg, log, stdin, stdout, stderr)
	case "seed":
		return synthetic.SeedCommand(ctx, args, openSeed(cfg, log), stdout, stderr)
	case "migrate":
		return runMigrate(ctx, cfg, log, stdout, stderr)
	case "apikey":
		return ingest.KeysCommand(ctx, args, openAs[ingest.Keys](cfg, log), stdout, stderr)
	case "import":
		return ingest.ImportCommand(ctx, args, openMain(cfg, log, (*Main).Importer), stdin, stdout, stderr)
	case "sweep":
		return notices.SweepCommand(ctx, args, openMain(cfg, log, (*Main).Sweep), stdout, stderr)
	case "privacy":
		return privacy.Command(ctx, args, openAs[privacy.Store](cfg, log), stdout, stderr)
	case "staff":
		return inbox.StaffCommand(ctx, args, openAs[inbox.StaffStore](cfg, log), stdin, stdout, stderr)
	case "classify":
		return tool.ClassifyCommand(ctx, args, procedures(cfg, log), stdin, stdout, stderr)
	case "train":
		return tool.TrainCommand(args, stdout, stderr)
	case "eval":
		return tool.EvalCommand(args, stdout, stderr)
	case "evalconv":
		return convtest.Command(ctx, args, stdout, stderr)
	}
	return cli.Unknown(cmd, stderr)
}

// newLogger returns the logger of MyGov: text or JSON (format "json") at level.
func newLogger(w io.Writer, level, format string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: l}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
