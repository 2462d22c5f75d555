package ingest

import (
	"bytes"
	"context"
	"io"
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
