package sms

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/internal/e2e"
	"github.com/catalonia/mygov/internal/pgtest"
)

// TestNoticesEndToEnd runs `mygov serve` as a process on each store, writes through the
// administrations' HTTP API with bearer tokens made by `mygov apikey create`, and checks
// the notices citizens get by SMS from the fake Twilio: consent given and taken back in
// conversation, a status change told once however often the call is retried, a new likely
// benefit after a profile change, a deadline reminder, and another administration's
// application refused. Quiet hours are off (MYGOV_QUIET_HOURS=off): the notices package's
// tests hold a night notice until the morning with a fixed clock.
func TestNoticesEndToEnd(t *testing.T) {
	node := twiliotest.Node(t, "SMS")
	bin := e2e.BuildMygov(t)
	t.Run("SQLite", func(t *testing.T) {
		noticesEndToEnd(t, bin, node, "MYGOV_DB="+filepath.Join(t.TempDir(), "mygov.db"))
	})
	t.Run("PostgreSQL", func(t *testing.T) {
		base := pgtest.URL(t)
		schema := pgtest.Schema(t, base)
		conn, err := pgx.Connect(t.Context(), base)
		if err != nil {
			t.Fatal(err)
		}
		_, err = conn.Exec(t.Context(), `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize())
		conn.Close(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		sep := "?"
		if strings.Contains(base, "?") {
			sep = "&"
		}
		noticesEndToEnd(t, bin, node, "DATABASE_URL="+base+sep+"search_path="+schema)
	})
}

func noticesEndToEnd(t *testing.T, bin, node, database string) {
	const (
		sid    = "AC00000000000000000000000000000e2e"
		token  = "e2etoken0123456789abcdef01234567"
		from   = "+34900000000"
		maria  = "+34600000001"
		jose   = "+34600000002"
		nuria  = "+34600000003"
		montse = "+34600000005"
	)
	env := []string{database, "MYGOV_LOG_LEVEL=warn"}
	mygov := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(bin, args...)
		cmd.Env = append(e2e.CleanEnv(), env...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("mygov %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return string(out)
	}
	mygov("seed", "--demo")
	keys := map[string]string{}
	for _, admin := range []string{"generalitat", "ahc"} {
		out := strings.Split(strings.TrimSpace(mygov("apikey", "create", "--administration", admin)), "\n")
		keys[admin] = out[len(out)-1]
	}

	tw := twiliotest.NewAPI(t)
	public := e2e.Serve(t, append(env, "MYGOV_QUIET_HOURS=off",
		"TWILIO_ACCOUNT_SID="+sid, "TWILIO_AUTH_TOKEN="+token, "TWILIO_FROM="+from, "TWILIO_API_URL="+tw.URL)...)

	n := 0
	say := func(t *testing.T, sender, body string) {
		t.Helper()
		n++
		msid := fmt.Sprintf("SMn%031d", n)
		form := url.Values{"MessageSid": {msid}, "SmsSid": {msid}, "AccountSid": {sid}, "From": {sender}, "To": {from},
			"Body": {body}, "NumMedia": {"0"}, "NumSegments": {"1"}, "SmsStatus": {"received"}, "ApiVersion": {"2010-04-01"}}
		sig := twiliotest.NodeSign(t, node, token, public+PathInbound, []url.Values{form})[0]
		if code := twiliotest.Post(t, public+PathInbound, form, sig); code != http.StatusOK {
			t.Fatalf("webhook answered %d", code)
		}
	}
	api := func(t *testing.T, admin, method, path, key, body string) int {
		t.Helper()
		req, _ := http.NewRequest(method, public+"/api/v1"+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+keys[admin])
		req.Header.Set("Idempotency-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	to := func(number string) []string {
		var bodies []string
		for _, m := range tw.Messages() {
			if m.Get("To") == number {
				bodies = append(bodies, m.Get("Body"))
			}
		}
		return bodies
	}
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
	waitFor := func(t *testing.T, number string, after int, contains string) string {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for time.Now().Before(deadline) {
			got := to(number)
			for _, b := range got[min(after, len(got)):] {
				if strings.Contains(b, contains) {
					return b
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Fatalf("no SMS to %s containing %q within 20 s; got %q", number, contains, to(number))
		return ""
	}
	consent := func(t *testing.T, number, phrase, reply string) int {
		t.Helper()
		before := len(to(number))
		say(t, number, phrase)
		waitFor(t, number, before, reply)
		return len(settle(number, time.Second))
	}
	approve := `{"status": "approved", "note": {"ca": "Cobraràs el dia 10 de cada mes.", "es": "Cobrarás el día 10 de cada mes."}}`

	t.Run("StatusChangeNoticedOnce", func(t *testing.T) {
		before := consent(t, maria, "vull rebre avisos", "avisar")
		if code := api(t, "generalitat", "POST", "/applications/EXP-2026-000101/status", "maria-1", approve); code != http.StatusOK {
			t.Fatalf("status change answered %d", code)
		}
		notice := waitFor(t, maria, before, "EXP-2026-000101")
		if !strings.Contains(notice, "aprovada") || !strings.Contains(notice, "el dia 10") || strings.Contains(notice, "certificat") {
			t.Errorf("the notice is not Maria's in Catalan: %q", notice)
		}
		if code := api(t, "generalitat", "POST", "/applications/EXP-2026-000101/status", "maria-1", approve); code != http.StatusOK {
			t.Fatalf("the retried call answered %d", code)
		}
		if got := settle(maria, 3*time.Second); len(got) != before+1 {
			t.Fatalf("%d notices to Maria, want 1: %q", len(got)-before, got[before:])
		}
		// A reply to the notice continues about that application.
		say(t, maria, "1")
		reply := waitFor(t, maria, before+1, "EXP-2026-000101")
		if strings.Contains(reply, "EXP-2026-000102") {
			t.Errorf("the reply to the notice is not about its application: %q", reply)
		}
	})
	t.Run("AnotherAdministrationsApplication", func(t *testing.T) {
		if code := api(t, "ahc", "POST", "/applications/EXP-2026-000101/status", "ahc-1", approve); code != http.StatusForbidden {
			t.Errorf("ahc changing the Generalitat's application: %d, want 403", code)
		}
	})
	t.Run("NewLikelyBenefit", func(t *testing.T) {
		before := consent(t, jose, "quiero recibir avisos", "avisar")
		profile := `{"profile": {"household_size": 1, "lives_alone": true, "employment": "retired", "monthly_income": 600, "dependency": true}}`
		if code := api(t, "generalitat", "PUT", "/citizens/cit-0002", "jose-1", profile); code != http.StatusOK {
			t.Fatalf("profile change answered %d", code)
		}
		notice := waitFor(t, jose, before, "no contributiva")
		if !strings.Contains(notice, "pedir") {
			t.Errorf("the notice is not José's in Spanish: %q", notice)
		}
		if got := settle(jose, 2*time.Second); len(got) != before+1 {
			t.Errorf("%d notices to José, want 1: %q", len(got)-before, got[before:])
		}
	})
	t.Run("DeadlineReminder", func(t *testing.T) {
		before := consent(t, nuria, "vull avisos", "avisar")
		deadline := time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly)
		app := `{"citizen_id": "cit-0003", "procedure": {"ca": "Ajut de lloguer", "es": "Ayuda de alquiler"}, "status": "needs_documents",
			"missing_documents": [{"ca": "el contracte de lloguer", "es": "el contrato de alquiler"}], "deadline": "` + deadline + `"}`
		if code := api(t, "ahc", "PUT", "/applications/EXP-2026-009301", "nuria-1", app); code != http.StatusCreated {
			t.Fatalf("new application answered %d", code)
		}
		notice := waitFor(t, nuria, before, "contracte de lloguer")
		if !strings.Contains(notice, "EXP-2026-009301") {
			t.Errorf("the reminder does not name the application: %q", notice)
		}
		if got := settle(nuria, 2*time.Second); len(got) != before+1 {
			t.Errorf("%d notices to Núria, want 1: %q", len(got)-before, got[before:])
		}
	})
	t.Run("NoNoticesAfterNoVullAvisos", func(t *testing.T) {
		consent(t, montse, "vull rebre avisos", "avisar")
		before := consent(t, montse, "no vull avisos", "VULL AVISOS")
		if code := api(t, "generalitat", "POST", "/applications/EXP-2026-000501/status", "montse-1", approve); code != http.StatusOK {
			t.Fatalf("status change answered %d", code)
		}
		if got := settle(montse, 3*time.Second); len(got) != before {
			t.Errorf("notices after \"no vull avisos\": %q", got[before:])
		}
	})
}
