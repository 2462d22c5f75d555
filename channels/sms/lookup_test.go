package sms

import (
	"context"
	"testing"
	"time"

	"github.com/catalonia/mygov/loadtest"
)

// FindSent finds at Twilio a reply whose send timed out after Twilio took it (issue 13,
// defect 6): by To and From, on the rendered body, created since the first try.
func TestFindSent(t *testing.T) {
	p, err := loadtest.StartProvider()
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	p.Faults = func(time.Time) loadtest.Fault { return loadtest.FaultAcceptedHang }
	p.HangFor = 2 * time.Second
	cfg := testConfig()
	cfg.APIURL = p.URL
	c := newTestChannel(t, cfg, nil, nil)
	o := testOutbound()
	since := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, err := c.Send(ctx, o); err == nil {
		t.Fatal("a send Twilio never answered succeeded")
	}
	sent := p.Sent()
	if len(sent) != 1 {
		t.Fatalf("Twilio took %d messages, want 1", len(sent))
	}
	sids, err := c.FindSent(context.Background(), o, since)
	if err != nil || len(sids) != 1 || sids[0] != sent[0].SID {
		t.Errorf("FindSent = %v, %v; want [%s]", sids, err, sent[0].SID)
	}
	other := o
	other.Address = "+34600000099"
	if sids, err := c.FindSent(context.Background(), other, since); err != nil || len(sids) != 0 {
		t.Errorf("FindSent for another number = %v, %v; want none", sids, err)
	}
	if sids, err := c.FindSent(context.Background(), o, time.Now().Add(time.Minute)); err != nil || len(sids) != 0 {
		t.Errorf("FindSent since a later try = %v, %v; want none", sids, err)
	}
	changed := o
	changed.Reply.Lines = changed.Reply.Lines[:0]
	changed.Reply.Lines = append(changed.Reply.Lines, lit("greeting"))
	if sids, err := c.FindSent(context.Background(), changed, since); err != nil || len(sids) != 0 {
		t.Errorf("FindSent of another text = %v, %v; want none", sids, err)
	}
}
