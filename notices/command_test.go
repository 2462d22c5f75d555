package notices

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSweepCommand(t *testing.T) {
	s, _, bs := sweepFixture(t, 50)
	s.Benefits = len(bs)
	open := func(context.Context) (*Sweep, io.Closer, error) { return s, io.NopCloser(nil), nil }
	var out, errb bytes.Buffer
	if code := SweepCommand(context.Background(), nil, open, &out, &errb); code != 0 || !strings.HasPrefix(out.String(), "Swept 50 citizens × ") {
		t.Errorf("sweep: exit %d, output %q %q", code, out.String(), errb.String())
	}
	opened := false
	openFails := func(context.Context) (*Sweep, io.Closer, error) {
		opened = true
		return nil, nil, errors.New("no database")
	}
	if code := SweepCommand(context.Background(), []string{"now"}, openFails, io.Discard, io.Discard); code != 2 || opened {
		t.Errorf("sweep now: exit %d (want 2), opened %v", code, opened)
	}
	errb.Reset()
	if code := SweepCommand(context.Background(), nil, openFails, io.Discard, &errb); code != 1 || !strings.Contains(errb.String(), "no database") {
		t.Errorf("sweep without a database: exit %d, %q", code, errb.String())
	}
}
