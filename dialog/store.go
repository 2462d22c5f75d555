package dialog

import (
	"context"
	"time"

	"github.com/catalonia/mygov/records"
)

// State is where a conversation stands between turns.
type State string

// Conversation states.
const (
	StateIdle      State = "idle"      // nothing pending
	StateVerifying State = "verifying" // asked for the national id and birth date
	StateAnswering State = "answering" // a menu or a paginated list is open
	StateConfirm   State = "confirm"   // asked to confirm an irreversible action
	StateEscalated State = "escalated" // a social worker has the conversation; the bot is silent
)

// Trust is how much a conversation has proven about who is writing; each answer needs a
// level (see doc.go and docs/ARCHITECTURE.md). Levels are ordered: a higher one includes
// the lower ones.
type Trust int

// Trust levels.
const (
	TrustAnonymous  Trust = 0 // nothing proven
	TrustPossession Trust = 1 // holds the citizen's phone
	TrustVerified   Trust = 2 // possession + national id + birth date, within the window
)

// Conversation is the persisted state of one citizen's conversation on one channel address.
type Conversation struct {
	ID        int64  `json:"id"`
	Channel   string `json:"channel"`
	Address   string `json:"address"`
	CitizenID string `json:"citizen_id"` // linked by possession (level 1); "" when anonymous
	Lang      string `json:"lang"`       // "ca", "es", or "" before it is known
	State     State  `json:"state"`

	// Pending is the intent to answer once verification succeeds; PendingRef narrows it.
	Pending    string `json:"pending,omitempty"`
	PendingRef string `json:"pending_ref,omitempty"`
	// Menu holds the Option values of the last menu, so "2" answers it.
	Menu []string `json:"menu,omitempty"`
	// List and Offset remember a paginated answer, so "more" continues it.
	List   string `json:"list,omitempty"`
	Offset int    `json:"offset,omitempty"`
	// Confirming is the action awaiting a yes (e.g. "erase").
	Confirming string `json:"confirming,omitempty"`

	// VerifyStep is "national_id" or "birth_date" while verifying; VerifyIDMatched says
	// whether the national id given matched, and is never revealed.
	VerifyStep      string    `json:"verify_step,omitempty"`
	VerifyIDMatched bool      `json:"verify_id_matched,omitempty"`
	VerifiedAt      time.Time `json:"verified_at,omitzero"`
	LastSeen        time.Time `json:"last_seen,omitzero"`

	// OptedOut says the address asked not to be messaged: a flag, not a state, as a
	// carrier's opt-out sets it outside any turn (the store's SetOptedOut).
	OptedOut bool `json:"opted_out,omitempty"`
	// Notices is the citizen's consent to notices on this conversation (consent.go);
	// NoticesAsked says MyGov asked for it once already.
	Notices      bool `json:"notices,omitempty"`
	NoticesAsked bool `json:"notices_asked,omitempty"`

	// Urgent is set when the citizen showed distress (Distress says which category, first at
	// DistressAt): the social workers' inbox orders urgent conversations first. It stays set;
	// the inbox clears it.
	Urgent     bool      `json:"urgent,omitempty"`
	Distress   string    `json:"distress,omitempty"`
	DistressAt time.Time `json:"distress_at,omitzero"`
	// Focus holds the references of the applications last shown or named, until
	// FocusUntil, so a short follow-up ("and by when?") is answered about them.
	Focus      []string  `json:"focus,omitempty"`
	FocusUntil time.Time `json:"focus_until,omitzero"`
	// Misses counts the messages in a row the assistant did not understand.
	Misses int `json:"misses,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Lockout counts failed verifications for one key ("citizen:ID" or "sender:CHANNEL:ADDRESS").
type Lockout struct {
	Key         string    `json:"key"`
	Failures    int       `json:"failures"`     // failures since the last lock
	Locks       int       `json:"locks"`        // how many times it was locked
	LockedUntil time.Time `json:"locked_until"` // zero when not locked
}

// Store keeps conversations, messages and the outbox, and reads the citizen's records.
type Store interface {
	// Turn runs fn inside one transaction that holds the lock of the conversation on
	// (channel, address), created when it does not exist yet. fn's error rolls back.
	Turn(ctx context.Context, channel, address string, fn func(ctx context.Context, tx Tx) error) error
}

// InboundTurner is implemented by a Store that stores a turn's inbound message together
// with its conversation's lock: one round trip where each costs one (PostgreSQL).
type InboundTurner interface {
	// TurnInbound is Turn on in's conversation whose first write stores in (AddInbound).
	// fn runs only when in was not stored before; dup reports when it was.
	TurnInbound(ctx context.Context, in Inbound, fn func(ctx context.Context, tx Tx) error) (dup bool, err error)
}

// Tx is what a turn may read and write, all inside the turn's transaction.
type Tx interface {
	records.Reader
	records.Writer

	// FindApplicationsWithLastChange returns the citizen's applications as
	// FindApplicationsByCitizen does, each History holding its last change only: what a
	// turn shows, read without the rest (one statement fewer, and less of the citizen's
	// data read).
	FindApplicationsWithLastChange(ctx context.Context, citizenID string) ([]records.Application, error)
	// Conversation returns the locked conversation of the turn.
	Conversation() *Conversation
	// SaveConversation writes the conversation's new state.
	SaveConversation(ctx context.Context, c *Conversation) error
	// AddInbound stores an inbound message. A message whose (Channel, MessageID) was stored
	// before returns an error with code records.ECONFLICT.
	AddInbound(ctx context.Context, conversationID int64, in Inbound) (int64, error)
	// AddOutbound stores a reply and enqueues its delivery job; it sets o.ID, which may
	// wait, as the write itself may, for the turn's next statement or its commit.
	AddOutbound(ctx context.Context, o *Outbound) error
	// Lockout returns the lockout counter for key (zero when none) and holds it until the
	// turn ends, so that turns of other conversations counting on the same key (a citizen
	// over SMS and Telegram at once) wait and count every failure.
	Lockout(ctx context.Context, key string) (Lockout, error)
	// SaveLockout writes the lockout counter.
	SaveLockout(ctx context.Context, l Lockout) error
	// EraseTranscripts empties every message of the citizen's conversations: their
	// content goes, their ids (so a redelivered message is still recognised) and every
	// access event (the audit) stay.
	EraseTranscripts(ctx context.Context, citizenID string) (int64, error)
}

// Delivery statuses of an outbound message.
const (
	DeliveryQueued      = "queued"
	DeliverySent        = "sent"
	DeliveryDelivered   = "delivered"
	DeliveryRead        = "read" // the recipient opened it (a chat app's read receipt)
	DeliveryUndelivered = "undelivered"
	DeliveryFailed      = "failed"
	DeliverySkipped     = "skipped" // not sent: the address opted out
)

// Message is one stored message of a transcript.
type Message struct {
	ID        int64     `json:"id"`
	Direction string    `json:"direction"` // "in" or "out"
	Kind      string    `json:"kind"`
	Text      string    `json:"text,omitempty"`  // inbound
	Reply     *Reply    `json:"reply,omitempty"` // outbound
	Status    string    `json:"status,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Transcript is one conversation with its messages, oldest first.
type Transcript struct {
	Conversation Conversation `json:"conversation"`
	Messages     []Message    `json:"messages"`
}

// DeliveryRank ranks a delivery status: queued 0, sent 1, every final status 2, read 3
// (a message read was delivered first).
func DeliveryRank(status string) int {
	switch status {
	case DeliveryQueued:
		return 0
	case DeliverySent:
		return 1
	case DeliveryRead:
		return 3
	}
	return 2
}

// ReceiptRank returns the rank of a provider's receipt status when it may move a stored
// reply forward; other provider statuses ("accepted", "sending", …) are receipts only.
func ReceiptRank(status string) (int, bool) {
	switch status {
	case DeliverySent, DeliveryDelivered, DeliveryRead, DeliveryUndelivered, DeliveryFailed:
		return DeliveryRank(status), true
	}
	return 0, false
}
