package intents

import (
	"unicode"
	"unicode/utf8"
)

// MaxRunes is how much of a message the classifier reads: Normalize and Classify ignore the
// runes after the first MaxRunes, and Normalize never returns more than MaxRunes runes.
const MaxRunes = 1000

// Normalize returns text as the classifier reads it: lower case, accents folded, "l·l"
// joined to "ll", letters repeated three times or more squeezed ("holaaa" → "hola",
// "carrrer" → "carrer"), common SMS abbreviations expanded ("q" → "que", "xfa" →
// "por favor"), Catalan elisions kept apart ("l'expedient" → "l' expedient"), and
// everything that is not a letter or a digit turned into a single space, except the
// punctuation inside numbers and references ("15/03/1984", "exp-2026-000101").
//
// Normalize is idempotent, never returns invalid UTF-8 and reads at most MaxRunes runes.
func Normalize(text string) string {
	var n normalizer
	n.run(text)
	return string(n.out)
}

// span locates one normalized token: bytes [os, oe) of the original text and [ns, ne) of
// the normalized text. Tokens expanded from one abbreviation share their original span.
type span struct {
	os, oe int32
	ns, ne int32
}

// normalizer holds the output and the state of one normalization; its buffers are reused
// across runs, so a pooled normalizer does not allocate.
type normalizer struct {
	out  []byte
	toks []span

	inTok    bool
	tokNS    int // start of the current token in out
	tokOS    int // start of the current token in the original text
	tokOE    int // end of the last rune consumed by the current token
	tokRunes int // runes in the current token
	outRunes int // runes in out, the current token included
	last     rune
	lastRun  int
	first    rune // first letter of the current token
	same     int  // letters of the current token, or -1 once one differs from first
	lastLen  int  // byte length of last in out
	full     bool
}

func (n *normalizer) reset() {
	n.out = n.out[:0]
	n.toks = n.toks[:0]
	n.inTok = false
	n.outRunes = 0
	n.full = false
}

// run normalizes text into n.out and n.toks.
func (n *normalizer) run(text string) {
	n.reset()
	runes := 0
	for i := 0; i < len(text) && !n.full; {
		r, size := utf8.DecodeRuneInString(text[i:])
		runes++
		if runes > MaxRunes {
			break
		}
		next := i + size
		switch {
		case r == utf8.RuneError && size <= 1:
			n.endToken()
		case r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'):
			n.letter(r|0x20, i, next)
		case r >= '0' && r <= '9':
			n.digit(r, i, next)
		case r >= utf8.RuneSelf && isWordRune(r):
			a, b := foldRune(r)
			n.letter(a, i, next)
			if b != 0 {
				n.letter(b, i, next)
			}
		case r >= utf8.RuneSelf && (unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || unicode.Is(unicode.Cf, r)):
			// Combining accents, joiners and soft hyphens: drop without splitting the word.
			if n.inTok {
				n.tokOE = next
			}
		case isMiddleDot(r) && n.inTok && n.last == 'l' && peekLower(text, next) == 'l':
			n.tokOE = next // "l·l" → "ll"
		case isApostrophe(r) && n.inTok && n.tokRunes == 1 && isClitic(n.last):
			n.out = append(n.out, '\'')
			n.outRunes++
			n.tokOE = next
			n.endToken()
		case isInnerPunct(r) && n.inTok && n.keepPunct(r, peekLower(text, next)):
			n.out = append(n.out, byte(r))
			n.outRunes++
			n.tokRunes++
			n.last, n.lastRun = r, 1
			n.same = -1
			n.tokOE = next
		default:
			n.endToken()
		}
		i = next
	}
	n.endToken()
}

// letter appends a lower-case letter to the current token, squeezing long repetitions.
func (n *normalizer) letter(r rune, start, end int) {
	n.begin(start)
	n.tokOE = end
	switch {
	case n.same == 0:
		n.first, n.same = r, 1
	case n.same > 0 && r == n.first:
		n.same++
	default:
		n.same = -1
	}
	if r == n.last {
		n.lastRun++
		switch {
		case n.lastRun == 3 && !keepsDouble(r):
			n.out = n.out[:len(n.out)-n.lastLen]
			n.outRunes--
			n.tokRunes--
			return
		case n.lastRun >= 3:
			return
		}
	} else {
		n.last, n.lastRun = r, 1
	}
	n.out = utf8.AppendRune(n.out, r)
	n.lastLen = utf8.RuneLen(r)
	n.outRunes++
	n.tokRunes++
}

