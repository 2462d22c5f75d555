package inbox_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/internal/e2e"
)

var (
	updateScreenshots = flag.Bool("update-screenshots", false, "write the browser test's screenshots to docs/ too")
	latencySamples    = flag.Int("inbox.latency", 0, "TestInboxLatency: how many messages and replies to time (0 skips it)")
)

const (
	twSID    = "AC00000000000000000000000000000e2e"
	twToken  = "e2etoken0123456789abcdef01234567"
	twFrom   = "+34900000000"
	maria    = "+34600000001" // demo citizen of Badalona
	workerPw = "a worker password for the e2e test"
)

// harness is "mygov serve" on a fresh SQLite file with the SMS channel pointed at a fake
// Twilio, and a headless Chromium.
type harness struct {
	t       *testing.T
	public  string
	twilio  *twiliotest.API
	node    string
	browser context.Context // the browser process and its first tab
	n       int             // webhook counter
	signed  map[string][]signedSMS
	logs    *e2e.Buffer
	timeout time.Duration
}

// chromium returns the browser's path, or skips the test (fails it under CI).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "!!! INBOX BROWSER TEST NOT RUN: it needs Chromium (apt-get install -y chromium)"
	if os.Getenv("CI") != "" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

func startHarness(t *testing.T) *harness {
	t.Helper()
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	chromiumPath := chromium(t)
	node := twiliotest.Node(t, "INBOX BROWSER")
	h := &harness{t: t, node: node, twilio: twiliotest.NewAPI(t), timeout: 30 * time.Second}
	start := time.Now()
	bin := e2e.BuildMygov(t)
	t.Logf("built mygov in %v", time.Since(start).Round(time.Millisecond))
	db := filepath.Join(t.TempDir(), "mygov.db")
	env := []string{
		"TWILIO_ACCOUNT_SID=" + twSID,
		"TWILIO_AUTH_TOKEN=" + twToken,
		"TWILIO_FROM=" + twFrom,
		"TWILIO_API_URL=" + h.twilio.URL,
		"MYGOV_INBOX_HOURS=serveis-socials=0-6/00:00-23:59",
	}

	// The account is made before the demo data, as an operator would.
	add := exec.Command(bin, "staff", "add", "--email", "e2e.treballadora@badalona.cat", "--name", "Marta E2E",
		"--municipality", "Badalona", "--role", "worker", "--password-stdin")
	add.Env = append(e2e.CleanEnv(), "MYGOV_DB="+db) // an operator's command needs no channel
	add.Stdin = strings.NewReader(workerPw + "\n")
	if out, err := add.CombinedOutput(); err != nil || strings.Contains(string(out), workerPw) {
		t.Fatalf("mygov staff add: %v\n%s", err, out)
	}
	h.public, h.logs = e2e.Start(t, bin, db, env...)
	t.Cleanup(func() {
		for _, secret := range []string{workerPw, "demo-lleida-treballadora"} {
			if strings.Contains(h.logs.String(), secret) {
				t.Errorf("a password reached the logs")
			}
		}
	})
	t.Logf("mygov serve healthy after %v", time.Since(start).Round(time.Millisecond))

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	if err := chromedp.Do(browser); err != nil { // starts the browser
		t.Fatalf("start Chromium: %v", err)
	}
	h.browser = browser
	t.Logf("Chromium started after %v", time.Since(start).Round(time.Millisecond))
	return h
}

type signedSMS struct {
	form url.Values
	sig  string
}

// presign signs the webhooks of the messages a test will send in one run of node, which
// takes seconds to start: sms then takes them in order.
func (h *harness) presign(sender string, bodies ...string) {
	h.t.Helper()
	forms := make([]url.Values, len(bodies))
	for i, b := range bodies {
		h.n++
		forms[i] = url.Values{ // what the webhook reads of Twilio's form
			"MessageSid": {fmt.Sprintf("SMinbox%027d", h.n)}, "AccountSid": {twSID}, "From": {sender}, "To": {twFrom},
			"Body": {b}, "NumMedia": {"0"}, "SmsStatus": {"received"},
		}
	}
	sigs := twiliotest.NodeSign(h.t, h.node, twToken, h.public+"/sms/twilio", forms)
	if h.signed == nil {
		h.signed = map[string][]signedSMS{}
	}
	for i, b := range bodies {
		h.signed[sender+"\x00"+b] = append(h.signed[sender+"\x00"+b], signedSMS{forms[i], sigs[i]})
	}
}

