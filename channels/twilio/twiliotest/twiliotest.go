// Package twiliotest holds what the tests of MyGov's Twilio channels share: a fake of the
// REST API that records the messages created, and the X-Twilio-Signature of a webhook,
// computed in Go from Twilio's documentation and by the official npm package twilio.
package twiliotest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// API is a fake of Twilio's REST API: it records each message created and answers with a
// new MessageSid ("SM" and 32 digits counting from 1), or with what Respond says.
type API struct {
	*httptest.Server
	mu      sync.Mutex
	sent    []url.Values
	created []url.Values
	paths   []string
	auth    []string
	respond func(w http.ResponseWriter, form url.Values) bool
	conns   atomic.Int64 // connections accepted
	listed  []listed     // the messages created, as a lookup lists them
}

// listed is a created message as Twilio's message list shows it.
type listed struct {
	sid  string
	form url.Values
	at   time.Time
}

// list answers a lookup (GET Messages.json) as Twilio does: the messages created to the
// query's To (and From, when given), newest first, with their body and creation time.
func (f *API) list(w http.ResponseWriter, r *http.Request) {
	to, from := r.URL.Query().Get("To"), r.URL.Query().Get("From")
	type message struct {
		SID         string `json:"sid"`
		To          string `json:"to"`
		From        string `json:"from"`
		Body        string `json:"body"`
		Status      string `json:"status"`
		DateCreated string `json:"date_created"`
	}
	out := []message{}
	f.mu.Lock()
	for i := len(f.listed) - 1; i >= 0; i-- {
		m := f.listed[i]
		if m.form.Get("To") == to && (from == "" || m.form.Get("From") == from) {
			out = append(out, message{SID: m.sid, To: to, From: m.form.Get("From"), Body: m.form.Get("Body"),
				Status: "sent", DateCreated: m.at.UTC().Format(time.RFC1123Z)})
		}
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"messages": out, "page": 0, "page_size": 50, "uri": r.URL.RequestURI(), "next_page_uri": nil})
}

// Conns returns how many connections the API accepted.
func (f *API) Conns() int64 { return f.conns.Load() }

// NewAPI starts a fake REST API, closed when the test ends.
func NewAPI(t testing.TB) *API {
	f := &API{}
	f.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		user, pass, _ := r.BasicAuth()
		f.mu.Lock()
		f.paths = append(f.paths, r.Method+" "+r.URL.Path)
		f.auth = append(f.auth, user+":"+pass)
		if r.Method == http.MethodGet { // a lookup: the messages created to To
			f.mu.Unlock()
			f.list(w, r)
			return
		}
		f.sent = append(f.sent, r.PostForm)
		n := len(f.sent)
		respond := f.respond
		f.mu.Unlock()
		if respond != nil && respond(w, r.PostForm) {
			return
		}
		sid := fmt.Sprintf("SM%032d", n)
		f.mu.Lock()
		f.created = append(f.created, r.PostForm)
		f.listed = append(f.listed, listed{sid: sid, form: r.PostForm, at: time.Now()})
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"sid":%q,"status":"queued","num_segments":"1"}`, sid)
	}))
	f.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			f.conns.Add(1)
		}
	}
	f.Start()
	t.Cleanup(f.Close)
	return f
}

// Respond sets how the API answers: f writes the answer and returns true, or returns false
// for the default answer (a created message). Nil restores the default.
func (f *API) Respond(fn func(w http.ResponseWriter, form url.Values) bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.respond = fn
}

// Messages returns the forms of the messages posted so far, refused ones included, in order
// (not the lookups: see Requests).
func (f *API) Messages() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.sent...)
}

// Created returns the forms of the messages created so far (not refused), in order.
func (f *API) Created() []url.Values {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]url.Values(nil), f.created...)
}

// Requests returns "METHOD path" of each request, in order.
func (f *API) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.paths...)
}

// Auth returns "user:password" of each request's basic authentication, in order.
func (f *API) Auth() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.auth...)
}

// Error returns an answer with Twilio's JSON error of HTTP status and Twilio code.
func Error(status, code int, message string) func(w http.ResponseWriter, form url.Values) bool {
	return func(w http.ResponseWriter, form url.Values) bool {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"code":%d,"message":%q,"more_info":"https://www.twilio.com/docs/errors/%d","status":%d}`,
			code, message, code, status)
		return true
	}
}

// Sign computes X-Twilio-Signature the way Twilio documents it, independently of
// twilio-go: HMAC-SHA1 of the URL followed by each parameter name and value, sorted by
// name, in base64.
func Sign(token, u string, form url.Values) string {
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

// signDir is channels/twilio/testdata/e2e, where sign.js and its node_modules live.
func signDir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "e2e")
}

// Credentials and public URL of the channels' tests.
const (
	AccountSID = "AC0123456789abcdef0123456789abcdef"
	AuthToken  = "0123456789abcdef0123456789abcdef"
	PublicURL  = "https://mygov.example"
)

// Node returns the path of node for an end-to-end test when it and the npm package twilio
// are installed. It skips the test in -short mode, and without them, except under CI,
// where it fails it: what is the channel name in the message ("SMS", "WHATSAPP").
func Node(t testing.TB, what string) string {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join(signDir(), "node_modules", "twilio"))
	}
	if err != nil {
		msg := "!!! " + what + " END-TO-END TEST NOT RUN: it needs node and the npm package twilio " +
			"(run `npm ci --no-audit --no-fund` in channels/twilio/testdata/e2e): " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return node
}

// NodeSign signs each form for u with sign.js, which uses the official npm package twilio
// (an implementation of the signature independent of twilio-go's).
func NodeSign(t testing.TB, node, token, u string, forms []url.Values) []string {
	t.Helper()
	type request struct {
		URL    string            `json:"url"`
		Params map[string]string `json:"params"`
	}
	in := struct {
		AuthToken string    `json:"authToken"`
		Requests  []request `json:"requests"`
	}{AuthToken: token}
	for _, f := range forms {
		p := map[string]string{}
		for k, v := range f {
			p[k] = v[0]
		}
		in.Requests = append(in.Requests, request{u, p})
	}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, "sign.js")
	cmd.Dir = signDir()
	cmd.Stdin = bytes.NewReader(b)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node sign.js: %v\n%s", err, stderr.String())
	}
	var sigs []string
	if err := json.Unmarshal(out, &sigs); err != nil || len(sigs) != len(forms) {
		t.Fatalf("node sign.js printed %q: %v", out, err)
	}
	return sigs
}

// Post posts form to u with the signature sig (none when empty) and returns the status.
func Post(t testing.TB, u string, form url.Values, sig string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("post webhook: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Webhook posts body to path on the routes as Twilio would, with the X-Twilio-Signature
// sig ("" for none), and returns the response.
func Webhook(t testing.TB, routes func(*http.ServeMux), path, body, sig string) *http.Response {
	t.Helper()
	mux := http.NewServeMux()
	routes(mux)
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	return rec.Result()
}
