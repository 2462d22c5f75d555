package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// privacyStore is what the citizens' rights of access and erasure, and the retention
// policy, need of the store. Erasing a transcript empties its messages' content and keeps
// their ids (so a redelivered message is still recognised) and every access event (the
// audit).
type privacyStore interface {
	// Transcripts returns the conversations linked to the citizen and their messages.
	Transcripts(ctx context.Context, citizenID string) ([]dialog.Transcript, error)
	// EraseTranscripts empties every message of the citizen's conversations.
	EraseTranscripts(ctx context.Context, citizenID string) (int64, error)
	// PurgeTranscripts deletes the messages created before t.
	PurgeTranscripts(ctx context.Context, before time.Time) (int64, error)
}

// export is everything MyGov holds about one citizen: the right of access.
type export struct {
	ExportedAt   time.Time             `json:"exported_at"`
	Citizen      *records.Citizen      `json:"citizen"`
	Applications []records.Application `json:"applications"`
	Holdings     []records.DataHolding `json:"data_holdings"`
	AccessEvents []records.AccessEvent `json:"access_events"`
	Transcripts  []dialog.Transcript   `json:"conversations"`
}

// runPrivacy serves the citizens' rights: "privacy export --citizen ID" writes everything
// held about one citizen as JSON; "privacy erase --citizen ID" erases their transcripts, as
// the in-chat erasure does, keeping the access log.
func runPrivacy(ctx context.Context, args []string, cfg config, log *slog.Logger, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "export" && args[0] != "erase") {
		fmt.Fprintln(stderr, "usage: mygov privacy export|erase --citizen ID")
		return 2
	}
	action := args[0]
	fs := flag.NewFlagSet("privacy "+action, flag.ContinueOnError)
	fs.SetOutput(stderr)
	id := fs.String("citizen", "", "the citizen's id (e.g. cit-0001)")
	if err := fs.Parse(args[1:]); err != nil {
		return 2
	}
	if *id == "" {
		fmt.Fprintln(stderr, "mygov privacy: --citizen is required")
		return 2
	}
	st, _, err := openStore(ctx, cfg, log)
	if err != nil {
		fmt.Fprintf(stderr, "mygov privacy: %v\n", err)
		return 1
	}
	defer st.Close()
	c, err := st.FindCitizenByID(ctx, *id)
	if records.ErrorCode(err) == records.ENOTFOUND {
		fmt.Fprintf(stderr, "mygov privacy: no citizen with id %q\n", *id)
		return 1
	} else if err != nil {
		fmt.Fprintf(stderr, "mygov privacy: %v\n", err)
		return 1
	}
	if action == "erase" {
		n, err := st.EraseTranscripts(ctx, c.ID)
		if err != nil {
			fmt.Fprintf(stderr, "mygov privacy: %v\n", err)
			return 1
		}
		fmt.Fprintf(stdout, "Erased the content of %d messages of citizen %s; the access log is kept.\n", n, c.ID)
		return 0
	}
	x := export{ExportedAt: time.Now().UTC(), Citizen: c}
	if x.Applications, err = st.FindApplicationsByCitizen(ctx, c.ID); err == nil {
		if x.Holdings, err = st.FindHoldingsByCitizen(ctx, c.ID); err == nil {
			if x.AccessEvents, err = st.FindAccessEventsByCitizen(ctx, c.ID, 100000); err == nil {
				x.Transcripts, err = st.Transcripts(ctx, c.ID)
			}
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "mygov privacy: %v\n", err)
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(x); err != nil {
		fmt.Fprintf(stderr, "mygov privacy: %v\n", err)
		return 1
	}
	return 0
}

// purgeLoop deletes transcripts older than the retention period, at start and then every
// hour, until ctx ends.
func purgeLoop(ctx context.Context, p privacyStore, days int, log *slog.Logger) {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		n, err := p.PurgeTranscripts(ctx, time.Now().AddDate(0, 0, -days))
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("retention: purge transcripts", "err", err)
		case n > 0:
			log.Info("retention: purged old messages", "messages", n, "days", days)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
