package smsbench_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/intents"
	"github.com/catalonia/mygov/internal/sqlstore"
	"github.com/catalonia/mygov/locales"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
	"github.com/catalonia/mygov/sqlite"
)

const (
	accountSID = "AC00000000000000000000000000bench"
	authToken  = "benchtoken0123456789abcdef012345"
	publicURL  = "https://mygov.example"
)

// newClassifier returns the classifier main uses: the embedded intents model.
var newClassifier = intents.Default

// turn is one message of the script: Body from From, or a photo when Media is set.
type turn struct {
	From  string
	Body  string
	Media bool
}

// Senders of the script: the demo's Maria (Catalan) and José (Spanish), and an unknown
// number, which is anonymous.
const (
	maria   = "+34600000001" // DNI 12345678Z, born 15/03/1984
	jose    = "+34600000002" // NIE X1234567L, born 02/11/1958
	unknown = "+34699999999"
	// No script turn comes from a short code: the webhook refuses a From that is not an
	// E.164 number, since the reply would go to it (issue 13, defect 8).
)

// scriptCA has 46 turns in Catalan.
var scriptCA = []turn{
	{maria, "Hola", false},
	{maria, "com va la meva sol·licitud?", false},
	{maria, "MÉS", false},
	{maria, "1", false},
	{maria, "quines dades teniu de mi?", false},
	{maria, "12345678Z", false},
	{maria, "15/03/1984", false},
	{maria, "més", false},
	{maria, "MES", false},
	{maria, "qui ha consultat les meves dades?", false},
	{maria, "MÉS", false},
	{maria, "més", false},
	{maria, "quines ajudes puc demanar?", false},
	{maria, "MÉS", false},
	{maria, "necessito ajuda, no sé com funciona això", false},
	{maria, "9", false},
	{maria, "2", false},
	{maria, "3", false},
	{maria, "4", false},
	{maria, "5", false},
	{maria, "???", false},
	{maria, "", true},
	{maria, "asdfgh qwerty zxcv", false},
	{maria, "com va l'expedient EXP-2026-000102?", false},
	{maria, "i l'EXP-2026-000999?", false},
	{maria, "vull parlar amb una persona", false},
	{maria, "surt", false},
	{maria, "qui ha vist les meves dades?", false},
	{maria, "cancel·la", false},
	{maria, "qui ha vist les meves dades?", false},
	{maria, "87654321X", false},
	{maria, "01/01/1990", false},
	{maria, "12345678Z 15/03/1984", false},
	{maria, "AJUDA", false},
	{maria, "com va la renda garantida?", false},
	{maria, "hola bon dia", false},
	{maria, "moltes gràcies, adéu", false},
	{maria, "BAIXA", false},
	{maria, "hola?", false},
	{maria, "ALTA", false},
	{maria, "quines ajudes hi ha per a famílies monoparentals?", false},
	{unknown, "com va la meva sol·licitud?", false},
	{unknown, "quines ajudes hi ha?", false},
	{unknown, "MÉS", false},
	{unknown, "quines dades teniu de mi?", false},
	{unknown, "ajuda", false},
}

// scriptES has 46 turns in Spanish.
var scriptES = []turn{
	{jose, "Hola", false},
	{jose, "¿cómo va mi solicitud?", false},
	{jose, "MÁS", false},
	{jose, "1", false},
	{jose, "¿qué datos tenéis de mí?", false},
	{jose, "X1234567L", false},
	{jose, "02/11/1958", false},
	{jose, "más", false},
	{jose, "MAS", false},
	{jose, "¿quién ha consultado mis datos?", false},
	{jose, "MÁS", false},
	{jose, "más", false},
	{jose, "¿qué ayudas puedo pedir?", false},
	{jose, "MÁS", false},
	{jose, "necesito ayuda, no sé cómo funciona esto", false},
	{jose, "9", false},
	{jose, "2", false},
	{jose, "3", false},
	{jose, "4", false},
	{jose, "5", false},
	{jose, "???", false},
	{jose, "", true},
	{jose, "asdfgh qwerty zxcv", false},
	{jose, "¿cómo va el expediente EXP-2026-000201?", false},
	{jose, "¿y el EXP-2026-000999?", false},
	{jose, "quiero hablar con una persona", false},
	{jose, "salir", false},
	{jose, "¿quién ha visto mis datos?", false},
	{jose, "cancelar la verificación", false},
	{jose, "¿quién ha visto mis datos?", false},
	{jose, "87654321X", false},
	{jose, "01/01/1990", false},
	{jose, "X1234567L 02/11/1958", false},
	{jose, "AYUDA", false},
	{jose, "¿cómo va la tarjeta rosa?", false},
	{jose, "hola buenos días", false},
	{jose, "muchas gracias, adiós", false},
	{jose, "BAJA", false},
	{jose, "¿hola?", false},
	{jose, "START", false},
	{jose, "¿qué ayudas hay para personas mayores?", false},
	{unknown, "¿cómo va mi solicitud?", false},
	{unknown, "¿qué ayudas hay?", false},
	{unknown, "MÁS", false},
	{unknown, "¿qué datos tenéis de mí?", false},
	{unknown, "ayuda", false},
}

