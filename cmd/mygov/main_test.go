package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/catalonia/mygov/internal/config"
	"github.com/catalonia/mygov/privacy"
)

// env returns a getenv with the given variables and nothing else.
var env = config.MapEnv

// chat runs "mygov chat" on a fresh database with the lines as standard input.
func chat(t *testing.T, db string, getenv func(string) string, args []string, lines ...string) (stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"chat", "--db", db, "--demo"}, args...), getenv, strings.NewReader(strings.Join(lines, "\n")+"\n"), &out, &errb)
	if code != 0 {
		t.Fatalf("mygov chat exited %d\nstdout:\n%s\nstderr:\n%s", code, out.String(), errb.String())
	}
	return out.String(), errb.String()
}

// TestChatStatus is the first thing a newcomer tries: on a fresh database, Maria asks in
// Catalan and José in Spanish how their applications are going.
func TestChatStatus(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mygov.db")
	out, _ := chat(t, db, env(), []string{"--as", "+34600000001"}, "com va la meva sol·licitud?")
	for _, want := range []string{"EXP-2026-000101", "certificat de convivència"} {
		if !strings.Contains(out, want) {
			t.Errorf("Maria's answer lacks %q:\n%s", want, out)
		}
	}
	out, _ = chat(t, db, env(), []string{"--as", "+34600000002"}, "¿cómo va mi solicitud?")
	for _, want := range []string{"EXP-2026-000201", "en revisión"} {
		if !strings.Contains(out, want) {
			t.Errorf("José's answer lacks %q:\n%s", want, out)
		}
	}
}

// TestChatPrintsEachTurnInOrder checks that chat answers each line before reading the next:
// the replies come out in the order of the questions.
func TestChatPrintsEachTurnInOrder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mygov.db")
	out, _ := chat(t, db, env(), []string{"--as", "+34600000001"}, "hola", "com va la meva sol·licitud?", "adeu")
	i, j, k := strings.Index(out, "En què et puc ajudar"), strings.Index(out, "EXP-2026-000101"), strings.Index(out, "Gràcies a tu")
	if i < 0 || j < 0 || k < 0 || !(i < j && j < k) {
		t.Errorf("replies out of order (%d, %d, %d):\n%s", i, j, k, out)
	}
	if !strings.Contains(out, "  1. ") {
		t.Errorf("menus are not numbered:\n%s", out)
	}
}

// TestLogsHoldNoPersonalData runs a whole conversation with debug logging, verification
// and a failed turn included, and checks that no personal data reaches the logs.
func TestLogsHoldNoPersonalData(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mygov.db")
	getenv := env(config.EnvLogLevel, "debug")
	out, logs := chat(t, db, getenv, []string{"--as", "+34600000001"},
		"hola, soc la Maria Puig", "com va la meva sol·licitud?", "quines dades teniu de mi?",
		"87654321X", "01/01/1990", "12345678Z", "15/03/1984", "qui ha consultat les meves dades?",
		"quines ajudes puc demanar?", "el meu telèfon és 600 000 001", "adeu")
	if !strings.Contains(out, "Badalona") {
		t.Fatalf("the conversation did not reach verified data:\n%s", out)
	}
	if len(logs) == 0 {
		t.Fatalf("no logs at debug level: the check would prove nothing")
	}
	for _, secret := range []string{
		"+34600000001", "600000001", "600 000 001", "12345678Z", "5678Z", "87654321X", "15/03/1984", "1984-03-15",
		"Maria", "Puig", "Soler", "Badalona", "Layret", "sol·licitud", "dades", "adeu",
	} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs contain %q", secret)
		}
	}
}

func TestPrivacyExport(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mygov.db")
	chat(t, db, env(), []string{"--as", "+34600000001"}, "com va la meva sol·licitud?")
	var out, errb bytes.Buffer
	if code := run([]string{"privacy", "export", "--citizen", "cit-0001"}, env(config.EnvDB, db), nil, &out, &errb); code != 0 {
		t.Fatalf("export exited %d: %s", code, errb.String())
	}
	var x privacy.Export
	if err := json.Unmarshal(out.Bytes(), &x); err != nil {
		t.Fatalf("export is not JSON: %v", err)
	}
	if x.Citizen == nil || x.Citizen.NationalID != "12345678Z" || len(x.Applications) != 2 || len(x.Transcripts) != 1 || len(x.Transcripts[0].Messages) < 2 {
		t.Errorf("export = citizen %v, %d applications, %d conversations", x.Citizen, len(x.Applications), len(x.Transcripts))
	}
	out.Reset()
	if code := run([]string{"privacy", "erase", "--citizen", "cit-0001"}, env(config.EnvDB, db), nil, &out, &errb); code != 0 {
		t.Fatalf("erase exited %d: %s", code, errb.String())
	}
	if code := run([]string{"privacy", "export", "--citizen", "nobody"}, env(config.EnvDB, db), nil, &out, &errb); code != 1 {
		t.Errorf("export of an unknown citizen exited %d, want 1", code)
	}
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"Help", []string{"help"}, 0},
		{"Unknown", []string{"frobnicate"}, 2},
		{"ChatBadLang", []string{"chat", "--lang", "fr"}, 2},
		{"ChatBadPhone", []string{"chat", "--as", "600000001; DROP TABLE"}, 2},
		{"SeedWithoutWhat", []string{"seed"}, 2},
		{"PrivacyWithoutCitizen", []string{"privacy", "export"}, 2},
		{"ServeExtraArgs", []string{"serve", "now"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if got := run(tt.args, env(), strings.NewReader(""), &out, &errb); got != tt.code {
				t.Errorf("exit %d, want %d\n%s", got, tt.code, errb.String())
			}
		})
	}
}

// TestChatBadInput feeds chat what a terminal or a pipe can send: an empty line, a line of
// 200,000 characters, invalid UTF-8, control characters. Each gets a polite reply.
func TestChatBadInput(t *testing.T) {
	db := filepath.Join(t.TempDir(), "mygov.db")
	out, _ := chat(t, db, env(), []string{"--as", "+34600000001"},
		"", strings.Repeat("x", 200000), "\xff\xfe\xfd", "\x1b[2J\x00", "com va la meva sol·licitud?")
	if n := strings.Count(out, "No he vist cap pregunta"); n != 2 {
		t.Errorf("%d polite replies to empty input, want 2:\n%s", n, out)
	}
	// What is left of a terminal escape ("[2J") is not understood: the citizen is asked.
	if !strings.Contains(out, "No sé si t'he entès bé") {
		t.Errorf("no clarifying question for the escape sequence:\n%s", out)
	}
	if !strings.Contains(out, "massa llarg") {
		t.Errorf("no reply to the long line:\n%s", out)
	}
	if !strings.Contains(out, "EXP-2026-000101") {
		t.Errorf("the conversation did not go on after bad input:\n%s", out)
	}
}
