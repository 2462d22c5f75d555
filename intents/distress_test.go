package intents

import (
	"bufio"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
)

// Targets of the distress detector (issue 9): recall on the labelled distress messages, and
// false alarms on the intent holdouts, whose messages show no distress.
const (
	distressRecallTarget     = 0.95
	distressFalseAlarmTarget = 0.005
)

type distressExample struct {
	Text     string `json:"text"`
	Lang     string `json:"lang"`
	Distress string `json:"distress"`
}

func readDistress(t *testing.T, path string) []distressExample {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []distressExample
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var ex distressExample
		if err := json.Unmarshal(sc.Bytes(), &ex); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		out = append(out, ex)
	}
	return out
}

// TestDistressRecall measures the detector on intents/testdata/distress.jsonl (written
// apart from the lexicon, both languages) and on the intent holdouts, and fails under the
// targets. `go test -run TestDistressRecall -v ./intents` prints the figures.
func TestDistressRecall(t *testing.T) {
	// distress.jsonl was written first and the lexicon tuned on it; distress-fresh.jsonl and
	// distress-heldout.jsonl were written later, measured once untouched (README-figures.md),
	// then tuned on as well. distress-street-tune.jsonl and distress-street-test.jsonl are one
	// messy set (typos, SMS spellings, indirect wording) split at random: the lexicon was tuned
	// on the first half only and the second measured once (README-figures.md). Their messages
	// labelled with no category use the same words without distress and count as calm.
	var labelled, negatives []distressExample
	for _, p := range distressSets {
		for _, ex := range readDistress(t, p) {
			if ex.Distress == "" {
				negatives = append(negatives, ex)
			} else {
				labelled = append(labelled, ex)
			}
		}
	}
	if len(labelled) < 100 {
		t.Fatalf("only %d labelled distress messages", len(labelled))
	}
	var found, right int
	byCat := map[string][2]int{}
	for _, ex := range labelled {
		got := DetectDistress(ex.Text)
		c := byCat[ex.Distress]
		c[1]++
		if len(got) > 0 {
			found++
		}
		if slices.Contains(got, ex.Distress) {
			right++
			c[0]++
		} else {
			t.Logf("missed %s (%s): %q → %v", ex.Distress, ex.Lang, ex.Text, got)
		}
		byCat[ex.Distress] = c
	}
	recall := float64(right) / float64(len(labelled))
	t.Logf("distress recall (right category): %d of %d = %.3f; detected at all: %d = %.3f", right, len(labelled), recall, found, float64(found)/float64(len(labelled)))
	for _, cat := range dialog.DistressCategories {
		t.Logf("  %-9s %d of %d", cat, byCat[cat][0], byCat[cat][1])
	}
	if recall < distressRecallTarget {
		t.Errorf("distress recall %.3f, target ≥ %.2f", recall, distressRecallTarget)
	}

	calm := readExamples(t, "testdata/holdout-ca.jsonl", "testdata/holdout-es.jsonl")
	real := map[string]bool{}
	src, err := os.ReadFile("testdata/distress-in-holdout.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(src), "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			real[line] = false
		}
	}
	for _, ex := range negatives {
		calm = append(calm, Example{Text: ex.Text, Lang: ex.Lang})
	}
	alarms, calmCount := 0, 0
	for _, ex := range calm {
		got := DetectDistress(ex.Text)
		if _, ok := real[ex.Text]; ok {
			real[ex.Text] = true
			if len(got) == 0 {
				t.Logf("missed distress in the holdout: %q", ex.Text)
			}
			continue
		}
		calmCount++
		if len(got) > 0 {
			alarms++
			t.Logf("false alarm %v: %q", got, ex.Text)
		}
	}
	for text, seen := range real {
		if !seen {
			t.Errorf("distress-in-holdout.txt lists %q, which no holdout has", text)
		}
	}
	rate := float64(alarms) / float64(calmCount)
	t.Logf("distress false alarms on the intent holdouts and %d hard negatives: %d of %d = %.4f (%d holdout messages that show distress left out)", len(negatives), alarms, calmCount, rate, len(real))
	if rate > distressFalseAlarmTarget {
		t.Errorf("false alarm rate %.4f, target ≤ %.3f", rate, distressFalseAlarmTarget)
	}
}