// reply is one reply of the script, as sent.
type reply struct {
	turn     int
	text     string // what the citizen wrote
	rendered sms.Rendered
}

// stats summarizes the replies of one script.
type stats struct {
	turns, replies, silent int
	mean                   float64
	max                    int
	shortened, translit    int
	ucs2                   int
}

// bench is the channel wired to the real engine on an SQLite store with the demo data.
type bench struct {
	ch    *sms.Channel
	mux   *http.ServeMux
	mu    sync.Mutex
	out   []dialog.Outbound
	store *sqlite.Store
}

// recorder is a dialog.Handler that keeps the replies of each turn.
type recorder struct {
	h dialog.Handler
	b *bench
}

// Handle runs the turn in the engine and keeps its replies.
func (r recorder) Handle(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
	res, err := r.h.Handle(ctx, in)
	r.b.mu.Lock()
	r.b.out = append(r.b.out, res.Outbound...)
	r.b.mu.Unlock()
	return res, err
}

func newBench(tb testing.TB) *bench {
	tb.Helper()
	e, st, clock := newEngine(tb)
	b := &bench{store: st, mux: http.NewServeMux()}
	cfg := sms.Config{
		AccountSID: accountSID, AuthToken: authToken, From: "+34900000000", PublicURL: publicURL,
		SegmentBudget: sms.DefaultSegmentBudget, GSM7: true,
	}
	var err error
	b.ch, err = sms.New(cfg, recorder{e, b}, st, locales.MustLoad(), slog.New(slog.DiscardHandler), sms.WithClock(clock))
	if err != nil {
		tb.Fatal(err)
	}
	b.ch.Routes(b.mux)
	return b
}

// newEngine returns the engine main builds, on an SQLite store with the demo data and a
// fixed clock.
func newEngine(tb testing.TB) (*dialog.Engine, *sqlite.Store, func() time.Time) {
	tb.Helper()
	ctx := context.Background()
	now := time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	log := slog.New(slog.DiscardHandler)
	st, err := sqlite.Open(ctx, filepath.Join(tb.TempDir(), "bench.db"), sqlstore.WithClock(clock), sqlstore.WithLogger(log))
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	if err := st.Seed(ctx, demo.Dataset(now)); err != nil {
		tb.Fatalf("seed: %v", err)
	}
	benefits, err := st.ListBenefits(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	elig, err := records.NewEligibility(benefits)
	if err != nil {
		tb.Fatal(err)
	}
	cls, err := newClassifier(intents.WithProcedures(intents.ProceduresOf(benefits)), intents.WithClock(clock))
	if err != nil {
		tb.Skipf("!!! SMS SEGMENT BENCHMARK NOT RUN: the engine's classifier has no model (train it with `mygov train`): %v", err)
	}
	madrid, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		tb.Fatal(err)
	}
	e := dialog.NewEngine(st, cls, elig, log, dialog.WithClock(clock), dialog.WithThreshold(intents.DefaultThreshold), dialog.WithLocation(madrid))
	return e, st, clock
}

