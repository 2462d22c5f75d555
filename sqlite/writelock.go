package sqlite

import (
	"context"
	"slices"
	"sync"
)

// writeLock lets one transaction of a Store at a time at the database's write lock, in
// the order they asked, the urgent ones before the others. The zero value is unlocked.
// It is safe for concurrent use.
type writeLock struct {
	mu             sync.Mutex
	held           bool
	urgent, normal []chan struct{} // the waiting, in order
}

// lock waits for the lock, or returns ctx's error.
func (l *writeLock) lock(ctx context.Context, urgent bool) error {
	l.mu.Lock()
	if !l.held {
		l.held = true
		l.mu.Unlock()
		return nil
	}
	turn := make(chan struct{})
	if urgent {
		l.urgent = append(l.urgent, turn)
	} else {
		l.normal = append(l.normal, turn)
	}
	l.mu.Unlock()
	select {
	case <-turn:
		return nil
	case <-ctx.Done():
	}
	l.mu.Lock()
	if i := slices.Index(l.urgent, turn); i >= 0 {
		l.urgent = slices.Delete(l.urgent, i, i+1)
	} else if i := slices.Index(l.normal, turn); i >= 0 {
		l.normal = slices.Delete(l.normal, i, i+1)
	} else { // handed over meanwhile: hand it on
		l.mu.Unlock()
		l.unlock()
		return context.Cause(ctx)
	}
	l.mu.Unlock()
	return context.Cause(ctx)
}

// unlock hands the lock to the first urgent waiter, else the first other one.
func (l *writeLock) unlock() {
	l.mu.Lock()
	defer l.mu.Unlock()
	var next chan struct{}
	switch {
	case len(l.urgent) > 0:
		next, l.urgent = l.urgent[0], l.urgent[1:]
	case len(l.normal) > 0:
		next, l.normal = l.normal[0], l.normal[1:]
	default:
		l.held = false
		return
	}
	close(next)
}
