package intents

import (
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// Procedure is a procedure or benefit of the records catalog, with the names a citizen may
// use for it ("renda garantida", "renta garantizada", "rgc").
type Procedure struct {
	ID    string
	Names []string
}

// entityHit is an entity found in a message, with its span in the original text.
type entityHit struct {
	kind, value string
	os, oe      int
}

// fixedNow is the clock of entity features in training and Model.Predict.
var fixedNow = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// findEntities appends the entities of text (normalized in n) to dst, in text order.
func findEntities(dst []entityHit, text string, n *normalizer, gaz *gazetteer, now time.Time) []entityHit {
	x := entityScan{text: text, n: n, now: now}
	for i := 0; i < len(n.toks); {
		hit, used := x.at(i, gaz)
		if used == 0 {
			i++
			continue
		}
		hit.os = int(n.toks[i].os)
		hit.oe = int(n.toks[i+used-1].oe)
		if hit.kind == dialog.EntityPhone && hit.os > 0 && text[hit.os-1] == '+' {
			hit.os-- // "+34 …" as written
		}
		dst = append(dst, hit)
		i += used
	}
	return dst
}

// entityFeatureKinds appends the distinct kinds of the entities that are model features.
// Procedures are not: the gazetteer is the caller's, not the training data's.
func entityFeatureKinds(dst []string, hits []entityHit) []string {
	for _, h := range hits {
		if h.kind == dialog.EntityProcedure {
			continue
		}
		dup := false
		for _, k := range dst {
			dup = dup || k == h.kind
		}
		if !dup {
			dst = append(dst, h.kind)
		}
	}
	return dst
}

type entityScan struct {
	text string
	n    *normalizer
	now  time.Time
}

// norm returns the normalized text of token i, or "" past the end. The string shares the
// normalizer's buffer: it must not outlive the scan (entity values are built anew).
func (x *entityScan) norm(i int) string {
	if i >= len(x.n.toks) {
		return ""
	}
	t := x.n.toks[i]
	if t.ne == t.ns {
		return ""
	}
	return unsafe.String(&x.n.out[t.ns], int(t.ne-t.ns))
}

// orig returns the original text of token i, or "" past the end.
func (x *entityScan) orig(i int) string {
	if i >= len(x.n.toks) {
		return ""
	}
	t := x.n.toks[i]
	return x.text[t.os:t.oe]
}

// adjacent reports whether tokens i and i+1 are separated only by spaces and the
// characters in seps in the original text.
func (x *entityScan) adjacent(i int, seps string) bool {
	if i+1 >= len(x.n.toks) {
		return false
	}
	a, b := x.n.toks[i], x.n.toks[i+1]
	if a.os == b.os {
		return false // words of one abbreviation
	}
	for _, r := range x.text[a.oe:b.os] {
		if r != ' ' && r != '\t' && !strings.ContainsRune(seps, r) {
			return false
		}
	}
	return b.os-a.oe <= 4
}

// at tries every entity kind at token i and returns the entity and how many tokens it uses.
func (x *entityScan) at(i int, gaz *gazetteer) (entityHit, int) {
	if v, used := x.applicationRef(i); used > 0 {
		return entityHit{kind: dialog.EntityApplicationRef, value: v}, used
	}
	if v, used := x.nationalID(i); used > 0 {
		return entityHit{kind: dialog.EntityNationalID, value: v}, used
	}
	if d, used := x.date(i); used > 0 {
		return entityHit{kind: dialog.EntityDate, value: d.Format(time.DateOnly)}, used
	}
	if v, used := x.phone(i); used > 0 {
		return entityHit{kind: dialog.EntityPhone, value: v}, used
	}
	if v, ok := languageNames[x.norm(i)]; ok {
		if v != "" {
			return entityHit{kind: dialog.EntityLanguage, value: v}, 1
		}
		if i > 0 && x.norm(i-1) == "en" { // "en valencià"
			return entityHit{kind: dialog.EntityLanguage, value: LangCatalan}, 1
		}
	}
	if gaz != nil {
		if id, used := gaz.match(x, i); used > 0 {
			return entityHit{kind: dialog.EntityProcedure, value: id}, used
		}
	}
	return entityHit{}, 0
}

// languageNames maps a normalized language name to the language a citizen asks for; ""
// means only after "en".
var languageNames = map[string]string{
	"catala": LangCatalan, "catalan": LangCatalan, "catalana": LangCatalan, "valencia": "",
	"castella": LangSpanish, "castellano": LangSpanish, "castellana": LangSpanish,
	"espanol": LangSpanish, "espanyol": LangSpanish, "espanola": LangSpanish,
}

// Application references: "EXP-2026-000101", "exp 2026 101", "EXP2026000101".

var refWords = map[string]bool{
	"exp": true, "expedient": true, "expediente": true, "expte": true, "ref": true, "referencia": true,
}

var refFillers = map[string]bool{"n": true, "num": true, "numero": true}

func (x *entityScan) applicationRef(i int) (string, int) {
	w := x.norm(i)
	// One token: "exp-2026-000101", "exp2026000101", "exp.2026.101".
	if rest, ok := strings.CutPrefix(w, "exp"); ok && rest != "" && (isDigit(rest[0]) || isRefSep(rest[0])) {
		if v, ok := refDigits(strings.TrimLeft(rest, "-./")); ok {
			return v, 1
		}
	}
	if refWords[w] {
		j := i + 1
		for refFillers[x.norm(j)] && j < i+3 {
			j++
		}
		if v, ok := refDigits(x.norm(j)); ok {
			return v, j - i + 1
		}
		// "exp 2026 101"
		if y := x.norm(j); len(y) == 4 && allDigits(y) && x.adjacent(j, "-./") {
			if v, ok := refParts(y, x.norm(j+1)); ok {
				return v, j - i + 2
			}
		}
		return "", 0
	}
	// A bare "2026-000101".
	if len(w) == 11 && (w[4] == '-' || w[4] == '/') && allDigits(w[:4]) && allDigits(w[5:]) {
		if v, ok := refParts(w[:4], w[5:]); ok {
			return v, 1
		}
	}
	return "", 0
}

// refDigits reads "2026-000101", "2026/101" or "2026000101".
func refDigits(s string) (string, bool) {
	if len(s) < 5 {
		return "", false
	}
	if allDigits(s) {
		return refParts(s[:4], s[4:])
	}
	if isRefSep(s[4]) {
		return refParts(s[:4], s[5:])
	}
	return "", false
}

func refParts(year, num string) (string, bool) {
	if len(year) != 4 || !allDigits(year) || len(num) == 0 || len(num) > 6 || !allDigits(num) {
		return "", false
	}
	y, _ := strconv.Atoi(year)
	if y < 1990 || y > 2099 {
		return "", false
	}
	return "EXP-" + year + "-" + strings.Repeat("0", 6-len(num)) + num, true
}

func isRefSep(c byte) bool { return c == '-' || c == '/' || c == '.' }

// National identity documents: DNI "12345678Z", NIE "X1234567L", validated by the records
// package, the one place that knows their check letters.

func (x *entityScan) nationalID(i int) (string, int) {
	w := x.norm(i)
	if len(w) >= 9 && len(w) <= 14 {
		if v, ok := records.ParseNationalID(w); ok {
			return v, 1
		}
	}
	// "12345678 Z", "12.345.678 z"
	if digits := stripDots(w); len(digits) == 8 && allDigits(digits) && x.adjacent(i, "-") {
		if l := x.orig(i + 1); len(l) == 1 && isLetter(l[0]) {
			if v, ok := records.ParseNationalID(digits + l); ok {
				return v, 2
			}
		}
	}
	// "X 1234567 L", "x1234567 l", "X-1234567-L" across tokens
	if o := x.orig(i); len(o) == 1 && strings.ContainsAny(o, "xyzXYZ") && x.adjacent(i, "-") {
		d := x.norm(i + 1)
		if len(d) == 7 && allDigits(d) && x.adjacent(i+1, "-") {
			if l := x.orig(i + 2); len(l) == 1 && isLetter(l[0]) {
				if v, ok := records.ParseNationalID(o + d + l); ok {
					return v, 3
				}
			}
		}
		if len(d) == 8 && allDigits(d[:7]) && isLetter(d[7]) {
			if v, ok := records.ParseNationalID(o + d); ok {
				return v, 2
			}
		}
	}
	return "", 0
}

func stripDots(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.ReplaceAll(s, ".", "")
}

// Dates: "15/03/1984", "15-3-84", "1984-03-15", "15 de març de 1984", "15 marzo 1984".

// ParseDate returns the first date written in s, at midnight UTC. Two-digit years belong to
// the current century unless that would put them after now's year ("84" → 1984 in 2026).
func ParseDate(s string, now time.Time) (time.Time, bool) {
	var n normalizer
	n.run(s)
	x := entityScan{text: s, n: &n, now: now}
	for i := range n.toks {
		if d, used := x.date(i); used > 0 {
			return d, true
		}
	}
	return time.Time{}, false
}

var monthNames = map[string]int{
	"gener": 1, "gen": 1, "enero": 1, "ene": 1,
	"febrer": 2, "febrero": 2, "feb": 2, "febr": 2,
	"marc": 3, "marzo": 3, "mar": 3, "mzo": 3,
	"abril": 4, "abr": 4,
	"maig": 5, "mayo": 5, "may": 5,
	"juny": 6, "junio": 6, "jun": 6,
	"juliol": 7, "julio": 7, "jul": 7,
	"agost": 8, "agosto": 8, "ago": 8,
	"setembre": 9, "septiembre": 9, "setiembre": 9, "set": 9, "sep": 9, "sept": 9,
	"octubre": 10, "oct": 10,
	"novembre": 11, "noviembre": 11, "nov": 11,
	"desembre": 12, "diciembre": 12, "des": 12, "dic": 12,
}

func (x *entityScan) date(i int) (time.Time, int) {
	w := x.norm(i)
	if t, ok := numericDate(w, x.now); ok {
		return t, 1
	}
	// "15 de març de 1984", "15 d' abril del 84", "15 marzo 1984"
	if len(w) == 0 || len(w) > 2 || !allDigits(w) {
		return time.Time{}, 0
	}
	day, _ := strconv.Atoi(w)
	j := i + 1
	if p := x.norm(j); p == "de" || p == "d'" {
		j++
	}
	month, ok := monthNames[x.norm(j)]
	if !ok {
		return time.Time{}, 0
	}
	j++
	if p := x.norm(j); p == "de" || p == "del" || p == "d'" {
		j++
	}
	ys := x.norm(j)
	if (len(ys) != 4 && len(ys) != 2) || !allDigits(ys) {
		return time.Time{}, 0
	}
	year := fullYear(ys, x.now)
	t, ok := makeDate(year, month, day)
	if !ok {
		return time.Time{}, 0
	}
	return t, j - i + 1
}

// numericDate reads "15/03/1984", "15-3-84", "15.03.1984" and "1984-03-15".
func numericDate(w string, now time.Time) (time.Time, bool) {
	if len(w) < 6 || len(w) > 10 || !isDigit(w[0]) {
		return time.Time{}, false
	}
	var parts [3]string
	sep := byte(0)
	k, start := 0, 0
	for i := 0; i <= len(w); i++ {
		if i < len(w) && isDigit(w[i]) {
			continue
		}
		if i < len(w) {
			if w[i] != '/' && w[i] != '-' && w[i] != '.' || (sep != 0 && w[i] != sep) {
				return time.Time{}, false
			}
			sep = w[i]
		}
		if k == 3 || i == start {
			return time.Time{}, false
		}
		parts[k] = w[start:i]
		k++
		start = i + 1
	}
	if k != 3 {
		return time.Time{}, false
	}
	if len(parts[0]) == 4 { // ISO
		if len(parts[1]) > 2 || len(parts[2]) > 2 {
			return time.Time{}, false
		}
		y, _ := strconv.Atoi(parts[0])
		m, _ := strconv.Atoi(parts[1])
		d, _ := strconv.Atoi(parts[2])
		return makeDate(y, m, d)
	}
	if len(parts[0]) > 2 || len(parts[1]) > 2 || (len(parts[2]) != 2 && len(parts[2]) != 4) {
		return time.Time{}, false
	}
	d, _ := strconv.Atoi(parts[0])
	m, _ := strconv.Atoi(parts[1])
	return makeDate(fullYear(parts[2], now), m, d)
}

func fullYear(s string, now time.Time) int {
	y, _ := strconv.Atoi(s)
	if len(s) != 2 {
		return y
	}
	cur := now.Year()
	century := cur / 100 * 100
	if y > cur%100 {
		return century - 100 + y
	}
	return century + y
}

func makeDate(y, m, d int) (time.Time, bool) {
	if y < 1800 || y > 2200 || m < 1 || m > 12 || d < 1 || d > 31 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return time.Time{}, false // 31 April, 29 February of a common year
	}
	return t, true
}

