package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
	"github.com/riverqueue/river"
)

// Privacy is what the citizens' rights of access and erasure, and the retention policy,
// need of a store.
type Privacy interface {
	Transcripts(ctx context.Context, citizenID string) ([]dialog.Transcript, error)
	EraseTranscripts(ctx context.Context, citizenID string) (int64, error)
	PurgeTranscripts(ctx context.Context, before time.Time) (int64, error)
}

// testPrivacy checks the rights of access and erasure and the retention purge: erasure
// empties the citizen's transcripts and keeps the access log and the dedupe keys.
func testPrivacy(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	p, ok := s.(Privacy)
	if !ok {
		t.Fatalf("%T does not implement Privacy", s)
	}
	if err := s.Seed(ctx, demo.Dataset(time.Now())); err != nil {
		t.Fatal(err)
	}
	maria, err := s.FindCitizenByPhone(ctx, MariaPhone)
	if err != nil {
		t.Fatal(err)
	}
	const ch = chSMS
	turn(t, s, ch, MariaPhone, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		c.CitizenID = maria.ID
		if err := tx.SaveConversation(ctx, c); err != nil {
			return err
		}
		if _, err := tx.AddInbound(ctx, c.ID, inbound(ch, MariaPhone, "p1", "el meu DNI és 12345678Z")); err != nil {
			return err
		}
		return tx.AddOutbound(ctx, outbound(c, 0, "Maria Puig"))
	})
	// Someone else's conversation is left alone.
	turn(t, s, ch, "+34600000002", func(ctx context.Context, tx dialog.Tx) error {
		_, err := tx.AddInbound(ctx, tx.Conversation().ID, inbound(ch, "+34600000002", "p2", "hola"))
		return err
	})
	events := len(accessEvents(t, s, maria.ID))
	// Deliver the reply, so its finished job (whose arguments hold the text) is in the table.
	delivered := make(chan struct{}, 1)
	workers := river.NewWorkers()
	river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, job *river.Job[delivery.Job]) error {
		delivered <- struct{}{}
		return nil
	}))
	stop, err := s.StartWorkers(ctx, workers, ch)
	if err != nil {
		t.Fatalf("StartWorkers: %v", err)
	}
	select {
	case <-delivered:
	case <-time.After(15 * time.Second):
		t.Fatalf("the reply was not delivered in 15 s")
	}
	waitFor(t, "the delivery job to finish", func() bool {
		return count(t, s, `SELECT count(*) FROM river_job WHERE finalized_at IS NOT NULL`) == 1
	})
	if err := stop(ctx); err != nil {
		t.Fatalf("stop: %v", err)
	}

	ts, err := p.Transcripts(ctx, maria.ID)
	if err != nil {
		t.Fatalf("Transcripts: %v", err)
	}
	if len(ts) != 1 || len(ts[0].Messages) != 2 {
		t.Fatalf("Transcripts = %d conversations (%+v), want 1 with 2 messages", len(ts), ts)
	}
	if m := ts[0].Messages; m[0].Text != "el meu DNI és 12345678Z" || m[1].Reply == nil || len(m[1].Reply.Lines) != 1 {
		t.Errorf("messages = %+v", m)
	}

	n, err := p.EraseTranscripts(ctx, maria.ID)
	if err != nil || n != 2 {
		t.Fatalf("EraseTranscripts = %d, %v; want 2", n, err)
	}
	if got := count(t, s, `SELECT count(*) FROM messages WHERE text LIKE '%12345678Z%' OR reply IS NOT NULL AND conversation_id IN (SELECT id FROM conversations WHERE address = '`+MariaPhone+`')`); got != 0 {
		t.Errorf("%d messages keep their content after erasure", got)
	}
	if got := count(t, s, `SELECT count(*) FROM river_job`); got != 0 {
		t.Errorf("%d delivery jobs left after erasure, want 0: their arguments hold the replies", got)
	}
	if got := len(accessEvents(t, s, maria.ID)); got != events {
		t.Errorf("access events after erasure = %d, want %d (the audit is kept)", got, events)
	}
	if got := count(t, s, `SELECT count(*) FROM messages WHERE text = 'hola'`); got != 1 {
		t.Errorf("another citizen's message was erased")
	}
	// A redelivered message is still recognised after erasure.
	turn(t, s, ch, MariaPhone, func(ctx context.Context, tx dialog.Tx) error {
		_, err := tx.AddInbound(ctx, tx.Conversation().ID, inbound(ch, MariaPhone, "p1", "el meu DNI és 12345678Z"))
		wantCode(t, "AddInbound after erasure", err, records.ECONFLICT)
		return nil
	})
	if n, err := p.EraseTranscripts(ctx, maria.ID); err != nil || n != 0 {
		t.Errorf("second EraseTranscripts = %d, %v; want 0", n, err)
	}

	// Retention: everything stored so far is older than a moment from now.
	n, err = p.PurgeTranscripts(ctx, time.Now().Add(time.Hour))
	if err != nil || n != 3 {
		t.Errorf("PurgeTranscripts = %d, %v; want 3", n, err)
	}
	if n, err := p.PurgeTranscripts(ctx, time.Now().Add(-time.Hour)); err != nil || n != 0 {
		t.Errorf("PurgeTranscripts of nothing = %d, %v", n, err)
	}
}

func accessEvents(t *testing.T, s Store, citizenID string) []records.AccessEvent {
	t.Helper()
	evs, err := s.FindAccessEventsByCitizen(t.Context(), citizenID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// waitFor polls cond every 20 ms for up to 15 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
