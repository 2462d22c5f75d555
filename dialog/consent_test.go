package dialog

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestConsentPhrase(t *testing.T) {
	for _, tc := range []struct {
		in       string
		give, ok bool
	}{
		{"vull rebre avisos", true, true},
		{"Vull avisos", true, true},
		{"sí, vull avisos", true, true},
		{"si vull avisos", true, true},
		{"quiero recibir avisos", true, true},
		{"QUIERO AVISOS por SMS", true, true},
		{"  vull   avisos , gràcies ", true, true},
		{"no vull avisos", false, true},
		{"No vull rebre més avisos", false, true},
		{"no quiero avisos", false, true},
		{"No quiero recibir más avisos.", false, true},
		{"desactiva els avisos", false, true},
		{"vull rebre avisos de la renda garantida i alguna cosa més", false, false},
		{"stop", false, false},
		{"", false, false},
		{"avisos", false, false},
		{strings.Repeat("vull avisos ", 500), false, false},
		{"vull\x00avisos", false, false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			give, ok := consentPhrase(tc.in)
			if give != tc.give || ok != tc.ok {
				t.Errorf("consentPhrase(%q) = %v, %v; want %v, %v", tc.in, give, ok, tc.give, tc.ok)
			}
		})
	}
}

// TestConsentPhraseNamesAvisos: consentPhrase, which answers "about something else" at
// once when the text does not name avisos, answers as the phrase matching alone does, for
// the phrases above spelled in many cases, spacings and punctuations, and for other texts.
func TestConsentPhraseNamesAvisos(t *testing.T) {
	words := []string{"vull", "VULL", "no", "quiero", "recibir", "rebre", "més", "avisos", "AVISOS", "Avisos",
		"avİsos", "avi", "sos", "els", "prou", "desactiva", "per", "sms", "gràcies", ",", ".", "¡", "?", " ", "\t", "·"}
	rng := rand.New(rand.NewPCG(7, 8))
	var matched, other int
	for range 20000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			b.WriteString(words[rng.IntN(len(words))])
			if rng.IntN(4) > 0 {
				b.WriteByte(' ')
			}
		}
		s := b.String()
		give, ok := consentPhrase(s)
		wantGive, wantOK := consentFolded(strings.ToLower(s))
		if give != wantGive || ok != wantOK {
			t.Errorf("consentPhrase(%q) = %v, %v; the phrases say %v, %v", s, give, ok, wantGive, wantOK)
		}
		if wantOK {
			matched++
		} else {
			other++
		}
	}
	if matched == 0 || other == 0 {
		t.Errorf("%d consent phrases, %d other texts: both must be tried", matched, other)
	}
}

// BenchmarkConsentPhrase measures consentPhrase on the message of BenchmarkEngineTurn,
// which every text turn asks it about first.
func BenchmarkConsentPhrase(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		consentPhrase("com va la meva sol·licitud?")
	}
}
