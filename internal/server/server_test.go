package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestRunServesHealthAndStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{Addr: "127.0.0.1:0", Mux: http.NewServeMux(), Log: slog.New(slog.DiscardHandler)}
	done := make(chan error, 1)
	addrc := make(chan net.Addr, 1)
	go func() { done <- s.Run(ctx, func(a net.Addr) { addrc <- a }) }()
	addr := <-addrc
	resp, err := http.Get("http://" + addr.String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || string(body) != "ok\n" {
		t.Errorf("GET /healthz = %d %q", resp.StatusCode, body)
	}
	// Hostile and unknown requests get an HTTP error, not a crash.
	for _, path := range []string{"/healthz/%2e%2e/%2e%2e/etc/passwd", "/" + strings.Repeat("a", 8000), "/%00"} {
		if resp, err := http.Get("http://" + addr.String() + path); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				t.Errorf("GET %.40s = 200", path)
			}
		}
	}
	if resp, err := http.Post("http://"+addr.String()+"/healthz", "text/plain", nil); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusMethodNotAllowed {
			t.Errorf("POST /healthz = %d, want 405", resp.StatusCode)
		}
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
}

func TestRunReturnsALoopsError(t *testing.T) {
	broken := errors.New("polling: unauthorized")
	s := &Server{Addr: "127.0.0.1:0", Mux: http.NewServeMux(), Log: slog.New(slog.DiscardHandler),
		Loops: map[string]func(context.Context) error{
			"ok":     func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() },
			"broken": func(context.Context) error { return broken },
		}}
	err := s.Run(context.Background(), func(net.Addr) {})
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "broken") {
		t.Errorf("Run = %v, want the loop's error, naming the loop", err)
	}
}

func TestRunCannotListen(t *testing.T) {
	s := &Server{Addr: "256.0.0.1:http", Mux: http.NewServeMux(), Log: slog.New(slog.DiscardHandler)}
	if err := s.Run(context.Background(), func(net.Addr) { t.Error("ready called") }); err == nil {
		t.Error("Run on a bad address = nil")
	}
}
