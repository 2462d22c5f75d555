package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// fakeOutbox is an in-memory outbox with claims, as the stores implement them.
type fakeOutbox struct {
	mu        sync.Mutex
	now       time.Time
	msgs      map[int64]*fakeMsg
	optedOut  map[string]bool
	marks     []string
	failClaim error
}

type fakeMsg struct {
	o       dialog.Outbound
	status  string
	lease   time.Time
	tries   int
	started time.Time
}

func newOutbox(os ...dialog.Outbound) *fakeOutbox {
	l := &fakeOutbox{now: time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC), msgs: map[int64]*fakeMsg{}, optedOut: map[string]bool{}}
	for _, o := range os {
		l.msgs[o.ID] = &fakeMsg{o: o, status: dialog.DeliveryQueued}
	}
	return l
}

func (f *fakeOutbox) MarkOutbound(ctx context.Context, id int64, status, providerID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.marks = append(f.marks, fmt.Sprintf("%d:%s:%s", id, status, providerID))
	if m := f.msgs[id]; m != nil {
		m.status = status
	}
	return nil
}

func (f *fakeOutbox) SetOptedOut(ctx context.Context, channel, address string, out bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.optedOut[channel+":"+address] = out
	return nil
}

func (f *fakeOutbox) ClaimOutbound(ctx context.Context, conversationID, upTo int64, lease time.Duration) ([]Claim, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failClaim != nil {
		return nil, f.failClaim
	}
	var queued []*fakeMsg
	for _, m := range f.msgs {
		if m.o.ConversationID == conversationID && m.o.ID <= upTo && m.status == dialog.DeliveryQueued {
			queued = append(queued, m)
		}
	}
	slices.SortFunc(queued, func(a, b *fakeMsg) int { return int(a.o.ID - b.o.ID) })
	var out []Claim
	for _, m := range queued {
		if m.lease.After(f.now) {
			break
		}
		if m.tries == 0 {
			m.started = f.now
		}
		m.tries++
		m.lease = f.now.Add(lease)
		out = append(out, Claim{Outbound: m.o, OptedOut: f.optedOut[m.o.Channel+":"+m.o.Address], Unsure: m.tries > 1, Since: m.started,
			Lease: m.lease})
	}
	return out, nil
}

func (f *fakeOutbox) OutboundQueued(ctx context.Context, id int64) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m := f.msgs[id]
	return m != nil && m.status == dialog.DeliveryQueued, nil
}

func (f *fakeOutbox) UnclaimOutbound(ctx context.Context, claims ...Claim) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range claims {
		if m := f.msgs[c.ID]; m != nil && m.status == dialog.DeliveryQueued && m.tries > 0 && m.lease.Equal(c.Lease) {
			m.lease = time.Time{}
			if m.tries--; m.tries == 0 {
				m.started = time.Time{}
			}
		}
	}
	return nil
}

func (f *fakeOutbox) ProviderIDRecorded(ctx context.Context, providerID string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, m := range f.marks {
		if strings.HasSuffix(m, ":"+providerID) {
			return true, nil
		}
	}
	return false, nil
}

func (f *fakeOutbox) ReleaseOutbound(ctx context.Context, c Claim, unsure bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m := f.msgs[c.ID]; m != nil && m.status == dialog.DeliveryQueued && m.lease.Equal(c.Lease) {
		m.lease = time.Time{}
		if !unsure {
			m.tries, m.started = 0, time.Time{}
		}
	}
	return nil
}

// expire ends every claim, as the lease of a crashed worker ends.
func (f *fakeOutbox) expire() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(time.Hour)
}

func (f *fakeOutbox) status(id int64) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.msgs[id].status
}

// provider records the replies sent, in order.
type provider struct {
	mu   sync.Mutex
	sent []int64
	fail func(o dialog.Outbound, n int) error // n: how many sends of o before this one
	seen map[int64]int
}

