// Package e2e holds what the channels' end-to-end tests share to run "mygov serve" as a
// process: building it, a free port, its output, its health.
package e2e

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BuildMygov builds cmd/mygov into the test's temporary folder and returns its path.
func BuildMygov(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "mygov")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/catalonia/mygov/cmd/mygov")
	cmd.Dir = moduleRoot()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/mygov: %v\n%s", err, out)
	}
	return bin
}

// moduleRoot is the repository's root, two folders above this file.
func moduleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// FreeAddr returns a loopback address with a port free at the time of the call.
func FreeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// WaitHealthy polls url until it answers 200, failing the test after timeout.
func WaitHealthy(t testing.TB, url string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s not healthy within %v", url, timeout)
}

// CleanEnv returns the environment without MyGov's, Twilio's and Telegram's settings, so a
// test decides them all.
func CleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "MYGOV_") || strings.HasPrefix(kv, "TWILIO_") ||
			strings.HasPrefix(kv, "TELEGRAM_") || strings.HasPrefix(kv, "DATABASE_URL=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// Buffer is a bytes.Buffer safe for the concurrent writes of a process's output.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Serve runs `mygov serve`, built by BuildMygov, on a fresh SQLite file and a free address
// with env added to CleanEnv, waits until it is healthy and returns its base URL, which is
// also its MYGOV_PUBLIC_URL. When the test ends the process gets SIGTERM, and its output is
// logged if the test failed.
func Serve(t *testing.T, env ...string) string {
	t.Helper()
	public, _ := Start(t, BuildMygov(t), filepath.Join(t.TempDir(), "mygov.db"), env...)
	return public
}

// Start is Serve with the binary and the SQLite file given (a test may prepare the file
// with other subcommands first); it also returns the process's output.
func Start(t *testing.T, bin, db string, env ...string) (string, *Buffer) {
	t.Helper()
	addr := FreeAddr(t)
	public := "http://" + addr
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "--demo") // its database is named: seed it
	cmd.Env = append(append(CleanEnv(),
		"MYGOV_ADDR="+addr,
		"MYGOV_DB="+db,
		"MYGOV_PUBLIC_URL="+public,
	), env...)
	logs := &Buffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start mygov serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("mygov serve output:\n%s", logs.String())
		}
	})
	WaitHealthy(t, public+"/healthz", 60*time.Second)
	return public, logs
}
