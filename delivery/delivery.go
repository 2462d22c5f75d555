// Package delivery sends the replies of the outbox: a River worker takes each stored
// dialog.Outbound job and hands the conversation's queued replies, oldest first, to the
// Sender of their channel, honouring opt-outs, rate limits and the providers' retry hints.
// See doc.go for the guarantees and their limits.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/riverqueue/river"
)

// Sender sends one reply on its channel. It returns the provider's id for the message
// (empty when the channel has none). Errors it cannot recover from wrap dialog.ErrPermanent
// (dialog.ErrOptedOut when the recipient opted out at the provider); a provider's "slow
// down" is a *dialog.RetryAfterError. Any other error leaves the outcome unknown: the
// provider may have taken the message.
type Sender interface {
	Send(ctx context.Context, o dialog.Outbound) (providerID string, err error)
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, o dialog.Outbound) (string, error)

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, o dialog.Outbound) (string, error) { return f(ctx, o) }

// Finder is a Sender that can find out whether a send whose outcome is unknown reached the
// provider: FindSent returns the provider ids of the messages that may be o, created at
// the provider since the first try, most likely first. The worker takes the first that
// no other reply has recorded.
type Finder interface {
	FindSent(ctx context.Context, o dialog.Outbound, since time.Time) (providerIDs []string, err error)
}

// Job is the River job of one reply to deliver: the store enqueues it with the reply, in
// the turn's transaction. It names the reply, whose text the store alone keeps (a claim
// reads it, see Outbox.ClaimOutbound): a job row holds nothing of the citizen's to erase,
// however long River keeps it, and the turn writes the text once. Its JSON keys are
// dialog.Outbound's, which the jobs of earlier versions carried whole.
type Job struct {
	ID             int64  `json:"id"` // the stored reply's
	ConversationID int64  `json:"conversation_id"`
	Channel        string `json:"channel"`
	// LastInbound is when the citizen last wrote (dialog.Outbound.LastInbound), which the
	// stored reply does not keep.
	LastInbound time.Time `json:"last_inbound,omitzero"`
}

// JobOf returns the job of the stored reply o.
func JobOf(o dialog.Outbound) Job {
	return Job{ID: o.ID, ConversationID: o.ConversationID, Channel: o.Channel, LastInbound: o.LastInbound}
}

// LogValue names the reply.
func (j Job) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", j.ID), slog.Int64("conversation", j.ConversationID), slog.String("channel", j.Channel))
}

// Kind names the delivery job.
func (Job) Kind() string { return "deliver_reply" }

// Outbox is what delivery needs of the store: the replies' statuses and the opt-outs, and
// the claims that make one worker at a time send a reply, in the conversation's order.
type Outbox interface {
	// MarkOutbound records the delivery status of a stored reply and the provider's id for it.
	MarkOutbound(ctx context.Context, id int64, status, providerID string) error
	// SetOptedOut marks or clears the opt-out of an address, outside any turn.
	SetOptedOut(ctx context.Context, channel, address string, optedOut bool) error
	// ClaimOutbound takes for lease the sends of the conversation's queued replies with ids
	// up to upTo, oldest first, stopping before the first one that another worker holds
	// (none when the oldest is held): a reply is sent by one worker at a time, and never
	// while an earlier reply of its conversation is held by another.
	ClaimOutbound(ctx context.Context, conversationID, upTo int64, lease time.Duration) ([]Claim, error)
	// OutboundQueued reports whether a reply is still queued: not sent, skipped or failed.
	OutboundQueued(ctx context.Context, id int64) (bool, error)
	// UnclaimOutbound gives back claims not used: each reply is as before its claim. A claim
	// that is no longer the worker's (it expired, and another took the reply) is left.
	UnclaimOutbound(ctx context.Context, claims ...Claim) error
	// ProviderIDRecorded reports whether a reply was recorded with the provider's id.
	ProviderIDRecorded(ctx context.Context, providerID string) (bool, error)
	// ReleaseOutbound gives a claimed reply back to the queue: unsure says the send may
	// have reached the provider, so the next claim must look before sending again. A claim
	// that is no longer the worker's is left, as UnclaimOutbound leaves it.
	ReleaseOutbound(ctx context.Context, c Claim, unsure bool) error
}

// Claim is a worker's hold on the send of one queued reply.
type Claim struct {
	dialog.Outbound
	// OptedOut is whether the address asked not to be messaged, as the claim found it.
	OptedOut bool
	// Unsure is true when an earlier claim ended without a known outcome (a crash, a
	// timeout), Since when the first of those began.
	Unsure bool
	Since  time.Time
	// Lease is when the claim ends, as the store wrote it: it names the claim, so a worker
	// whose claim expired and was taken by another gives back nothing of the other's.
	Lease time.Time
}