func (p *provider) Send(ctx context.Context, o dialog.Outbound) (string, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.seen == nil {
		p.seen = map[int64]int{}
	}
	n := p.seen[o.ID]
	p.seen[o.ID]++
	if p.fail != nil {
		if err := p.fail(o, n); err != nil {
			return "", err
		}
	}
	p.sent = append(p.sent, o.ID)
	return fmt.Sprintf("P%d", o.ID), nil
}

func (p *provider) sends() []int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.sent)
}

// finder is a provider that can look a reply up, as Twilio can.
type finder struct {
	*provider
	accepted map[int64]bool // taken by the provider although the send failed
	same     []string       // ids of earlier replies the lookup also finds
	lookups  int
}

func (f *finder) FindSent(ctx context.Context, o dialog.Outbound, since time.Time) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lookups++
	ids := slices.Clone(f.same) // replies with the same text, sent before
	if f.accepted[o.ID] || slices.Contains(f.sent, o.ID) {
		ids = append([]string{fmt.Sprintf("P%d", o.ID)}, ids...)
	}
	return ids, nil
}

func reply(id, conv int64) dialog.Outbound {
	return dialog.Outbound{ID: id, ConversationID: conv, Channel: "sms", Address: fmt.Sprintf("+3460000%04d", conv),
		Reply: dialog.Reply{Lines: []dialog.Text{dialog.T("greeting")}}}
}

func job(o dialog.Outbound, attempt int) *river.Job[Job] {
	return &river.Job[Job]{JobRow: &rivertype.JobRow{ID: o.ID, Attempt: attempt, MaxAttempts: MaxAttempts, CreatedAt: time.Now()}, Args: JobOf(o)}
}

func worker(l *fakeOutbox, s Sender, obs Observer) *Worker {
	return &Worker{Outbox: l, Logger: slog.New(slog.DiscardHandler), Senders: map[string]Sender{"sms": s}, Observer: obs}
}

