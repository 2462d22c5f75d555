package intents

import (
	"bufio"
	"fmt"
	"strings"
)

// A lexicon finds short phrases in a normalized message and names the category of each: the
// distress detector, the aspects of a question about an application and the topics MyGov
// routes elsewhere are lexicons (data in lexicon/*.txt, one "category: pattern" a line).
//
// A pattern is a sequence of elements matched in order, with at most lexGap other words
// between two consecutive elements; a pattern written after "&" matches when each of its
// elements is somewhere in the message, in any order. An element is one or more alternatives separated by
// "|"; an alternative is a word ("desnonament") or a stem ending in "*" ("desnon*"). Words
// and stems are normalized as messages are (lower case, accents folded). A word or stem of
// lexFuzzyMin letters or more also matches with one letter missing, added or changed
// ("desahuciar" matches "desauciar"; stems from lexFuzzyMin+2 letters), unless written
// with a leading "=".
type lexicon struct {
	cats     []string // category names, in order of first appearance
	patterns []lexPattern
	byFirst  [][]int32 // atom → patterns whose first element has it

	exact    map[string][]uint16 // word → atoms
	prefix   map[string][]uint16 // stem → atoms
	fuzzy    map[string][]uint16 // a fuzzy word, and each of its one-letter deletions → atoms
	fuzzyPre map[string][]uint16 // a fuzzy stem's one-letter deletions → atoms
	stemLens []int               // distinct stem lengths, ascending
	nAtoms   int
}

type lexPattern struct {
	cat       int
	elems     [][]uint16 // each element: the atoms that satisfy it
	unordered bool       // the elements may stand anywhere in the message, in any order
}

// lexGap is how many other words may stand between two elements of a pattern.
const lexGap = 3

// lexFuzzyMin is the length from which words match with one typo; stems need one letter
// more (lexFuzzyMin+2), since a stem with a letter missing is a prefix of many words.
const lexFuzzyMin = 5

// lexHit is one pattern found in a message: its category and the tokens it spans.
type lexHit struct {
	cat         int
	first, last int
}

// lexSource is one lexicon file; Prefix is put before each of its categories, so several
// files share one lexicon (and one pass over the message) and keep their categories apart.
type lexSource struct {
	Name, Prefix, Text string
}

// parseLexicon reads a lexicon: "category: pattern" lines; "#" starts a comment.
func parseLexicon(name, src string) (*lexicon, error) {
	return parseLexicons(lexSource{Name: name, Text: src})
}

// parseLexicons reads several lexicon files into one lexicon.
func parseLexicons(srcs ...lexSource) (*lexicon, error) {
	lx := &lexicon{
		exact: map[string][]uint16{}, prefix: map[string][]uint16{},
		fuzzy: map[string][]uint16{}, fuzzyPre: map[string][]uint16{},
	}
	atoms := map[string]uint16{}
	catIdx := map[string]int{}
	for _, src := range srcs {
		if err := lx.parse(src, atoms, catIdx); err != nil {
			return nil, err
		}
	}
	lx.nAtoms = len(atoms)
	lx.byFirst = make([][]int32, lx.nAtoms)
	for i, p := range lx.patterns {
		for _, a := range p.elems[0] {
			lx.byFirst[a] = append(lx.byFirst[a], int32(i))
		}
	}
	return lx, nil
}

func (lx *lexicon) parse(src lexSource, atoms map[string]uint16, catIdx map[string]int) error {
	name := src.Name
	sc := bufio.NewScanner(strings.NewReader(src.Text))
	line := 0
	for sc.Scan() {
		line++
		s := sc.Text()
		if i := strings.IndexByte(s, '#'); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		cat, pat, ok := strings.Cut(s, ":")
		cat, pat = strings.TrimSpace(cat), strings.TrimSpace(pat)
		if !ok || cat == "" || pat == "" {
			return fmt.Errorf("intents: lexicon %s line %d: want \"category: pattern\"", name, line)
		}
		cat = src.Prefix + cat
		ci, seen := catIdx[cat]
		if !seen {
			ci = len(lx.cats)
			catIdx[cat] = ci
			lx.cats = append(lx.cats, cat)
		}
		p := lexPattern{cat: ci}
		if rest, ok := strings.CutPrefix(pat, "&"); ok {
			p.unordered, pat = true, strings.TrimSpace(rest)
		}
		for _, el := range strings.Fields(pat) {
			var alts []uint16
			for _, alt := range strings.Split(el, "|") {
				id, err := lx.atom(atoms, alt)
				if err != nil {
					return fmt.Errorf("intents: lexicon %s line %d: %w", name, line, err)
				}
				alts = append(alts, id)
			}
			p.elems = append(p.elems, alts)
		}
		lx.patterns = append(lx.patterns, p)
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("intents: lexicon %s: %w", name, err)
	}
	return nil
}

