package notices

import (
	"context"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// Item is one thing to tell a citizen, held until their next notice. It carries what the
// notice says, so the notice reads as the change was when it happened.
type Item struct {
	ID        int64  `json:"id"`
	CitizenID string `json:"citizen_id"`
	Kind      string `json:"kind"` // dialog.NoticeStatusChange, dialog.NoticeDeadline, dialog.NoticeNewBenefit
	// Cause identifies the change within the citizen's items: the store keeps one item per
	// (CitizenID, Cause), so the same change queued twice is told once.
	Cause     string            `json:"cause"`
	Ref       string            `json:"ref,omitempty"`
	Procedure records.Localized `json:"procedure,omitempty"`
	Status    records.Status    `json:"status,omitempty"`
	Note      records.Localized `json:"note,omitempty"`
	NextStep  records.Localized `json:"next_step,omitempty"`
	Document  records.Localized `json:"document,omitempty"`
	Deadline  time.Time         `json:"deadline,omitzero"`
	Benefit   records.Localized `json:"benefit,omitempty"`
	Reason    records.Localized `json:"reason,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
}

// LogValue keeps the notice's content out of logs.
func (it Item) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", it.ID), slog.String("kind", it.Kind))
}

// Outcomes of an item once its notice was tried.
const (
	OutcomeSent = "sent"
	// An item no conversation could take (no consent, opted out, escalated) is dropped
	// with the reason, a dialog.NoticeSkipped constant.
)

// Job asks the Worker to send the citizen's pending items. Cause makes it unique per
// (citizen, cause), like the item that caused it.
type Job struct {
	CitizenID string `json:"citizen_id" river:"unique"`
	Cause     string `json:"cause" river:"unique"`
}

// Kind names the job for River.
func (Job) Kind() string { return "notice" }

// ClaimLease is how long a claimed item is left to the job that claimed it.
const ClaimLease = 5 * time.Minute

// Queue is the River queue of notice jobs.
const Queue = "notices"

// StatusCause, DeadlineCause and BenefitCause build the Cause of an item.
func StatusCause(ref string, s records.Status, at time.Time) string {
	return "status:" + ref + ":" + string(s) + ":" + at.UTC().Format(time.RFC3339Nano)
}

// DeadlineCause is the cause of the reminder of one deadline of one application.
func DeadlineCause(ref string, deadline time.Time) string {
	return "deadline:" + ref + ":" + deadline.UTC().Format(time.DateOnly)
}

// BenefitCause is the cause of a new-benefit notice: told once per benefit.
func BenefitCause(benefitID string) string { return "benefit:" + benefitID }

// Queuer queues items, each with its Job, inside the caller's transaction. QueueNotice
// reports false, and enqueues nothing, when the citizen already has an item with that Cause.
type Queuer interface {
	QueueNotice(ctx context.Context, it Item) (bool, error)
}

// Store is what the Worker needs of the store.
type Store interface {
	// ClaimNotices returns the citizen's items not tried yet and not claimed since
	// now-ClaimLease, oldest first, and claims them at now: two jobs of one citizen never
	// send the same item, and an item whose job died is tried again after the lease.
	ClaimNotices(ctx context.Context, citizenID string, now time.Time) ([]Item, error)
	// LastNoticeAt returns when the citizen was last sent a notice (zero when never).
	LastNoticeAt(ctx context.Context, citizenID string) (time.Time, error)
	// MarkNotices records the outcome of items at t (OutcomeSent or a skip reason).
	MarkNotices(ctx context.Context, ids []int64, outcome string, t time.Time) error
	// CitizenConversations returns the conversations linked to the citizen, the most
	// recently active first.
	CitizenConversations(ctx context.Context, citizenID string) ([]dialog.Conversation, error)
}

// Notifier writes a notice to one conversation (dialog.Engine implements it).
type Notifier interface {
	Notify(ctx context.Context, channel, address string, n dialog.Notice) (*dialog.Outbound, string, error)
}

var _ Notifier = (*dialog.Engine)(nil)

// NewBenefitItem is the item telling the citizen that benefit b is now likely for them,
// with its reason.
func NewBenefitItem(citizenID string, b records.Benefit, now time.Time) Item {
	return Item{CitizenID: citizenID, Kind: dialog.NoticeNewBenefit, Cause: BenefitCause(b.ID), Benefit: b.Name, Reason: b.Why, CreatedAt: now}
}
