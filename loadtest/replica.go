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
	bin  string
	env  []string
	log  io.Writer

	mu   sync.Mutex
	url  string // http://127.0.0.1:PORT
	cmd  *exec.Cmd
	done chan struct{}
	up   bool
}

// newReplica prepares a replica of bin.
func newReplica(name, bin string, env []string, log io.Writer) *Replica {
	return &Replica{Name: name, bin: bin, env: env, log: log}
}

// freeAddr returns a loopback address with a free port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Start starts the process on a free port and waits until /readyz answers 200. A port
// taken meanwhile (by an outgoing connection) is tried again on another.
func (r *Replica) Start(ctx context.Context) error {
	var err error
	for range 5 {
		if err = r.start(ctx); err == nil || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (r *Replica) start(ctx context.Context) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	cmd := exec.Command(r.bin, "serve")
	cmd.Env = append(append(os.Environ(), r.env...), "MYGOV_ADDR="+addr)
	cmd.Stdout, cmd.Stderr = io.Discard, r.log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("loadtest: start %s: %w", r.Name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	r.mu.Lock()
	r.cmd, r.done, r.url = cmd, done, "http://"+addr
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
		resp, err := http.Get("http://" + addr + "/readyz")
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

// Up reports whether the replica is running and ready, and its URL.
func (r *Replica) Up() (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.url, r.up
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
