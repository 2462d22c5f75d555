package server

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

// Profile serves Go's profiles on an address of their own, nothing when none is given,
// and only logs when the address is taken.
func TestProfile(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	Profile(ctx, "", log)
	if logs.Len() != 0 {
		t.Errorf("no address, yet: %s", logs.String())
	}
	Profile(ctx, addr, log)
	resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "goroutine profile") {
		t.Errorf("GET goroutine profile: %d %.80q", resp.StatusCode, body)
	}
	logs.Reset()
	Profile(ctx, addr, log) // taken by the first
	if !strings.Contains(logs.String(), "profiles not served") {
		t.Errorf("a taken address was not logged: %q", logs.String())
	}
}
