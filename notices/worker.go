package notices

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/catalonia/mygov/dialog"
)

// Worker is the River worker of notice jobs. It is safe for concurrent use: the store's
// claim keeps two jobs of one citizen from sending the same items.
type Worker struct {
	river.WorkerDefaults[Job]

	Store    Store
	Notifier Notifier
	Quiet    QuietHours
	Location *time.Location // the citizens' time zone, for quiet hours and "one a day"
	Now      func() time.Time
	Logger   *slog.Logger
}

// Work sends the citizen's pending items as one notice, or snoozes the job until they may
// be sent: after the quiet hours, or the next day when the citizen already had a notice
// today.
func (w *Worker) Work(ctx context.Context, job *river.Job[Job]) error {
	at, err := w.Deliver(ctx, job.Args.CitizenID)
	if err != nil {
		return err
	}
	if !at.IsZero() {
		return river.JobSnooze(max(at.Sub(w.now()), time.Second))
	}
	return nil
}

// Deliver sends the citizen's pending items now if it may, and otherwise returns when it
// may (zero when it sent them, or had nothing to send).
func (w *Worker) Deliver(ctx context.Context, citizenID string) (time.Time, error) {
	now, loc := w.now(), w.loc()
	if at := w.Quiet.Release(now, loc); at.After(now) {
		return at, nil
	}
	last, err := w.Store.LastNoticeAt(ctx, citizenID)
	if err != nil {
		return time.Time{}, fmt.Errorf("notices: last notice: %w", err)
	}
	if !last.IsZero() && sameDay(last, now, loc) {
		// One a day: whatever is pending goes into tomorrow's first notice.
		return w.Quiet.Release(nextDay(now, loc), loc), nil
	}
	items, err := w.Store.ClaimNotices(ctx, citizenID, now)
	if err != nil {
		return time.Time{}, fmt.Errorf("notices: claim: %w", err)
	}
	if len(items) == 0 {
		return time.Time{}, nil // told already, in a notice that merged them
	}
	convs, err := w.Store.CitizenConversations(ctx, citizenID)
	if err != nil {
		return time.Time{}, fmt.Errorf("notices: conversations: %w", err)
	}
	outcome := dialog.NoticeSkippedNoConsent
	for _, c := range convs {
		if !c.Notices {
			continue
		}
		n := Compose(citizenID, items, langOr(c.Lang), loc)
		o, skipped, err := w.Notifier.Notify(ctx, c.Channel, c.Address, n)
		if err != nil {
			return time.Time{}, fmt.Errorf("notices: notify: %w", err)
		}
		if o != nil {
			outcome = OutcomeSent
			break
		}
		outcome = skipped
	}
	ids := make([]int64, len(items))
	for i, it := range items {
		ids[i] = it.ID
	}
	if err := w.Store.MarkNotices(ctx, ids, outcome, now); err != nil {
		return time.Time{}, fmt.Errorf("notices: mark: %w", err)
	}
	w.logger().InfoContext(ctx, "notices: tried", "items", len(items), "outcome", outcome)
	return time.Time{}, nil
}

func (w *Worker) now() time.Time {
	if w.Now != nil {
		return w.Now()
	}
	return time.Now()
}

func (w *Worker) loc() *time.Location {
	if w.Location != nil {
		return w.Location
	}
	return time.UTC
}

func (w *Worker) logger() *slog.Logger {
	if w.Logger != nil {
		return w.Logger
	}
	return slog.Default()
}

func langOr(l string) string {
	if l == dialog.LangES {
		return l
	}
	return dialog.LangCA
}
