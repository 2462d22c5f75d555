package intents

import (
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
)

func filtersOf(text string) []dialog.Entity {
	var n normalizer
	n.run(text)
	return appendFilters(nil, text, &n)
}

func TestFilters(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // kind=value, in text order
	}{
		{"PeriodCA", "qui ha mirat les meves dades aquest mes?", []string{"period=month"}},
		{"PeriodES", "¿quién ha consultado mis datos este año?", []string{"period=year"}},
		{"LastMonth", "i el mes passat?", []string{"period=last_month"}},
		{"MesAloneIsMore", "MÉS", nil},
		{"SomeoneElse", "la meva mare és gran i viu sola a Girona, hi ha alguna ajuda per ella?",
			[]string{"relation=parent", "situation=older", "situation=alone", "relation=other"}},
		{"SomeoneElseES", "Mi padre es mayor", []string{"relation=parent", "situation=older"}},
		{"WhyAndCategory", "per què l'Ajuntament de Badalona va mirar el meu padró?", []string{"why=why", "category=address"}},
		{"WhyES", "¿Por qué Hacienda miró mis ingresos?", []string{"why=why", "category=income"}},
		{"LongestPhraseWins", "estic sense feina", []string{"situation=unemployed"}},
		{"SMSAbbreviations", "xq l ajuntament va mirar el meu padro", []string{"why=why", "category=address"}},
		{"Empty", "", nil},
		{"OnlyPunctuation", "¿¿??!!", nil},
		{"Hostile", "per\x00 què <script>alert(1)</script> aquest\u200b mes", []string{"why=why", "period=month"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, e := range filtersOf(tt.text) {
				got = append(got, e.Kind+"="+e.Value)
				if !strings.Contains(tt.text, e.Text) {
					t.Errorf("entity text %q is not in the message", e.Text)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Errorf("filters(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestFiltersOversized(t *testing.T) {
	text := strings.Repeat("aquest mes per què ", 2000)
	got := filtersOf(text)
	if len(got) == 0 {
		t.Fatal("no filters in a long message")
	}
	for _, e := range got {
		if e.Kind != dialog.EntityPeriod && e.Kind != dialog.EntityWhy {
			t.Errorf("unexpected %s=%s", e.Kind, e.Value)
		}
	}
}

func FuzzFilters(f *testing.F) {
	for _, s := range []string{"aquest mes", "la meva mare", "per què", "", "\xff\xfe", "mes passat"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, e := range filtersOf(s) {
			if e.Kind == "" || e.Value == "" || !strings.Contains(s, e.Text) {
				t.Errorf("filters(%q): bad entity %+v", s, e)
			}
		}
	})
}
