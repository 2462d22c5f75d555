// Command loadtest runs the load and fault generator of package loadtest against mygov
// replicas it starts: see the README, "Delivery under load and faults".
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/catalonia/mygov/loadtest"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var cfg loadtest.Config
	fs.StringVar(&cfg.Binary, "bin", "", "the mygov binary (required): go build -o /tmp/mygov ./cmd/mygov")
	fs.IntVar(&cfg.Replicas, "replicas", 2, "mygov serve processes at once (use 1 with SQLite)")
	fs.StringVar(&cfg.DatabaseURL, "db", "", "PostgreSQL URL; empty: a fresh SQLite file")
	fs.IntVar(&cfg.Citizens, "citizens", 200, "simulated citizens")
	fs.IntVar(&cfg.Messages, "messages", 2000, "messages in all")
	fs.Float64Var(&cfg.Telegram, "telegram", 0.25, "share of citizens on Telegram (0 to 1), the others on SMS")
	fs.Float64Var(&cfg.DupRate, "dup", 0.05, "share of messages sent twice")
	fs.Float64Var(&cfg.Rate, "rate", 0, "messages a second in all (0: as fast as accepted)")
	fs.Float64Var(&cfg.KillAt, "kill-at", 0, "kill -9 the first replica after this share of messages (0: never)")
	fs.DurationVar(&cfg.RestartAfter, "restart-after", 2*time.Second, "restart a killed replica after")
	fs.Float64Var(&cfg.OutageAt, "outage-at", 0, "make the provider fail after this share of messages")
	fs.DurationVar(&cfg.OutageFor, "outage-for", 0, "how long the provider fails (0: never)")
	fs.BoolVar(&cfg.OutageMix, "outage-mix", true, "mix 429s, hangs and accepted-then-hang into the outage")
	fs.DurationVar(&cfg.Drain, "drain", 3*time.Minute, "longest wait for the replies after the last message")
	env := fs.String("env", "", "more environment for the replicas, NAME=value,NAME=value")
	verbose := fs.Bool("v", false, "show the replicas' logs")
	anomalies := fs.String("anomalies", "", "write each conversation with a reply lost, doubled, reordered or sent again to this file")
	cpuProfile := fs.String("cpuprofile", "", "write the generator's CPU profile to this file")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return 0
		}
		return 2
	}
	if cfg.Binary == "" {
		fmt.Fprintln(stderr, "loadtest: -bin is required")
		return 2
	}
	if *env != "" {
		cfg.Env = strings.Split(*env, ",")
	}
	if *verbose {
		cfg.Log = stderr
	}
	if cfg.DatabaseURL == "" {
		dir, err := os.MkdirTemp("", "mygov-loadtest-")
		if err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 1
		}
		defer os.RemoveAll(dir)
		cfg.SQLitePath = filepath.Join(dir, "mygov.db")
	}
	var anomaliesFile, profileFile *os.File
	for _, out := range []struct {
		path string
		f    **os.File
	}{{*anomalies, &anomaliesFile}, {*cpuProfile, &profileFile}} {
		if out.path == "" {
			continue
		}
		f, err := os.Create(out.path)
		if err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 1
		}
		defer f.Close()
		*out.f = f
	}
	if anomaliesFile != nil {
		cfg.Anomalies = anomaliesFile
	}
	if profileFile != nil {
		if err := pprof.StartCPUProfile(profileFile); err != nil {
			fmt.Fprintln(stderr, "loadtest:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	if os.Getenv("GOGC") == "" {
		// The generator's live heap is small (the replies it records): collecting it less
		// often leaves more of the machine's CPU to the replicas it measures.
		debug.SetGCPercent(400)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := loadtest.Run(ctx, cfg)
	if err != nil {
		fmt.Fprintln(stderr, "loadtest:", err)
		return 1
	}
	fmt.Fprint(stdout, rep)
	fmt.Fprintln(stdout, cpuUsage())
	if !rep.OK() {
		fmt.Fprintln(stdout, "FAIL: replies lost, doubled or reordered")
		return 1
	}
	fmt.Fprintln(stdout, "ok: every message answered once, in order")
	return 0
}

// cpuUsage reports the CPU time of the generator itself and, apart, of the replicas it
// started and waited for, so the cost of the measuring is not mistaken for the measured.
func cpuUsage() string {
	var self, children syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &children)
	cpu := func(r syscall.Rusage) string {
		u, s := time.Duration(r.Utime.Nano()), time.Duration(r.Stime.Nano())
		return fmt.Sprintf("%s (user %s, system %s)", (u + s).Round(time.Millisecond), u.Round(time.Millisecond), s.Round(time.Millisecond))
	}
	return "CPU: generator " + cpu(self) + "; replicas ended " + cpu(children)
}
