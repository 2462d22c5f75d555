// Package privacy serves a citizen's rights over the data MyGov holds: access (an export
// of everything held about them), erasure of their conversations, and the retention policy
// that deletes old messages. It declares what it needs of the store; both stores have it.
package privacy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/cli"
	"github.com/catalonia/mygov/records"
)

// Store is what the rights of access and erasure need of a store.
type Store interface {
	FindCitizenByID(ctx context.Context, id string) (*records.Citizen, error)
	FindApplicationsByCitizen(ctx context.Context, citizenID string) ([]records.Application, error)
	FindHoldingsByCitizen(ctx context.Context, citizenID string) ([]records.DataHolding, error)
	FindAccessEventsByCitizen(ctx context.Context, citizenID string, limit int) ([]records.AccessEvent, error)
	// Transcripts returns the conversations linked to the citizen and their messages.
	Transcripts(ctx context.Context, citizenID string) ([]dialog.Transcript, error)
	// EraseTranscripts empties every message of the citizen's conversations and keeps their
	// ids and every access event.
	EraseTranscripts(ctx context.Context, citizenID string) (int64, error)
	// RecordAccess writes to the citizen's access log: an operator's export is a read.
	RecordAccess(ctx context.Context, e *records.AccessEvent) error
}

// Access log of an export: MyGov read everything, at the citizen's request, through its
// operators (rendered as "channel.operator" and "reason.export").
const (
	ChannelOperator = "operator"
	ReasonExport    = "export"
)

// RecordExport writes the operator's export of the citizen's data to their access log, so
// that "who used my data" shows it.
func RecordExport(ctx context.Context, st Store, citizenID string, now time.Time) error {
	err := st.RecordAccess(ctx, &records.AccessEvent{
		CitizenID: citizenID, At: now, AdministrationID: records.AccessorAssistant,
		Category: records.CategoryInventory, Channel: ChannelOperator, Reason: ReasonExport,
	})
	if err != nil {
		return fmt.Errorf("privacy: record the export: %w", err)
	}
	return nil
}

// Purger is what the retention policy needs of a store.
type Purger interface {
	// PurgeTranscripts deletes the messages created before t.
	PurgeTranscripts(ctx context.Context, before time.Time) (int64, error)
}

// Export is everything MyGov holds about one citizen: the answer to the right of access.
type Export struct {
	ExportedAt   time.Time             `json:"exported_at"`
	Citizen      *records.Citizen      `json:"citizen"`
	Applications []records.Application `json:"applications"`
	Holdings     []records.DataHolding `json:"data_holdings"`
	AccessEvents []records.AccessEvent `json:"access_events"`
	Transcripts  []dialog.Transcript   `json:"conversations"`
}

// allAccessEvents is the limit of the export's read of the access log: all of it.
const allAccessEvents = 1 << 30

// Assemble reads everything held about the citizen with id. An unknown id is an error with
// code records.ENOTFOUND.
func Assemble(ctx context.Context, st Store, id string, now time.Time) (*Export, error) {
	c, err := st.FindCitizenByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("privacy: export: %w", err)
	}
	x := &Export{ExportedAt: now.UTC(), Citizen: c}
	if x.Applications, err = st.FindApplicationsByCitizen(ctx, c.ID); err != nil {
		return nil, fmt.Errorf("privacy: export applications: %w", err)
	}
	if x.Holdings, err = st.FindHoldingsByCitizen(ctx, c.ID); err != nil {
		return nil, fmt.Errorf("privacy: export data holdings: %w", err)
	}
	if x.AccessEvents, err = st.FindAccessEventsByCitizen(ctx, c.ID, allAccessEvents); err != nil {
		return nil, fmt.Errorf("privacy: export access events: %w", err)
	}
	if x.Transcripts, err = st.Transcripts(ctx, c.ID); err != nil {
		return nil, fmt.Errorf("privacy: export conversations: %w", err)
	}
	return x, nil
}

// WriteJSON writes x as indented JSON.
func (x *Export) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(x); err != nil {
		return fmt.Errorf("privacy: write export: %w", err)
	}
	return nil
}

// Erase empties the content of the messages of the citizen with id, as the erasure in a
// conversation does, and keeps the access log. It returns how many messages it emptied.
// An unknown id is an error with code records.ENOTFOUND.
func Erase(ctx context.Context, st Store, id string) (int64, error) {
	c, err := st.FindCitizenByID(ctx, id)
	if err != nil {
		return 0, fmt.Errorf("privacy: erase: %w", err)
	}
	n, err := st.EraseTranscripts(ctx, c.ID)
	if err != nil {
		return 0, fmt.Errorf("privacy: erase: %w", err)
	}
	return n, nil
}

// Purge deletes the messages older than days before now: the retention policy. It logs how
// many it deleted, never their content.
//
// TODO(store engineer): the retention purge becomes a River periodic job in the store; then
// PurgeEvery goes and the job calls Purge.
func Purge(ctx context.Context, p Purger, days int, now time.Time, log *slog.Logger) error {
	n, err := p.PurgeTranscripts(ctx, now.AddDate(0, 0, -days))
	if err != nil {
		return fmt.Errorf("privacy: purge messages older than %d days: %w", days, err)
	}
	if n > 0 {
		log.Info("retention: purged old messages", "messages", n, "days", days)
	}
	return nil
}

// PurgeEvery runs Purge at once and then every interval until ctx ends, with now as the
// clock. Errors are logged, and the next tick tries again.
func PurgeEvery(ctx context.Context, p Purger, days int, interval time.Duration, now func() time.Time, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if err := Purge(ctx, p, days, now(), log); err != nil && ctx.Err() == nil {
			log.Error("retention", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Command is "mygov privacy export|erase --citizen ID": export writes everything held about
// the citizen as JSON to stdout; erase empties their conversations and keeps the access
// log. open opens the store once the arguments are valid; Command closes it. It returns the
// exit code.
func Command(ctx context.Context, args []string, open cli.Opener[Store], stdout, stderr io.Writer) int {
	action, args, ok := cli.Action(args, "usage: mygov privacy export|erase --citizen ID", stderr, "export", "erase")
	if !ok {
		return cli.ExitUsage
	}
	fs := cli.Flags("privacy "+action, stderr)
	id := fs.String("citizen", "", "the citizen's id (e.g. cit-0001)")
	if err := fs.Parse(args); err != nil {
		return cli.ExitUsage
	}
	if *id == "" {
		fmt.Fprintln(stderr, "mygov privacy: --citizen is required")
		return cli.ExitUsage
	}
	st, closer, err := open(ctx)
	if err == nil {
		defer closer.Close()
		if action == "erase" {
			var n int64
			if n, err = Erase(ctx, st, *id); err == nil {
				fmt.Fprintf(stdout, "Erased the content of %d messages of citizen %s; the access log is kept.\n", n, *id)
			}
		} else {
			var x *Export
			now := time.Now()
			if x, err = Assemble(ctx, st, *id, now); err == nil {
				if err = RecordExport(ctx, st, x.Citizen.ID, now); err == nil {
					err = x.WriteJSON(stdout)
				}
			}
		}
	}
	if records.ErrorCode(err) == records.ENOTFOUND {
		fmt.Fprintf(stderr, "mygov privacy: no citizen with id %q\n", *id)
		return cli.ExitFail
	} else if err != nil {
		return cli.Fail(stderr, "privacy", err)
	}
	return cli.ExitOK
}
