package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/twilio/twilio-go/client"
)

// The signature the generator computes is the one twilio-go checks.
func TestTwilioSignature(t *testing.T) {
	form := url.Values{"From": {"+34600000001"}, "Body": {"hola, què tal?"}, "MessageSid": {"SM1"}, "To": {fromNumber}}
	u := publicURL + smsPath
	sig := twilioSignature(authToken, u, form)
	params := map[string]string{}
	for k := range form {
		params[k] = form.Get(k)
	}
	good, bad := client.NewRequestValidator(authToken), client.NewRequestValidator("other")
	if !good.Validate(u, params, sig) {
		t.Errorf("twilio-go rejects the signature %q", sig)
	}
	if bad.Validate(u, params, sig) {
		t.Error("a signature with another token validates")
	}
}

func TestPercentile(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	if got := percentile(ds, 50); got != 5 {
		t.Errorf("p50 = %v, want 5", got)
	}
	if got := percentile(ds, 99); got != 10 {
		t.Errorf("p99 = %v, want 10", got)
	}
	if got := percentile(nil, 99); got != 0 {
		t.Errorf("p99 of nothing = %v", got)
	}
}

// check counts lost, doubled and reordered replies.
func TestCheck(t *testing.T) {
	classes := map[string]map[string]int{"sms": {"G": 0, "H": 1, "B": 2}}
	now := time.Now()
	mk := func(to string, bodies ...string) []Sent {
		var out []Sent
		for _, b := range bodies {
			out = append(out, Sent{Channel: "sms", To: to, Body: b, At: now})
		}
		return out
	}
	c := func(phone string, ts ...string) *citizen {
		return &citizen{channel: "sms", address: phone, texts: ts, accepted: make([]time.Time, len(ts))}
	}
	cs := []*citizen{c("a", "hola", "ajuda", "adeu"), c("b", "hola", "ajuda"), c("c", "hola"), c("d", "hola")}
	sent := append(append(append(mk("a", "G", "H", "B"), mk("b", "H", "G")...), mk("c", "G", "G")...), mk("d", "X")...)
	rep := check(cs, sent, classes, window{}, nil)
	if rep.Lost != 0 || rep.Doubled != 1 || rep.Reordered != 2 || rep.Unclassified != 1 {
		t.Errorf("lost %d doubled %d reordered %d unclassified %d; want 0 1 2 1", rep.Lost, rep.Doubled, rep.Reordered, rep.Unclassified)
	}
	rep = check([]*citizen{c("a", "hola", "ajuda")}, mk("a", "G"), classes, window{}, nil)
	if rep.Lost != 1 {
		t.Errorf("lost %d, want 1", rep.Lost)
	}
	// A copy in the middle of a conversation is one doubled reply, not a shifted order.
	rep = check([]*citizen{c("a", "hola", "ajuda", "adeu")}, mk("a", "G", "G", "H", "B"), classes, window{}, nil)
	if rep.Lost != 0 || rep.Doubled != 1 || rep.Reordered != 0 {
		t.Errorf("lost %d doubled %d reordered %d; want 0 1 0", rep.Lost, rep.Doubled, rep.Reordered)
	}
}

