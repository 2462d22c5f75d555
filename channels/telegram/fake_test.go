package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

var _ delivery.Sender = (*Channel)(nil)

const testToken = "123456:TEST-token"

// apiCall is one request the fake Bot API received.
type apiCall struct {
	Method string
	Fields map[string]string
	At     time.Time
}

// fakeAPI is an httptest Bot API server. It parses the multipart bodies go-telegram/bot
// sends (and the JSON of the channel's own getUpdates), records every call, and answers with
// Reply when set, else with a plain success.
type fakeAPI struct {
	t   *testing.T
	srv *httptest.Server

	conns atomic.Int64 // connections the server accepted

	mu      sync.Mutex
	calls   []apiCall
	nextID  int
	batches [][]string // getUpdates answers still to give, as raw update JSON

	// Reply, when set, answers a call; ok false falls back to the default answer.
	Reply func(method string, fields map[string]string) (status int, body string, ok bool)
}

func newFakeAPI(t *testing.T) *fakeAPI {
	t.Helper()
	f := &fakeAPI{t: t, nextID: 100}
	f.srv = httptest.NewUnstartedServer(http.HandlerFunc(f.serve))
	f.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.srv.Start()
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) URL() string { return f.srv.URL }

func (f *fakeAPI) serve(w http.ResponseWriter, r *http.Request) {
	prefix := "/bot" + testToken + "/"
	if !strings.HasPrefix(r.URL.Path, prefix) {
		http.Error(w, `{"ok":false,"error_code":404,"description":"Not Found"}`, http.StatusNotFound)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, prefix)
	fields := map[string]string{}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			f.t.Errorf("fake API: %s: parse multipart: %v", method, err)
		}
		if r.MultipartForm != nil {
			for k, v := range r.MultipartForm.Value {
				fields[k] = v[0]
			}
		}
	case "application/json":
		var m map[string]json.RawMessage
		body, _ := io.ReadAll(r.Body)
		if len(body) > 0 {
			if err := json.Unmarshal(body, &m); err != nil {
				f.t.Errorf("fake API: %s: parse JSON: %v", method, err)
			}
		}
		for k, v := range m {
			fields[k] = strings.Trim(string(v), `"`)
		}
	}
	f.mu.Lock()
	f.calls = append(f.calls, apiCall{Method: method, Fields: fields, At: time.Now()})
	reply := f.Reply
	f.mu.Unlock()
	if reply != nil {
		if status, body, ok := reply(method, fields); ok {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	switch method {
	case "sendMessage":
		f.mu.Lock()
		f.nextID++
		id := f.nextID
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"result":{"message_id":%d,"date":1700000000,"chat":{"id":%s,"type":"private"},"text":"x"}}`, id, fields["chat_id"])
	case "getUpdates":
		f.mu.Lock()
		var batch []string
		if len(f.batches) > 0 {
			batch, f.batches = f.batches[0], f.batches[1:]
		}
		f.mu.Unlock()
		fmt.Fprintf(w, `{"ok":true,"result":[%s]}`, strings.Join(batch, ","))
	default:
		io.WriteString(w, `{"ok":true,"result":true}`)
	}
}

// queueUpdates makes the next getUpdates call return updates.
func (f *fakeAPI) queueUpdates(updates ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, updates)
}

// Calls returns the calls of method received so far ("" for all).
func (f *fakeAPI) Calls(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// waitCalls polls until there are n calls of method, or fails the test.
func (f *fakeAPI) waitCalls(method string, n int) []apiCall {
	f.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		calls := f.Calls(method)
		if len(calls) >= n {
			return calls
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("fake API: got %d %s calls, want %d", len(calls), method, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// fakeHandler is a dialog.Handler whose behaviour is a function field; it records what it
// received.
type fakeHandler struct {
	HandleFunc func(ctx context.Context, in dialog.Inbound) (dialog.Result, error)

	mu  sync.Mutex
	got []dialog.Inbound
}

func (h *fakeHandler) Handle(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
	h.mu.Lock()
	h.got = append(h.got, in)
	fn := h.HandleFunc
	h.mu.Unlock()
	if fn != nil {
		return fn(ctx, in)
	}
	return dialog.Result{}, nil
}

func (h *fakeHandler) Got() []dialog.Inbound {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]dialog.Inbound(nil), h.got...)
}

var (
	catOnce sync.Once
	testCat *locales.Catalog
)

func catalog(t *testing.T) *locales.Catalog {
	t.Helper()
	catOnce.Do(func() { testCat = locales.MustLoad() })
	return testCat
}

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var testNow = time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)

// newTestChannel returns a Channel on api with handler h; cfg's Token and APIURL are filled
// in. Its debug log goes to the returned buffer.
func newTestChannel(t *testing.T, api *fakeAPI, cfg Config, h dialog.Handler) (*Channel, *syncBuffer) {
	t.Helper()
	cfg.Token = testToken
	if api != nil {
		cfg.APIURL = api.URL()
	} else {
		cfg.APIURL = "http://127.0.0.1:1"
	}
	logs := &syncBuffer{}
	logger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := New(cfg, h, catalog(t), logger, WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	c.backoff = 10 * time.Millisecond
	c.maxBackoff = 50 * time.Millisecond
	// The limiter counts but does not make the tests wait (TestLimiter tests the waits).
	c.limiter.sleep = func(ctx context.Context, _ time.Duration) bool { return ctx.Err() == nil }
	return c, logs
}

// lit is a line whose text is s: a key missing from the catalog renders as itself, which
// lets tests render any text.
func lit(s string) dialog.Text { return dialog.Text{Key: s} }
