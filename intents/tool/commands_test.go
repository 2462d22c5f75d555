package tool

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/catalonia/mygov/intents"
)

// renda is a gazetteer with one procedure.
func renda(context.Context) ([]intents.Procedure, error) {
	return []intents.Procedure{{ID: "rgc", Names: []string{"renda garantida"}}}, nil
}

func classify(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = ClassifyCommand(context.Background(), args, renda, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestClassifyCommand(t *testing.T) {
	code, out, stderr := classify(t, "com va la renda garantida?\n¿cómo va mi solicitud?\n")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "status\t") || !strings.HasSuffix(lines[0], "\tca") || !strings.HasSuffix(lines[1], "\tes") {
		t.Errorf("output:\n%s", out)
	}
}

func TestClassifyCommandJSONNamesTheProcedure(t *testing.T) {
	code, out, stderr := classify(t, "com va la renda garantida?", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res struct {
		Intent   string
		Entities []struct{ Kind, Value string }
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if res.Intent != "status" || !strings.Contains(out, "rgc") {
		t.Errorf("result %s, want status naming rgc", out)
	}
}

// TestClassifyCommandBadInput: every line of hostile input gets one result line; an empty
// input gets none.
func TestClassifyCommandBadInput(t *testing.T) {
	tests := []struct {
		name, in string
		lines    int
	}{
		{"Empty", "", 0},
		{"BlankLine", "\n", 1},
		{"InvalidUTF8", "\xff\xfe\xfd\n", 1},
		{"ControlCharacters", "\x00\x1b[2J\n", 1},
		{"Overlong", strings.Repeat("renda ", 100_000) + "\nhola\n", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, stderr := classify(t, tt.in, "--json")
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if n := strings.Count(out, "\n"); n != tt.lines {
				t.Errorf("%d result lines, want %d:\n%.300s", n, tt.lines, out)
			}
		})
	}
}

func TestClassifyCommandErrors(t *testing.T) {
	if code, _, _ := classify(t, "", "extra"); code != 2 {
		t.Errorf("extra argument: exit %d, want 2", code)
	}
	if code, _, _ := classify(t, "", "--model", filepath.Join(t.TempDir(), "none.bin")); code != 1 {
		t.Errorf("missing model: exit %d, want 1", code)
	}
	var out, errb bytes.Buffer
	broken := func(context.Context) ([]intents.Procedure, error) { return nil, errors.New("database locked") }
	if code := ClassifyCommand(context.Background(), nil, broken, strings.NewReader("hola"), &out, &errb); code != 1 || !strings.Contains(errb.String(), "database locked") {
		t.Errorf("store error: exit %d, stderr %q", code, errb.String())
	}
}

// examples writes a small training set: two intents, a train and a dev partition.
func examples(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for i, s := range []string{"com va la meva sol·licitud", "estat del meu expedient", "com està el meu tràmit", "quines ajudes hi ha", "ajudes per a mi", "puc demanar alguna ajuda"} {
		label, part := "status", "train"
		if i >= 3 {
			label = "for_me"
		}
		for _, p := range []string{"train", "dev"} {
			part = p
			json.NewEncoder(&b).Encode(map[string]string{"text": s, "intent": label, "lang": "ca", "partition": part})
		}
	}
	p := filepath.Join(t.TempDir(), "ex.jsonl")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTrainThenEval(t *testing.T) {
	data := examples(t)
	model := filepath.Join(t.TempDir(), "m.bin")
	var out, errb bytes.Buffer
	if code := TrainCommand([]string{"--data", data, "--epochs", "3", "--out", model}, &out, &errb); code != 0 {
		t.Fatalf("train exit %d: %s", code, errb.String())
	}
	if !strings.Contains(out.String(), "wrote "+model) {
		t.Errorf("train output:\n%s", out.String())
	}
	out.Reset()
	if code := EvalCommand([]string{"--model", model, "--data", data, "--partition", "dev", "--lang", "--thresholds", "--errors", "3"}, &out, &errb); code != 0 {
		t.Fatalf("eval exit %d: %s", code, errb.String())
	}
	for _, want := range []string{"µs per example (6 examples", "threshold  coverage"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("eval output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestTrainAndEvalErrors(t *testing.T) {
	data := examples(t)
	bad := filepath.Join(t.TempDir(), "bad.jsonl")
	os.WriteFile(bad, []byte("{not json\n"), 0o600)
	tests := []struct {
		name string
		run  func(args []string, stdout, stderr *bytes.Buffer) int
		args []string
		code int
	}{
		{"TrainNoData", trainCmd, []string{"--out", "x"}, 2},
		{"TrainNoOut", trainCmd, []string{"--data", data}, 2},
		{"TrainMissingFile", trainCmd, []string{"--data", "/nonexistent.jsonl", "--out", filepath.Join(t.TempDir(), "m")}, 1},
		{"TrainMalformed", trainCmd, []string{"--data", bad, "--out", filepath.Join(t.TempDir(), "m")}, 1},
		{"EvalNoData", evalCmd, nil, 2},
		{"EvalEmptyPartition", evalCmd, []string{"--data", data, "--partition", "nope"}, 1},
		{"EvalMalformed", evalCmd, []string{"--data", bad}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := tt.run(tt.args, &out, &errb); code != tt.code {
				t.Errorf("exit %d, want %d: %s", code, tt.code, errb.String())
			}
		})
	}
}

func trainCmd(args []string, stdout, stderr *bytes.Buffer) int {
	return TrainCommand(args, stdout, stderr)
}
func evalCmd(args []string, stdout, stderr *bytes.Buffer) int {
	return EvalCommand(args, stdout, stderr)
}
