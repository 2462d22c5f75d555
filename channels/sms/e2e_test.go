package sms

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/catalonia/mygov/internal/e2e"
)

// TestEndToEnd runs `mygov serve` as a process against a fake Twilio REST server and
// posts inbound webhooks signed by the official npm package twilio, an implementation of
// the signature independent of twilio-go. It needs node and testdata/e2e/node_modules
// (`npm ci` in testdata/e2e); without them it is skipped, except under CI, where it fails.
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	node, err := exec.LookPath("node")
	if err == nil {
		_, err = os.Stat(filepath.Join("testdata", "e2e", "node_modules", "twilio"))
	}
	if err != nil {
		msg := "!!! SMS END-TO-END TEST NOT RUN: it needs node and the npm package twilio " +
			"(run `npm ci --no-audit --no-fund` in channels/sms/testdata/e2e): " + err.Error()
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	const (
		sid   = "AC00000000000000000000000000000e2e"
		token = "e2etoken0123456789abcdef01234567"
		from  = "+34900000000"
		ca    = "+34600000001"
		es    = "+34600000002"
	)
	tmp := t.TempDir()
	bin := e2e.BuildMygov(t)

	tw := newFakeTwilio(t)
	addr := e2e.FreeAddr(t)
	public := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "serve", "--demo")
	cmd.Env = append(e2e.CleanEnv(),
		"MYGOV_ADDR="+addr,
		"MYGOV_DB="+filepath.Join(tmp, "mygov.db"),
		"MYGOV_PUBLIC_URL="+public,
		"TWILIO_ACCOUNT_SID="+sid,
		"TWILIO_AUTH_TOKEN="+token,
		"TWILIO_FROM="+from,
		"TWILIO_API_URL="+tw.URL,
	)
	var logs e2e.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mygov serve: %v", err)
	}
	defer func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("mygov serve output:\n%s", logs.String())
		}
	}()
	e2e.WaitHealthy(t, public+"/healthz", 60*time.Second)

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
	sigs := nodeSign(t, node, token, public+PathInbound, forms)
	postForm := func(t *testing.T, form url.Values, sig string) int {
		t.Helper()
		req, err := http.NewRequest(http.MethodPost, public+PathInbound, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("post webhook: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	to := func(number string) []string {
		var bodies []string
		for _, m := range tw.messages() {
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
		for _, m := range tw.messages() {
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

// nodeSign signs each form for u with testdata/e2e/sign.js.
func nodeSign(t *testing.T, node, token, u string, forms []url.Values) []string {
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
	cmd.Dir = filepath.Join("testdata", "e2e")
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