// Phone numbers: Spanish mobiles and landlines, with or without +34 or 0034.

func (x *entityScan) phone(i int) (string, int) {
	var digits [16]byte
	n := 0
	best, bestUsed := "", 0
	for j := i; j < i+6 && j < len(x.n.toks); j++ {
		w := x.norm(j)
		if w == "" || !isDigit(w[0]) {
			break
		}
		for k := 0; k < len(w); k++ {
			switch c := w[k]; {
			case isDigit(c):
				if n == len(digits) {
					return best, bestUsed
				}
				digits[n] = c
				n++
			case c == '-' || c == '.':
			default:
				return best, bestUsed
			}
		}
		if v, ok := spanishPhone(string(digits[:n])); ok {
			best, bestUsed = v, j-i+1
		}
		if !x.adjacent(j, "-.()") {
			break
		}
	}
	return best, bestUsed
}

// spanishPhone returns the E.164 form of a Spanish number given as digits.
func spanishPhone(d string) (string, bool) {
	switch {
	case len(d) == 13 && strings.HasPrefix(d, "0034"):
		d = d[4:]
	case len(d) == 11 && strings.HasPrefix(d, "34"):
		d = d[2:]
	}
	if len(d) != 9 || !strings.ContainsRune("6789", rune(d[0])) {
		return "", false
	}
	return "+34" + d, true
}