// Observer is told what delivery does, for metrics. Reasons are short, fixed words
// ("sent", "permanent", "opted_out", "retry", "gave_up", "rate_limited", "found").
type Observer interface {
	Attempted(channel, outcome string)
	Failed(channel, reason string)
	Retried(channel, reason string)
}

// Defaults of a Worker.
const (
	DefaultLease       = 15 * time.Second
	DefaultGiveUpAfter = 2 * time.Hour
	DefaultMaxBackoff  = 5 * time.Minute
	heldWait           = 50 * time.Millisecond
	maxHeldWait        = time.Second
)

// Worker is the River worker of Jobs. It is safe for concurrent use.
//
// The job of reply R sends every queued reply of R's conversation up to R, oldest first,
// each under a claim, so replies reach the provider in turn order whichever worker or
// replica runs which job. A reply claimed by another worker is waited for. A reply already
// sent is never sent again; a reply whose earlier send has an unknown outcome is looked up
// at the provider first when its Sender is a Finder.
type Worker struct {
	river.WorkerDefaults[Job]
	Outbox   Outbox
	Senders  map[string]Sender // by channel
	Logger   *slog.Logger
	Observer Observer // nil: nothing observed
	// Lease is how long one job may run and how long a claim holds (DefaultLease when
	// zero); the store's River client must rescue stuck jobs no sooner.
	Lease time.Duration
	// GiveUpAfter is how long a reply is retried before it is marked failed
	// (DefaultGiveUpAfter when zero); the job's MaxAttempts also ends the retries.
	GiveUpAfter time.Duration
	// MaxBackoff caps the wait between two attempts (DefaultMaxBackoff when zero).
	MaxBackoff time.Duration
	// Rates caps the sends of a channel, in messages a second per process (none when
	// absent or zero): a provider's rate limit, shared out among the replicas.
	Rates map[string]float64
	Now   func() time.Time // time.Now when nil

	pacersOnce sync.Once
	pacers     map[string]*pacer
}

// Timeout is the time one job may run: the lease.
func (w *Worker) Timeout(*river.Job[Job]) time.Duration { return w.lease() }

// Work delivers the job's reply and the queued replies of its conversation before it.
// When another worker holds the oldest of them, the job is snoozed, without using an
// attempt, and looks again shortly: that worker sends them meanwhile, in order.
func (w *Worker) Work(ctx context.Context, job *river.Job[Job]) error {
	o := job.Args
	log := w.logger().With("outbound", o, "attempt", job.Attempt)
	if _, ok := w.Senders[o.Channel]; !ok {
		log.Error("delivery: no sender for channel")
		return river.JobCancel(fmt.Errorf("delivery: no sender for channel %q", o.Channel))
	}
	for {
		claims, err := w.Outbox.ClaimOutbound(ctx, o.ConversationID, o.ID, w.lease())
		if err != nil {
			return w.retry(ctx, job, log, fmt.Errorf("delivery: claim replies of conversation %d: %w", o.ConversationID, err))
		}
		if len(claims) == 0 {
			queued, err := w.Outbox.OutboundQueued(ctx, o.ID)
			if err != nil {
				return w.retry(ctx, job, log, fmt.Errorf("delivery: status of %d: %w", o.ID, err))
			}
			if !queued {
				return nil // sent or settled, by this job before or by another worker
			}
			return river.JobSnooze(heldSnooze(job))
		}
		for i, c := range claims {
			// The stored rows do not keep when the citizen last wrote; this job's reply is
			// the newest, so its time is the citizen's latest message for every earlier one
			// too (what a channel with a reply window, WhatsApp, measures from).
			if o.LastInbound.After(c.LastInbound) {
				c.LastInbound = o.LastInbound
			}
			if err := w.deliver(ctx, job, c, log.With("reply", c.Outbound)); err != nil {
				w.unclaim(ctx, claims[i+1:], log)
				return err
			}
		}
		if claims[len(claims)-1].ID == o.ID {
			return nil
		}
	}
}

// heldSnooze is how long a job waits for the worker that holds an earlier reply of its
// conversation: 50 ms, doubling with each wait, up to a second.
func heldSnooze(job *river.Job[Job]) time.Duration {
	var meta struct {
		Snoozes int `json:"snoozes"`
	}
	if job.JobRow != nil {
		json.Unmarshal(job.Metadata, &meta) // none yet: the first wait
	}
	return min(heldWait<<min(meta.Snoozes, 10), maxHeldWait)
}

