package sms

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

func TestRenderKeepsTheAction(t *testing.T) {
	head := lit("EXP-2026-000101, Renda Garantida de Ciutadania (Generalitat de Catalunya): falten documents des del 12/03/2026.")
	missing := lit("Falta: certificat de convivència.")
	deadline := lit("Tens temps fins al 26/03/2026.").AsAction()
	next := lit("Què has de fer: Demana el certificat de convivència al teu ajuntament (a l'oficina d'atenció ciutadana o a la seu electrònica) i envia'l abans del 26 de març.").AsAction()
	tests := []struct {
		name          string
		lines         []dialog.Text
		want, wantNot []string
	}{
		{"ParentheticalFirst", []dialog.Text{head, missing, deadline, next},
			[]string{"Tens temps fins al 26/03/2026.", "al teu ajuntament i envia'l abans del 26 de març."},
			[]string{"oficina d'atenci"}},
		{"OtherLinesBeforeTheAction", []dialog.Text{head, missing, lit(strings.Repeat("Una nota llarga de l'expedient. ", 6)), deadline, next},
			[]string{"Tens temps fins al 26/03/2026.", "envia'l abans del 26 de març.", "Renda Garantida"},
			[]string{"Una nota llarga"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.GSM7 = true
			c := newTestChannel(t, cfg, nil, nil)
			got := c.Render("ca", dialog.Reply{Lines: tt.lines, Options: options("Més", "Menú")})
			if got.Segments > 2 || !got.Shortened {
				t.Fatalf("%d segments, shortened %v: %q", got.Segments, got.Shortened, got.Body)
			}
			body := unaccented.Replace(Transliterate(got.Body)) // compare spellings alike
			for _, w := range tt.want {
				if w = unaccented.Replace(Transliterate(w)); !strings.Contains(body, w) {
					t.Errorf("body %q lost %q", got.Body, w)
				}
			}
			for _, n := range tt.wantNot {
				if strings.Contains(body, unaccented.Replace(Transliterate(n))) {
					t.Errorf("body %q keeps %q", got.Body, n)
				}
			}
			if strings.Contains(got.Body, "...\n1.") && !strings.Contains(got.Body, "\n...\n") {
				t.Errorf("body %q cuts a line inside a sentence", got.Body)
			}
		})
	}
}

func TestRenderCutsAtSentences(t *testing.T) {
	cfg := testConfig()
	cfg.GSM7 = true
	cfg.SegmentBudget = 1
	c := newTestChannel(t, cfg, nil, nil)
	long := "Primera frase curta. Segona frase una mica més llarga que la primera, amb més paraules. Tercera frase, que ja no hi cap de cap manera dins d'un sol SMS de cent seixanta caràcters."
	got := c.Render("ca", dialog.Reply{Lines: []dialog.Text{lit(long)}})
	if got.Body != "Primera frase curta. Segona frase una mica més llarga que la primera, amb més paraules." {
		t.Errorf("body = %q, want the first two sentences", got.Body)
	}
}

func TestRenderTransliteratesTheWholeMessage(t *testing.T) {
	cfg := testConfig()
	cfg.GSM7 = true
	c := newTestChannel(t, cfg, nil, nil)
	got := c.Render("ca", dialog.Reply{Lines: []dialog.Text{
		lit("Ministeri per a la Transició Ecològica i el Repte Demogràfic"),
		lit("Direcció General de la Policia: identitat. Això és més llarg que un SMS sencer en UCS-2, per força."),
	}, Options: options("Veure'n més", "Menú")})
	if !got.Translit {
		t.Fatalf("not transliterated: %q", got.Body)
	}
	for _, mixed := range []string{"ò", "à", "é", "è", "ó", "ú"} {
		if strings.Contains(got.Body, mixed) {
			t.Errorf("body %q keeps %q next to unaccented words", got.Body, mixed)
		}
	}
	if !strings.Contains(got.Body, "Transicio Ecologica") || !strings.Contains(got.Body, "2. Menu") {
		t.Errorf("body = %q", got.Body)
	}
}

func TestRendererFits(t *testing.T) {
	r := NewRenderer(Config{GSM7: true}, locales.MustLoad())
	caps := r.Capabilities()
	if caps.Fitter == nil || caps.PageSize < 2 || !caps.Compact || !caps.CarrierOptOut {
		t.Fatalf("Capabilities = %+v", caps)
	}
	short := dialog.Reply{Lines: []dialog.Text{lit("Hola.")}, Options: options("Sí", "No")}
	if !caps.Fitter.Fits("ca", short) {
		t.Error("a short reply does not fit")
	}
	long := dialog.Reply{Lines: []dialog.Text{lit(strings.Repeat("Una frase. ", 40))}}
	if caps.Fitter.Fits("ca", long) {
		t.Error("a reply of 440 characters fits in 2 segments")
	}
	if !caps.Fitter.Fits("ca", dialog.Reply{}) {
		t.Error("an empty reply does not fit")
	}
}

