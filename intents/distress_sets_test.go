package intents

import (
	"slices"
	"strings"
	"testing"
)

// distressSetFigures measures one labelled distress file: recall (right category) on its
// distress messages, and false alarms on its negatives (messages labelled with no category,
// which use the same words without distress).
func distressSetFigures(t *testing.T, path string) (right, pos, alarms, neg int) {
	t.Helper()
	for _, ex := range readDistress(t, path) {
		got := DetectDistress(ex.Text)
		if ex.Distress == "" {
			neg++
			if len(got) > 0 {
				alarms++
				t.Logf("%s: false alarm %v: %q", path, got, ex.Text)
			}
			continue
		}
		pos++
		if slices.Contains(got, ex.Distress) {
			right++
		} else {
			t.Logf("%s: missed %s (%s): %q → %v", path, ex.Distress, ex.Lang, ex.Text, got)
		}
	}
	return right, pos, alarms, neg
}

// distressSets are the labelled distress files, in the order they were written.
var distressSets = []string{"testdata/distress.jsonl", "testdata/distress-fresh.jsonl", "testdata/distress-heldout.jsonl", "testdata/distress-street-tune.jsonl", "testdata/distress-street-test.jsonl"}

// TestDistressSets prints recall and false alarms per labelled file.
// `go test -run TestDistressSets -v ./intents`.
func TestDistressSets(t *testing.T) {
	for _, p := range distressSets {
		right, pos, alarms, neg := distressSetFigures(t, p)
		t.Logf("%s: recall %d of %d = %.3f; false alarms %d of %d", p, right, pos, float64(right)/float64(pos), alarms, neg)
	}
}

// TestDistressRuledOut checks that a "!category" pattern drops only its own category.
func TestDistressRuledOut(t *testing.T) {
	tests := []struct {
		text string
		want []string
	}{
		{"desahucio: qué documentos necesito para el trámite?", nil},
		{"mañana nos desahucian", []string{"housing"}},
		{"quins papers necessito? el meu home em pega", []string{"violence"}},
		{"vull fer de voluntari al banc d'aliments", nil},
		{"", nil},
		{strings.Repeat("requisitos ", 2000), nil},
	}
	for _, tt := range tests {
		if got := DetectDistress(tt.text); !slices.Equal(got, tt.want) {
			t.Errorf("DetectDistress(%.40q) = %v, want %v", tt.text, got, tt.want)
		}
	}
}
