package sms

import (
	"strings"
	"unicode/utf8"
)

// Encoding is the character encoding an SMS travels in.
type Encoding int

// Encodings.
const (
	// EncodingGSM7 is the GSM 03.38 default alphabet with its extension table: 160
	// septets in one SMS, 153 a segment when split.
	EncodingGSM7 Encoding = iota + 1
	// EncodingUCS2 is UTF-16: 70 code units in one SMS, 67 a segment when split.
	EncodingUCS2
)

// String returns "GSM-7" or "UCS-2".
func (e Encoding) String() string {
	switch e {
	case EncodingGSM7:
		return "GSM-7"
	case EncodingUCS2:
		return "UCS-2"
	default:
		return "unknown"
	}
}

// Segment sizes.
const (
	gsmSingle  = 160 // septets in a single GSM-7 SMS
	gsmSegment = 153 // septets per segment of a concatenated GSM-7 SMS
	ucsSingle  = 70  // UTF-16 code units in a single UCS-2 SMS
	ucsSegment = 67  // UTF-16 code units per segment of a concatenated UCS-2 SMS
)

// gsmLatin holds, for each rune below 256, how many septets it takes in GSM-7: 1 for the
// basic alphabet, 2 for the extension table (escape + character), 0 when it has none.
var gsmLatin = func() (t [256]uint8) {
	const basic = "@£$¥èéùìòÇ\nØø\rÅå_ÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	for _, r := range basic {
		t[r] = 1
	}
	for _, r := range "\f^{}\\[~]|" {
		t[r] = 2
	}
	return t
}()

// gsmWidth returns how many septets r takes in GSM-7, or 0 when GSM-7 cannot carry it.
func gsmWidth(r rune) int {
	if r < 256 {
		return int(gsmLatin[r])
	}
	switch r {
	case 'Δ', 'Φ', 'Γ', 'Λ', 'Ω', 'Π', 'Ψ', 'Σ', 'Θ', 'Ξ':
		return 1
	case '€':
		return 2
	}
	return 0
}

// Segments returns the encoding an SMS with text s travels in, how many segments it
// takes, and its length in that encoding's units: septets for GSM-7 (an extension
// character counts two), UTF-16 code units for UCS-2 (a character outside the Basic
// Multilingual Plane, such as an emoji, counts two). A single character outside GSM-7
// makes the whole message UCS-2. Segments are filled the way phones and Twilio split
// them: an extension character's escape pair and a surrogate pair are never split
// across two segments, so a long message may take one segment more than its units
// divided by the segment size. Invalid UTF-8 bytes count as U+FFFD. The empty string
// is GSM-7 with zero segments.
func Segments(s string) (enc Encoding, segments int, units int) {
	if segs, septets, ok := gsmSegments(s); ok {
		return EncodingGSM7, segs, septets
	}
	segs, n := ucsSegments(s)
	return EncodingUCS2, segs, n
}

// gsmSegments counts s in GSM-7; ok is false when s has a character GSM-7 lacks.
func gsmSegments(s string) (segments, septets int, ok bool) {
	fill := 0 // septets in the current segment of a split message
	segments = 1
	for i := 0; i < len(s); {
		var w int
		if c := s[i]; c < utf8.RuneSelf {
			w = int(gsmLatin[c])
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			w = gsmWidth(r)
			i += size
		}
		if w == 0 {
			return 0, 0, false
		}
		septets += w
		if fill+w > gsmSegment {
			segments++
			fill = 0
		}
		fill += w
	}
	switch {
	case septets == 0:
		return 0, 0, true
	case septets <= gsmSingle:
		return 1, septets, true
	}
	return segments, septets, true
}

// ucsSegments counts s in UTF-16 code units and UCS-2 segments.
func ucsSegments(s string) (segments, units int) {
	fill := 0
	segments = 1
	for i := 0; i < len(s); {
		w := 1
		if c := s[i]; c < utf8.RuneSelf {
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r > 0xFFFF {
				w = 2 // a surrogate pair
			}
			i += size
		}
		units += w
		if fill+w > ucsSegment {
			segments++
			fill = 0
		}
		fill += w
	}
	switch {
	case units == 0:
		return 0, 0
	case units <= ucsSingle:
		return 1, units
	}
	return segments, units
}

// translit maps the characters that Catalan and Spanish text often carries and GSM-7
// lacks to their nearest GSM-7 spelling. Characters GSM-7 has (à è é ì ò ù ñ Ñ ü Ü Ç
// É) are not in it.
var translit = map[rune]string{
	'á': "a", 'í': "i", 'ó': "o", 'ú': "u", 'ç': "c", 'ï': "i",
	'Á': "A", 'Í': "I", 'Ó': "O", 'Ú': "U", 'Ï': "I",
	'À': "A", 'È': "E", 'Ì': "I", 'Ò': "O", 'Ù': "U",
	'â': "a", 'ê': "e", 'î': "i", 'ô': "o", 'û': "u", 'ë': "e", 'ã': "a", 'õ': "o",
	'Â': "A", 'Ê': "E", 'Î': "I", 'Ô': "O", 'Û': "U", 'Ë': "E", 'Ã': "A", 'Õ': "O",
	'ý': "y", 'ÿ': "y", 'Ý': "Y", 'ª': "a", 'º': "o",
	'·': ".", 'ŀ': "l.", 'Ŀ': "L.", '•': "-",
	'’': "'", '‘': "'", '‚': "'", '′': "'", '`': "'", '´': "'",
	'“': "\"", '”': "\"", '„': "\"", '«': "\"", '»': "\"", '″': "\"",
	'–': "-", '—': "-", '―': "-", '‐': "-", '‑': "-", '−': "-",
	'…':  "...",
	'\t': " ", '\u00a0': " ", '\u2007': " ", '\u2009': " ", '\u202f': " ",
	'\u200b': "", '\u200c': "", '\u200d': "", '\ufeff': "", '\u00ad': "",
}

// Transliterate replaces the characters of s that GSM-7 lacks and that have a plain
// GSM-7 spelling: á í ó ú become a i o u, ç becomes c (Ç is in GSM-7 and stays), ï
// becomes i, the middle dot of "l·l" becomes a full stop, typographic quotes and dashes
// become ' " -, and "…" becomes "...". Any other character is left as it is, so the
// result may still need UCS-2 (an emoji does).
func Transliterate(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if c == '\t' || c == '`' {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if _, ok := translitOf(r); ok {
			break
		}
		i += size
	}
	if i >= len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	for _, r := range s[i:] {
		if t, ok := translitOf(r); ok {
			b.WriteString(t)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// translitIndex is translit for the runes below its length, where most of its characters
// are: 1 + the index in translitSpellings, 0 for none. An array lookup where a map lookup
// took a twentieth of a turn's CPU.
var translitIndex, translitSpellings = func() (idx [0x2040]uint8, sp []string) {
	for r, s := range translit {
		if int(r) < len(idx) {
			sp = append(sp, s)
			idx[r] = uint8(len(sp))
		}
	}
	return idx, sp
}()

// translitOf returns the GSM-7 spelling of r, if translit has one.
func translitOf(r rune) (string, bool) {
	if r >= 0 && int(r) < len(translitIndex) {
		if k := translitIndex[r]; k > 0 {
			return translitSpellings[k-1], true
		}
		return "", false
	}
	t, ok := translit[r]
	return t, ok
}
