// Package delivery sends the replies of the outbox: a River worker takes each stored
// reply's Job and hands it to the Sender of the conversation's channel, honouring
// opt-outs, rate limits and the providers' retry hints.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/riverqueue/river"
)

// Sender sends one reply on its channel. It returns the provider's id for the message
// (empty when the channel has none). Errors it cannot recover from wrap dialog.ErrPermanent
// (dialog.ErrOptedOut when the recipient opted out at the provider); a provider's "slow
// down" is a *dialog.RetryAfterError.
type Sender interface {
	Send(ctx context.Context, o dialog.Outbound) (providerID string, err error)
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, o dialog.Outbound) (string, error)

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, o dialog.Outbound) (string, error) { return f(ctx, o) }

// Job is the River job of one reply to deliver: the store enqueues it with the reply, in
// the turn's transaction. Its arguments are the reply's fields.
type Job struct {
	dialog.Outbound
}

// Kind names the delivery job.
func (Job) Kind() string { return "deliver_reply" }

// Outbox is what delivery needs of the store.
type Outbox interface {
	// MarkOutbound records the delivery status of a stored reply and the provider's id for it.
	MarkOutbound(ctx context.Context, id int64, status, providerID string) error
	// OptedOut reports whether the address asked not to be messaged.
	OptedOut(ctx context.Context, channel, address string) (bool, error)
	// SetOptedOut marks or clears the opt-out of an address, outside any turn.
	SetOptedOut(ctx context.Context, channel, address string, optedOut bool) error
}

// Worker is the River worker of Jobs. It is safe for concurrent use.
type Worker struct {
	river.WorkerDefaults[Job]

	Outbox  Outbox
	Senders map[string]Sender // by channel
	Logger  *slog.Logger
}

// Work delivers one reply. Opted-out addresses get nothing but Final replies; permanent
// failures cancel the job; a retry hint snoozes it.
func (w *Worker) Work(ctx context.Context, job *river.Job[Job]) error {
	o := job.Args.Outbound
	log := w.logger().With("outbound", o, "attempt", job.Attempt)
	s, ok := w.Senders[o.Channel]
	if !ok {
		log.Error("delivery: no sender for channel")
		return river.JobCancel(fmt.Errorf("delivery: no sender for channel %q", o.Channel))
	}
	if !o.Reply.Final {
		out, err := w.Outbox.OptedOut(ctx, o.Channel, o.Address)
		if err != nil {
			return fmt.Errorf("delivery: opted out: %w", err)
		}
		if out {
			log.Info("delivery: skipped, address opted out")
			return w.mark(ctx, o.ID, dialog.DeliverySkipped, "")
		}
	}
	providerID, err := s.Send(ctx, o)
	var ra *dialog.RetryAfterError
	switch {
	case err == nil:
		log.Debug("delivery: sent")
		return w.mark(ctx, o.ID, dialog.DeliverySent, providerID)
	case errors.As(err, &ra):
		log.Warn("delivery: provider asked to wait", "after", ra.After)
		return river.JobSnooze(ra.After)
	case errors.Is(err, dialog.ErrOptedOut):
		log.Warn("delivery: recipient opted out at the provider", "err", err)
		if serr := w.Outbox.SetOptedOut(ctx, o.Channel, o.Address, true); serr != nil {
			return fmt.Errorf("delivery: set opted out: %w", serr)
		}
		return river.JobCancel(errors.Join(err, w.mark(ctx, o.ID, dialog.DeliveryFailed, providerID)))
	case errors.Is(err, dialog.ErrPermanent):
		log.Warn("delivery: permanent failure", "err", err)
		return river.JobCancel(errors.Join(err, w.mark(ctx, o.ID, dialog.DeliveryFailed, providerID)))
	default:
		log.Warn("delivery: will retry", "err", err)
		return fmt.Errorf("delivery: send: %w", err)
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

// NextRetry backs off exponentially from one second, capped at ten minutes, so a flaky
// provider is not hammered and a reply is not held back for long.
func (w *Worker) NextRetry(job *river.Job[Job]) time.Time {
	d := time.Second << min(job.Attempt, 10)
	return time.Now().Add(min(d, 10*time.Minute))
}

// Workers returns River workers with w registered.
func Workers(w *Worker) *river.Workers {
	ws := river.NewWorkers()
	river.AddWorker(ws, w)
	return ws
}
