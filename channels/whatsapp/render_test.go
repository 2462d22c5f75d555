package whatsapp

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/catalonia/mygov/dialog"
)

func TestRenderMenu(t *testing.T) {
	c := channel(t, config(), nil, nil, nil)
	r := dialog.Reply{Lines: []dialog.Text{lit("Hola.")}, Options: []dialog.Option{
		{Label: lit("Un"), Value: "a"}, {Label: lit("Dos"), Value: "b"}, {Label: lit("Tres"), Value: "c"}, {Label: lit("Quatre"), Value: "d"}}}
	got := c.Render("ca", r)
	want := "Hola.\n\n1. Un\n2. Dos\n3. Tres\n4. Quatre\nRespon amb el número: 1, 2, 3 o 4."
	if len(got.Messages) != 1 || got.Messages[0] != want || got.Buttons != nil {
		t.Errorf("Render = %q, %v; want %q and no buttons (four options)", got.Messages, got.Buttons, want)
	}
	r.Options = r.Options[:3]
	got = c.Render("es", r)
	if len(got.Buttons) != 3 || !strings.HasSuffix(got.Messages[0], "3. Tres\nToca un botón o escribe el número.") {
		t.Errorf("Render of three options = %q, %v", got.Messages, got.Buttons)
	}
}

func TestRenderEscapesArguments(t *testing.T) {
	c := channel(t, config(), nil, nil, nil)
	r := dialog.Reply{Lines: []dialog.Text{
		dialog.T("status.item", "Ref", "*EXP* _x_ ~y~ `z`", "Procedure", "p", "Administration", "a", "Status", "s", "Date", "d"),
		dialog.T("forme.item", "Name", "Ajut", "Administration", "Gen", "Why", "", "Link", "https://x.cat/a_b_c", "Phone", "012", "Documents", "-"),
	}}
	got := strings.Join(c.Render("ca", r).Messages, "\n")
	for _, mark := range []string{"*EXP*", "_x_", "~y~", "`z`"} {
		if strings.Contains(got, mark) {
			t.Errorf("the citizen's %q is formatted in %q", mark, got)
		}
	}
	if !strings.Contains(got, "https://x.cat/a_b_c") {
		t.Errorf("a web address was changed: %q", got)
	}
}

func TestRenderSplitsAtItems(t *testing.T) {
	cfg := config()
	cfg.MaxBody = 100
	c := channel(t, cfg, nil, nil, nil)
	var lines []dialog.Text
	for _, s := range []string{strings.Repeat("a", 60), strings.Repeat("b", 30), strings.Repeat("c", 60), strings.Repeat("paraula ", 30)} {
		lines = append(lines, lit(s))
	}
	got := c.Render("ca", dialog.Reply{Lines: lines, Options: []dialog.Option{{Label: lit("Menú"), Value: "m"}}})
	if len(got.Messages) < 4 {
		t.Fatalf("messages = %q, want the reply split", got.Messages)
	}
	if got.Messages[0] != strings.Repeat("a", 60)+"\n\n"+strings.Repeat("b", 30) {
		t.Errorf("first message %q, want the first two items whole", got.Messages[0])
	}
	for _, m := range got.Messages {
		if n := utf8.RuneCountInString(m); n > 100 || n == 0 {
			t.Errorf("message of %d characters: %q", n, m)
		}
		if strings.Contains(m, "paraul\n") || strings.HasPrefix(m, "araula") {
			t.Errorf("a word was cut: %q", m)
		}
	}
	if last := got.Messages[len(got.Messages)-1]; !strings.Contains(last, "1. Menú\nRespon 1.") {
		t.Errorf("last message %q, want the whole menu", last)
	}
}

func TestRenderMedia(t *testing.T) {
	c := channel(t, config(), nil, nil, nil)
	for lang, want := range map[string]string{"ca": "no el guardo ni l'envio a ningú", "es": "no lo guardo ni se lo envío a nadie"} {
		got := c.Render(lang, dialog.Reply{Lines: []dialog.Text{dialog.T(dialog.KeyMedia)}})
		if len(got.Messages) != 1 || !strings.Contains(got.Messages[0], want) {
			t.Errorf("%s: media reply %q, want it to say %q", lang, got.Messages, want)
		}
	}
}

func FuzzRender(f *testing.F) {
	f.Add("hola *món*", 3, 50)
	f.Add(strings.Repeat("llarg ", 400), 1, 1600)
	f.Add("\n\n\n", 0, 1)
	f.Fuzz(func(t *testing.T, text string, options, limit int) {
		cfg := config()
		cfg.MaxBody = max(1, min(limit, MaxBodyLimit))
		c := channel(t, cfg, nil, nil, nil)
		r := dialog.Reply{Lines: []dialog.Text{dialog.T("status.item", "Ref", text), lit(text)}}
		for i := range min(max(options, 0), 5) {
			r.Options = append(r.Options, dialog.Option{Label: lit("opció"), Value: string(rune('a' + i))})
		}
		got := c.Render("ca", r)
		for _, m := range got.Messages {
			if n := utf8.RuneCountInString(m); n == 0 || n > cfg.MaxBody {
				t.Errorf("message of %d characters, limit %d", n, cfg.MaxBody)
			}
		}
		if len(r.Options) > 0 && cfg.MaxBody >= 40 && !strings.Contains(strings.Join(got.Messages, "\n"), "1.") {
			t.Errorf("the menu is missing: %q", got.Messages)
		}
	})
}
