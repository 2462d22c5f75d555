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

// The lexicons Classify runs on every message besides the model: distress first.
var (
	distressLexicon = mustLexicon("lexicon/distress.txt", dialog.DistressCategories)
	aspectLexicon   = mustLexicon("lexicon/aspects.txt", dialog.Aspects)
	topicLexicon    = mustLexicon("lexicon/topics.txt", dialog.Topics)
	statusLexicon   = mustLexicon("lexicon/statuses.txt", statusNames())
)

func statusNames() []string {
	out := make([]string, 0, len(records.Statuses))
	for _, s := range records.Statuses {
		out = append(out, string(s))
	}
	return out
}

// mustLexicon parses an embedded lexicon whose categories must all be in known. The
// lexicons are part of the binary, so an error is a programming error (and a test fails).
func mustLexicon(name string, known []string) *lexicon {
	src, err := lexiconFiles.ReadFile(name)
	if err != nil {
		panic(fmt.Sprintf("intents: %s: %v", name, err))
	}
	lx, err := parseLexicon(name, string(src))
	if err != nil {
		panic(err.Error())
	}
	for _, c := range lx.cats {
		if !slices.Contains(known, c) {
			panic(fmt.Sprintf("intents: %s: unknown category %q", name, c))
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
	for _, e := range appendLexicon(nil, distressLexicon, dialog.EntityDistress, text, &n, &s) {
		out = append(out, e.Value)
	}
	return out
}

// appendLexicon appends one entity for each category of lx found in the normalized text,
// in the order of dialog's category lists (most urgent or most specific first), spanning the
// first phrase found of that category.
func appendLexicon(dst []dialog.Entity, lx *lexicon, kind, text string, n *normalizer, s *lexScratch) []dialog.Entity {
	hits := lx.match(n, s)
	if len(hits) == 0 {
		return dst
	}
	from := len(dst)
	for _, h := range hits {
		cat := lx.cats[h.cat]
		dup := false
		for _, e := range dst[from:] {
			dup = dup || e.Value == cat
		}
		if dup {
			continue
		}
		os, oe := n.toks[h.first].os, n.toks[h.last].oe
		dst = append(dst, dialog.Entity{Kind: kind, Value: cat, Text: strings.Clone(text[os:oe])})
	}
	order := categoryOrder(kind)
	slices.SortStableFunc(dst[from:], func(a, b dialog.Entity) int {
		return slices.Index(order, a.Value) - slices.Index(order, b.Value)
	})
	return dst
}

func categoryOrder(kind string) []string {
	switch kind {
	case dialog.EntityDistress:
		return dialog.DistressCategories
	case dialog.EntityAspect:
		return dialog.Aspects
	case dialog.EntityStatus:
		return statusNames()
	}
	return dialog.Topics
}
