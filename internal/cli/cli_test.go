package cli

import (
	"bytes"
	"strings"
	"testing"
)

func TestHelp(t *testing.T) {
	tests := []struct {
		cmd      string
		code     int
		want     []string // in the help printed
		wantNone []string // not in it: other commands' entries
	}{
		{"serve", ExitOK, []string{"mygov [serve]"}, []string{"mygov chat"}},
		{"chat", ExitOK, []string{"mygov chat --as", "chat in the terminal"}, []string{"mygov seed"}},
		{"seed", ExitOK, []string{"--demo", "--synthetic N"}, []string{"mygov apikey"}},
		{"staff", ExitOK, []string{"staff add", "staff list", "inbox accounts"}, []string{"mygov classify"}},
		{"version", ExitOK, []string{"print the version"}, []string{"mygov train"}},
		{"frobnicate", ExitUsage, nil, nil},
		{"", ExitUsage, nil, nil},
		{"mygov", ExitUsage, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			var out, errb bytes.Buffer
			if got := Help(tt.cmd, &out, &errb); got != tt.code {
				t.Fatalf("Help(%q) = %d, want %d", tt.cmd, got, tt.code)
			}
			if tt.code != ExitOK {
				if out.Len() != 0 || !strings.Contains(errb.String(), "unknown command") {
					t.Errorf("stdout %q, stderr %q", out.String(), errb.String())
				}
				return
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("help lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.wantNone {
				if strings.Contains(out.String(), w) {
					t.Errorf("help has %q:\n%s", w, out.String())
				}
			}
		})
	}
}

func TestWantsHelp(t *testing.T) {
	tests := []struct {
		args []string
		want bool
	}{
		{nil, false},
		{[]string{"--help"}, true},
		{[]string{"export", "-h"}, true},
		{[]string{"-help"}, true},
		{[]string{"--", "--help"}, false},
		{[]string{"--citizen", "-h-"}, false},
	}
	for _, tt := range tests {
		if got := WantsHelp(tt.args); got != tt.want {
			t.Errorf("WantsHelp(%q) = %v, want %v", tt.args, got, tt.want)
		}
	}
}

func TestAction(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		action string
		rest   int
		ok     bool
	}{
		{"Export", []string{"export", "--citizen", "x"}, "export", 2, true},
		{"Erase", []string{"erase"}, "erase", 0, true},
		{"Empty", nil, "", 0, false},
		{"Unknown", []string{"delete", "--citizen", "x"}, "", 0, false},
		{"FlagFirst", []string{"--citizen", "x", "export"}, "", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			action, rest, ok := Action(tt.args, "usage: mygov privacy export|erase", &errb, "export", "erase")
			if action != tt.action || len(rest) != tt.rest || ok != tt.ok {
				t.Errorf("Action = %q, %q, %v; want %q, %d more, %v", action, rest, ok, tt.action, tt.rest, tt.ok)
			}
			if gotUsage := strings.Contains(errb.String(), "usage:"); gotUsage == ok {
				t.Errorf("usage printed %v with ok %v", gotUsage, ok)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	if got := Version("v1.2.3"); got != "v1.2.3" {
		t.Errorf("Version(v1.2.3) = %q", got)
	}
	if got := Version(""); got == "" {
		t.Error("Version(\"\") is empty")
	}
}
