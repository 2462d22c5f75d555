package delivery

import (
	"context"
	"sync"
	"time"
)

// pacer spaces the sends of one channel to at most rate a second in this process. It is
// safe for concurrent use.
type pacer struct {
	every time.Duration

	mu   sync.Mutex
	next time.Time
}

func newPacer(rate float64) *pacer {
	if rate <= 0 {
		return nil
	}
	return &pacer{every: time.Duration(float64(time.Second) / rate)}
}

// wait takes the next slot and waits for it, or returns ctx's error.
func (p *pacer) wait(ctx context.Context) error {
	if p == nil {
		return nil
	}
	p.mu.Lock()
	now := time.Now()
	slot := p.next
	if slot.Before(now) {
		slot = now
	}
	p.next = slot.Add(p.every)
	p.mu.Unlock()
	if d := slot.Sub(now); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return context.Cause(ctx)
		case <-t.C:
		}
	}
	return nil
}

// pacerFor returns the pacer of channel, nil when its rate is not limited.
func (w *Worker) pacerFor(channel string) *pacer {
	w.pacersOnce.Do(func() {
		w.pacers = map[string]*pacer{}
		for ch, rate := range w.Rates {
			w.pacers[ch] = newPacer(rate)
		}
	})
	return w.pacers[channel]
}