// A Telegram reply sent again is counted apart when its first copy lies in the
// at-least-once window, and as doubled otherwise; an SMS copy is always doubled.
func TestCheckTelegramWindow(t *testing.T) {
	kill := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	w := window{killedAt: kill, lease: 15 * time.Second}
	classes := map[string]map[string]int{"sms": {"G": 0, "H": 1}, "telegram": {"TG": 0, "TH": 1}}
	tg := func(body string, at time.Time, unanswered bool) Sent {
		return Sent{Channel: "telegram", To: "7", Body: body, At: at, Unanswered: unanswered}
	}
	citizens := func() []*citizen {
		c := telegramCitizen("load", 0, 7)
		c.texts, c.accepted = []string{"hola", "ajuda"}, make([]time.Time, 2)
		s := smsCitizen("load", 1, "+34600")
		s.texts, s.accepted = []string{"hola"}, make([]time.Time, 1)
		return []*citizen{c, s}
	}
	sms := Sent{Channel: "sms", To: "+34600", Body: "G", At: kill, Unanswered: true}
	for _, tc := range []struct {
		name           string
		sent           []Sent
		window, double int
	}{
		{"Unanswered", []Sent{tg("TG", kill.Add(-time.Hour), true), tg("TG", kill, false), tg("TH", kill, false)}, 1, 0},
		{"TakenBeforeKill", []Sent{tg("TG", kill.Add(-2*time.Second), false), tg("TG", kill.Add(time.Minute), false), tg("TH", kill, false)}, 1, 0},
		{"TakenLongBeforeKill", []Sent{tg("TG", kill.Add(-time.Minute), false), tg("TG", kill, false), tg("TH", kill, false)}, 0, 1},
		{"TakenAsTheKilledReplicaDied", []Sent{tg("TG", kill.Add(100*time.Millisecond), false), tg("TG", kill.Add(time.Minute), false), tg("TH", kill, false)}, 1, 0},
		{"TakenAfterKill", []Sent{tg("TG", kill.Add(inFlight+time.Millisecond), false), tg("TG", kill.Add(time.Minute), false), tg("TH", kill, false)}, 0, 1},
		{"SMSNeverInWindow", []Sent{tg("TG", kill, false), tg("TH", kill, false), sms}, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := check(citizens(), append(tc.sent, sms), classes, w, nil)
			if rep.WindowDuplicates != tc.window || rep.Doubled != tc.double || rep.Lost != 0 || rep.Reordered != 0 {
				t.Errorf("window %d doubled %d lost %d reordered %d; want %d %d 0 0", rep.WindowDuplicates, rep.Doubled, rep.Lost, rep.Reordered, tc.window, tc.double)
			}
			if tg := rep.Channels["telegram"]; tg.Citizens != 1 || tg.Inbound != 2 || tg.WindowDuplicates != tc.window {
				t.Errorf("telegram: %v; want 1 citizen, 2 messages, %d in the window", tg, tc.window)
			}
		})
	}
}

// plan puts the asked share of citizens on Telegram, spread out, and no citizen writes the
// same text twice in a row.
func TestPlan(t *testing.T) {
	for _, share := range []float64{0, 0.25, 0.5, 1} {
		cs := plan(Config{Citizens: 40, Messages: 400, Telegram: share})
		n := 0
		for _, c := range cs {
			if c.channel == "telegram" {
				n++
			}
			for j := 1; j < len(c.texts); j++ {
				if c.texts[j] == c.texts[j-1] {
					t.Fatalf("share %v: citizen %d writes %q twice in a row", share, c.index, c.texts[j])
				}
			}
		}
		if want := int(40 * share); n != want {
			t.Errorf("share %v: %d citizens on Telegram, want %d", share, n, want)
		}
	}
}

// buildMygov builds cmd/mygov once for the fault tests.
func buildMygov(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mygov")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/mygov").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// faultConfig is the reduced run of the README: 200 citizens, a quarter of them on
// Telegram, 2,000 messages, 5 % duplicates, a replica killed with SIGKILL mid-run and
// restarted, the provider (Twilio and the Bot API) failing (500s, 429s, hangs,
// accepted-then-hang) for 15 s.
func faultConfig(bin string) Config {
	return Config{
		Binary: bin, Citizens: 200, Messages: 2000, DupRate: 0.05, Telegram: 0.25,
		KillAt: 0.4, RestartAfter: 2 * time.Second,
		OutageAt: 0.6, OutageFor: 15 * time.Second, OutageMix: true,
		Drain: 3 * time.Minute,
		Env:   []string{"MYGOV_DELIVERY_MAX_BACKOFF=4s"},
	}
}

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault runs take minutes: not in -short")
	}
}

func runFaults(t *testing.T, cfg Config) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	var anomalies strings.Builder
	cfg.Anomalies = &anomalies
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", rep)
	if !rep.OK() {
		t.Logf("conversations with a reply lost, doubled or reordered:\n%s", anomalies.String())
	}
	if rep.Inbound != cfg.Messages {
		t.Errorf("%d messages accepted, want %d", rep.Inbound, cfg.Messages)
	}
	if tg, want := rep.Channels["telegram"], int(float64(cfg.Citizens)*cfg.Telegram); tg.Citizens != want || tg.Inbound == 0 {
		t.Errorf("telegram: %v; want %d citizens", tg, want)
	}
	if rep.Kills != 1 || rep.Injected[Fault500] == 0 || rep.Injected[FaultAcceptedHang] == 0 {
		t.Errorf("the faults did not happen: kills %d, injected %v", rep.Kills, rep.Injected)
	}
	if !rep.OK() {
		t.Errorf("lost %d, doubled %d, reordered %d", rep.Lost, rep.Doubled, rep.Reordered)
	}
	if rep.Unclassified > rep.Replies/10 {
		t.Errorf("%d of %d replies unclassified: the order check is blind", rep.Unclassified, rep.Replies)
	}
}