// deliver sends one claimed reply.
func (w *Worker) deliver(ctx context.Context, job *river.Job[Job], p Claim, log *slog.Logger) error {
	s, ok := w.Senders[p.Channel]
	if !ok {
		return w.settle(ctx, p.Channel, p.ID, "no_sender", log, fmt.Errorf("delivery: no sender for channel %q", p.Channel))
	}
	if p.Unsure {
		if f, ok := s.(Finder); ok {
			id, err := w.find(ctx, f, p.Outbound, p.Since)
			if err != nil {
				w.release(ctx, p, true, log)
				return w.retry(ctx, job, log, fmt.Errorf("delivery: look up %d: %w", p.ID, err))
			}
			if id != "" {
				log.Info("delivery: an earlier try had reached the provider")
				w.observe().Attempted(p.Channel, "found")
				return w.mark(ctx, p.ID, dialog.DeliverySent, id)
			}
		}
	}
	if !p.Reply.Final && p.OptedOut {
		log.Info("delivery: skipped, address opted out")
		return w.mark(ctx, p.ID, dialog.DeliverySkipped, "")
	}
	if w.tooOld(job) {
		return w.settle(ctx, p.Channel, p.ID, "gave_up", log, errors.New("delivery: reply too old to send"))
	}
	if err := w.pacerFor(p.Channel).wait(ctx); err != nil {
		w.release(ctx, p, p.Unsure, log)
		return w.retry(ctx, job, log, fmt.Errorf("delivery: rate limit: %w", err))
	}
	providerID, err := s.Send(ctx, p.Outbound)
	var ra *dialog.RetryAfterError
	switch {
	case err == nil:
		w.observe().Attempted(p.Channel, "sent")
		// The store is told before anything else: a reply recorded sent is never sent again.
		if err := w.mark(context.WithoutCancel(ctx), p.ID, dialog.DeliverySent, providerID); err != nil {
			log.Error("delivery: sent but not recorded; a rescue will look it up", "err", err)
			return err
		}
		log.Debug("delivery: sent")
		return nil
	case errors.As(err, &ra):
		w.observe().Attempted(p.Channel, "rate_limited")
		w.observe().Retried(p.Channel, "rate_limited")
		w.release(ctx, p, false, log)
		log.Warn("delivery: provider asked to wait", "after", ra.After)
		return river.JobSnooze(ra.After)
	case errors.Is(err, dialog.ErrOptedOut):
		w.observe().Attempted(p.Channel, "opted_out")
		log.Warn("delivery: recipient opted out at the provider", "err", err)
		if serr := w.Outbox.SetOptedOut(ctx, p.Channel, p.Address, true); serr != nil {
			w.release(ctx, p, false, log)
			return fmt.Errorf("delivery: set opted out: %w", serr)
		}
		return w.settle(ctx, p.Channel, p.ID, "opted_out", log, err)
	case errors.Is(err, dialog.ErrPermanent):
		w.observe().Attempted(p.Channel, "permanent")
		return w.settle(ctx, p.Channel, p.ID, "permanent", log, err)
	default:
		// The provider may have taken it: the next claim looks before sending again.
		w.observe().Attempted(p.Channel, "error")
		w.release(ctx, p, true, log)
		return w.retry(ctx, job, log, fmt.Errorf("delivery: send: %w", err))
	}
}

// find returns the provider's id of reply p when an earlier try reached the provider.
func (w *Worker) find(ctx context.Context, f Finder, p dialog.Outbound, since time.Time) (string, error) {
	ids, err := f.FindSent(ctx, p, since)
	if err != nil {
		return "", err
	}
	for _, id := range ids {
		used, err := w.Outbox.ProviderIDRecorded(ctx, id)
		if err != nil {
			return "", err
		}
		if !used {
			return id, nil
		}
	}
	return "", nil
}

// retry returns err for River to try the job again later, or, once the reply is too old
// or the job out of attempts, marks the job's reply failed and cancels the job.
func (w *Worker) retry(ctx context.Context, job *river.Job[Job], log *slog.Logger, err error) error {
	if ctx.Err() != nil && context.Cause(ctx) != context.DeadlineExceeded {
		// Shutting down: run again at once on the next start, without counting an attempt.
		log.Info("delivery: interrupted, the job runs again on the next start", "err", err)
		return river.JobSnooze(0)
	}
	if job.Attempt >= job.MaxAttempts || w.tooOld(job) {
		return w.fail(context.WithoutCancel(ctx), job.Args.Channel, job.Args.ID, "gave_up", log, err)
	}
	w.observe().Retried(job.Args.Channel, "error")
	log.Warn("delivery: will retry", "err", err, "next", w.NextRetry(job))
	return err
}

// fail marks reply id failed (see settle) and cancels the job.
func (w *Worker) fail(ctx context.Context, channel string, id int64, reason string, log *slog.Logger, cause error) error {
	return river.JobCancel(errors.Join(cause, w.settle(ctx, channel, id, reason, log, cause)))
}

