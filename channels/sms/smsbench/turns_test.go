package smsbench_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"testing"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/whatsapp"
	"github.com/catalonia/mygov/locales"
)

// BenchmarkWebhookTurns posts the Catalan and Spanish scripts through the inbound webhook
// of each Twilio channel into the real engine on SQLite, the same way for both (signature
// check, form, turn, replies stored in the outbox), and reports the turns per second. The
// short-code sender is left out: WhatsApp has none.
//
//	go test ./channels/sms/smsbench -run '^$' -bench WebhookTurns -benchtime 3x
func BenchmarkWebhookTurns(b *testing.B) {
	var script []turn
	for _, t := range append(append([]turn{}, scriptCA...), scriptES...) {
		if t.From != short {
			script = append(script, t)
		}
	}
	for _, name := range []string{sms.Name, whatsapp.Name} {
		b.Run(name, func(b *testing.B) {
			mux, path, prefix := webhook(b, name)
			turns := 0
			for b.Loop() {
				for i, t := range script {
					post(b, mux, path, prefix, fmt.Sprintf("SM%09d%023d", turns, i), t)
				}
				turns += len(script)
			}
			b.ReportMetric(float64(turns)/b.Elapsed().Seconds(), "turns/s")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(turns), "ns/turn")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// webhook returns the routes of the channel name wired to a fresh engine, the path of its
// inbound webhook and the prefix of its addresses.
func webhook(b *testing.B, name string) (*http.ServeMux, string, string) {
	e, st, clock := newEngine(b)
	mux := http.NewServeMux()
	cat, log := locales.MustLoad(), slog.New(slog.DiscardHandler)
	switch name {
	case whatsapp.Name:
		cfg := whatsapp.Config{AccountSID: accountSID, AuthToken: authToken, From: "whatsapp:+14155238886", PublicURL: publicURL}
		c, err := whatsapp.New(cfg, e, st, cat, log, whatsapp.WithClock(clock))
		if err != nil {
			b.Fatal(err)
		}
		c.Routes(mux)
		return mux, whatsapp.PathInbound, whatsapp.Prefix
	}
	cfg := sms.Config{AccountSID: accountSID, AuthToken: authToken, From: "+34900000000", PublicURL: publicURL}
	c, err := sms.New(cfg, e, st, cat, log, sms.WithClock(clock))
	if err != nil {
		b.Fatal(err)
	}
	c.Routes(mux)
	return mux, sms.PathInbound, ""
}
