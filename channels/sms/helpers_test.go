package sms

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

var _ delivery.Sender = (*Channel)(nil)

const (
	testSID       = "AC0123456789abcdef0123456789abcdef"
	testToken     = "0123456789abcdef0123456789abcdef"
	testPublicURL = "https://mygov.example"
	testFrom      = "+34900000000"
)

var testNow = time.Date(2026, 3, 4, 10, 30, 0, 0, time.UTC)

var catalog = sync.OnceValue(locales.MustLoad)

// testConfig is a valid configuration; APIURL is set by the tests that send.
func testConfig() Config {
	return Config{
		AccountSID:    testSID,
		AuthToken:     testToken,
		From:          testFrom,
		PublicURL:     testPublicURL,
		SegmentBudget: 2,
		GSM7:          true,
	}
}

func newTestChannel(t *testing.T, cfg Config, h dialog.Handler, ob Outbox) *Channel {
	t.Helper()
	if h == nil {
		h = &twiliotest.Handler{}
	}
	if ob == nil {
		ob = &twiliotest.Outbox{}
	}
	c, err := New(cfg, h, ob, catalog(), slog.New(slog.DiscardHandler), WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

// post sends a form to the channel's routes, signed for path unless sig is given
// ("-" for no header), and returns the response.
func post(t *testing.T, c *Channel, path string, form url.Values, sig string) *http.Response {
	t.Helper()
	return postRaw(t, c, path, form.Encode(), sigFor(sig, path, form))
}

func sigFor(sig, path string, form url.Values) string {
	if sig == "" {
		return twiliotest.Sign(testToken, testPublicURL+path, form)
	}
	return sig
}

func postRaw(t *testing.T, c *Channel, path, body, sig string) *http.Response {
	t.Helper()
	if sig == "-" {
		sig = ""
	}
	return twiliotest.Webhook(t, c.Routes, path, body, sig)
}

func readBody(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// lit is a Text whose key is missing from the catalog, so it renders as itself.
func lit(s string) dialog.Text { return dialog.Text{Key: s} }

func newJSONRequest(form url.Values) *http.Request {
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+PathInbound,
		strings.NewReader(`{"From":"`+form.Get("From")+`"}`))
	req.Header.Set("Content-Type", "application/json")
	return req
}

func newGetRequest(path string) *http.Request {
	return httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080"+path, nil)
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
