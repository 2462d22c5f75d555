package intents

import (
	"strings"
	"testing"
)

func TestLanguage(t *testing.T) {
	m, err := DefaultModel()
	if err != nil {
		t.Fatalf("DefaultModel: %v", err)
	}
	tests := []struct {
		name, in, want string
	}{
		{"CatalanStatus", "vull saber com va la meva sol·licitud", LangCatalan},
		{"CatalanNoAccents", "q dades teniu de mi? gracies", LangCatalan},
		{"CatalanElision", "l'expedient d'en Joan", LangCatalan},
		{"CatalanSMS", "xq no em contesteu", LangCatalan},
		{"SpanishStatus", "quiero saber cómo va mi solicitud", LangSpanish},
		{"SpanishNoAccents", "como va mi expediente? gracias", LangSpanish},
		{"SpanishEnye", "mañana tengo cita", LangSpanish},
		{"SpanishSMS", "xq no me contestais", LangSpanish},
		{"NeutralGreeting", "hola", ""},
		{"NeutralOK", "ok", ""},
		{"NeutralReference", "EXP-2026-000101", ""},
		{"NeutralNationalID", "12345678Z", ""},
		{"NeutralDate", "15/03/1984", ""},
		{"Empty", "", ""},
		{"EmojiOnly", "👋👋", ""},
		{"InvalidUTF8", "\xff\xfe", ""},
		{"Long", strings.Repeat("vull parlar amb una persona ", 2000), LangCatalan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := m.Language(tt.in); got != tt.want {
				t.Errorf("Language(%.40q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestLanguageLexiconOnly checks the language identifier of a model trained without
// languages: the lexicon alone decides, and stays silent when it knows nothing.
func TestLanguageLexiconOnly(t *testing.T) {
	var ex []Example
	for _, e := range tinyExamples() {
		e.Lang = ""
		ex = append(ex, e)
	}
	m, _, err := Train(ex, tinyOptions)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	if got := m.Languages(); len(got) != 0 {
		t.Errorf("Languages() = %v, want none", got)
	}
	tests := []struct{ in, want string }{
		{"vull les meves dades", LangCatalan},
		{"quiero mis datos", LangSpanish},
		{"hola", ""},
		{"blorp", ""},
	}
	for _, tt := range tests {
		if got := m.Language(tt.in); got != tt.want {
			t.Errorf("Language(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
