package sqlite

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
)

// The write lock goes to the urgent waiters first, then the others, each in order.
func TestWriteLockUrgentFirst(t *testing.T) {
	var l writeLock
	ctx := context.Background()
	if err := l.lock(ctx, false); err != nil {
		t.Fatal(err)
	}
	var (
		mu  sync.Mutex
		got []string
		wg  sync.WaitGroup
	)
	wait := func(name string, urgent bool) {
		l.mu.Lock()
		queued := len(l.urgent) + len(l.normal)
		l.mu.Unlock()
		wg.Go(func() {
			if err := l.lock(ctx, urgent); err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			got = append(got, name)
			mu.Unlock()
			l.unlock()
		})
		for { // until it waits
			l.mu.Lock()
			n := len(l.urgent) + len(l.normal)
			l.mu.Unlock()
			if n > queued {
				return
			}
		}
	}
	wait("turn1", false)
	wait("turn2", false)
	wait("mark1", true)
	wait("mark2", true)
	l.unlock()
	wg.Wait()
	if want := []string{"mark1", "mark2", "turn1", "turn2"}; !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
	if l.held {
		t.Error("still held after every waiter unlocked")
	}
}

// A waiter whose context ends leaves the queue, and the lock goes on to the next.
func TestWriteLockCancelledWaiter(t *testing.T) {
	var l writeLock
	if err := l.lock(context.Background(), false); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- l.lock(ctx, true) }()
	for {
		l.mu.Lock()
		n := len(l.urgent)
		l.mu.Unlock()
		if n == 1 {
			break
		}
	}
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want canceled", err)
	}
	l.unlock()
	if err := l.lock(context.Background(), false); err != nil || !l.held {
		t.Errorf("lock after a cancelled waiter: %v", err)
	}
	l.unlock()
}
