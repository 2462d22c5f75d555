package convtest_test

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/catalonia/mygov/dialog/convtest"
)

// target is the share of scenarios that must pass.
const target = 0.95

// TestConversations plays every scenario on SQLite and fails under target, or when a
// distress or privacy scenario fails: those must all pass.
// `go test -run TestConversations -v ./dialog/convtest` prints the rates by category.
func TestConversations(t *testing.T) {
	scenarios, err := convtest.Load()
	if err != nil {
		t.Fatal(err)
	}
	if len(scenarios) < 60 {
		t.Fatalf("only %d scenarios", len(scenarios))
	}
	results, err := convtest.Run(t.Context(), convtest.SQLite(t.TempDir()), scenarios)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	convtest.Report(&b, results, true)
	t.Log("\n" + b.String())
	for _, s := range convtest.Summarize(results) {
		rate := float64(s.Passed) / float64(s.Total)
		switch {
		case (s.Category == "distress" || s.Category == "privacy") && s.Passed < s.Total:
			t.Errorf("%s: %d of %d scenarios passed; every one must", s.Category, s.Passed, s.Total)
		case s.Category == "total" && rate < target:
			t.Errorf("%d of %d scenarios passed (%.3f), target ≥ %.2f", s.Passed, s.Total, rate, target)
		}
	}
}

func TestLoadRejectsIncompleteScenarios(t *testing.T) {
	_, err := convtest.LoadFS(oneFile(`[{"name": "x", "category": "c", "lang": "fr", "turns": [{"say": "hola"}]}]`), "s")
	if err == nil {
		t.Error("a scenario in French loaded")
	}
	_, err = convtest.LoadFS(oneFile(`[{"name": "x"`), "s")
	if err == nil {
		t.Error("broken JSON loaded")
	}
}

// oneFile returns a file system with one scenario file, s/a.json.
func oneFile(content string) fstest.MapFS {
	return fstest.MapFS{"s/a.json": &fstest.MapFile{Data: []byte(content)}}
}
