package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"sync"
	"time"

	"github.com/catalonia/mygov/records"
)

// Marks of sent replies are written in groups: each send's MarkOutbound waits for its
// group's commit, and the group is whatever marks arrived while the previous one was being
// written, so no mark waits for a timer, and under load one transaction, one commit,
// records many sends. On SQLite, where every write takes the database's one lock, this is
// what lets delivery keep up with the turns; on PostgreSQL it saves each send a
// transaction of its own.

// maxMarkGroup bounds the marks written in one transaction.
const maxMarkGroup = 128

// markTimeout bounds the writing of one group.
const markTimeout = 30 * time.Second

// mark is one MarkOutbound call.
type mark struct {
	id                 int64
	status, providerID string
}

type markRequest struct {
	mark
	done chan error // buffered: the writer never waits for the caller
}

// markWriter writes the marks of a Store: writers goroutines take groups from reqs. It is
// started on the first mark and stopped by Store.Close.
type markWriter struct {
	s       *Store
	writers int

	once sync.Once
	reqs chan markRequest
	quit chan struct{}
	wg   sync.WaitGroup
}

// markWriters is how many groups are written at once: one where writes take the
// database's one lock (they would only wait for each other), a few where rows are locked.
func markWriters(d Dialect) int {
	if d.ForUpdate() == "" {
		return 1
	}
	return 4
}

var errStoreClosed = errors.New("store closed")

// mark queues m and waits for its group to be written.
func (w *markWriter) mark(ctx context.Context, m mark) error {
	w.once.Do(w.start)
	r := markRequest{mark: m, done: make(chan error, 1)}
	select {
	case w.reqs <- r:
	case <-w.quit:
		return errStoreClosed
	case <-ctx.Done():
		return context.Cause(ctx)
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		return context.Cause(ctx) // the mark may still be written
	}
}

func (w *markWriter) start() {
	for range w.writers {
		w.wg.Go(w.run)
	}
}

// stop ends the writers once the groups being written are done; later marks fail.
func (w *markWriter) stop() {
	w.once.Do(func() {}) // no writer starts after this
	select {
	case <-w.quit:
	default:
		close(w.quit)
	}
	w.wg.Wait()
}

func (w *markWriter) run() {
	for {
		var group []markRequest
		select {
		case r := <-w.reqs:
			group = append(group, r)
		case <-w.quit:
			return
		}
	more:
		for len(group) < maxMarkGroup {
			select {
			case r := <-w.reqs:
				group = append(group, r)
			default:
				break more
			}
		}
		w.write(group)
	}
}

// write writes a group in one transaction holding the locks of its provider ids' receipts,
// taken in order of name (so two groups never wait for each other in a circle), and tells
// each caller its outcome. When the transaction fails, each mark is written alone, so one
// failing mark fails no other.
func (w *markWriter) write(group []markRequest) {
	ctx, cancel := context.WithTimeout(context.Background(), markTimeout)
	defer cancel()
	slices.SortFunc(group, func(a, b markRequest) int { return cmp.Compare(a.providerID, b.providerID) })
	outcomes := make([]error, len(group))
	err := w.s.deliveryWrite(ctx, "", func(q conn) error {
		for i, r := range group {
			if r.providerID != "" && (i == 0 || group[i-1].providerID != r.providerID) {
				if err := w.s.d.Lock(ctx, q.tx, lockName("receipt", r.providerID)); err != nil {
					return err
				}
			}
			outcomes[i] = q.markOutbound(ctx, w.s.now(), r.mark)
			if outcomes[i] != nil && records.ErrorCode(outcomes[i]) != records.ENOTFOUND {
				return outcomes[i]
			}
		}
		return nil
	})
	if err != nil && len(group) > 1 {
		for _, r := range group {
			w.write([]markRequest{r})
		}
		return
	}
	for i, r := range group {
		r.done <- cmp.Or(err, outcomes[i])
	}
}