func TestSentencesAndParentheticals(t *testing.T) {
	if got := sentences("Un. Dos? Tres! Quatre (art. 95). ¿Cinc?"); strings.Join(got, "|") != "Un.|Dos?|Tres!|Quatre (art. 95).|¿Cinc?" {
		t.Errorf("sentences = %q", got)
	}
	if got := sentences(""); len(got) != 0 {
		t.Errorf("sentences(\"\") = %q", got)
	}
	for in, want := range map[string]string{
		"Ingrés mínim vital (INSS)":                                        "Ingrés mínim vital (INSS)",
		"al teu ajuntament (a l'oficina o a la seu electrònica) i envia'l": "al teu ajuntament i envia'l",
		"obert (sense tancar":                                              "obert (sense tancar",
		"":                                                                 "",
	} {
		if got := dropParentheticals(in); got != want {
			t.Errorf("dropParentheticals(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestFitsAgreesWithRender: Fits, which skips the shortening, answers what Render's result
// says (whole, or only long parentheticals dropped) for replies of every length around
// the budget, with and without options, with parentheticals to drop and without.
func TestFitsAgreesWithRender(t *testing.T) {
	r := NewRenderer(Config{GSM7: true}, locales.MustLoad())
	paren := " (Departament de Drets Socials i Inclusió de la Generalitat)"
	var fit, notFit, trimmed int
	for words := 0; words < 70; words += 3 {
		for _, withParen := range []bool{false, true} {
			for nopts := 0; nopts <= 4; nopts += 2 {
				body := strings.TrimSpace(strings.Repeat("Sol·licitud rebuda. ", words/3) + strings.Repeat("tràmit ", words%3))
				if withParen {
					body += paren + "."
				}
				labels := []string{"Els meus tràmits", "Què puc demanar", "Parlar amb una persona", "Menú"}[:nopts]
				reply := dialog.Reply{Lines: []dialog.Text{lit(body), lit("Respon aviat.")}, Options: options(labels...)}
				out := r.Render("ca", reply)
				want := !out.Shortened || out.Trimmed
				if got := r.Fits("ca", reply); got != want {
					t.Errorf("words %d, parenthetical %v, options %d: Fits = %v, Render shortened %v trimmed %v",
						words, withParen, nopts, got, out.Shortened, out.Trimmed)
				}
				switch {
				case out.Trimmed:
					trimmed++
				case want:
					fit++
				default:
					notFit++
				}
			}
		}
	}
	if fit == 0 || notFit == 0 || trimmed == 0 {
		t.Errorf("cases: %d fit, %d do not, %d fit trimmed: every kind must be tried", fit, notFit, trimmed)
	}
}

// TestMinUnitsBoundsMeasure: minUnits counts the characters that translit does not
// delete, and never more than the units measure sends, with and without GSM-7
// transliteration, for texts mixing the characters it deletes, expands and keeps.
func TestMinUnitsBoundsMeasure(t *testing.T) {
	for i, s := range generatedTexts(2000) {
		want := 0
		for _, r := range s {
			if t, ok := translit[r]; !ok || t != "" {
				want++
			}
		}
		if got := minUnits(s); got != want {
			t.Errorf("text %d %q: minUnits %d, want %d", i, s, got, want)
		}
	}
	for _, gsm7 := range []bool{false, true} {
		r := NewRenderer(Config{GSM7: gsm7}, locales.MustLoad())
		for i, s := range generatedTexts(2000) {
			if got, out := minUnits(s), r.measure(s); got > out.Units || got > utf8.RuneCountInString(out.Body) {
				t.Errorf("text %d %q, GSM-7 %v: minUnits %d > %d units, %d characters", i, s, gsm7, got, out.Units, utf8.RuneCountInString(out.Body))
			}
		}
	}
}

// TestFitsEarlyAgreesWithMeasured: Fits, which refuses a reply surely over the budget
// without measuring it, answers as fitsMeasured for generated replies around budgets of
// 1 to 3 segments; both the early refusals and the measured answers are tried.
func TestFitsEarlyAgreesWithMeasured(t *testing.T) {
	texts := generatedTexts(600)
	var early, measured int
	for budget := 1; budget <= 3; budget++ {
		for _, gsm7 := range []bool{false, true} {
			r := NewRenderer(Config{GSM7: gsm7, SegmentBudget: budget}, locales.MustLoad())
			for i := 0; i+3 < len(texts); i += 3 {
				reply := dialog.Reply{Lines: []dialog.Text{lit(texts[i]), lit(texts[i+1])}}
				if i%2 == 0 {
					reply.Lines = append(reply.Lines, lit(texts[i+2]).AsAction())
				}
				if n := i % 5; n > 0 {
					reply.Options = options([]string{"Els meus tràmits", "Què puc demanar", texts[i+3], "Menú"}[:n]...)
				}
				head, full, short := r.parts("ca", reply)
				want := r.fitsMeasured(head, full, short)
				if got := r.Fits("ca", reply); got != want {
					t.Errorf("budget %d, GSM-7 %v, reply %d: Fits = %v, fitsMeasured = %v", budget, gsm7, i, got, want)
				}
				if r.surelyOver(head, full, short) {
					early++
				} else {
					measured++
				}
			}
		}
	}
	if early == 0 || measured == 0 {
		t.Errorf("%d early refusals, %d measured: both must be tried", early, measured)
	}
}

// generatedTexts returns n texts of 0 to 400 characters drawn from words, parentheticals
// long and short, characters that transliteration deletes or expands, GSM-7 extension
// characters, emoji and invalid UTF-8, always the same ones.
func generatedTexts(n int) []string {
	pieces := []string{
		"Sol·licitud", "rebuda.", "tràmit", "Què", "has", "de", "fer:", "EXP-2026-000101,",
		"(Departament de Drets Socials i Inclusió)", "(INSS)", "(a l'oficina (o a la seu) electrònica)",
		"(obert", "¿Cómo", "va?", "«cita»", "l’ajut", "—", "…", "\u200b", "\u00ad", "\ufeff", "a\u200db",
		"[nota]", "{x}", "500 €", "😂", "\xff", "\xe2\x80", "\t", "Ñandú", "ÀÈÌÒÙ", "ŀl",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for b.Len() < rng.IntN(400) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		out[i] = b.String()
	}
	return out
}
