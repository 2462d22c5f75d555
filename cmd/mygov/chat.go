package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"time"

	"github.com/catalonia/mygov/channels/console"
	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

func runChat(ctx context.Context, args []string, cfg config, log *slog.Logger, stdin io.Reader, stdout, stderr io.Writer) int {
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
		log = newLogger(stderr, "warn")
	}
	a, err := openApp(ctx, cfg, log, cfg.seedDemo(*demo))
	if err != nil {
		fmt.Fprintf(stderr, "mygov chat: %v\n", err)
		return 1
	}
	defer a.Close()

	address := *as
	if address == "" {
		address = "anonymous"
	}
	con := console.New(address, a.catalog, stdout)
	w := &delivery.Worker{Outbox: a.store, Senders: map[string]delivery.Sender{console.Name: con}, Logger: log}
	stopWorkers, err := a.store.StartWorkers(ctx, delivery.Workers(w), console.Name)
	if err != nil {
		fmt.Fprintf(stderr, "mygov chat: %v\n", err)
		return 1
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		stopWorkers(sctx)
	}()

	session := strconv.FormatInt(time.Now().UnixNano(), 36)
	in := bufio.NewReaderSize(stdin, 64*1024)
	for n := 1; ; n++ {
		line, err := readLine(in)
		if err == io.EOF && line == "" {
			return 0
		}
		if err != nil && err != io.EOF {
			fmt.Fprintf(stderr, "mygov chat: read: %v\n", err)
			return 1
		}
		msg := dialog.Inbound{
			Channel:   console.Name,
			Caps:      console.Capabilities,
			Address:   address,
			MessageID: session + "-" + strconv.Itoa(n),
			Kind:      dialog.KindText,
			Text:      line,
			Phone:     *as,
			LangHint:  *lang,
			LangSet:   *lang != "",
		}
		res, herr := a.engine.Handle(ctx, msg)
		if herr != nil {
			fmt.Fprintf(stderr, "mygov chat: %v\n", herr)
			return 1
		}
		ids := make([]int64, 0, len(res.Outbound))
		for _, o := range res.Outbound {
			ids = append(ids, o.ID)
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		werr := con.Wait(wctx, ids)
		cancel()
		if werr != nil {
			fmt.Fprintf(stderr, "mygov chat: replies not delivered: %v\n", werr)
			return 1
		}
		if err == io.EOF {
			return 0
		}
	}
}
