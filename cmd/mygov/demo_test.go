package main

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

// TestNamedDatabaseIsNeverSeededUnasked checks that a database the operator named stays
// empty of the demo citizens unless --demo asks for them.
func TestNamedDatabaseIsNeverSeededUnasked(t *testing.T) {
	db := filepath.Join(t.TempDir(), "named.db")
	var out, errb bytes.Buffer
	code := run([]string{"chat", "--db", db, "--as", "+34600000001"}, env(), strings.NewReader("com va la meva sol·licitud?\n"), &out, &errb)
	if code != 0 {
		t.Fatalf("mygov chat exited %d: %s", code, errb.String())
	}
	if strings.Contains(out.String(), "EXP-2026-000101") {
		t.Errorf("a named database got the demo data:\n%s", out.String())
	}
}
