package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/catalonia/mygov/internal/config"
)

// runOut runs mygov with args and the environment kv, and returns its exit code and output.
func runOut(t *testing.T, args []string, kv ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, env(kv...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpEverywhere(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"}, {"serve", "--help"}, {"migrate", "--help"}, {"migrate", "-h"},
		{"chat", "-h"}, {"seed", "--help"}, {"privacy", "--help"}, {"config", "--help"}, {"version", "-h"},
		{"train", "--help"}, {"eval", "-h"}, {"classify", "--help"}, {"staff", "--help"}, {"staff", "add", "-h"},
		{"apikey", "--help"}, {"import", "--help"}, {"sweep", "-h"}, {"evalconv", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			// An invalid setting must not stop help, and help must not run the command.
			code, out, errs := runOut(t, args, config.EnvSMSSegments, "abc", config.EnvDB, t.TempDir()+"/never.db")
			if code != 0 || !strings.Contains(out, "Usage:") {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
			}
		})
	}
}

// TestCommandsOnOneDatabase runs each command that opens the store on one database, in the
// order an operator would: each gets the part of the store its package declares.
func TestCommandsOnOneDatabase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "ops.db")
	file := filepath.Join(t.TempDir(), "records.jsonl")
	record := `{"op": "status", "administration": "generalitat", "reference": "EXP-2026-000101", "body": {"status": "approved"}}`
	if err := os.WriteFile(file, []byte(record+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string // in the output
	}{
		{[]string{"migrate"}, "is up to date"},
		{[]string{"seed", "--demo"}, "Loaded 15 citizens"},
		{[]string{"staff", "list"}, "treballadora@badalona.demo"},
		{[]string{"apikey", "create", "--administration", "generalitat"}, "API key 1 of generalitat"},
		{[]string{"import", "--file", file}, `"status": 1`},
		{[]string{"sweep"}, "Swept 15 citizens"},
		{[]string{"seed", "--synthetic", "5"}, "Loaded 5 synthetic citizens"},
	} {
		code, out, errs := runOut(t, tc.args, config.EnvDB, db)
		if code != 0 || !strings.Contains(out, tc.want) {
			t.Errorf("mygov %s: exit %d, output lacks %q:\n%s\n%s", strings.Join(tc.args, " "), code, tc.want, out, errs)
		}
	}
}

func TestUnknownCommandHelp(t *testing.T) {
	if code, _, _ := runOut(t, []string{"frobnicate", "--help"}); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runOut(t, []string{"version"})
	if code != 0 || !strings.HasPrefix(out, "mygov ") {
		t.Errorf("exit %d, output %q", code, out)
	}
}

// TestInvalidConfiguration: an invalid configuration stops every command that needs it,
// naming the variable (internal/config tests each check); config check says the same.
func TestInvalidConfiguration(t *testing.T) {
	kv := []string{config.EnvSMSSegments, "abc", config.EnvTwilioSID, "AC1", config.EnvTwilioToken, "sec-ret!", config.EnvTwilioFrom, "+34600000000"}
	for _, args := range [][]string{{"serve"}, {}, {"chat"}, {"migrate"}, {"privacy", "export", "--citizen", "x"}} {
		t.Run(strings.Join(append([]string{"mygov"}, args...), " "), func(t *testing.T) {
			code, _, errs := runOut(t, args, kv...)
			if code != 2 {
				t.Errorf("exit %d, want 2", code)
			}
			for _, w := range []string{"invalid configuration", config.EnvSMSSegments, "whole number", config.EnvPublicURL, "missing"} {
				if !strings.Contains(errs, w) {
					t.Errorf("message lacks %q:\n%s", w, errs)
				}
			}
			if strings.Contains(errs, "sec-ret!") {
				t.Errorf("message shows the token:\n%s", errs)
			}
		})
	}
	if code, _, errs := runOut(t, []string{"config", "check"}, kv...); code != 1 || !strings.Contains(errs, config.EnvSMSSegments) {
		t.Errorf("config check: exit %d\n%s", code, errs)
	}
}
