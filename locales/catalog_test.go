package locales_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/catalonia/mygov/locales"
)

// TestLanguagesAgree fails when the two languages differ in keys or in the placeholders of a
// key: a missing translation or a dropped argument shows up here, not in front of a citizen.
func TestLanguagesAgree(t *testing.T) {
	c := locales.MustLoad()
	ca, es := c.Keys("ca"), c.Keys("es")
	for _, k := range ca {
		if !slices.Contains(es, k) {
			t.Errorf("key %q is in ca but not in es", k)
		}
	}
	for _, k := range es {
		if !slices.Contains(ca, k) {
			t.Errorf("key %q is in es but not in ca", k)
		}
	}
	if len(ca) < 50 {
		t.Fatalf("got %d keys, the catalogs did not load", len(ca))
	}
	for _, k := range ca {
		got, want := c.Placeholders("es", k), c.Placeholders("ca", k)
		if !slices.Equal(got, want) {
			t.Errorf("key %q: es placeholders %v, ca %v", k, got, want)
		}
	}
}

func TestRender(t *testing.T) {
	c := locales.MustLoad()
	tests := []struct {
		name, lang, style string
		msg               msg
		want              string
	}{
		{"Plain", "ca", "", msg{key: "status.word.approved"}, "aprovada"},
		{"Spanish", "es", "", msg{key: "status.word.approved"}, "aprobada"},
		{"Args", "ca", "", msg{key: "status.missing", args: map[string]string{"Documents": "certificat"}}, "Falta: certificat."},
		{"KeyArg", "es", "", msg{key: "status.item", args: map[string]string{"Ref": "EXP-1", "Procedure": "P", "Administration": "A", "Date": "01/02/2026"}, keys: map[string]string{"Status": "status.word.in_review"}}, "EXP-1 · P (A)\nEstado: en revisión, desde el 01/02/2026."},
		{"PluralOne", "ca", "", msg{key: "status.header", args: map[string]string{"Count": "1"}}, "Tens 1 sol·licitud:"},
		{"PluralMany", "es", "", msg{key: "status.header", args: map[string]string{"Count": "3"}}, "Tienes 3 solicitudes:"},
		{"UnknownLangFallsBackToCatalan", "fr", "", msg{key: "status.word.paid"}, "pagada"},
		{"MissingKeyShowsKey", "ca", "", msg{key: "no.such.key"}, "no.such.key"},
		{"ArgsAreNotTemplates", "ca", "", msg{key: "status.missing", args: map[string]string{"Documents": "{{.Evil}} <b>"}}, "Falta: {{.Evil}} <b>."},
		{"SMSStyleFallsBackToPlain", "ca", "sms", msg{key: "status.word.closed"}, "tancada"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := c.Render(tt.lang, tt.style, tt.msg); got != tt.want {
				t.Errorf("Render = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestNoTemplateLeftovers renders every key with its placeholders filled and checks that no
// "<no value>" or braces remain.
func TestNoTemplateLeftovers(t *testing.T) {
	c := locales.MustLoad()
	for _, lang := range locales.Languages {
		for _, k := range c.Keys(lang) {
			args := map[string]string{"Count": "2"}
			for _, p := range c.Placeholders(lang, k) {
				if p != "Count" {
					args[p] = "X"
				}
			}
			got := c.Render(lang, "", msg{key: k, args: args})
			if strings.Contains(got, "<no value>") || strings.Contains(got, "{{") || strings.TrimSpace(got) == "" {
				t.Errorf("%s %s renders %q", lang, k, got)
			}
		}
	}
}

type msg struct {
	key        string
	args, keys map[string]string
}

func (m msg) MessageKey() (string, map[string]string, map[string]string) {
	return m.key, m.args, m.keys
}
