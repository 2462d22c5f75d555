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
	classes := map[string]int{"G": 0, "H": 1, "B": 2}
	now := time.Now()
	mk := func(to string, bodies ...string) []Sent {
		var out []Sent
		for _, b := range bodies {
			out = append(out, Sent{To: to, Body: b, At: now})
		}
		return out
	}
	c := func(phone string, ts ...string) *citizen {
		return &citizen{phone: phone, texts: ts, accepted: make([]time.Time, len(ts))}
	}
	cs := []*citizen{c("a", "hola", "ajuda", "adeu"), c("b", "hola", "ajuda"), c("c", "hola"), c("d", "hola")}
	sent := append(append(append(mk("a", "G", "H", "B"), mk("b", "H", "G")...), mk("c", "G", "G")...), mk("d", "X")...)
	rep := check(cs, sent, classes)
	if rep.Lost != 0 || rep.Doubled != 1 || rep.Reordered != 2 || rep.Unclassified != 1 {
		t.Errorf("lost %d doubled %d reordered %d unclassified %d; want 0 1 2 1", rep.Lost, rep.Doubled, rep.Reordered, rep.Unclassified)
	}
	rep = check([]*citizen{c("a", "hola", "ajuda")}, mk("a", "G"), classes)
	if rep.Lost != 1 {
		t.Errorf("lost %d, want 1", rep.Lost)
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

// faultConfig is the reduced run of the README: 200 citizens, 2,000 messages, 5 %
// duplicates, a replica killed with SIGKILL mid-run and restarted, the provider failing
// (500s, 429s, hangs, accepted-then-hang) for 15 s.
func faultConfig(bin string) Config {
	return Config{
		Binary: bin, Citizens: 200, Messages: 2000, DupRate: 0.05,
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
	rep, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", rep)
	if rep.Inbound != cfg.Messages {
		t.Errorf("%d messages accepted, want %d", rep.Inbound, cfg.Messages)
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
	form := url.Values{"MessageSid": {"SMterm1"}, "From": {"+34611000001"}, "To": {fromNumber}, "Body": {"hola"}, "AccountSid": {accountSID}}
	var retries atomic.Int64
	post(ctx, http.DefaultClient, []*Replica{r}, form, 0, &retries)
	for len(prov.Sent()) == 0 {
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
