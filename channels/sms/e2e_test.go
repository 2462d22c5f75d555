package sms

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/internal/e2e"
)

// TestEndToEnd runs `mygov serve` as a process against a fake Twilio REST server and
// posts inbound webhooks signed by the official npm package twilio, an implementation of
// the signature independent of twilio-go. It needs node and testdata/e2e/node_modules
// (`npm ci` in testdata/e2e); without them it is skipped, except under CI, where it fails.
func TestEndToEnd(t *testing.T) {
	node := twiliotest.Node(t, "SMS")

	const (
		sid   = "AC00000000000000000000000000000e2e"
		token = "e2etoken0123456789abcdef01234567"
		from  = "+34900000000"
		ca    = "+34600000001"
		es    = "+34600000002"
	)

	tw := twiliotest.NewAPI(t)
	public := e2e.Serve(t,
		"TWILIO_ACCOUNT_SID="+sid,
		"TWILIO_AUTH_TOKEN="+token,
		"TWILIO_FROM="+from,
		"TWILIO_API_URL="+tw.URL,
	)

	inbound := func(n int, sender, body string) url.Values {
		msid := fmt.Sprintf("SMe2e%029d", n)
		return url.Values{
			"ToCountry": {"ES"}, "ToState": {""}, "SmsMessageSid": {msid}, "NumMedia": {"0"},
			"ToCity": {""}, "FromZip": {""}, "SmsSid": {msid}, "FromState": {""}, "SmsStatus": {"received"},
			"FromCity": {""}, "Body": {body}, "FromCountry": {"ES"}, "To": {from}, "ToZip": {""},
			"NumSegments": {"1"}, "MessageSid": {msid}, "AccountSid": {sid}, "From": {sender},
			"ApiVersion": {"2010-04-01"},
		}
	}
	forms := []url.Values{
		inbound(1, ca, "com va la meva sol·licitud?"),
		inbound(2, ca, "BAIXA"),
		inbound(3, ca, "com va la meva sol·licitud?"),
		inbound(4, es, "¿cómo va mi solicitud?"),
	}
	sigs := twiliotest.NodeSign(t, node, token, public+PathInbound, forms)
	postForm := func(t *testing.T, form url.Values, sig string) int {
		t.Helper()
		return twiliotest.Post(t, public+PathInbound, form, sig)
	}
	to := func(number string) []string {
		var bodies []string
		for _, m := range tw.Messages() {
			if m.Get("To") == number {
				bodies = append(bodies, m.Get("Body"))
			}
		}
		return bodies
	}
	// settle waits until no SMS to number has arrived for quiet, and returns them all.
	settle := func(number string, quiet time.Duration) []string {
		n, since := len(to(number)), time.Now()
		for time.Since(since) < quiet {
			time.Sleep(100 * time.Millisecond)
			if m := len(to(number)); m != n {
				n, since = m, time.Now()
			}
		}
		return to(number)
	}
	waitFor := func(t *testing.T, number string, after int, contains string) []string {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		for time.Now().Before(deadline) {
			got := to(number)
			for _, b := range got[min(after, len(got)):] {
				if strings.Contains(b, contains) {
					return got
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("no SMS to %s containing %q within 15 s; got %q", number, contains, to(number))
		return nil
	}
	checkBudget := func(t *testing.T) {
		t.Helper()
		for _, m := range tw.Messages() {
			if enc, segs, _ := Segments(m.Get("Body")); segs > DefaultSegmentBudget {
				t.Errorf("SMS of %d %v segments, budget %d: %q", segs, enc, DefaultSegmentBudget, m.Get("Body"))
			}
			if m.Get("From") != from || m.Get("StatusCallback") != public+PathStatus {
				t.Errorf("SMS with From %q, StatusCallback %q", m.Get("From"), m.Get("StatusCallback"))
			}
		}
	}

	t.Run("StatusCatalan", func(t *testing.T) {
		if code := postForm(t, forms[0], sigs[0]); code != http.StatusOK {
			t.Fatalf("webhook answered %d, want 200", code)
		}
		waitFor(t, ca, 0, "EXP-2026-000101")
	})
	first := settle(ca, 2*time.Second)
	t.Logf("replies to %s: %q", ca, first)

	t.Run("RetriedWebhookAnsweredOnce", func(t *testing.T) {
		if code := postForm(t, forms[0], sigs[0]); code != http.StatusOK {
			t.Fatalf("retried webhook answered %d, want 200", code)
		}
		if got := settle(ca, 3*time.Second); len(got) != len(first) {
			t.Errorf("a retried webhook was answered again: %q", got[len(first):])
		}
	})

	t.Run("BadSignature", func(t *testing.T) {
		bad := inbound(9, ca, "com va la meva sol·licitud?")
		if code := postForm(t, bad, sigs[0]); code != http.StatusForbidden {
			t.Errorf("webhook with a wrong signature answered %d, want 403", code)
		}
		if code := postForm(t, bad, ""); code != http.StatusForbidden {
			t.Errorf("webhook without a signature answered %d, want 403", code)
		}
	})

	t.Run("OptOut", func(t *testing.T) {
		before := len(to(ca))
		if code := postForm(t, forms[1], sigs[1]); code != http.StatusOK {
			t.Fatalf("BAIXA answered %d, want 200", code)
		}
		deadline := time.Now().Add(15 * time.Second)
		for len(to(ca)) == before && time.Now().Before(deadline) {
			time.Sleep(100 * time.Millisecond)
		}
		got := settle(ca, 2*time.Second)
		if len(got) != before+1 {
			t.Fatalf("BAIXA: %d confirmations, want 1: %q", len(got)-before, got[before:])
		}
		t.Logf("opt-out confirmation: %q", got[before])
		if code := postForm(t, forms[2], sigs[2]); code != http.StatusOK {
			t.Fatalf("message after BAIXA answered %d, want 200", code)
		}
		if after := settle(ca, 3*time.Second); len(after) != len(got) {
			t.Errorf("SMS sent after BAIXA: %q", after[len(got):])
		}
	})

	t.Run("StatusSpanish", func(t *testing.T) {
		if code := postForm(t, forms[3], sigs[3]); code != http.StatusOK {
			t.Fatalf("webhook answered %d, want 200", code)
		}
		waitFor(t, es, 0, "EXP-2026-000201")
		t.Logf("replies to %s: %q", es, settle(es, time.Second))
	})
	t.Run("SegmentBudget", checkBudget)
}