func (n *normalizer) digit(r rune, start, end int) {
	n.begin(start)
	n.same = -1
	n.tokOE = end
	n.out = append(n.out, byte(r))
	n.outRunes++
	n.tokRunes++
	n.last, n.lastRun = r, 1
}

func (n *normalizer) begin(start int) {
	if n.inTok {
		return
	}
	if len(n.out) > 0 {
		n.out = append(n.out, ' ')
		n.outRunes++
	}
	n.inTok = true
	n.tokNS = len(n.out)
	n.tokOS = start
	n.tokRunes = 0
	n.last, n.lastRun = 0, 0
	n.first, n.same = 0, 0
}

// keepPunct reports whether the punctuation r, inside a token and followed by next, belongs
// to a number or a reference.
func (n *normalizer) keepPunct(r, next rune) bool {
	lastDigit := n.last >= '0' && n.last <= '9'
	nextDigit := next >= '0' && next <= '9'
	lastAlnum := lastDigit || isWordRune(n.last)
	nextAlnum := nextDigit || isWordRune(next)
	switch r {
	case ',', ':':
		return lastDigit && nextDigit
	default:
		return lastAlnum && nextAlnum && (lastDigit || nextDigit)
	}
}

// endToken closes the current token: it expands an abbreviation and enforces MaxRunes.
func (n *normalizer) endToken() {
	if !n.inTok {
		return
	}
	n.inTok = false
	n.last, n.lastRun = 0, 0
	if n.same >= 3 {
		// One letter typed three times or more ("kkkk", "zzz", "aaaa") is noise, not a
		// word: drop it with its separator.
		n.outRunes -= utf8.RuneCount(n.out[n.tokNS:])
		cut := n.tokNS
		if cut > 0 {
			cut--
			n.outRunes--
		}
		n.out = n.out[:cut]
		return
	}
	tok := n.out[n.tokNS:]
	if exp, ok := abbreviations[string(tok)]; ok {
		n.outRunes += len(exp) - len(tok) // expansions are ASCII
		n.out = append(n.out[:n.tokNS], exp...)
	}
	if n.outRunes > MaxRunes {
		// Drop the token and its separator; stop reading.
		cut := n.tokNS
		if cut > 0 {
			cut--
		}
		n.out = n.out[:cut]
		n.full = true
		return
	}
	// Record one span per word of the (possibly expanded) token.
	s := n.tokNS
	for j := n.tokNS; j <= len(n.out); j++ {
		if j == len(n.out) || n.out[j] == ' ' {
			n.toks = append(n.toks, span{os: int32(n.tokOS), oe: int32(n.tokOE), ns: int32(s), ne: int32(j)})
			s = j + 1
		}
	}
}

// text returns the normalized text of token i.
func (n *normalizer) text(i int) []byte {
	t := n.toks[i]
	return n.out[t.ns:t.ne]
}

// abbreviations maps SMS spellings (already folded and squeezed) to the words the models
// learn from. No expansion contains a key, so normalizing twice changes nothing.
var abbreviations = map[string]string{
	"q": "que", "k": "que", "ke": "que", "qe": "que", "qu": "que",
	"xq": "perque", "xk": "perque", "perq": "perque",
	"pq": "porque", "pk": "porque", "porq": "porque",
	"tb": "tambe", "tmb": "tambe", "tbm": "tambe", "tbe": "tambe",
	"tbn": "tambien", "tmbn": "tambien", "tambn": "tambien",
	"x":   "per",
	"xfa": "por favor", "xfi": "por favor", "xfavor": "por favor", "porfa": "por favor",
	"porfi": "por favor", "porfis": "por favor", "pf": "por favor", "pls": "por favor",
	"plis": "por favor", "plz": "por favor",
	"sisplau": "si us plau", "siusplau": "si us plau", "sispl": "si us plau", "sisplu": "si us plau",
	"msg": "missatge", "msgs": "missatges", "msj": "mensaje", "msjs": "mensajes", "mje": "mensaje",
	"d":  "de",
	"dw": "adeu", "adw": "adeu",
	"bn": "bon", "bns": "buenas", "bnas": "buenas",
	"grax": "gracias", "grcs": "gracias", "grasias": "gracias", "grx": "gracias",
	"ns": "no se", "nse": "no se",
	"t":   "te",
	"tlf": "telefon", "tlfn": "telefon", "telf": "telefon", "tfn": "telefon",
	"dsp": "despues", "dsps": "despues", "dps": "despues",
	"hla": "hola", "ola": "hola",
	"salu2": "saludos",
	"vl":    "vale",
	"oki":   "ok", "okey": "ok", "okay": "ok", "okis": "ok", "oka": "ok", "okk": "ok",
	"xo":    "pero",
	"dnd":   "donde",
	"kiero": "quiero",
}