// Procedures: a gazetteer of names, matched on normalized words, longest name first.

// gazetteer indexes procedure names by their first normalized word.
type gazetteer struct {
	byFirst map[string][]gazName
}

type gazName struct {
	words []string
	id    string
}

func newGazetteer(procs []Procedure) *gazetteer {
	g := &gazetteer{byFirst: map[string][]gazName{}}
	var n normalizer
	for _, p := range procs {
		for _, name := range p.Names {
			n.run(name)
			if len(n.toks) == 0 {
				continue
			}
			words := make([]string, len(n.toks))
			for i := range n.toks {
				words[i] = string(n.text(i))
			}
			g.byFirst[words[0]] = append(g.byFirst[words[0]], gazName{words: words, id: p.ID})
		}
	}
	for k, names := range g.byFirst {
		// Longest first; among equals, the order of the catalog.
		for a := 1; a < len(names); a++ {
			for b := a; b > 0 && len(names[b].words) > len(names[b-1].words); b-- {
				names[b], names[b-1] = names[b-1], names[b]
			}
		}
		g.byFirst[k] = names
	}
	return g
}

func (g *gazetteer) match(x *entityScan, i int) (string, int) {
	t := x.n.toks[i]
	names := g.byFirst[string(x.n.out[t.ns:t.ne])]
next:
	for _, name := range names {
		if i+len(name.words) > len(x.n.toks) {
			continue
		}
		for k, w := range name.words[1:] {
			u := x.n.toks[i+1+k]
			if string(x.n.out[u.ns:u.ne]) != w {
				continue next
			}
		}
		return name.id, len(name.words)
	}
	return "", 0
}

func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}