// sms posts a signed Twilio webhook from sender and returns when MyGov accepted it.
func (h *harness) sms(sender, body string) time.Time {
	h.t.Helper()
	key := sender + "\x00" + body
	if len(h.signed[key]) == 0 {
		h.presign(sender, body)
	}
	m := h.signed[key][0]
	h.signed[key] = h.signed[key][1:]
	req, err := http.NewRequest(http.MethodPost, h.public+"/sms/twilio", strings.NewReader(m.form.Encode()))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", m.sig)
	sent := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatalf("post webhook: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("webhook answered %d", resp.StatusCode)
	}
	return sent
}

// say texts MyGov as sender and waits for the reply containing want.
func (h *harness) say(sender, body, want string) string {
	h.t.Helper()
	before := len(h.to(sender))
	h.sms(sender, body)
	reply, _ := h.waitSMS(h.t, sender, before, want)
	return reply
}

// to returns the bodies of the SMS the fake Twilio created for number, oldest first.
func (h *harness) to(number string) []string {
	var out []string
	for _, m := range h.twilio.Created() {
		if m.Get("To") == number {
			out = append(out, m.Get("Body"))
		}
	}
	return out
}

// waitSMS waits until an SMS to number after the first `after` contains text, and returns
// it with when it was seen (polled every 5 ms); it fails the test after the timeout.
func (h *harness) waitSMS(t *testing.T, number string, after int, text string) (string, time.Time) {
	t.Helper()
	deadline := time.Now().Add(h.timeout)
	for {
		got := h.to(number)
		for _, b := range got[min(after, len(got)):] {
			if strings.Contains(b, text) {
				return b, time.Now()
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no SMS to %s containing %q within %v; got %q", number, text, h.timeout, got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// tab opens a browser tab in its own browser context (its own cookies) and logs in.
func (h *harness) tab(email, password string) context.Context {
	h.t.Helper()
	ctx, cancel := chromedp.NewContext(h.browser, chromedp.WithNewBrowserContext())
	h.t.Cleanup(cancel)
	ctx, cancelT := context.WithTimeout(ctx, 4*time.Minute)
	h.t.Cleanup(cancelT)
	h.do(ctx,
		chromedp.Navigate(h.public+"/inbox/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="email"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="email"]`), email),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), password),
		chromedp.Click(chromedp.CSS(`form.login button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#queue`)),
	)
	return ctx
}

func (h *harness) do(ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	h.t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		h.t.Fatalf("browser: %v", err)
	}
}

// waitText waits until the element of sel contains text, watching the DOM's mutations.
func (h *harness) waitText(ctx context.Context, sel, text string) {
	h.t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); return !!e && e.textContent.includes(%q); })()`, sel, text)
	deadline := time.Now().Add(h.timeout)
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(time.Until(deadline))))
		if err == nil {
			return
		}
		// A form's redirect replaces the page under the poll: poll the new one.
		if time.Now().After(deadline) || !strings.Contains(err.Error(), "context") {
			h.t.Fatalf("%q never appeared in %s: %v", text, sel, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// screenshot saves the viewport as name in the test's output folder, and in docs/ with
// -update-screenshots.
func (h *harness) screenshot(ctx context.Context, name string) {
	h.t.Helper()
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		h.t.Fatalf("screenshot: %v", err)
	}
	dirs := []string{h.t.ArtifactDir()}
	if *updateScreenshots {
		dirs = append(dirs, filepath.Join("..", "docs"))
	}
	for _, dir := range dirs {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			h.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
			h.t.Fatal(err)
		}
	}
	h.t.Logf("screenshot %s in %s", name, strings.Join(dirs, ", "))
}

// TestBrowser drives the inbox in Chromium: a citizen asks for a person by SMS, the
// Badalona worker sees it appear, opens it and replies over SMS; the Lleida worker cannot
// see it; a script in a message does not run; the worker's access shows in the citizen's
// "who used my data"; closing gives the conversation back to the assistant.
func TestBrowser(t *testing.T) {
	h := startHarness(t)
	h.presign(maria, "vull parlar amb una persona", `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`,
		"segueixo aquí, gràcies", "qui ha vist les meves dades?", "12345678Z", "15/03/1984", "MÉS", "MÉS", "MÉS",
		"com va la meva sol·licitud?")
	badalona := h.tab("e2e.treballadora@badalona.cat", workerPw)
	if body, _ := chromedp.Run(badalona, chromedp.Text(chromedp.CSS(`#queue`))); strings.Contains(body, "Maria") {
		t.Fatalf("queue not empty before the escalation: %q", body)
	}

	var caseURL string
	t.Run("EscalationAppearsWithoutReload", func(t *testing.T) {
		h.t = t
		reply := h.say(maria, "vull parlar amb una persona", "treballadora social")
		if !strings.Contains(reply, "aviat") {
			t.Errorf("handoff within office hours = %q, want it to say soon", reply)
		}
		h.waitText(badalona, "#queue", "Maria Puig Soler")
		h.screenshot(badalona, "inbox-queue.png")
		href, err := chromedp.Run(badalona, chromedp.AttributeValue(chromedp.CSS(`#queue a`), "href"))
		if err != nil || !href.Exists {
			t.Fatalf("queue link: %v", err)
		}
		caseURL = h.public + href.Value
		if !strings.HasPrefix(href.Value, "/inbox/c/") {
			t.Errorf("conversation link %q not under /inbox/", href.Value)
		}
	})
	if caseURL == "" {
		t.FailNow()
	}

	t.Run("ScriptInMessageDoesNotRun", func(t *testing.T) {
		h.t = t
		h.sms(maria, `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`)
		h.do(badalona, chromedp.Click(chromedp.CSS(`#queue a`)), chromedp.WaitVisible(chromedp.CSS(`#transcript`)))
		h.waitText(badalona, "#transcript", "<script>window.__xss=1</script>")
		xss, err := chromedp.Run(badalona, chromedp.Evaluate[string](`String(window.__xss) + document.querySelectorAll("#transcript script, #transcript img").length`))
		if err != nil || xss != "undefined0" {
			t.Errorf("window.__xss and injected elements = %q, %v; want undefined0", xss, err)
		}
	})

	t.Run("CitizenMessageAppearsInConversation", func(t *testing.T) {
		h.t = t
		h.sms(maria, "segueixo aquí, gràcies")
		h.waitText(badalona, "#transcript", "segueixo aquí, gràcies")
	})

	t.Run("ReplyReachesTwilio", func(t *testing.T) {
		h.t = t
		before := len(h.to(maria))
		h.do(badalona,
			chromedp.SendKeys(chromedp.CSS(`#reply`), "Hola Maria, et truco demà al matí."),
			chromedp.Click(chromedp.CSS(`form.reply button[type="submit"]`)),
		)
		got, _ := h.waitSMS(t, maria, before, "et truco demà al matí")
		if !strings.Contains(got, "Marta E2E") {
			t.Errorf("reply SMS %q does not say who wrote it", got)
		}
		h.waitText(badalona, "#transcript", "enviat")
		h.screenshot(badalona, "inbox-conversation.png")
	})

	t.Run("LleidaCannotSeeIt", func(t *testing.T) {
		h.t = t
		lleida := h.tab("treballadora@lleida.demo", "demo-lleida-treballadora")
		body, err := chromedp.Run(lleida, chromedp.Text(chromedp.CSS(`#main`)))
		if err != nil || strings.Contains(body, "Maria") {
			t.Errorf("Lleida's queue shows Maria (%v)", err)
		}
		resp, err := chromedp.Run(lleida, chromedp.NavigateResponse(caseURL))
		if err != nil || resp.Status != http.StatusNotFound {
			t.Errorf("Lleida opening Badalona's case: %v, %v; want 404", resp, err)
		}
	})

	t.Run("CloseHandsBackToTheBot", func(t *testing.T) {
		h.t = t
		before := len(h.to(maria))
		h.do(badalona,
			chromedp.Navigate(caseURL),
			chromedp.SendKeys(chromedp.CSS(`#reason`), "Resolt per telèfon"),
			chromedp.Click(chromedp.CSS(`form.close button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#queue`)),
		)
		h.waitSMS(t, maria, before, "tancat la conversa")
		if body, _ := chromedp.Run(badalona, chromedp.Text(chromedp.CSS(`#queue`))); strings.Contains(body, "Maria") {
			t.Errorf("closed case still in the queue")
		}
	})

	t.Run("AccessInDataUsage", func(t *testing.T) {
		h.t = t
		h.say(maria, "qui ha vist les meves dades?", "DNI")
		h.say(maria, "12345678Z", "naixement")
		reply := h.say(maria, "15/03/1984", "")
		for i := 0; i < 8 && !strings.Contains(reply, "Badalona"); i++ {
			reply = h.say(maria, "MÉS", "")
		}
		if !strings.Contains(reply, "Badalona") || !strings.Contains(reply, "atendre la teva consulta") {
			t.Errorf("the worker's access is not in data_usage; last reply %q", reply)
		}
	})

	t.Run("BotAnswersAgain", func(t *testing.T) {
		h.t = t
		h.say(maria, "com va la meva sol·licitud?", "EXP-2026-000101")
	})
}