func isMiddleDot(r rune) bool {
	switch r {
	case '·', '.', '•', '‧', '∙', '⋅':
		return true
	}
	return false
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', '‘', '`', '´', 'ʼ':
		return true
	}
	return false
}

// isClitic reports whether a one-letter word before an apostrophe is a Catalan elision
// ("l'", "d'", "m'", "n'", "s'", "t'").
func isClitic(r rune) bool {
	switch r {
	case 'l', 'd', 'm', 'n', 's', 't':
		return true
	}
	return false
}

func isInnerPunct(r rune) bool {
	switch r {
	case '-', '/', '.', ',', ':':
		return true
	}
	return false
}

// keepsDouble reports whether a letter is commonly written twice (Catalan "ll", "rr", "ss",
// "cc", "nn"), so a run of three or more squeezes to two instead of one.
func keepsDouble(r rune) bool {
	switch r {
	case 'l', 'r', 's', 'c', 'n':
		return true
	}
	return false
}

// isWordRune reports whether r is a letter as the normalizer sees it: the ordinal
// indicators "º" and "ª" are not.
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z'
	}
	return unicode.IsLetter(r) && r != 'ª' && r != 'º'
}

// peekLower returns the lower-case rune at text[i:], or 0 at the end or on invalid UTF-8.
func peekLower(text string, i int) rune {
	if i >= len(text) {
		return 0
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	if r == utf8.RuneError && size <= 1 {
		return 0
	}
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			return r | 0x20
		}
		return r
	}
	return unicode.ToLower(r)
}

// foldRune lowers a non-ASCII letter and folds its accents: "À" → "a", "ç" → "c",
// "ß" → "ss". The second rune is 0 unless the letter folds to two.
func foldRune(r rune) (rune, rune) {
	if r >= 0xC0 && r <= 0x17F {
		f := latinFold[r-0xC0]
		switch f {
		case 0:
			// not a letter (×, ÷) or unmapped: fall through to the generic case
		case 'æ':
			return 'a', 'e'
		case 'œ':
			return 'o', 'e'
		case 'ß':
			return 's', 's'
		default:
			return f, 0
		}
	}
	return unicode.ToLower(r), 0
}

// latinFold maps U+00C0–U+017F to a folded lower-case ASCII letter ('æ', 'œ' and 'ß'
// stand for their two-letter folds).
var latinFold = func() [0x180 - 0xC0]rune {
	var t [0x180 - 0xC0]rune
	set := func(chars, to string) {
		for _, c := range chars {
			t[c-0xC0] = []rune(to)[0]
		}
	}
	set("ÀÁÂÃÄÅàáâãäåĀāĂăĄą", "a")
	set("ÆæœŒ", "æ")
	set("Œœ", "œ")
	set("ÇçĆćĈĉĊċČč", "c")
	set("ÐðĎďĐđ", "d")
	set("ÈÉÊËèéêëĒēĔĕĖėĘęĚě", "e")
	set("ĜĝĞğĠġĢģ", "g")
	set("ĤĥĦħ", "h")
	set("ÌÍÎÏìíîïĨĩĪīĬĭĮįİı", "i")
	set("Ĳĳ", "i")
	set("Ĵĵ", "j")
	set("Ķķĸ", "k")
	set("ĹĺĻļĽľĿŀŁł", "l")
	set("ÑñŃńŅņŇňŉŊŋ", "n")
	set("ÒÓÔÕÖØòóôõöøŌōŎŏŐő", "o")
	set("ŔŕŖŗŘř", "r")
	set("ŚśŜŝŞşŠšſ", "s")
	set("ß", "ß")
	set("ŢţŤťŦŧ", "t")
	set("ÙÚÛÜùúûüŨũŪūŬŭŮůŰűŲų", "u")
	set("Ŵŵ", "w")
	set("ÝýÿŶŷŸ", "y")
	set("ŹźŻżŽž", "z")
	set("Þþ", "t")
	return t
}()