// run posts each turn of script to the webhook and renders the replies.
func (b *bench) run(tb testing.TB, script []turn, sidPrefix string) (stats, []reply) {
	tb.Helper()
	var all []reply
	s := stats{turns: len(script)}
	for i, t := range script {
		b.mu.Lock()
		b.out = b.out[:0]
		b.mu.Unlock()
		post(tb, b.mux, sms.PathInbound, "", fmt.Sprintf("SM%s%030d", sidPrefix, i), t)
		b.mu.Lock()
		out := append([]dialog.Outbound(nil), b.out...)
		b.mu.Unlock()
		if len(out) == 0 {
			s.silent++
		}
		for _, o := range out {
			r := reply{turn: i, text: t.Body, rendered: b.ch.Render(o.Lang, o.Reply)}
			all = append(all, r)
			s.replies++
			s.mean += float64(r.rendered.Segments)
			s.max = max(s.max, r.rendered.Segments)
			if r.rendered.Shortened {
				s.shortened++
			}
			if r.rendered.Translit {
				s.translit++
			}
			if r.rendered.Encoding == sms.EncodingUCS2 {
				s.ucs2++
			}
		}
	}
	if s.replies > 0 {
		s.mean /= float64(s.replies)
	}
	return s, all
}

// post posts the turn t to the inbound webhook at path as Twilio would, with the message
// id sid and the sender prefixed by prefix ("whatsapp:"), and fails unless it is answered
// 200.
func post(tb testing.TB, mux *http.ServeMux, path, prefix, sid string, t turn) {
	tb.Helper()
	form := url.Values{
		"MessageSid": {sid}, "AccountSid": {accountSID}, "From": {prefix + t.From}, "To": {prefix + "+34900000000"},
		"Body": {t.Body}, "NumMedia": {"0"},
	}
	if t.Media {
		form.Set("NumMedia", "1")
		form.Set("MediaContentType0", "image/jpeg")
	}
	req := httptest.NewRequest(http.MethodPost, "http://127.0.0.1"+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Twilio-Signature", twiliotest.Sign(authToken, publicURL+path, form))
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		tb.Fatalf("%q: webhook answered %d: %s", t.Body, rec.Code, rec.Body.String())
	}
}

// Targets of issue 5.
const (
	targetMean = 1.6
	targetMax  = 3
)

// TestReplySegments runs both scripts through the engine and checks the segment targets:
// mean ≤ 1.6 and max ≤ 3 segments per reply. With -v it prints every reply.
func TestReplySegments(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the engine on SQLite; skipped in -short mode")
	}
	for _, lang := range []struct {
		name   string
		script []turn
	}{{"ca", scriptCA}, {"es", scriptES}} {
		t.Run(lang.name, func(t *testing.T) {
			if len(lang.script) < 40 {
				t.Fatalf("script of %d turns, want at least 40", len(lang.script))
			}
			b := newBench(t)
			s, all := b.run(t, lang.script, lang.name)
			if testing.Verbose() {
				for _, r := range all {
					t.Logf("turn %2d %-45q → %d %v seg, %3d units%s%s\n%s\n", r.turn, r.text, r.rendered.Segments,
						r.rendered.Encoding, r.rendered.Units, flag(r.rendered.Translit, ", translit"),
						flag(r.rendered.Shortened, ", SHORTENED"), r.rendered.Body)
				}
			}
			t.Logf("%s: %d turns, %d replies (%d turns silent): mean %.2f segments, max %d; %d shortened, %d transliterated, %d UCS-2",
				lang.name, s.turns, s.replies, s.silent, s.mean, s.max, s.shortened, s.translit, s.ucs2)
			if s.mean > targetMean || s.max > targetMax {
				t.Errorf("%s: mean %.2f, max %d segments per reply; targets mean ≤ %.1f, max ≤ %d",
					lang.name, s.mean, s.max, targetMean, targetMax)
			}
		})
	}
}

func flag(b bool, s string) string {
	if b {
		return s
	}
	return ""
}

// BenchmarkReplySegments runs both scripts per iteration and reports the segments per
// reply (mean, max), the share of shortened replies, and the time per turn.
func BenchmarkReplySegments(b *testing.B) {
	var sum, replies, shortened, turns, maxSegs int
	for b.Loop() {
		b.StopTimer()
		bb := newBench(b)
		b.StartTimer()
		for i, script := range [][]turn{scriptCA, scriptES} {
			s, all := bb.run(b, script, fmt.Sprint(i))
			for _, r := range all {
				sum += r.rendered.Segments
			}
			replies += s.replies
			shortened += s.shortened
			turns += s.turns
			maxSegs = max(maxSegs, s.max)
		}
	}
	b.ReportMetric(float64(sum)/float64(replies), "segments/reply")
	b.ReportMetric(float64(maxSegs), "max-segments")
	b.ReportMetric(float64(shortened)/float64(replies), "shortened/reply")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(turns), "ns/turn")
	b.ReportMetric(0, "ns/op")
}