func TestWork(t *testing.T) {
	tests := []struct {
		name      string
		optedOut  bool
		final     bool
		sendErr   error
		wantSends int
		wantMark  string
		check     func(t *testing.T, err error)
		wantOpted bool
	}{
		{name: "Sent", wantSends: 1, wantMark: "7:sent:P7", check: noErr},
		{name: "OptedOutSkipped", optedOut: true, wantSends: 0, wantMark: "7:skipped:", check: noErr, wantOpted: true},
		{name: "FinalReplyReachesOptedOut", optedOut: true, final: true, wantSends: 1, wantMark: "7:sent:P7", check: noErr, wantOpted: true},
		{name: "RetryAfterSnoozes", sendErr: &dialog.RetryAfterError{After: 3 * time.Second, Err: errors.New("429")}, wantSends: 0,
			check: func(t *testing.T, err error) {
				var snooze *river.JobSnoozeError
				if !errors.As(err, &snooze) || snooze.Duration != 3*time.Second {
					t.Errorf("err = %v, want a 3s snooze", err)
				}
			}},
		{name: "PermanentFails", sendErr: fmt.Errorf("403 blocked: %w", dialog.ErrPermanent), wantMark: "7:failed:", check: noErr},
		{name: "CarrierOptOutMarksAddress", sendErr: fmt.Errorf("21610: %w", dialog.ErrOptedOut), wantMark: "7:failed:", check: noErr, wantOpted: true},
		{name: "TransientRetries", sendErr: errors.New("connection reset"),
			check: func(t *testing.T, err error) {
				var cancel *river.JobCancelError
				var snooze *river.JobSnoozeError
				if err == nil || errors.As(err, &cancel) || errors.As(err, &snooze) {
					t.Errorf("err = %v, want a plain error River retries", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := reply(7, 1)
			o.Reply.Final = tt.final
			l := newOutbox(o)
			if tt.optedOut {
				l.SetOptedOut(context.Background(), o.Channel, o.Address, true)
			}
			p := &provider{fail: func(dialog.Outbound, int) error { return tt.sendErr }}
			err := worker(l, p, nil).Work(context.Background(), job(o, 1))
			tt.check(t, err)
			if got := len(p.sends()); got != tt.wantSends {
				t.Errorf("sends = %d, want %d", got, tt.wantSends)
			}
			if tt.wantMark != "" && (len(l.marks) != 1 || l.marks[0] != tt.wantMark) {
				t.Errorf("marks = %v, want [%s]", l.marks, tt.wantMark)
			}
			if got := l.optedOut[o.Channel+":"+o.Address]; got != tt.wantOpted {
				t.Errorf("opted out = %v, want %v", got, tt.wantOpted)
			}
		})
	}
}

func TestWorkUnknownChannel(t *testing.T) {
	o := reply(1, 1)
	o.Channel = "fax"
	isCancel(t, worker(newOutbox(o), &provider{}, nil).Work(context.Background(), job(o, 1)))
}

func TestWorkClaimFails(t *testing.T) {
	o := reply(1, 1)
	l := newOutbox(o)
	l.failClaim = errors.New("db down")
	p := &provider{}
	if err := worker(l, p, nil).Work(context.Background(), job(o, 1)); err == nil || len(p.sends()) != 0 {
		t.Errorf("err = %v, sends = %d: a reply must not go out unclaimed, its opt-out unknown", err, len(p.sends()))
	}
}

// Defect 2: the job of a later reply sends the earlier ones first; their own jobs then
// find nothing to send.
func TestWorkSendsConversationInOrder(t *testing.T) {
	os := []dialog.Outbound{reply(1, 1), reply(2, 1), reply(3, 1), reply(4, 2)}
	l := newOutbox(os...)
	p := &provider{}
	w := worker(l, p, nil)
	for _, id := range []int{2, 0, 3, 1} {
		noErr(t, w.Work(context.Background(), job(os[id], 1)))
	}
	if got, want := p.sends(), []int64{1, 2, 3, 4}; !slices.Equal(got, want) {
		t.Errorf("sent %v, want %v", got, want)
	}
}

// Defect 2 across workers: jobs of one conversation run at once, in any order; every
// reply goes out once, in order.
func TestWorkConcurrentJobsKeepOrder(t *testing.T) {
	const convs, per = 5, 20
	var os []dialog.Outbound
	for i := range convs * per {
		os = append(os, reply(int64(i+1), int64(i%convs)))
	}
	l := newOutbox(os...)
	p := &provider{}
	w := worker(l, p, nil)
	var wg sync.WaitGroup
	for _, i := range rand.Perm(len(os)) {
		wg.Go(func() { noErr(t, workSnoozed(w, job(os[i], 1))) })
	}
	wg.Wait()
	sent := p.sends()
	if len(sent) != len(os) {
		t.Fatalf("sent %d replies, want %d", len(sent), len(os))
	}
	last := map[int64]int64{}
	for _, id := range sent {
		c := int64((id - 1) % convs)
		if id <= last[c] {
			t.Errorf("conversation %d: reply %d after %d", c, id, last[c])
		}
		last[c] = id
	}
}

// A job whose conversation has an earlier reply held by another worker sends nothing and
// is snoozed, which uses no attempt; once the holder is done it finds its reply sent, or
// sends it.
func TestWorkHeldEarlierReplySnoozes(t *testing.T) {
	os := []dialog.Outbound{reply(1, 1), reply(2, 1)}
	l := newOutbox(os...)
	p := &provider{}
	w := worker(l, p, nil)
	if c, _ := l.ClaimOutbound(context.Background(), 1, 1, time.Minute); len(c) != 1 {
		t.Fatal("could not claim")
	}
	var snooze *river.JobSnoozeError
	if err := w.Work(context.Background(), job(os[1], 1)); !errors.As(err, &snooze) || snooze.Duration <= 0 {
		t.Fatalf("err = %v, want a snooze", err)
	}
	if got := p.sends(); len(got) != 0 {
		t.Fatalf("sent %v while an earlier reply was held", got)
	}
	l.MarkOutbound(context.Background(), 1, dialog.DeliverySent, "P1") // the holder sent it
	noErr(t, w.Work(context.Background(), job(os[1], 1)))
	if got := p.sends(); !slices.Equal(got, []int64{2}) {
		t.Errorf("sent %v, want [2]", got)
	}
}

// A job that fails on one reply gives back the claims of the replies after it untouched,
// so the next job sends them, in order, without a lookup.
func TestWorkFailureGivesBackLaterClaims(t *testing.T) {
	os := []dialog.Outbound{reply(1, 1), reply(2, 1), reply(3, 1)}
	l := newOutbox(os...)
	f := &finder{provider: &provider{}}
	f.fail = func(o dialog.Outbound, n int) error {
		if o.ID == 2 && n == 0 {
			return errors.New("connection reset")
		}
		return nil
	}
	w := worker(l, f, nil)
	if err := w.Work(context.Background(), job(os[2], 1)); err == nil {
		t.Fatal("a failed send reported success")
	}
	noErr(t, w.Work(context.Background(), job(os[2], 2)))
	if got := f.sends(); !slices.Equal(got, []int64{1, 2, 3}) || f.lookups != 1 {
		t.Errorf("sent %v with %d lookups; want [1 2 3], one lookup (of the unsure second)", got, f.lookups)
	}
}

// workSnoozed runs j until it is not snoozed, as River runs a snoozed job again.
func workSnoozed(w *Worker, j *river.Job[Job]) error {
	for {
		err := w.Work(context.Background(), j)
		var snooze *river.JobSnoozeError
		if !errors.As(err, &snooze) {
			return err
		}
		time.Sleep(snooze.Duration / 10)
	}
}

// Defect 3: a job run again after its reply went out (a rescue after a crash) sends
// nothing.
func TestWorkAlreadySentIsNotResent(t *testing.T) {
	o := reply(1, 1)
	l := newOutbox(o)
	p := &provider{}
	w := worker(l, p, nil)
	noErr(t, w.Work(context.Background(), job(o, 1)))
	noErr(t, w.Work(context.Background(), job(o, 2)))
	if got := p.sends(); len(got) != 1 {
		t.Errorf("sent %v, want one send", got)
	}
}

// Defect 3: a worker that crashed after the provider took the reply and before the store
// recorded it left a claim; once it expires, the reply is looked up, not sent again.
func TestWorkCrashAfterSendIsLookedUp(t *testing.T) {
	o := reply(1, 1)
	l := newOutbox(o)
	f := &finder{provider: &provider{}, accepted: map[int64]bool{1: true}}
	if c, _ := l.ClaimOutbound(context.Background(), 1, 1, time.Minute); len(c) != 1 {
		t.Fatal("could not claim")
	}
	l.expire() // the crashed worker's lease ends
	noErr(t, worker(l, f, nil).Work(context.Background(), job(o, 2)))
	if got := f.sends(); len(got) != 0 || f.lookups != 1 {
		t.Errorf("sends %v, lookups %d; want none and one", got, f.lookups)
	}
	if got := l.status(1); got != dialog.DeliverySent {
		t.Errorf("status = %s, want sent", got)
	}
}

// Defect 6: a send that timed out after the provider took it is looked up before the
// retry, so the citizen gets one SMS.
func TestWorkTimeoutThenLookup(t *testing.T) {
	o := reply(1, 1)
	l := newOutbox(o)
	f := &finder{provider: &provider{}, accepted: map[int64]bool{}}
	f.fail = func(o dialog.Outbound, n int) error {
		if n == 0 {
			f.accepted[o.ID] = true // taken, but the answer never came
			return context.DeadlineExceeded
		}
		return nil
	}
	w := worker(l, f, nil)
	if err := w.Work(context.Background(), job(o, 1)); err == nil {
		t.Fatal("a timed-out send reported success")
	}
	noErr(t, w.Work(context.Background(), job(o, 2)))
	if got := f.sends(); len(got) != 0 {
		t.Errorf("sent again after a timeout the provider had accepted: %v", got)
	}
	if f.lookups != 1 || l.status(1) != dialog.DeliverySent {
		t.Errorf("lookups = %d, status = %s; want 1, sent", f.lookups, l.status(1))
	}
}

// A lookup that finds only an earlier reply with the same text, recorded, sends again:
// a reply is never taken for another one.
func TestWorkLookupSkipsRecordedReplies(t *testing.T) {
	o := reply(2, 1)
	l := newOutbox(o)
	l.MarkOutbound(context.Background(), 1, dialog.DeliverySent, "P1")
	f := &finder{provider: &provider{}, accepted: map[int64]bool{}, same: []string{"P1"}}
	if c, _ := l.ClaimOutbound(context.Background(), 1, 2, time.Minute); len(c) != 1 {
		t.Fatal("could not claim")
	}
	l.expire()
	noErr(t, worker(l, f, nil).Work(context.Background(), job(o, 2)))
	if got := f.sends(); !slices.Equal(got, []int64{2}) || f.lookups != 1 {
		t.Errorf("sends %v, lookups %d; want [2] and 1", got, f.lookups)
	}
}

// A send refused outright (the provider answered) is not looked up before the retry.
func TestWorkDefiniteFailureIsNotLookedUp(t *testing.T) {
	o := reply(1, 1)
	l := newOutbox(o)
	f := &finder{provider: &provider{}}
	f.fail = func(o dialog.Outbound, n int) error {
		if n == 0 {
			return &dialog.RetryAfterError{After: time.Second, Err: errors.New("429")}
		}
		return nil
	}
	w := worker(l, f, nil)
	w.Work(context.Background(), job(o, 1))
	noErr(t, w.Work(context.Background(), job(o, 1)))
	if f.lookups != 0 || len(f.sends()) != 1 {
		t.Errorf("lookups = %d, sends = %v", f.lookups, f.sends())
	}
}

// Defect 5: when the retries run out, the reply is marked failed, counted and logged at
// ERROR; it does not stay queued in silence.
func TestWorkGivesUpLoudly(t *testing.T) {
	o := reply(1, 1)
	l := newOutbox(o)
	var logs bytes.Buffer
	obs := &countObserver{}
	w := worker(l, &provider{fail: func(dialog.Outbound, int) error { return errors.New("HTTP 500") }}, obs)
	w.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	j := job(o, MaxAttempts)
	isCancel(t, w.Work(context.Background(), j))
	if got := l.status(1); got != dialog.DeliveryFailed {
		t.Errorf("status = %s, want failed", got)
	}
	if obs.failed["sms:gave_up"] != 1 {
		t.Errorf("failures counted = %v", obs.failed)
	}
	if !strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("no ERROR log:\n%s", logs.String())
	}
}

// Defect 5: an outage of an hour is retried, not given up: the backoff is capped and the
// attempts last longer than the outage.
func TestRetriesOutlastAnHourOutage(t *testing.T) {
	w := &Worker{}
	total := time.Duration(0)
	for attempt := 1; attempt < MaxAttempts; attempt++ {
		d := time.Until(w.NextRetry(&river.Job[Job]{JobRow: &rivertype.JobRow{Attempt: attempt}}))
		if d > DefaultMaxBackoff+time.Second {
			t.Errorf("attempt %d: retry in %v, over the cap", attempt, d)
		}
		total += d
	}
	if total < time.Hour {
		t.Errorf("retries span %v, want over an hour", total)
	}
}

func TestWorkTimeoutIsTheLease(t *testing.T) {
	w := &Worker{Lease: 7 * time.Second}
	if got := w.Timeout(nil); got != 7*time.Second {
		t.Errorf("Timeout = %v", got)
	}
}

type countObserver struct {
	mu                         sync.Mutex
	attempted, failed, retried map[string]int
}

func (c *countObserver) add(m *map[string]int, k string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[k]++
}
func (c *countObserver) Attempted(ch, o string) { c.add(&c.attempted, ch+":"+o) }
func (c *countObserver) Failed(ch, r string)    { c.add(&c.failed, ch+":"+r) }
func (c *countObserver) Retried(ch, r string)   { c.add(&c.retried, ch+":"+r) }

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("err = %v", err)
	}
}

func isCancel(t *testing.T, err error) {
	t.Helper()
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Errorf("err = %v, want the job cancelled", err)
	}
}
