package telegram

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/catalonia/mygov/dialog"
)

// Telegram's sending limits: about one message a second in a chat (short bursts are
// tolerated) and 30 a second overall.
const (
	chatRate    = 1.0
	chatBurst   = 3.0
	globalRate  = 30.0
	globalBurst = 30.0
)

// limiter keeps sends under Telegram's limits with token buckets: one shared, one per chat.
// It is safe for concurrent use. The limits hold for one process; replicas share Telegram's
// overall limit, so each should be given a part of it.
type limiter struct {
	now func() time.Time

	mu     sync.Mutex
	global bucket
	chats  map[int64]*bucket
	calls  int
	// sleep waits d or until ctx is done; replaced in tests.
	sleep func(ctx context.Context, d time.Duration) bool
}

// bucket is a token bucket; tokens go negative for reservations that must wait.
type bucket struct {
	rate, burst float64
	tokens      float64
	last        time.Time
}

func newLimiter(now func() time.Time) *limiter {
	return &limiter{
		now:    now,
		global: bucket{rate: globalRate, burst: globalBurst, tokens: globalBurst},
		chats:  map[int64]*bucket{},
		sleep:  sleep,
	}
}

// advance adds the tokens earned since the last call.
func (b *bucket) advance(now time.Time) {
	if !b.last.IsZero() && now.After(b.last) {
		b.tokens = min(b.burst, b.tokens+now.Sub(b.last).Seconds()*b.rate)
	}
	b.last = now
}

// delay is how long to wait before one token is available.
func (b *bucket) delay() time.Duration {
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) / b.rate * float64(time.Second))
}

// wait takes a token for chat from both buckets, sleeping until it may be used. When that
// would take longer than maxWait it takes nothing and returns a *dialog.RetryAfterError, so
// that the delivery worker snoozes the job instead of holding a worker.
func (l *limiter) wait(ctx context.Context, chat int64, maxWait time.Duration) error {
	l.mu.Lock()
	now := l.now()
	l.prune(now)
	cb := l.chats[chat]
	if cb == nil {
		cb = &bucket{rate: chatRate, burst: chatBurst, tokens: chatBurst, last: now}
		l.chats[chat] = cb
	}
	l.global.advance(now)
	cb.advance(now)
	d := max(l.global.delay(), cb.delay())
	if d > maxWait {
		l.mu.Unlock()
		return &dialog.RetryAfterError{After: d, Err: errRateLimited}
	}
	l.global.tokens--
	cb.tokens--
	l.mu.Unlock()
	if d > 0 && !l.sleep(ctx, d) {
		return ctx.Err()
	}
	return nil
}

// prune forgets, now and then, the chats whose buckets are full again.
func (l *limiter) prune(now time.Time) {
	l.calls++
	if l.calls%1024 != 0 {
		return
	}
	for id, b := range l.chats {
		b.advance(now)
		if b.tokens >= b.burst {
			delete(l.chats, id)
		}
	}
}

var errRateLimited = errors.New("telegram: send: local rate limit")
