package telegram

import (
	"fmt"
	"sync"
)

// serializer runs the jobs of one key (a chat) one at a time, in the order they were
// submitted, and the jobs of different keys in parallel. A key's goroutine exits when its
// queue is empty. It is safe for concurrent use.
type serializer struct {
	mu     sync.Mutex
	queues map[int64][]func()
	wg     sync.WaitGroup
}

func newSerializer() *serializer {
	return &serializer{queues: map[int64][]func(){}}
}

// submit queues job behind the jobs of key submitted before it. job must not panic: run
// recovers and returns the panic as an error.
func (s *serializer) submit(key int64, job func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q, running := s.queues[key]
	s.queues[key] = append(q, job)
	if running {
		return
	}
	s.wg.Add(1)
	go s.drain(key)
}

func (s *serializer) drain(key int64) {
	defer s.wg.Done()
	for {
		s.mu.Lock()
		q := s.queues[key]
		if len(q) == 0 {
			delete(s.queues, key)
			s.mu.Unlock()
			return
		}
		job := q[0]
		q[0] = nil
		s.queues[key] = q[1:]
		s.mu.Unlock()
		job()
	}
}

// run queues fn for key, waits for it, and returns its error; a panic in fn is returned
// as an error.
func (s *serializer) run(key int64, fn func() error) error {
	done := make(chan error, 1)
	s.submit(key, func() { done <- safely(fn) })
	return <-done
}

// wait blocks until every queue is empty.
func (s *serializer) wait() { s.wg.Wait() }

// safely calls fn and turns a panic into an error, so that one bad update cannot stop the
// channel.
func safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("telegram: panic in turn: %v", r)
		}
	}()
	return fn()
}
