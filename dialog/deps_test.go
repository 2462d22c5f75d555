package dialog_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestDomainImportsNoAdapters fails when a domain package depends, even indirectly, on a
// database, channel, HTTP or ML package: those belong in the adapters.
func TestDomainImportsNoAdapters(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not found")
	}
	forbidden := []string{
		"github.com/jackc/pgx", "modernc.org/sqlite", "database/sql", "github.com/riverqueue",
		"github.com/go-telegram", "github.com/twilio", "github.com/nlpodyssey", "net/http",
		"github.com/catalonia/mygov/intents", "github.com/catalonia/mygov/channels",
		"github.com/catalonia/mygov/postgres", "github.com/catalonia/mygov/sqlite",
	}
	for _, pkg := range []string{"github.com/catalonia/mygov/dialog", "github.com/catalonia/mygov/records"} {
		out, err := exec.Command("go", "list", "-deps", pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list -deps %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		if len(deps) < 5 {
			t.Fatalf("go list -deps %s listed %d packages: %q", pkg, len(deps), out)
		}
		for _, d := range deps {
			for _, f := range forbidden {
				if d == f || strings.HasPrefix(d, f+"/") {
					t.Errorf("%s depends on %s", pkg, d)
				}
			}
		}
	}
}
