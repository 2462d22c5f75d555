package sms

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// line is one line of a reply's text; action lines say what to do next or by when.
type line struct {
	text   string
	action bool
}

// minParenthetical is the shortest parenthetical fit drops: "(PVPC)" or "(INSS)" say
// what a name is, "(a l'oficina d'atenció ciutadana o a la seu electrònica)" only how.
const minParenthetical = 20

// fit returns head followed by tail within the budget, shortening head in the order that
// loses least, and stopping as soon as it fits:
//
//  1. long parentheticals are dropped, from the last line up;
//  2. lines other than the action lines lose their last sentences, from the last line up,
//     keeping the first sentence of each;
//  3. lines other than the first and the action lines are dropped, from the last up; a run
//     of dropped lines leaves one line "…" ("..." in GSM-7);
//  4. action lines lose their last sentences the same way;
//  5. what is left is cut word by word (wordFit).
//
// The whole message is measured (and transliterated) at each step, never a part of it.
func (c *Renderer) fit(head []line, tail []string) Rendered {
	ls, out, ok := c.trim(head, tail)
	if ok {
		return out
	}
	dropped := make([]bool, len(ls))
	try := func() (Rendered, bool) {
		kept := make([]bool, len(dropped)) // the marker of the text without the gaps
		out := c.measure(join(visible(ls, dropped, marker(join(visible(ls, kept, ""), tail))), tail))
		return out, c.fits(out)
	}
	shortened := func(out Rendered) Rendered {
		out.Shortened = true
		return out
	}
	cutSentences := func(action bool) (Rendered, bool) {
		for k := len(ls) - 1; k >= 0; k-- {
			if dropped[k] || ls[k].action != action {
				continue
			}
			sents := sentences(ls[k].text)
			for n := len(sents) - 1; n >= 1; n-- {
				ls[k].text = strings.Join(sents[:n], " ")
				if out, ok := try(); ok {
					return shortened(out), true
				}
			}
		}
		return Rendered{}, false
	}
	if out, ok := cutSentences(false); ok {
		return out
	}
	for k := len(ls) - 1; k >= 1; k-- {
		if !ls[k].action {
			dropped[k] = true
			if out, ok := try(); ok {
				return shortened(out)
			}
		}
	}
	if out, ok := cutSentences(true); ok {
		return out
	}
	rest := visible(ls, dropped, marker(join(texts(ls), tail)))
	return shortened(c.wordFit(rest, tail))
}

// trim is the first step of fit: it returns a copy of head with the long parentheticals
// dropped, from the last line up, until head and tail fit, and ok when they do (the reply
// marked Shortened and Trimmed when a parenthetical went).
func (c *Renderer) trim(head []line, tail []string) (ls []line, out Rendered, ok bool) {
	ls = make([]line, len(head))
	copy(ls, head)
	try := func() (Rendered, bool) {
		out := c.measure(join(texts(ls), tail))
		return out, c.fits(out)
	}
	if out, ok := try(); ok {
		return ls, out, true
	}
	for k := len(ls) - 1; k >= 0; k-- {
		if s := dropParentheticals(ls[k].text); s != ls[k].text {
			ls[k].text = s
			if out, ok := try(); ok {
				out.Shortened, out.Trimmed = true, true
				return ls, out, true
			}
		}
	}
	return ls, Rendered{}, false
}

// visible returns the texts of the lines not dropped, a run of dropped lines as one line
// mark.
func visible(ls []line, dropped []bool, mark string) []string {
	out := make([]string, 0, len(ls))
	gap := false
	for i, l := range ls {
		if dropped[i] {
			if !gap {
				out = append(out, mark)
			}
			gap = true
			continue
		}
		gap = false
		out = append(out, l.text)
	}
	return out
}

// dropParentheticals removes from s every parenthetical of at least minParenthetical
// characters, nested ones inside it, with the space before it; a parenthesis left open is
// kept as it is.
func dropParentheticals(s string) string {
	var b strings.Builder
	for {
		open := strings.Index(s, " (")
		if open < 0 {
			break
		}
		depth, closing := 0, -1
		for i := open + 1; i < len(s) && closing < 0; i++ {
			switch s[i] {
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					closing = i
				}
			}
		}
		if closing < 0 {
			break
		}
		if len([]rune(s[open+2:closing])) < minParenthetical {
			b.WriteString(s[:closing+1])
		} else {
			b.WriteString(s[:open])
		}
		s = s[closing+1:]
	}
	b.WriteString(s)
	return b.String()
}

// sentences splits s after each ".", "?" or "!" followed by a space and a capital letter
// (or an opening ¿ ¡ « "), keeping the punctuation: "art. 95" is not a sentence end.
func sentences(s string) []string {
	var out []string
	start := 0
	for i := 0; i+2 < len(s); i++ {
		if (s[i] == '.' || s[i] == '?' || s[i] == '!') && s[i+1] == ' ' && startsSentence(s[i+2:]) {
			out = append(out, s[start:i+1])
			start = i + 2
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

func startsSentence(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsUpper(r) || strings.ContainsRune("¿¡«\"", r)
}

// unaccented spells the accented letters GSM-7 has without their accent, for a message
// already transliterated: "Transició Ecològica" becomes "Transicio Ecologica", never
// "Transicio Ecològica". Ñ and Ü are letters of their own and stay.
var unaccented = strings.NewReplacer(unaccentedPairs...)

// unaccentedPairs are the letters unaccented replaces, each followed by its spelling.
var unaccentedPairs = []string{"à", "a", "è", "e", "é", "e", "ì", "i", "ò", "o", "ù", "u", "É", "E", "Ç", "C"}

// unaccentedOf is unaccentedPairs by letter, every one of them below 256: the spelling, ""
// for a letter unaccented keeps.
var unaccentedOf = func() (t [256]string) {
	for i := 0; i < len(unaccentedPairs); i += 2 {
		r, _ := utf8.DecodeRuneInString(unaccentedPairs[i])
		t[r] = unaccentedPairs[i+1]
	}
	return t
}()

// spellGSM returns unaccented.Replace(Transliterate(s)), the spelling measure tries, in one
// pass and one allocation (none when s has nothing to replace): measure runs for every text
// a reply is shortened to, and the two passes were a third of its cost.
//
// As Transliterate, it copies s as it is up to its first character to transliterate, and
// writes U+FFFD for each invalid byte after it; as unaccented, it replaces the letters in
// both parts (a letter's two bytes always start a character, valid or not, so it finds
// them where the replacer does).
func spellGSM(s string) string {
	var b strings.Builder
	changed, translit := false, false
	for i := 0; i < len(s); {
		c := s[i]
		r, size := rune(c), 1
		if c >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		var spelling string
		if t, ok := translitOf(r); ok {
			spelling, translit = t, true
		} else if r < 256 && unaccentedOf[r] != "" {
			spelling = unaccentedOf[r]
		} else if translit && r == utf8.RuneError && size == 1 {
			spelling = string(utf8.RuneError) // Transliterate writes the runes it ranges over
		} else {
			if changed {
				b.WriteString(s[i : i+size])
			}
			i += size
			continue
		}
		if !changed {
			changed = true
			b.Grow(len(s) + 8)
			b.WriteString(s[:i])
		}
		b.WriteString(spelling)
		i += size
	}
	if !changed {
		return s
	}
	return b.String()
}
