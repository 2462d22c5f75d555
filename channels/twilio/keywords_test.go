package twilio

import (
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
)

func TestKeywordKind(t *testing.T) {
	tests := []struct {
		text string
		want dialog.Kind
	}{
		{"STOP", dialog.KindOptOut},
		{"stop", dialog.KindOptOut},
		{"Stop", dialog.KindOptOut},
		{"  stop\n", dialog.KindOptOut},
		{"STOP!", dialog.KindOptOut},
		{"BAIXA", dialog.KindOptOut},
		{"baixa", dialog.KindOptOut},
		{"Báixa", dialog.KindOptOut},
		{"BAJA", dialog.KindOptOut},
		{"bája", dialog.KindOptOut},
		{"UNSUBSCRIBE", dialog.KindOptOut},
		{"ALTA", dialog.KindOptIn},
		{"Àlta", dialog.KindOptIn},
		{"START", dialog.KindOptIn},
		{"INICI", dialog.KindOptIn},
		{"Inicí", dialog.KindOptIn},
		{"AJUDA", dialog.KindSMSHelp},
		{"¿Ayuda?", dialog.KindSMSHelp},
		{"AYUDA", dialog.KindSMSHelp},
		{"help", dialog.KindSMSHelp},
		{"stop 12345", dialog.KindText},
		{"STOP STOP", dialog.KindText},
		{"no vull baixa", dialog.KindText},
		{"stopp", dialog.KindText},
		{"sto p", dialog.KindText},
		{"", dialog.KindText},
		{"!!!", dialog.KindText},
		{"1", dialog.KindText},
		{"MÉS", dialog.KindText},
		{strings.Repeat("stop", 20), dialog.KindText},
		{"st\xffop", dialog.KindText},
	}
	for _, tt := range tests {
		if got := KeywordKind(tt.text); got != tt.want {
			t.Errorf("KeywordKind(%q) = %q, want %q", tt.text, got, tt.want)
		}
	}
}

// TestKeywordKindMenuWordsAreText is the regression test of issue 13: a word that answers
// a menu or a question ("Cancelar", the Spanish menu option) must not unsubscribe the
// citizen; only the exact carrier keywords do.
func TestKeywordKindMenuWordsAreText(t *testing.T) {
	for _, text := range []string{
		"Cancelar", "CANCELAR", "cancelar", "Cancelár", "Cancel·lar", "cancel.lar", "cancel·la",
		"Cancel·la", "para", "Para", "PARA", "prou", "Prou!", "cancelar la verificación", "no",
		"sortir", "salir", "adéu", "baixa't", "stop please", "bajar",
	} {
		if got := KeywordKind(text); got != dialog.KindText {
			t.Errorf("KeywordKind(%q) = %q, want text", text, got)
		}
	}
}