// atom registers one alternative ("word", "stem*", "=word") and returns its id.
func (lx *lexicon) atom(atoms map[string]uint16, alt string) (uint16, error) {
	if id, ok := atoms[alt]; ok {
		return id, nil
	}
	exactOnly := strings.HasPrefix(alt, "=")
	w := strings.TrimPrefix(alt, "=")
	isStem := strings.HasSuffix(w, "*")
	w = strings.TrimSuffix(w, "*")
	norm := Normalize(w)
	if norm == "" || strings.ContainsRune(norm, ' ') {
		return 0, fmt.Errorf("alternative %q is not one word", alt)
	}
	if len(atoms) >= 1<<16-1 {
		return 0, fmt.Errorf("too many words")
	}
	id := uint16(len(atoms))
	atoms[alt] = id
	fuzzy := !exactOnly && len(norm) >= lexFuzzyMin
	if isStem {
		fuzzy = !exactOnly && len(norm) >= lexFuzzyMin+2
		lx.prefix[norm] = append(lx.prefix[norm], id)
		if !containsInt(lx.stemLens, len(norm)) {
			lx.stemLens = insertSorted(lx.stemLens, len(norm))
		}
		if fuzzy {
			for _, d := range deletions(norm) {
				lx.fuzzyPre[d] = appendUnique(lx.fuzzyPre[d], id)
			}
			if !containsInt(lx.stemLens, len(norm)-1) {
				lx.stemLens = insertSorted(lx.stemLens, len(norm)-1)
			}
		}
		return id, nil
	}
	lx.exact[norm] = append(lx.exact[norm], id)
	if fuzzy {
		lx.fuzzy[norm] = appendUnique(lx.fuzzy[norm], id)
		for _, d := range deletions(norm) {
			lx.fuzzy[d] = appendUnique(lx.fuzzy[d], id)
		}
	}
	return id, nil
}

// deletions returns w with each one of its bytes left out (w is ASCII after Normalize,
// except for rare letters, whose deletions simply never match).
func deletions(w string) []string {
	out := make([]string, 0, len(w))
	for i := range len(w) {
		out = append(out, w[:i]+w[i+1:])
	}
	return out
}

// lexScratch holds the buffers of one match, reused across calls.
type lexScratch struct {
	atoms []uint16 // the atoms of every token, token after token
	start []int32  // token i's atoms are atoms[start[i]:start[i+1]]
	buf   []byte
	hits  []lexHit
}

// match finds every pattern of lx in the normalized tokens of n. The hits are in token
// order; one category may be found more than once.
func (lx *lexicon) match(n *normalizer, s *lexScratch) []lexHit {
	s.atoms, s.start, s.hits = s.atoms[:0], s.start[:0], s.hits[:0]
	for i := range n.toks {
		s.start = append(s.start, int32(len(s.atoms)))
		s.atoms = lx.tokenAtoms(n.text(i), s.atoms, &s.buf)
	}
	s.start = append(s.start, int32(len(s.atoms)))
	for i := range n.toks {
		for _, a := range s.atoms[s.start[i]:s.start[i+1]] {
			for _, pi := range lx.byFirst[a] {
				if last, ok := lx.matchFrom(&lx.patterns[pi], i, s); ok {
					s.hits = append(s.hits, lexHit{cat: lx.patterns[pi].cat, first: i, last: last})
				}
			}
		}
	}
	return s.hits
}

// matchFrom matches the elements of p after the first, starting after token i.
func (lx *lexicon) matchFrom(p *lexPattern, i int, s *lexScratch) (int, bool) {
	pos := i
	n := len(s.start) - 1
	if p.unordered {
		for _, el := range p.elems[1:] {
			found := -1
			for j := 0; j < n && found < 0; j++ {
				if j != i && hasAny(s.atoms[s.start[j]:s.start[j+1]], el) {
					found = j
				}
			}
			if found < 0 {
				return 0, false
			}
			pos = max(pos, found)
		}
		return pos, true
	}
	for _, el := range p.elems[1:] {
		found := -1
		for j := pos + 1; j <= pos+1+lexGap && j < n; j++ {
			if hasAny(s.atoms[s.start[j]:s.start[j+1]], el) {
				found = j
				break
			}
		}
		if found < 0 {
			return 0, false
		}
		pos = found
	}
	return pos, true
}

// tokenAtoms appends the atoms tok matches to dst.
func (lx *lexicon) tokenAtoms(tok []byte, dst []uint16, buf *[]byte) []uint16 {
	from := len(dst)
	add := func(ids []uint16) {
		for _, id := range ids {
			if !hasAny(dst[from:], []uint16{id}) {
				dst = append(dst, id)
			}
		}
	}
	add(lx.exact[string(tok)])
	for _, l := range lx.stemLens {
		if l > len(tok) {
			break
		}
		add(lx.prefix[string(tok[:l])])
		if l > lexFuzzyMin { // fuzzy stems have lexFuzzyMin+2 letters, their deletions one less
			add(lx.fuzzyPre[string(tok[:l])])
		}
	}
	if len(tok) >= lexFuzzyMin-1 {
		add(lx.fuzzy[string(tok)]) // tok lacks a letter
		for i := range tok {
			b := append(append((*buf)[:0], tok[:i]...), tok[i+1:]...)
			*buf = b
			add(lx.fuzzy[string(b)]) // tok has a letter more, or one changed
		}
	}
	return dst
}

func hasAny(have, want []uint16) bool {
	for _, h := range have {
		for _, w := range want {
			if h == w {
				return true
			}
		}
	}
	return false
}

func appendUnique(s []uint16, id uint16) []uint16 {
	if hasAny(s, []uint16{id}) {
		return s
	}
	return append(s, id)
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func insertSorted(s []int, v int) []int {
	i := 0
	for i < len(s) && s[i] < v {
		i++
	}
	s = append(s, 0)
	copy(s[i+1:], s[i:])
	s[i] = v
	return s
}
