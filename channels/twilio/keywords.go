package twilio

import (
	"strings"
	"unicode"

	"github.com/catalonia/mygov/dialog"
)

// keywords maps the carrier-style keywords, folded to lower case without accents, to the
// kind of message they make. Only words no citizen writes alone for another reason:
// "cancelar", "cancel·la", "para" or "prou" answer a question or a menu and are text
// (issue 13: "Cancelar", the Spanish menu option, used to unsubscribe from all SMS).
var keywords = map[string]dialog.Kind{
	"stop":        dialog.KindOptOut,
	"baixa":       dialog.KindOptOut,
	"baja":        dialog.KindOptOut,
	"unsubscribe": dialog.KindOptOut,
	"alta":        dialog.KindOptIn,
	"start":       dialog.KindOptIn,
	"inici":       dialog.KindOptIn,
	"ajuda":       dialog.KindSMSHelp,
	"ayuda":       dialog.KindSMSHelp,
	"help":        dialog.KindSMSHelp,
}

// maxKeyword bounds the text KeywordKind looks at: no keyword is longer.
const maxKeyword = 32

// KeywordKind returns the kind of a message's text: dialog.KindOptOut for STOP, BAIXA,
// BAJA or UNSUBSCRIBE, dialog.KindOptIn for ALTA, START or INICI, dialog.KindSMSHelp
// for AJUDA, AYUDA or HELP, and dialog.KindText for anything else. A keyword counts only
// when it is the whole message, in any case, with or without accents ("Báixa"), with
// surrounding spaces and a closing or opening ! ? . ¡ ¿ ignored ("STOP!"); "stop 12345"
// is a normal text.
func KeywordKind(text string) dialog.Kind {
	if len(text) > maxKeyword+8 {
		return dialog.KindText
	}
	word := strings.TrimFunc(text, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(".!?¡¿", r)
	})
	if word == "" || len(word) > maxKeyword {
		return dialog.KindText
	}
	var b strings.Builder
	for _, r := range word {
		b.WriteRune(foldAccent(unicode.ToLower(r)))
	}
	if k, ok := keywords[b.String()]; ok {
		return k
	}
	return dialog.KindText
}

// foldAccent returns the letter r without its accent, for the vowels and consonants of
// Catalan and Spanish (lower case).
func foldAccent(r rune) rune {
	switch r {
	case 'à', 'á', 'â', 'ä', 'ã':
		return 'a'
	case 'è', 'é', 'ê', 'ë':
		return 'e'
	case 'ì', 'í', 'î', 'ï':
		return 'i'
	case 'ò', 'ó', 'ô', 'ö', 'õ':
		return 'o'
	case 'ù', 'ú', 'û', 'ü':
		return 'u'
	case 'ç':
		return 'c'
	case 'ñ':
		return 'n'
	}
	return r
}
