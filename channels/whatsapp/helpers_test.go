package whatsapp

import (
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

const (
	accountSID = twiliotest.AccountSID
	authToken  = twiliotest.AuthToken
	publicURL  = twiliotest.PublicURL
	sender     = "whatsapp:+14155238886"
	maria      = "whatsapp:+34600000001"
	sidStatus  = "HX00000000000000000000000000000001"
	sidReply   = "HX00000000000000000000000000000002"
	sidQuick3  = "HX00000000000000000000000000000003"
)

// config is a valid configuration with a status-change template in Catalan, a template
// for late answers in both languages and a three-button quick reply.
func config() Config {
	return Config{
		AccountSID: accountSID, AuthToken: authToken, From: sender, PublicURL: publicURL,
		Templates: Templates{
			{dialog.NoticeStatusChange, "ca"}: {ContentSID: sidStatus, Vars: []string{"Ref", "Status", VarText}},
			{KindReply, ""}:                   {ContentSID: sidReply, Vars: []string{VarText}},
			{KindQuickReply3, ""}:             {ContentSID: sidQuick3},
		},
	}
}

// channel returns the channel of cfg with a fixed clock, h and ob (fakes when nil), and
// the REST API api when set.
func channel(t *testing.T, cfg Config, h dialog.Handler, ob Outbox, api *twiliotest.API) *Channel {
	t.Helper()
	if h == nil {
		h = &twiliotest.Handler{}
	}
	if ob == nil {
		ob = &twiliotest.Outbox{}
	}
	if api != nil {
		cfg.APIURL = api.URL
	}
	c, err := New(cfg, h, ob, cat(), slog.New(slog.DiscardHandler), WithClock(func() time.Time { return now }))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// signed posts form to path, signed as Twilio does.
func signed(t *testing.T, c *Channel, path string, form url.Values) *http.Response {
	t.Helper()
	return twiliotest.Webhook(t, c.Routes, path, form.Encode(), twiliotest.Sign(authToken, publicURL+path, form))
}

// message is an inbound webhook form from Maria.
func message(body string, extra ...string) url.Values {
	f := url.Values{
		"MessageSid": {"SM00000000000000000000000000000001"}, "AccountSid": {accountSID},
		"From": {maria}, "To": {sender}, "Body": {body}, "NumMedia": {"0"}, "ProfileName": {"Maria"},
		"WaId": {"34600000001"},
	}
	for i := 0; i+1 < len(extra); i += 2 {
		f.Set(extra[i], extra[i+1])
	}
	return f
}

// lit is a Text whose key is missing from the catalog, so it renders as itself.
func lit(s string) dialog.Text { return dialog.Text{Key: s} }

// now is the channel's clock in the tests.
var now = time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)

var cat = sync.OnceValue(locales.MustLoad)
