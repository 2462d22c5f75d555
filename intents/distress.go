package intents

import (
	"embed"
	"fmt"
	"slices"
	"strings"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

//go:embed lexicon/*.txt
var lexiconFiles embed.FS

// lexiconKinds maps each lexicon file to the entity kind it finds and the categories it may
// use, in the order the engine prefers them (most urgent or most specific first).
var lexiconKinds = []struct {
	file, kind string
	cats       []string
}{
	{"lexicon/distress.txt", dialog.EntityDistress, dialog.DistressCategories},
	{"lexicon/aspects.txt", dialog.EntityAspect, dialog.Aspects},
	{"lexicon/topics.txt", dialog.EntityTopic, dialog.Topics},
	{"lexicon/statuses.txt", dialog.EntityStatus, statusNames()},
}

// lexicons is every lexicon file in one: Classify matches it once per message. Its
// categories are "KIND:CATEGORY".
var lexicons = mustLexicons()

func statusNames() []string {
	out := make([]string, 0, len(records.Statuses))
	for _, s := range records.Statuses {
		out = append(out, string(s))
	}
	return out
}

// mustLexicons parses the embedded lexicons, whose categories must all be known. They are
// part of the binary, so an error is a programming error (and a test fails).
func mustLexicons() *lexicon {
	var srcs []lexSource
	for _, k := range lexiconKinds {
		b, err := lexiconFiles.ReadFile(k.file)
		if err != nil {
			panic(fmt.Sprintf("intents: %s: %v", k.file, err))
		}
		srcs = append(srcs, lexSource{Name: k.file, Prefix: k.kind + ":", Text: string(b)})
	}
	lx, err := parseLexicons(srcs...)
	if err != nil {
		panic(err.Error())
	}
	for _, c := range lx.cats {
		kind, cat, _ := strings.Cut(c, ":")
		cat = strings.TrimPrefix(cat, lexNot)
		if !slices.Contains(categoryOrder(kind), cat) {
			panic(fmt.Sprintf("intents: lexicon of %s: unknown category %q", kind, cat))
		}
	}
	return lx
}

// DetectDistress returns the distress categories of text (dialog.DistressHunger, …), most
// urgent first, or nil. Classify reports the same as entities of kind dialog.EntityDistress.
func DetectDistress(text string) []string {
	var n normalizer
	var s lexScratch
	n.run(text)
	var out []string
	for _, e := range appendLexicon(nil, lexicons, text, &n, &s) {
		if e.Kind == dialog.EntityDistress {
			out = append(out, e.Value)
		}
	}
	return out
}

// lexNot starts a category that rules another out: a "!housing" pattern found in a message
// drops every "housing" pattern found in it ("desahucio: qué documentos necesito" asks about
// a procedure and shows no distress).
const lexNot = "!"

// appendLexicon appends one entity for each category of lx found in the normalized text,
// spanning the first phrase found of that category, sorted by kind and, within a kind, in
// the order of dialog's lists (most urgent or most specific first).
func appendLexicon(dst []dialog.Entity, lx *lexicon, text string, n *normalizer, s *lexScratch) []dialog.Entity {
	hits := lx.match(n, s)
	if len(hits) == 0 {
		return dst
	}
	from := len(dst)
	var not []string // "KIND:CATEGORY" that a "!CATEGORY" pattern found rules out
	for _, h := range hits {
		if kind, cat, _ := strings.Cut(lx.cats[h.cat], ":"); strings.HasPrefix(cat, lexNot) {
			not = append(not, kind+":"+cat[len(lexNot):])
		}
	}
	for _, h := range hits {
		if slices.Contains(not, lx.cats[h.cat]) {
			continue
		}
		kind, cat, _ := strings.Cut(lx.cats[h.cat], ":")
		if strings.HasPrefix(cat, lexNot) {
			continue
		}
		if slices.ContainsFunc(dst[from:], func(e dialog.Entity) bool { return e.Kind == kind && e.Value == cat }) {
			continue
		}
		os, oe := n.toks[h.first].os, n.toks[h.last].oe
		dst = append(dst, dialog.Entity{Kind: kind, Value: cat, Text: strings.Clone(text[os:oe])})
	}
	slices.SortStableFunc(dst[from:], func(a, b dialog.Entity) int {
		if a.Kind != b.Kind {
			return kindIndex(a.Kind) - kindIndex(b.Kind)
		}
		order := categoryOrder(a.Kind)
		return slices.Index(order, a.Value) - slices.Index(order, b.Value)
	})
	return dst
}

func kindIndex(kind string) int {
	for i, k := range lexiconKinds {
		if k.kind == kind {
			return i
		}
	}
	return len(lexiconKinds)
}

func categoryOrder(kind string) []string {
	for _, k := range lexiconKinds {
		if k.kind == kind {
			return k.cats
		}
	}
	return nil
}