func TestLexicon(t *testing.T) {
	lx, err := parseLexicon("test", `
# comment
a: sin comer
a: =pega
b: desahuc* casa|pis
`)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, text string
		want       []string
	}{
		{"Exact", "llevo tres dias sin comer", []string{"a"}},
		{"Gap", "sin nada que comer", []string{"a"}},
		{"GapTooWide", "sin que yo pueda hoy ni manana comer", nil},
		{"OrderMatters", "comer sin", nil},
		{"TypoMissingLetter", "sin comr", []string{"a"}},
		{"TypoExtraLetter", "sin commer", []string{"a"}},
		{"ExactOnlyWord", "me paga", nil},
		{"ExactOnlyWordHit", "me pega", []string{"a"}},
		{"StemAccentsFolded", "desahucio de la casa", []string{"b"}},
		{"StemTypo", "desauciar del pis", []string{"b"}},
		{"Nothing", "com va la meva sol·licitud", nil},
		{"Empty", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var n normalizer
			var s lexScratch
			n.run(tt.text)
			var got []string
			for _, h := range lx.match(&n, &s) {
				if !slices.Contains(got, lx.cats[h.cat]) {
					got = append(got, lx.cats[h.cat])
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("match(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestLexiconErrors(t *testing.T) {
	for _, src := range []string{"no colon here", "a:", ": x", "a: two-words"} {
		if _, err := parseLexicon("bad", src); err == nil {
			t.Errorf("parseLexicon(%q) = nil error", src)
		}
	}
}

func TestClassifyFindsDistressAspectTopic(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ text, kind, want string }{
		{"me quieren desahuciar y tengo una niña pequeña", dialog.EntityDistress, dialog.DistressHousing},
		{"fins quan tinc per entregar-lo?", dialog.EntityAspect, dialog.AspectDeadline},
		{"quant em toca pagar d'IBI?", dialog.EntityTopic, dialog.TopicTax},
	}
	for _, tt := range tests {
		cls := c.Classify(t.Context(), tt.text)
		e, ok := cls.Entity(tt.kind)
		if !ok || e.Value != tt.want {
			t.Errorf("Classify(%q) %s = %+v, want %s", tt.text, tt.kind, e, tt.want)
		}
	}
}

// BenchmarkLexicons measures the lexicons Classify runs besides the model (distress,
// aspects, topics, statuses, matched in one pass) on benchTexts, normalization included: its share of
// BenchmarkClassify is what the lexicons cost.
func BenchmarkLexicons(b *testing.B) {
	var n normalizer
	var s lexScratch
	var ents []dialog.Entity
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		text := benchTexts[i%len(benchTexts)]
		n.run(text)
		ents = appendLexicon(ents[:0], lexicons, text, &n, &s)
		i++
	}
}

// TestDistressHostileInput runs the detector on empty, oversized, invalid and hostile text:
// it must not panic, and a distress phrase past MaxRunes is not read.
func TestDistressHostileInput(t *testing.T) {
	long := strings.Repeat("bla ", 50000) + "em vull matar"
	tests := []struct {
		name, text string
		want       []string
	}{
		{"Empty", "", nil},
		{"Spaces", "   \n\t ", nil},
		{"InvalidUTF8", "no tinc res per menjar \xff\xfe", []string{dialog.DistressHunger}},
		{"Oversized", long, nil},
		{"Emoji", "😭😭😭 no tengo nada para comer 😭", []string{dialog.DistressHunger}},
		{"Shouting", "ME QUIEREN DESAHUCIAR!!!!!!", []string{dialog.DistressHousing}},
		{"Markup", "<script>alert(1)</script> {{.Evil}} %s", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := DetectDistress(tt.text); !slices.Equal(got, tt.want) {
				t.Errorf("DetectDistress = %v, want %v", got, tt.want)
			}
		})
	}
}
