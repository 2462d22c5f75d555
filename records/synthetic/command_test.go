package synthetic

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/catalonia/mygov/records"
)

type fakeStore struct {
	citizens, chunks int
	err              error
}

func (f *fakeStore) Seed(_ context.Context, d *records.Dataset) error {
	f.citizens, f.chunks = f.citizens+len(d.Citizens), f.chunks+1
	return f.err
}

func TestSeedCommand(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		storeErr error
		code     int
		citizens int // seeded
		after    bool
		out      string
	}{
		{"Demo", []string{"--demo"}, nil, 0, 15, true, "Loaded 15 citizens"},
		{"Synthetic", []string{"--synthetic", "1500", "--seed", "7"}, nil, 0, 1500, false, "Loaded 1500 synthetic citizens"},
		{"Nothing", nil, nil, 2, 0, false, ""},
		{"Both", []string{"--demo", "--synthetic", "3"}, nil, 2, 0, false, ""},
		{"Negative", []string{"--synthetic", "-3"}, nil, 2, 0, false, ""},
		{"NotANumber", []string{"--synthetic", "many"}, nil, 2, 0, false, ""},
		{"UnknownFlag", []string{"--demo", "--all"}, nil, 2, 0, false, ""},
		{"StoreFails", []string{"--demo"}, errors.New("disk full"), 1, 15, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := &fakeStore{err: tt.storeErr}
			after := false
			opened := false
			open := func(context.Context) (Target, io.Closer, error) {
				opened = true
				return Target{Store: st, Where: "the test", AfterDemo: func(context.Context) error { after = true; return nil }}, io.NopCloser(nil), nil
			}
			var out, errb bytes.Buffer
			if got := SeedCommand(context.Background(), tt.args, open, &out, &errb); got != tt.code {
				t.Fatalf("exit %d, want %d: %s", got, tt.code, errb.String())
			}
			if tt.code == 2 && opened {
				t.Error("a wrong command line opened the store")
			}
			if st.citizens != tt.citizens || after != tt.after || !strings.Contains(out.String(), tt.out) {
				t.Errorf("seeded %d citizens (want %d), after demo %v (want %v), output %q", st.citizens, tt.citizens, after, tt.after, out.String())
			}
		})
	}
}
