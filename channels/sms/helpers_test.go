package sms

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

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

// sign computes X-Twilio-Signature the way Twilio documents it, independently of
// twilio-go: HMAC-SHA1 of the URL followed by each parameter name and value, sorted by
// name, in base64.
func sign(token, u string, form url.Values) string {
	keys := make([]string, 0, len(form))
	for k := range form {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(u)
	for _, k := range keys {
		b.WriteString(k)
		b.WriteString(form.Get(k))
	}
	m := hmac.New(sha1.New, []byte(token))
	m.Write([]byte(b.String()))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// fakeOutbox records the calls of the channel; its function fields, when set, answer them.
type fakeOutbox struct {
	mu          sync.Mutex
	receipts    []receipt
	optOuts     []optOut
	recordErr   error
	seenReceipt map[receipt]bool
}

type receipt struct{ sid, status, code string }

type optOut struct {
	channel, address string
	out              bool
}

func (o *fakeOutbox) MarkOutbound(ctx context.Context, id int64, status, providerID string) error {
	return nil
}

func (o *fakeOutbox) RecordReceipt(ctx context.Context, providerID, status, errorCode string) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.recordErr != nil {
		return false, o.recordErr
	}
	r := receipt{providerID, status, errorCode}
	o.receipts = append(o.receipts, r)
	if o.seenReceipt == nil {
		o.seenReceipt = map[receipt]bool{}
	}
	fresh := !o.seenReceipt[r]
	o.seenReceipt[r] = true
	return fresh, nil
}

func (o *fakeOutbox) OptedOut(ctx context.Context, channel, address string) (bool, error) {
	return false, nil
}

func (o *fakeOutbox) SetOptedOut(ctx context.Context, channel, address string, optedOut bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.optOuts = append(o.optOuts, optOut{channel, address, optedOut})
	return nil
}

// fakeHandler records the inbound messages; handle, when set, answers them.
type fakeHandler struct {
	mu     sync.Mutex
	got    []dialog.Inbound
	handle func(ctx context.Context, in dialog.Inbound) (dialog.Result, error)
}

func (h *fakeHandler) Handle(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
	h.mu.Lock()
	h.got = append(h.got, in)
	h.mu.Unlock()
	if h.handle != nil {
		return h.handle(ctx, in)
	}
	return dialog.Result{}, nil
}

func (h *fakeHandler) calls() []dialog.Inbound {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]dialog.Inbound(nil), h.got...)
}

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
		h = &fakeHandler{}
	}
	if ob == nil {
		ob = &fakeOutbox{}
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
		return sign(testToken, testPublicURL+path, form)
	}
	return sig
}

func postRaw(t *testing.T, c *Channel, path, body, sig string) *http.Response {
	t.Helper()
	mux := http.NewServeMux()
	c.Routes(mux)
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "-" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec.Result()
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