// TestInboxLatency times, through the real server and browser, how long a citizen's SMS
// takes to show in the worker's open conversation (SSE) and a worker's reply to reach the
// provider. Run it with: go test ./inbox -run TestInboxLatency -v -inbox.latency 50
func TestInboxLatency(t *testing.T) {
	if *latencySamples <= 0 {
		t.Skip("set -inbox.latency N to time N messages and replies")
	}
	h := startHarness(t)
	bodies := []string{"vull parlar amb una persona"}
	for i := range *latencySamples {
		bodies = append(bodies, fmt.Sprintf("missatge de prova %d", i))
	}
	h.presign(maria, bodies...)
	tab := h.tab("e2e.treballadora@badalona.cat", workerPw)
	h.say(maria, "vull parlar amb una persona", "treballadora social")
	h.waitText(tab, "#queue", "Maria Puig Soler")
	h.do(tab, chromedp.Click(chromedp.CSS(`#queue a`)), chromedp.WaitVisible(chromedp.CSS(`#transcript`)))
	var toScreen, toProvider []time.Duration
	for i := range *latencySamples {
		text := fmt.Sprintf("missatge de prova %d", i)
		sent := h.sms(maria, text)
		h.waitText(tab, "#transcript", text)
		toScreen = append(toScreen, time.Since(sent))

		before := len(h.to(maria))
		reply := fmt.Sprintf("resposta de prova %d", i)
		h.do(tab, chromedp.SendKeys(chromedp.CSS(`#reply`), reply))
		start := time.Now()
		h.do(tab, chromedp.Click(chromedp.CSS(`form.reply button[type="submit"]`)))
		_, at := h.waitSMS(t, maria, before, reply)
		toProvider = append(toProvider, at.Sub(start))
		h.waitText(tab, "#transcript", reply) // the page after the form's redirect
	}
	report := func(name string, ds []time.Duration) {
		slices.Sort(ds)
		pct := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
		t.Logf("%s over %d: p50 %v, p99 %v, max %v", name, len(ds), pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), ds[len(ds)-1].Round(time.Millisecond))
	}
	report("citizen SMS → worker's screen (SSE)", toScreen)
	report("worker's reply → Twilio", toProvider)
}
