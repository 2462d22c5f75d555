package whatsapp

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/loadtest"
)

// lookupChannel returns a channel on a fake Twilio that records the messages it takes and
// lists them, with faults chosen by fault (nil: none).
func lookupChannel(t *testing.T, cfg Config, fault func(n int) loadtest.Fault) (*Channel, *loadtest.Provider) {
	t.Helper()
	p, err := loadtest.StartProvider()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	p.HangFor = 2 * time.Second
	n := 0
	p.Faults = func(time.Time) loadtest.Fault {
		n++
		if fault == nil {
			return loadtest.FaultNone
		}
		return fault(n)
	}
	cfg.APIURL = p.URL
	return channel(t, cfg, nil, nil, nil), p
}

// freeForm is a free-form reply to a citizen who wrote an hour before since.
func freeForm(since time.Time, lines ...string) dialog.Outbound {
	o := reply()
	o.LastInbound = since.Add(-time.Hour)
	o.Reply.Lines = nil
	for _, l := range lines {
		o.Reply.Lines = append(o.Reply.Lines, lit(l))
	}
	return o
}

// FindSent finds at Twilio a reply whose send timed out after Twilio took it (issue 13,
// defect 6), as the SMS channel does: by To and From, on the rendered text, created
// since the first try; nothing for another number, a later first try or another text.
func TestFindSent(t *testing.T) {
	c, p := lookupChannel(t, config(), func(int) loadtest.Fault { return loadtest.FaultAcceptedHang })
	since := time.Now()
	o := freeForm(since, "La teva sol·licitud està en revisió.")
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := c.Send(ctx, o); err == nil {
		t.Fatal("a send Twilio never answered succeeded")
	}
	sent := p.Sent()
	if len(sent) != 1 || sent[0].To != maria || sent[0].From != sender {
		t.Fatalf("Twilio took %+v, want one message from %s to %s", sent, sender, maria)
	}
	sids, err := c.FindSent(context.Background(), o, since)
	if err != nil || len(sids) != 1 || sids[0] != sent[0].SID {
		t.Errorf("FindSent = %v, %v; want [%s]", sids, err, sent[0].SID)
	}
	other := o
	other.Address = "whatsapp:+34600000099"
	if sids, err := c.FindSent(context.Background(), other, since); err != nil || len(sids) != 0 {
		t.Errorf("FindSent for another number = %v, %v; want none", sids, err)
	}
	if sids, err := c.FindSent(context.Background(), o, time.Now().Add(time.Minute)); err != nil || len(sids) != 0 {
		t.Errorf("FindSent since a later try = %v, %v; want none", sids, err)
	}
	if sids, err := c.FindSent(context.Background(), freeForm(since, "Una altra resposta."), since); err != nil || len(sids) != 0 {
		t.Errorf("FindSent of another text = %v, %v; want none", sids, err)
	}
}

// A reply of several messages counts as sent only when its last message reached Twilio:
// one cut after the first is sent again whole.
func TestFindSentSeveralMessages(t *testing.T) {
	cfg := config()
	cfg.MaxBody = 60
	c, p := lookupChannel(t, cfg, func(n int) loadtest.Fault {
		if n == 2 {
			return loadtest.Fault500
		}
		return loadtest.FaultNone
	})
	since := time.Now()
	o := freeForm(since, strings.Repeat("Primera part de la resposta. ", 2), strings.Repeat("Segona part de la resposta. ", 2))
	if n := len(c.Render(o.Lang, o.Reply).Messages); n != 2 {
		t.Fatalf("the reply renders as %d messages, want 2", n)
	}
	if _, err := c.Send(context.Background(), o); err == nil {
		t.Fatal("a send whose second message failed succeeded")
	}
	if sids, err := c.FindSent(context.Background(), o, since); err != nil || len(sids) != 0 {
		t.Errorf("FindSent of a reply cut after its first message = %v, %v; want none", sids, err)
	}
	sid, err := c.Send(context.Background(), o) // the retry: whole
	if err != nil {
		t.Fatal(err)
	}
	sids, err := c.FindSent(context.Background(), o, since)
	if err != nil || len(sids) == 0 || sids[0] != sid {
		t.Errorf("FindSent after the whole reply went = %v, %v; want the first message's %s first", sids, err, sid)
	}
	if got := len(p.Sent()); got != 3 {
		t.Errorf("Twilio took %d messages, want 3", got)
	}
}

// A template (outside the window) has no text of its own to match: nothing is looked up.
func TestFindSentTemplateFindsNothing(t *testing.T) {
	c, p := lookupChannel(t, config(), nil)
	since := time.Now()
	o := freeForm(since, "Resposta tardana.")
	o.LastInbound = since.Add(-48 * time.Hour)
	if sids, err := c.FindSent(context.Background(), o, since); err != nil || len(sids) != 0 {
		t.Errorf("FindSent of a template = %v, %v; want none", sids, err)
	}
	empty := freeForm(since)
	empty.Address = ""
	if sids, err := c.FindSent(context.Background(), empty, since); err != nil || len(sids) != 0 {
		t.Errorf("FindSent without an address = %v, %v; want none", sids, err)
	}
	if len(p.Sent()) != 0 {
		t.Error("the lookup sent something")
	}
}