// settle marks reply id failed, logs it at ERROR and counts it: the replies after it go on.
func (w *Worker) settle(ctx context.Context, channel string, id int64, reason string, log *slog.Logger, cause error) error {
	w.observe().Failed(channel, reason)
	log.Error("delivery: reply not delivered", "reply", id, "reason", reason, "err", cause)
	return w.mark(context.WithoutCancel(ctx), id, dialog.DeliveryFailed, "")
}

// tooOld reports whether the job's reply has waited longer than GiveUpAfter.
func (w *Worker) tooOld(job *river.Job[Job]) bool {
	if job.JobRow == nil || job.CreatedAt.IsZero() {
		return false
	}
	return w.now().Sub(job.CreatedAt) > cmpOr(w.GiveUpAfter, DefaultGiveUpAfter)
}

// unclaim gives back the claims a job took and will not use.
func (w *Worker) unclaim(ctx context.Context, claims []Claim, log *slog.Logger) {
	if len(claims) == 0 {
		return
	}
	if err := w.Outbox.UnclaimOutbound(context.WithoutCancel(ctx), claims...); err != nil {
		// The claims expire by themselves after the lease.
		log.Warn("delivery: give back claims", "err", err)
	}
}

func (w *Worker) release(ctx context.Context, c Claim, unsure bool, log *slog.Logger) {
	if err := w.Outbox.ReleaseOutbound(context.WithoutCancel(ctx), c, unsure); err != nil {
		// The claim expires by itself after the lease.
		log.Warn("delivery: release claim", "err", err)
	}
}

func (w *Worker) mark(ctx context.Context, id int64, status, providerID string) error {
	if err := w.Outbox.MarkOutbound(ctx, id, status, providerID); err != nil {
		return fmt.Errorf("delivery: mark %d %s: %w", id, status, err)
	}
	return nil
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

func (w *Worker) observe() Observer {
	if w.Observer != nil {
		return w.Observer
	}
	return nopObserver{}
}

func (w *Worker) lease() time.Duration { return cmpOr(w.Lease, DefaultLease) }

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

// NextRetry backs off exponentially from two seconds, capped at MaxBackoff, so a flaky
// provider is not hammered and, once it is back, a reply waits at most MaxBackoff.
func (w *Worker) NextRetry(job *river.Job[Job]) time.Time {
	d := time.Second << min(job.Attempt, 20)
	return w.now().Add(min(d, cmpOr(w.MaxBackoff, DefaultMaxBackoff)))
}

// Workers returns River workers with w registered.
func Workers(w *Worker) *river.Workers {
	ws := river.NewWorkers()
	river.AddWorker(ws, w)
	return ws
}

type nopObserver struct{}

func (nopObserver) Attempted(string, string) {}
func (nopObserver) Failed(string, string)    {}
func (nopObserver) Retried(string, string)   {}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

// QueueConfig is how a store's River client works the delivery queues. Zero fields take
// the defaults below.
type QueueConfig struct {
	// MaxWorkers is the number of replies sent at once per queue (channel) and process;
	// River also fetches at most this many jobs at a time.
	MaxWorkers int
	// FetchCooldown is the least time between two fetches; FetchPollInterval how often
	// River looks for jobs without being woken (PostgreSQL wakes it on each new job).
	// Zero: the store's own (the Default… below on PostgreSQL; on SQLite, where each fetch
	// is a write that waits for, and holds up, the turns, SQLiteFetch…).
	FetchCooldown, FetchPollInterval time.Duration
	// JobTimeout bounds one job (the Worker's Lease should equal it); RescueAfter is when
	// a job left running by a crashed process is run again (at least JobTimeout).
	JobTimeout, RescueAfter time.Duration
}

// Queue defaults.
const (
	DefaultMaxWorkers        = 100
	DefaultFetchCooldown     = 10 * time.Millisecond
	DefaultFetchPollInterval = 50 * time.Millisecond
	SQLiteFetchCooldown      = 50 * time.Millisecond
	SQLiteFetchPollInterval  = 100 * time.Millisecond
	// MaxAttempts is the attempts of a delivery job: with the backoff capped at
	// DefaultMaxBackoff it covers a provider outage of about an hour and a half.
	MaxAttempts = 25
)

// WithDefaults returns c with its zero fields set to the defaults, but for the fetch
// settings, which the store chooses.
func (c QueueConfig) WithDefaults() QueueConfig {
	if c.MaxWorkers <= 0 {
		c.MaxWorkers = DefaultMaxWorkers
	}
	c.JobTimeout = cmpOr(c.JobTimeout, DefaultLease)
	c.RescueAfter = max(cmpOr(c.RescueAfter, c.JobTimeout), c.JobTimeout)
	return c
}
