package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// twilioDir holds sign.js and the npm package twilio it needs.
func twilioDir() string { return filepath.Join(moduleRoot(), "channels", "sms", "testdata", "e2e") }

// TwilioSigner returns node when it and the npm package twilio (installed by `npm ci` in
// channels/sms/testdata/e2e) are there, or the reason they are not.
func TwilioSigner() (node string, err error) {
	node, err = exec.LookPath("node")
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(twilioDir(), "node_modules", "twilio")); err != nil {
		return "", errors.New("npm package twilio missing: run `npm ci --no-audit --no-fund` in channels/sms/testdata/e2e")
	}
	return node, nil
}

// SignTwilio returns the X-Twilio-Signature of each form posted to u, computed by the
// official npm package twilio (an implementation independent of twilio-go's).
func SignTwilio(t testing.TB, node, token, u string, forms []url.Values) []string {
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
	cmd.Dir = twilioDir()
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

// FakeTwilio is Twilio's REST API as far as sending SMS goes: it records every message
// created and answers like Twilio.
type FakeTwilio struct {
	*httptest.Server
	mu   sync.Mutex
	sent []url.Values
	at   []time.Time
}

// NewFakeTwilio starts a FakeTwilio, closed when the test ends.
func NewFakeTwilio(t testing.TB) *FakeTwilio {
	f := &FakeTwilio{}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.sent = append(f.sent, r.PostForm)
		f.at = append(f.at, time.Now())
		n := len(f.sent)
		f.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"sid":"SM%032d","status":"queued","to":%q,"num_segments":"1"}`, n, r.PostForm.Get("To"))
	}))
	t.Cleanup(f.Close)
	return f
}

// SMS is one message the fake received.
type SMS struct {
	To, Body string
	At       time.Time
}

// To returns the messages sent to number, oldest first.
func (f *FakeTwilio) To(number string) []SMS {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []SMS
	for i, m := range f.sent {
		if m.Get("To") == number {
			out = append(out, SMS{To: number, Body: m.Get("Body"), At: f.at[i]})
		}
	}
	return out
}

// WaitFor waits until a message to number after the first `after` contains text, and
// returns it; it fails the test after timeout.
func (f *FakeTwilio) WaitFor(t testing.TB, number string, after int, text string, timeout time.Duration) SMS {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		got := f.To(number)
		for _, m := range got[min(after, len(got)):] {
			if strings.Contains(m.Body, text) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no SMS to %s containing %q within %v; got %q", number, text, timeout, got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TwilioInbound is the form of Twilio's webhook for the n-th SMS from sender to the
// number to, of the account sid.
func TwilioInbound(sid, to string, n int, sender, body string) url.Values {
	msid := fmt.Sprintf("SMe2e%029d", n)
	return url.Values{
		"ToCountry": {"ES"}, "ToState": {""}, "SmsMessageSid": {msid}, "NumMedia": {"0"},
		"ToCity": {""}, "FromZip": {""}, "SmsSid": {msid}, "FromState": {""}, "SmsStatus": {"received"},
		"FromCity": {""}, "Body": {body}, "FromCountry": {"ES"}, "To": {to}, "ToZip": {""},
		"NumSegments": {"1"}, "MessageSid": {msid}, "AccountSid": {sid}, "From": {sender},
		"ApiVersion": {"2010-04-01"},
	}
}
