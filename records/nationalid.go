package records

import (
	"strings"
	"unicode/utf8"
)

// checkLetters maps the remainder of the number divided by 23 to the check letter of a
// DNI or NIE.
const checkLetters = "TRWAGMYFPDXBNJZSQVHLCKE"

// maxNationalIDInput bounds the input ParseNationalID looks at: a national id with every
// separator a citizen might type is far shorter, and longer text is rejected unread.
const maxNationalIDInput = 32

// ParseNationalID parses a Spanish DNI ("12345678Z") or NIE ("X1234567L") as a citizen
// types it: any case, with dots, hyphens or spaces anywhere ("12.345.678-z",
// "X-1234567-L"). It validates the check letter and returns the normalized form, eight
// digits and the letter for a DNI, X, Y or Z with seven digits and the letter for a NIE,
// all upper case. It returns "", false for anything else, including a DNI written with
// fewer than eight digits.
func ParseNationalID(s string) (string, bool) {
	if len(s) > maxNationalIDInput || !utf8.ValidString(s) {
		return "", false
	}
	var b [9]byte
	n := 0
	for _, r := range s {
		switch {
		case r == '.' || r == '-' || r == ' ' || r == '\t' || r == '\u00a0':
			continue
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
		case r >= 'a' && r <= 'z':
			r -= 'a' - 'A'
		default:
			return "", false
		}
		if n == len(b) {
			return "", false
		}
		b[n] = byte(r)
		n++
	}
	if n != len(b) {
		return "", false
	}
	num := 0
	for i, c := range b[:8] {
		switch {
		case c >= '0' && c <= '9':
			num = num*10 + int(c-'0')
		case i == 0 && c >= 'X' && c <= 'Z': // NIE: X, Y, Z stand for 0, 1, 2
			num = int(c - 'X')
		default:
			return "", false
		}
	}
	if b[8] != checkLetters[num%23] {
		return "", false
	}
	return string(b[:]), true
}

// ValidNationalID reports whether s is a national id in the normalized form that
// ParseNationalID returns.
func ValidNationalID(s string) bool {
	id, ok := ParseNationalID(s)
	return ok && id == s
}

// MaskNationalID returns a DNI or NIE with only its last four digits and its letter
// visible: "12345678Z" becomes "****5678Z", "X1234567L" becomes "****4567L". Anything that
// is not a valid national id is masked whole, as "*********".
func MaskNationalID(s string) string {
	id, ok := ParseNationalID(s)
	if !ok {
		return "*********"
	}
	return "****" + id[4:]
}

// ValidPhone reports whether s is an E.164 phone number: a "+", a first digit that is not
// zero and 8 to 15 digits in all.
func ValidPhone(s string) bool {
	if len(s) < 9 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// MaskPhone returns an E.164 phone number with only its first and last three digits
// visible. A Spanish number keeps the country code and the first digit, in the usual
// grouping: "+34600000001" becomes "+34 6** *** 001". Other numbers keep the "+" and the
// last three digits ("+44*******123"); anything that is not E.164 becomes "***".
func MaskPhone(s string) string {
	if !ValidPhone(s) {
		return "***"
	}
	if strings.HasPrefix(s, "+34") && len(s) == 12 {
		return "+34 " + s[3:4] + "** *** " + s[9:]
	}
	return "+" + strings.Repeat("*", len(s)-4) + s[len(s)-3:]
}

// streetNumberWords are the words that introduce or qualify a house number
// ("núm. 23", "nº 5", "23 bis", "s/n"), compared in lower case.
var streetNumberWords = map[string]bool{
	"núm.": true, "núm": true, "num.": true, "num": true, "número": true, "numero": true,
	"nº": true, "n°": true, "n.": true, "no.": true,
	"bis": true, "s/n": true, "sn": true, "sense": true, "sin": true,
}

// MaskAddress returns the part of a citizen's address that is safe to show on a channel
// that may be read by others: the street name without its number, and the municipality,
// separated by a comma. "Carrer de Francesc Layret 23" in Badalona gives
// "Carrer de Francesc Layret, Badalona". Numbers inside a street name are kept
// ("Avinguda del 11 de Setembre 5" gives "Avinguda del 11 de Setembre"); a missing street
// or municipality is left out, and so is a street that is only a number.
func MaskAddress(c Citizen) string {
	street := streetName(c.Street)
	muni := strings.TrimSpace(c.Municipality)
	switch {
	case street == "":
		return muni
	case muni == "":
		return street
	default:
		return street + ", " + muni
	}
}

// streetName strips the house number from the end of a street address.
func streetName(s string) string {
	words := strings.Fields(s)
	for len(words) > 0 {
		w := strings.ToLower(strings.Trim(words[len(words)-1], ",;"))
		if w != "" && !streetNumberWords[w] && !isHouseNumber(w) {
			break
		}
		words = words[:len(words)-1]
	}
	return strings.TrimRight(strings.Join(words, " "), ",; ")
}

// isHouseNumber reports whether w looks like a house number: it starts with a digit and
// is short ("23", "23-25", "12b", "5bis").
func isHouseNumber(w string) bool {
	return w != "" && w[0] >= '0' && w[0] <= '9' && len(w) <= 8
}
