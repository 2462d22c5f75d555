package smsbench_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/channels/whatsapp"
	"github.com/catalonia/mygov/locales"
)

// BenchmarkWebhookTurns posts the Catalan and Spanish scripts through the webhook of each
// Twilio channel into the real engine on SQLite, the same way for both, and reports the
// turns per second. The short-code sender is left out: WhatsApp has none.
//
//	go test ./channels/sms/smsbench -run '^$' -bench WebhookTurns -benchtime 3x
func BenchmarkWebhookTurns(b *testing.B) {
	var script []turn
	for _, t := range append(append([]turn{}, scriptCA...), scriptES...) {
		if t.From != short {
			script = append(script, t)
		}
	}
	for _, ch := range []struct {
		name, path, prefix string
		routes             func(b *testing.B) func(*http.ServeMux)
	}{
		{sms.Name, sms.PathInbound, "", func(b *testing.B) func(*http.ServeMux) {
			e, st := newEngine(b)
			c, err := sms.New(sms.Config{AccountSID: accountSID, AuthToken: authToken, From: "+34900000000", PublicURL: publicURL},
				e, st, locales.MustLoad(), slog.New(slog.DiscardHandler), sms.WithClock(e.Now))
			if err != nil {
				b.Fatal(err)
			}
			return c.Routes
		}},
		{whatsapp.Name, whatsapp.PathInbound, whatsapp.Prefix, func(b *testing.B) func(*http.ServeMux) {
			e, st := newEngine(b)
			c, err := whatsapp.New(whatsapp.Config{AccountSID: accountSID, AuthToken: authToken, From: "whatsapp:+14155238886", PublicURL: publicURL},
				e, st, locales.MustLoad(), slog.New(slog.DiscardHandler), whatsapp.WithClock(e.Now))
			if err != nil {
				b.Fatal(err)
			}
			return c.Routes
		}},
	} {
		b.Run(ch.name, func(b *testing.B) {
			mux := http.NewServeMux()
			ch.routes(b)(mux)
			turns, iter := 0, 0
			for b.Loop() {
				iter++
				for i, t := range script {
					form := url.Values{
						"MessageSid": {fmt.Sprintf("SM%06d%026d", iter, i)}, "AccountSid": {accountSID},
						"From": {ch.prefix + t.From}, "To": {ch.prefix + "+34900000000"}, "Body": {t.Body}, "NumMedia": {"0"},
					}
					if t.Media {
						form.Set("NumMedia", "1")
						form.Set("MediaContentType0", "image/jpeg")
					}
					req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+ch.path, strings.NewReader(form.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("X-Twilio-Signature", twiliotest.Sign(authToken, publicURL+ch.path, form))
					rec := httptest.NewRecorder()
					mux.ServeHTTP(rec, req)
					if rec.Code != http.StatusOK {
						b.Fatalf("turn %d %q: webhook answered %d", i, t.Body, rec.Code)
					}
					turns++
				}
			}
			b.ReportMetric(float64(turns)/b.Elapsed().Seconds(), "turns/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(turns), "ns/turn")
			b.ReportMetric(0, "ns/op")
		})
	}
}
