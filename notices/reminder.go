package notices

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// ReminderLead is how long before a deadline the citizen is reminded of a missing document.
const ReminderLead = 3 * 24 * time.Hour

// Reminder is the job, scheduled ReminderLead before an application's deadline, that
// queues a reminder when a document is still missing then.
type Reminder struct {
	Ref      string    `json:"ref" river:"unique"`
	Deadline time.Time `json:"deadline" river:"unique"`
}

// Kind names the job for River.
func (Reminder) Kind() string { return "deadline_reminder" }

// ReminderAt returns when the reminder of deadline runs: ReminderLead before it, or now
// when that is past. ok is false when the deadline itself is past.
func ReminderAt(deadline, now time.Time) (time.Time, bool) {
	if !deadline.After(now) {
		return time.Time{}, false
	}
	if at := deadline.Add(-ReminderLead); at.After(now) {
		return at, true
	}
	return now, true
}

// Applications finds an application (the store implements it).
type Applications interface {
	FindApplication(ctx context.Context, ref string) (*records.Application, error)
}

// ReminderWorker is the River worker of Reminder jobs. It is safe for concurrent use.
type ReminderWorker struct {
	river.WorkerDefaults[Reminder]

	Applications Applications
	Queuer       Queuer // outside any transaction: it queues the item and its job atomically
	Now          func() time.Time
}

// Work queues the reminder when the application still has that deadline and a missing
// document; a changed or met deadline ends the job quietly.
func (w *ReminderWorker) Work(ctx context.Context, job *river.Job[Reminder]) error {
	_, err := w.Remind(ctx, job.Args)
	return err
}

// Remind queues the reminder of r if it is still due; it reports whether it queued one.
func (w *ReminderWorker) Remind(ctx context.Context, r Reminder) (bool, error) {
	a, err := w.Applications.FindApplication(ctx, r.Ref)
	switch {
	case records.ErrorCode(err) == records.ENOTFOUND:
		return false, nil
	case err != nil:
		return false, fmt.Errorf("notices: reminder: %w", err)
	}
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	if len(a.MissingDocuments) == 0 || !a.Deadline.Equal(r.Deadline) || !a.Deadline.After(now) {
		return false, nil
	}
	ok, err := w.Queuer.QueueNotice(ctx, Item{
		CitizenID: a.CitizenID, Kind: dialog.NoticeDeadline, Cause: DeadlineCause(a.Ref, a.Deadline),
		Ref: a.Ref, Procedure: a.Procedure, Document: a.MissingDocuments[0], Deadline: a.Deadline, CreatedAt: now,
	})
	if err != nil {
		return false, fmt.Errorf("notices: reminder: %w", err)
	}
	return ok, nil
}
