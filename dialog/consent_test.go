package dialog

import (
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
