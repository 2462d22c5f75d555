package sms

import (
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
)

func options(labels ...string) []dialog.Option {
	out := make([]dialog.Option, len(labels))
	for i, l := range labels {
		out[i] = dialog.Option{Label: lit(l), Value: l}
	}
	return out
}

func TestRenderMenu(t *testing.T) {
	tests := []struct {
		name  string
		lang  string
		reply dialog.Reply
		want  string
	}{
		{"LinesOnly", "ca", dialog.Reply{Lines: []dialog.Text{lit("Hola."), lit("  "), lit("Què vols fer?")}},
			"Hola.\nQuè vols fer?"},
		{"ThreeCA", "ca", dialog.Reply{Lines: []dialog.Text{lit("Què vols fer?")}, Options: options("Tràmits", "Dades", "Ajuda")},
			"Què vols fer?\n1. Tràmits\n2. Dades\n3. Ajuda\nRespon 1, 2 o 3"},
		{"ThreeES", "es", dialog.Reply{Lines: []dialog.Text{lit("¿Qué quieres hacer?")}, Options: options("Trámites", "Datos", "Ayuda")},
			"¿Qué quieres hacer?\n1. Trámites\n2. Datos\n3. Ayuda\nResponde 1, 2 o 3"},
		{"OneCA", "ca", dialog.Reply{Options: options("Més")}, "1. Més\nRespon 1"},
		{"OneES", "es", dialog.Reply{Options: options("Más")}, "1. Más\nResponde 1"},
		{"TwoES", "es", dialog.Reply{Options: options("Sí", "No")}, "1. Sí\n2. No\nResponde 1 o 2"},
		{"EightES", "es", dialog.Reply{Options: options("a", "b", "c", "d", "e", "f", "g", "h")},
			"1. a\n2. b\n3. c\n4. d\n5. e\n6. f\n7. g\n8. h\nResponde 1, 2, 3, 4, 5, 6, 7 u 8"},
		{"EightCA", "ca", dialog.Reply{Options: options("a", "b", "c", "d", "e", "f", "g", "h")},
			"1. a\n2. b\n3. c\n4. d\n5. e\n6. f\n7. g\n8. h\nRespon 1, 2, 3, 4, 5, 6, 7 o 8"},
		{"MultilineLabel", "ca", dialog.Reply{Options: options("Parlar\namb  una persona")},
			"1. Parlar amb una persona\nRespon 1"},
		{"UnknownLangIsCatalan", "fr", dialog.Reply{Options: options("a", "b")}, "1. a\n2. b\nRespon 1 o 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.GSM7 = false
			cfg.SegmentBudget = 10
			c := newTestChannel(t, cfg, nil, nil)
			if got := c.Render(tt.lang, tt.reply).Body; got != tt.want {
				t.Errorf("Render =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestRenderTransliteration(t *testing.T) {
	// 100 characters with one "·": UCS-2 in 2 segments, GSM-7 in 1 once transliterated.
	text := "Hem rebut la teva sol·licitud de l'ajut de lloguer. La revisarem aviat i et direm alguna cosa. Fins aviat."
	short := "Sol·licitud rebuda."
	tests := []struct {
		name     string
		gsm7     bool
		text     string
		want     string
		translit bool
		enc      Encoding
		segments int
	}{
		{"SavesSegments", true, text, strings.ReplaceAll(text, "·", "."), true, EncodingGSM7, 1},
		{"Off", false, text, text, false, EncodingUCS2, 2},
		{"SavesNothing", true, short, short, false, EncodingUCS2, 1},
		{"EmojiStaysUCS2", true, text + " 👍", text + " 👍", false, EncodingUCS2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.GSM7 = tt.gsm7
			c := newTestChannel(t, cfg, nil, nil)
			got := c.Render("ca", dialog.Reply{Lines: []dialog.Text{lit(tt.text)}})
			if got.Body != tt.want || got.Translit != tt.translit || got.Encoding != tt.enc || got.Segments != tt.segments {
				t.Errorf("Render = %+v; want body %q, translit %v, %v in %d", got, tt.want, tt.translit, tt.enc, tt.segments)
			}
		})
	}
}

func TestRenderBudget(t *testing.T) {
	line := "Línia d'informació força llarga sobre el teu expedient, amb dates i passos següents." // UCS-2
	many := make([]dialog.Text, 8)
	for i := range many {
		many[i] = lit(line)
	}
	tests := []struct {
		name      string
		gsm7      bool
		budget    int
		reply     dialog.Reply
		shortened bool
		check     func(t *testing.T, body string)
	}{
		{"FitsAsIs", true, 2, dialog.Reply{Lines: many[:1], Options: options("Sí", "No")}, false, nil},
		{"ShortPrompt", false, 1, dialog.Reply{Lines: []dialog.Text{lit(strings.Repeat("á", 30))}, Options: options("a", "b", "c", "d", "e")}, true,
			func(t *testing.T, body string) {
				if !strings.HasSuffix(body, "\nRespon 1-5") {
					t.Errorf("body %q does not end with the short prompt", body)
				}
			}},
		{"DropLines", false, 2, dialog.Reply{Lines: many, Options: options("Més", "Sortir")}, true,
			func(t *testing.T, body string) {
				if !strings.HasSuffix(body, "\n…\n1. Més\n2. Sortir\nRespon 1-2") || !strings.HasPrefix(body, line+"\n") {
					t.Errorf("body %q does not keep the first line and the menu", body)
				}
			}},
		{"DropLinesGSM", true, 2, dialog.Reply{Lines: many}, true,
			func(t *testing.T, body string) {
				if !strings.HasSuffix(body, " següents.\n...") || strings.Count(body, "\n") != 3 {
					t.Errorf("body %q does not keep 3 whole lines and mark the rest", body)
				}
			}},
		{"DropsLastLineNotCutsIt", false, 2, dialog.Reply{
			Lines:   []dialog.Text{lit("Capçalera:"), lit(strings.Repeat("Dada important del registre, ", 5))},
			Options: options("Més", "Menú")}, true,
			func(t *testing.T, body string) {
				if body != "Capçalera:\n…\n1. Més\n2. Menú\nRespon 1-2" {
					t.Errorf("body %q does not drop the long line whole and keep the menu", body)
				}
			}},
		{"CutOneLongLine", false, 1, dialog.Reply{Lines: []dialog.Text{lit(strings.Repeat("paraula ", 40))}}, true,
			func(t *testing.T, body string) {
				if !strings.HasSuffix(body, "paraula...") || len(body) < 150 {
					t.Errorf("body %q is not cut at a word", body)
				}
			}},
		{"CutOneLongLineUCS2", false, 1, dialog.Reply{Lines: []dialog.Text{lit(strings.Repeat("sol·licitud ", 40))}}, true,
			func(t *testing.T, body string) {
				if !strings.HasSuffix(body, "sol·licitud…") {
					t.Errorf("body %q is not cut at a word", body)
				}
			}},
		{"CutOneLongWord", false, 1, dialog.Reply{Lines: []dialog.Text{lit(strings.Repeat("x", 400))}}, true,
			func(t *testing.T, body string) {
				if body != strings.Repeat("x", 157)+"..." {
					t.Errorf("body = %q", body)
				}
			}},
		{"CutOneLongWordUCS2", false, 1, dialog.Reply{Lines: []dialog.Text{lit(strings.Repeat("á", 400))}}, true,
			func(t *testing.T, body string) {
				if body != strings.Repeat("á", 69)+"…" {
					t.Errorf("body = %q", body)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.GSM7 = tt.gsm7
			cfg.SegmentBudget = tt.budget
			c := newTestChannel(t, cfg, nil, nil)
			got := c.Render("ca", tt.reply)
			if got.Segments > tt.budget || got.Segments < 1 {
				t.Errorf("%d segments, budget %d: %q", got.Segments, tt.budget, got.Body)
			}
			if _, segs, _ := Segments(got.Body); segs != got.Segments {
				t.Errorf("Rendered.Segments = %d, body has %d", got.Segments, segs)
			}
			if got.Shortened != tt.shortened {
				t.Errorf("shortened = %v, want %v: %q", got.Shortened, tt.shortened, got.Body)
			}
			if tt.check != nil {
				tt.check(t, got.Body)
			}
		})
	}
}

func TestRenderMaxBody(t *testing.T) {
	cfg := testConfig()
	cfg.SegmentBudget = 50
	cfg.MaxBody = 200
	c := newTestChannel(t, cfg, nil, nil)
	got := c.Render("ca", dialog.Reply{Lines: []dialog.Text{lit(strings.Repeat("bon dia ", 100))}})
	if n := len([]rune(got.Body)); n > 200 || !got.Shortened {
		t.Errorf("body of %d characters, shortened %v; want at most 200", n, got.Shortened)
	}
}

func FuzzRender(f *testing.F) {
	f.Add("Hola", 3, true)
	f.Add(strings.Repeat("sol·licitud ", 30), 5, false)
	f.Fuzz(func(t *testing.T, text string, n int, gsm7 bool) {
		n = min(max(n, 0), 12)
		cfg := testConfig()
		cfg.GSM7 = gsm7
		c := newTestChannel(t, cfg, nil, nil)
		r := dialog.Reply{Lines: []dialog.Text{lit(text), lit(text)}}
		for i := range n {
			r.Options = append(r.Options, dialog.Option{Label: lit(text[:min(len(text), i*3)]), Value: "v"})
		}
		got := c.Render("es", r)
		enc, segs, units := Segments(got.Body)
		if enc != got.Encoding || segs != got.Segments || units != got.Units {
			t.Fatalf("Rendered %+v, but the body is %v in %d segments, %d units", got, enc, segs, units)
		}
		if segs > cfg.SegmentBudget {
			t.Fatalf("%d segments over the budget: %q", segs, got.Body)
		}
	})
}

func TestRenderedLogValue(t *testing.T) {
	var b strings.Builder
	log := slog.New(slog.NewTextHandler(&b, nil))
	log.Info("sent", "sms", Rendered{Body: "EXP-2026-000101 +34600000001", Encoding: EncodingGSM7, Segments: 1, Units: 28})
	if s := b.String(); strings.Contains(s, "EXP-2026") || strings.Contains(s, "600000001") || !strings.Contains(s, "sms.segments=1") {
		t.Errorf("log line %q", s)
	}
}

// TestOneLine: oneLine spells a text as strings.Fields joined by spaces does, for texts
// with every kind of white space at the start, the end and inside.
func TestOneLine(t *testing.T) {
	pieces := []string{"Parlar", "amb", "una", "persona", "Menú", " ", "  ", "\n", "\t", "\u00a0", "\u2009", "\u200b", "\xff", "·"}
	rng := rand.New(rand.NewPCG(5, 6))
	var kept int
	for range 5000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
			if rng.IntN(2) == 0 {
				b.WriteByte(' ')
			}
		}
		s := b.String()
		want := strings.Join(strings.Fields(s), " ")
		if got := oneLine(s); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", s, got, want)
		}
		if want == s {
			kept++
		}
	}
	if kept == 0 {
		t.Error("no text was one line already")
	}
}