func TestFaultsSQLite(t *testing.T) {
	skipShort(t)
	cfg := faultConfig(buildMygov(t))
	cfg.Replicas = 1
	cfg.SQLitePath = filepath.Join(t.TempDir(), "mygov.db")
	runFaults(t, cfg)
}

func TestFaultsPostgres(t *testing.T) {
	skipShort(t)
	base := os.Getenv("DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test"
	}
	if os.Getenv("MYGOV_SKIP_POSTGRES") != "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no PostgreSQL on CI")
		}
		t.Skip("\n*** NO POSTGRESQL: the fault run on PostgreSQL was NOT done ***")
	}
	schema := freshSchema(t, base)
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	cfg := faultConfig(buildMygov(t))
	cfg.Replicas = 2
	cfg.DatabaseURL = base + sep + "search_path=" + schema
	runFaults(t, cfg)
}

// freshSchema creates a schema for one test and drops it at the end.
func freshSchema(t *testing.T, url string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("PostgreSQL: %v", err)
		}
		t.Skipf("\n*** NO POSTGRESQL at %s: the fault run on PostgreSQL was NOT done: %v ***", url, err)
	}
	defer conn.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	schema := "loadtest_" + hex.EncodeToString(b)
	if _, err := conn.Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, url); err == nil {
			conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
			conn.Close(ctx)
		}
	})
	return schema
}

// Defect 4: on SIGTERM the workers stop taking jobs and the send in flight finishes; it
// is not cancelled, and not sent again after the restart.
func TestSIGTERMFinishesSendsInFlight(t *testing.T) {
	skipShort(t)
	bin := buildMygov(t)
	prov, err := StartProvider()
	if err != nil {
		t.Fatal(err)
	}
	defer prov.Close()
	prov.Delay = 3 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cfg := Config{Binary: bin, SQLitePath: filepath.Join(t.TempDir(), "mygov.db")}
	r := newReplica("replica", bin, replicaEnv(cfg, prov.URL), io.Discard)
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	c := smsCitizen("term", 1, "+34611000001")
	c.texts = []string{"hola"}
	var retries atomic.Int64
	post(ctx, http.DefaultClient, []*Replica{r}, c.webhook(0), 0, &retries)
	for prov.Count() == 0 {
		if ctx.Err() != nil {
			t.Fatal("no send reached the provider")
		}
		time.Sleep(10 * time.Millisecond)
	}
	r.Stop() // SIGTERM while the provider holds the send
	if n := prov.Cancelled(); n != 0 {
		t.Fatalf("%d sends in flight were cancelled by SIGTERM", n)
	}
	if err := r.Start(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Second) // a repeated send would go out now
	if got := prov.Sent(); len(got) != 1 {
		t.Errorf("the provider took %d messages, want 1", len(got))
	}
}

// check gives each channel its own reply latency, beside the run's.
func TestCheckLatencyByChannel(t *testing.T) {
	classes := map[string]map[string]int{"sms": {"G": 0}, "telegram": {"G": 0}}
	start := time.Now()
	cs := []*citizen{
		{channel: "sms", address: "a", texts: []string{"hola"}, accepted: []time.Time{start}},
		{channel: "telegram", address: "7", texts: []string{"hola"}, accepted: []time.Time{start}},
	}
	sent := []Sent{
		{Channel: "sms", To: "a", Body: "G", At: start.Add(50 * time.Millisecond)},
		{Channel: "telegram", To: "7", Body: "G", At: start.Add(4 * time.Second)},
	}
	rep := check(cs, sent, classes, window{}, nil)
	if got := rep.ChannelReply["sms"]; got != [2]time.Duration{50 * time.Millisecond, 50 * time.Millisecond} {
		t.Errorf("sms reply latency = %v, want 50ms, 50ms", got)
	}
	if got := rep.ChannelReply["telegram"]; got != [2]time.Duration{4 * time.Second, 4 * time.Second} {
		t.Errorf("telegram reply latency = %v, want 4s, 4s", got)
	}
	if !strings.Contains(rep.String(), "telegram: citizens 1") || !strings.Contains(rep.String(), "reply latency p50 4s p99 4s") {
		t.Errorf("report does not show the channel's latency:\n%s", rep)
	}
}
