package loadtest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Replica is one "mygov serve" process. It is safe for concurrent use.
type Replica struct {
	Name string
	URL  string // http://127.0.0.1:PORT
	bin  string
	env  []string
	log  io.Writer

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	up   bool
}

// newReplica prepares a replica of bin listening on a free loopback port.
func newReplica(name, bin string, env []string, log io.Writer) (*Replica, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := ln.Addr().String()
	ln.Close()
	return &Replica{Name: name, URL: "http://" + addr, bin: bin, env: append(env, "MYGOV_ADDR="+addr), log: log}, nil
}

// Start starts the process and waits until /readyz answers 200.
func (r *Replica) Start(ctx context.Context) error {
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = append(os.Environ(), r.env...)
	cmd.Stdout, cmd.Stderr = io.Discard, r.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("loadtest: start %s: %w", r.Name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	r.mu.Lock()
	r.cmd, r.done = cmd, done
	r.mu.Unlock()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-done:
			return fmt.Errorf("loadtest: %s exited while starting", r.Name)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
		resp, err := http.Get(r.URL + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				r.mu.Lock()
				r.up = true
				r.mu.Unlock()
				return nil
			}
		}
	}
	return fmt.Errorf("loadtest: %s not ready after a minute", r.Name)
}

// Up reports whether the replica is running and ready.
func (r *Replica) Up() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.up
}

// Kill kills the process with SIGKILL, as a crash would, and waits for it to end.
func (r *Replica) Kill() { r.signal(syscall.SIGKILL) }

// Stop stops the process with SIGTERM and waits for it to end (SIGKILL after 30 s).
func (r *Replica) Stop() { r.signal(syscall.SIGTERM) }

func (r *Replica) signal(sig syscall.Signal) {
	r.mu.Lock()
	cmd, done := r.cmd, r.done
	r.up = false
	r.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(sig)
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		<-done
	}
}
