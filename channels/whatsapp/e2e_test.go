package whatsapp

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/internal/e2e"
)

// TestEndToEnd runs `mygov serve` as a process, with both Twilio channels on, against a
// fake Twilio REST API, and posts WhatsApp webhooks signed by the official npm package
// twilio. Maria writes in Catalan and José in Spanish: status, verification, my data and
// who saw it. The fake API refuses one message with 63016 (outside the window), one with
// 429 and one with 500. It needs node and channels/twilio/testdata/e2e/node_modules; without
// them it is skipped, except under CI, where it fails.
func TestEndToEnd(t *testing.T) {
	node := twiliotest.Node(t, "WHATSAPP")
	const (
		sid     = twiliotest.AccountSID
		token   = twiliotest.AuthToken
		smsFrom = "+34900000000"
		waFrom  = "whatsapp:+14155238886"
		ca      = "whatsapp:+34600000001" // Maria
		es      = "whatsapp:+34600000002" // José
		late    = "HX00000000000000000000000000001a7e"
	)
	api := twiliotest.NewAPI(t)
	// José's first free-form message is refused as outside the window; his next ones meet
	// a 429 and a 500 once each before they go.
	var mu sync.Mutex
	refusals := 0
	api.Respond(func(w http.ResponseWriter, form url.Values) bool {
		mu.Lock()
		defer mu.Unlock()
		if form.Get("To") != es || !form.Has("Body") || refusals == 3 {
			return false
		}
		refusals++
		switch refusals {
		case 1:
			return twiliotest.Error(400, twilio.CodeOutsideWindow, "Failed to send freeform message because you are outside the allowed window.")(w, form)
		case 2:
			w.Header().Set("Retry-After", "1")
			return twiliotest.Error(429, 20429, "Too Many Requests")(w, form)
		}
		return twiliotest.Error(500, 20500, "Internal Server Error")(w, form)
	})

	public := e2e.Serve(t,
		"TWILIO_ACCOUNT_SID="+sid,
		"TWILIO_AUTH_TOKEN="+token,
		"TWILIO_FROM="+smsFrom,
		"TWILIO_WHATSAPP_FROM="+waFrom,
		"MYGOV_WHATSAPP_TEMPLATES=reply="+late+":text",
		"TWILIO_API_URL="+api.URL,
	)

	inbound := func(n int, from, body string) url.Values {
		msid := fmt.Sprintf("SMwa%030d", n)
		return url.Values{
			"SmsMessageSid": {msid}, "NumMedia": {"0"}, "ProfileName": {"Ciutadana"}, "MessageType": {"text"},
			"SmsSid": {msid}, "WaId": {strings.TrimPrefix(from, "whatsapp:+")}, "SmsStatus": {"received"},
			"Body": {body}, "To": {waFrom}, "NumSegments": {"1"}, "ReferralNumMedia": {"0"}, "MessageSid": {msid},
			"AccountSid": {sid}, "From": {from}, "ApiVersion": {"2010-04-01"},
		}
	}
	// The forms: Maria's seven messages (status, my data with verification, who saw it,
	// STOP and a message after it), then José's five.
	var forms []url.Values
	for _, conv := range []struct{ from, script string }{
		{ca, "com va la meva sol·licitud?|quines dades teniu de mi?|12345678Z|15/03/1984|qui ha consultat les meves dades?|STOP|com va la meva sol·licitud?"},
		{es, "¿cómo va mi solicitud?|¿qué datos tenéis de mí?|X1234567L|02/11/1958|¿quién ha consultado mis datos?"},
	} {
		for _, body := range strings.Split(conv.script, "|") {
			forms = append(forms, inbound(len(forms)+1, conv.from, body))
		}
	}
	sigs := twiliotest.NodeSign(t, node, token, public+PathInbound, forms)
	say := func(t *testing.T, i int) {
		t.Helper()
		if code := twiliotest.Post(t, public+PathInbound, forms[i], sigs[i]); code != http.StatusOK {
			t.Fatalf("webhook %d answered %d, want 200", i+1, code)
		}
	}
	// text returns the text of a message: its Body, or its template variables.
	text := func(m url.Values) string { return m.Get("Body") + m.Get("ContentVariables") }
	to := func(address string) []url.Values {
		var out []url.Values
		for _, m := range api.Created() {
			if m.Get("To") == address {
				out = append(out, m)
			}
		}
		return out
	}
	waitFor := func(t *testing.T, address string, after int, contains string) int {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			got := to(address)
			for _, m := range got[min(after, len(got)):] {
				if strings.Contains(text(m), contains) {
					return len(got)
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		var texts []string
		for _, m := range to(address) {
			texts = append(texts, text(m))
		}
		t.Fatalf("no message to %s containing %q within 20 s; got %q", address, contains, texts)
		return 0
	}
	settle := func(address string, quiet time.Duration) int {
		n, since := len(to(address)), time.Now()
		for time.Since(since) < quiet {
			time.Sleep(100 * time.Millisecond)
			if m := len(to(address)); m != n {
				n, since = m, time.Now()
			}
		}
		return n
	}

	// exchange posts forms[first], forms[first+1], … and after each waits for a message to
	// address, beyond the first n, containing the next of wants; it returns the messages
	// to address so far.
	exchange := func(t *testing.T, address string, n, first int, wants ...string) int {
		t.Helper()
		for k, want := range wants {
			say(t, first+k)
			n = waitFor(t, address, n, want)
		}
		return n
	}

	t.Run("Catalan", func(t *testing.T) {
		exchange(t, ca, 0, 0, "EXP-2026-000101", "DNI o NIE", "data de naixement", "Consta a nom de", "consult")
	})
	sent := settle(ca, 2*time.Second)

	t.Run("RetriedWebhookAnsweredOnce", func(t *testing.T) {
		say(t, 0)
		if got := settle(ca, 3*time.Second); got != sent {
			t.Errorf("a retried webhook was answered again: %d messages after %d", got, sent)
		}
	})

	t.Run("BadSignature", func(t *testing.T) {
		if code := twiliotest.Post(t, public+PathInbound, inbound(99, ca, "hola"), sigs[0]); code != http.StatusForbidden {
			t.Errorf("webhook with a wrong signature answered %d, want 403", code)
		}
	})

	t.Run("Stop", func(t *testing.T) {
		say(t, 5)
		n := waitFor(t, ca, sent, "ALTA")
		say(t, 6)
		if got := settle(ca, 3*time.Second); got != n {
			t.Errorf("%d messages sent after STOP", got-n)
		}
	})

	t.Run("SpanishThroughRefusals", func(t *testing.T) {
		// Refused with 63016: the same answer goes as the template for late replies.
		n := exchange(t, es, 0, 7, "EXP-2026-000201")
		if last := to(es)[n-1]; last.Get("ContentSid") != late || last.Has("Body") {
			t.Errorf("after 63016 the answer went as %v, want the template %s", last, late)
		}
		n = exchange(t, es, n, 8, "DNI o NIE") // after a 429 and a 500
		tries := 0
		for _, m := range api.Messages() {
			if m.Get("To") == es && strings.Contains(m.Get("Body"), "DNI o NIE") {
				tries++
			}
		}
		if tries != 3 {
			t.Errorf("the question for the DNI was posted %d times, want 3 (429, 500, created)", tries)
		}
		exchange(t, es, n, 9, "fecha de nacimiento", "Consta a nombre de", "consult")
	})

	t.Run("NeverOverSMS", func(t *testing.T) {
		for _, m := range api.Created() {
			t.Logf("to %s: %s", m.Get("To"), text(m))
		}
		for _, m := range api.Messages() {
			if m.Get("From") != waFrom || !strings.HasPrefix(m.Get("To"), "whatsapp:+34") ||
				m.Get("StatusCallback") != public+PathStatus {
				t.Errorf("message From %q To %q StatusCallback %q", m.Get("From"), m.Get("To"), m.Get("StatusCallback"))
			}
		}
	})
}
