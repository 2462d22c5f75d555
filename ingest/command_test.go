package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/records"
)

type fakeKeys struct {
	hashes  map[int64][]byte
	revoked map[int64]bool
}

func (k *fakeKeys) CreateAPIKey(_ context.Context, admin string, hash []byte, _ time.Time) (int64, error) {
	id := int64(len(k.hashes) + 1)
	k.hashes[id] = hash
	return id, nil
}

func (k *fakeKeys) RevokeAPIKey(_ context.Context, id int64, _ time.Time) error {
	if _, ok := k.hashes[id]; !ok || k.revoked[id] {
		return records.Errorf(records.ENOTFOUND, "no key")
	}
	k.revoked[id] = true
	return nil
}

func (k *fakeKeys) FindAdministration(_ context.Context, id string) (*records.Administration, error) {
	return &records.Administration{ID: id}, nil
}

func TestKeysCommand(t *testing.T) {
	k := &fakeKeys{hashes: map[int64][]byte{}, revoked: map[int64]bool{}}
	open := func(context.Context) (Keys, io.Closer, error) { return k, io.NopCloser(nil), nil }
	var out, errb bytes.Buffer
	if code := KeysCommand(context.Background(), []string{"create", "--administration", "generalitat"}, open, &out, &errb); code != 0 {
		t.Fatalf("create: %d %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	token := lines[len(lines)-1]
	if !strings.HasPrefix(token, tokenPrefix) || !bytes.Equal(HashToken(token), k.hashes[1]) {
		t.Errorf("last line %q is not the token whose hash was stored", token)
	}
	if strings.Contains(strings.Join(lines[:len(lines)-1], "\n"), token) {
		t.Error("the token shows twice")
	}
	for _, tc := range []struct {
		args []string
		want int
	}{
		{[]string{"revoke", "--id", "1"}, 0},
		{[]string{"revoke", "--id", "1"}, 1},
		{[]string{"revoke", "--id", "x"}, 2},
		{[]string{"create"}, 2},
		{[]string{"rotate"}, 2},
		{nil, 2},
	} {
		if code := KeysCommand(context.Background(), tc.args, open, io.Discard, io.Discard); code != tc.want {
			t.Errorf("apikey %v = %d, want %d", tc.args, code, tc.want)
		}
	}
}

// TestImportCommand writes a file of records through the command: the summary is JSON, a
// refused record makes the exit 1, a wrong command line or a missing file touch nothing.
func TestImportCommand(t *testing.T) {
	e := newEnv(t)
	opened := 0
	open := func(context.Context) (Importer, io.Closer, error) {
		opened++
		admins := func(_ context.Context, id string) error {
			if id == "generalitat" {
				return nil
			}
			return records.Errorf(records.ENOTFOUND, "no administration")
		}
		return Importer{API: New(e.store, slog.New(slog.DiscardHandler)), Administration: admins}, io.NopCloser(nil), nil
	}
	good := `{"op": "status", "administration": "generalitat", "reference": "EXP-2026-000101", "body": ` + approve + `}`
	dir := t.TempDir()
	file := filepath.Join(dir, "records.jsonl")
	if err := os.WriteFile(file, []byte(good+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		stdin  string
		code   int
		opened bool
	}{
		{"File", []string{"--file", file}, "", 0, true},
		{"Stdin", []string{"--file", "-"}, good + "\n", 0, true},
		{"Refused", []string{"--file", "-"}, good + "\nnot json\n", 1, true},
		{"UnknownAdministration", []string{"--file", "-"}, strings.Replace(good, "generalitat", "nobody", 1), 1, true},
		{"Empty", []string{"--file", "-"}, "", 0, true},
		{"HugeLine", []string{"--file", "-"}, strings.Repeat("x", 5<<20), 1, true},
		{"NoFile", nil, "", 2, false},
		{"ExtraArgument", []string{"--file", file, "now"}, "", 2, false},
		{"MissingFile", []string{"--file", filepath.Join(dir, "absent.jsonl")}, "", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opened = 0
			var out, errb bytes.Buffer
			if code := ImportCommand(context.Background(), tt.args, open, strings.NewReader(tt.stdin), &out, &errb); code != tt.code {
				t.Fatalf("exit %d, want %d: %s", code, tt.code, errb.String())
			}
			if (opened > 0) != tt.opened {
				t.Errorf("opened the store %d times", opened)
			}
			if tt.opened {
				var s Summary
				if err := json.Unmarshal(out.Bytes(), &s); err != nil {
					t.Errorf("the summary is not JSON: %v\n%s", err, out.String())
				}
			}
		})
	}
}
