package locales_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/console"
	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/telegram"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
)

// dialogKeys returns the value of every Key… constant the dialog package declares, read
// from its source so that a key added there is checked without a list to keep up to date.
func dialogKeys(t *testing.T) map[string]string {
	t.Helper()
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "github.com/catalonia/mygov/dialog").Output()
	if err != nil {
		t.Fatalf("go list dialog: %v", err)
	}
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, strings.TrimSpace(string(out)), func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, f := range pkgs["dialog"].Files {
		ast.Inspect(f, func(n ast.Node) bool {
			vs, ok := n.(*ast.ValueSpec)
			if !ok {
				return true
			}
			for i, name := range vs.Names {
				// A KeyXPrefix is the start of keys built from data (checked by its own tests).
				if !strings.HasPrefix(name.Name, "Key") || strings.HasSuffix(name.Name, "Prefix") || i >= len(vs.Values) {
					continue
				}
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					t.Errorf("%s is not a string literal: the test cannot read it", name.Name)
					continue
				}
				keys[name.Name], _ = strconv.Unquote(lit.Value)
			}
			return false
		})
	}
	return keys
}

// TestDialogKeysExist fails when a catalog key the dialog uses is missing in a language:
// the catalog would show the citizen the raw key ("status.header") instead of a sentence.
func TestDialogKeysExist(t *testing.T) {
	c := locales.MustLoad()
	keys := dialogKeys(t)
	if len(keys) < 50 {
		t.Fatalf("found %d Key constants in dialog: the walk is broken", len(keys))
	}
	// Keys built from data: every status, category, channel and reason a reply can name.
	for _, s := range records.Statuses {
		keys["status "+string(s)] = dialog.PrefixStatus + string(s)
	}
	for _, cat := range append(append([]string{}, records.Categories...), records.RecordCategories...) {
		keys["category "+cat] = dialog.PrefixCategory + cat
	}
	channels := []string{console.Name, sms.Name, telegram.Name}
	for _, e := range demo.Dataset(time.Now()).AccessEvents {
		channels = append(channels, e.Channel)
	}
	for _, ch := range channels {
		keys["channel "+ch] = dialog.PrefixChannel + ch
	}
	for _, r := range []string{dialog.IntentStatus, dialog.IntentMyData, dialog.IntentDataUsage, dialog.IntentForMe} {
		keys["reason "+r] = dialog.PrefixReason + r
	}
	for name, key := range keys {
		for _, lang := range []string{dialog.LangCA, dialog.LangES} {
			if !c.Has(lang, key) {
				t.Errorf("%s (%q) is not in the %s catalog", name, key, lang)
			}
		}
	}
}
