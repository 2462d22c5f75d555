package dialog

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/catalonia/mygov/records"
)

// MaxTextRunes is the longest message the engine reads; longer ones get a polite request
// to write less.
const MaxTextRunes = 4096

// Matcher finds the benefits whose rules a citizen's profile meets, and explains them
// (records.Eligibility implements it).
type Matcher interface {
	Match(c records.Citizen, now time.Time) []records.Benefit
	// Explain returns, for every benefit with a rule, whether it is likely and the
	// citizen's facts and limits that decided it.
	Explain(c records.Citizen, now time.Time) []records.Explanation
}

// Escalator hands a conversation to a social worker. Without one, asking for a person gets
// the phone numbers where a person answers.
type Escalator interface {
	// Escalate queues the conversation for a social worker inside the turn's transaction
	// and says when a person is expected to answer. The engine then moves the
	// conversation to StateEscalated and tells the citizen.
	Escalate(ctx context.Context, tx Tx, c *Conversation, e Escalation) (Handoff, error)
}

// Priority orders the social workers' queue.
type Priority int

// Priorities of an escalation.
const (
	PriorityNormal Priority = 0
	PriorityUrgent Priority = 1 // distress: hunger, eviction, violence, self-harm, …
)

// Reasons of an escalation.
const (
	ReasonAsked         = "asked"         // the citizen asked for a person
	ReasonMisunderstood = "misunderstood" // two misunderstandings in a row
	ReasonDistress      = "distress"      // the distress detector fired; Escalation.Distress says which
)

// Escalation is why and how urgently a conversation goes to a person.
type Escalation struct {
	Reason   string   // one of the Reason constants
	Distress string   // the distress category when Reason is ReasonDistress ("hunger", …)
	Priority Priority // PriorityUrgent for distress
}

// Handoff is what the citizen is told after an escalation.
type Handoff struct {
	// Team is the queue that got the conversation ("serveis-socials", "general").
	Team string
	// Open reports whether the team is in office hours now; when it is not, Opens is when
	// it opens next.
	Open  bool
	Opens time.Time
}

// Engine runs the turns of every conversation. It is safe for concurrent use: turns of one
// conversation are serialized by the Store's lock.
//
// Its collaborators are fields main wires (as benbjohnson/wtf's services are); its settings
// are NewEngine's options.
type Engine struct {
	Store      Store
	Classifier Classifier
	Matcher    Matcher
	Escalator  Escalator // nil until the social workers' inbox is wired
	Logger     *slog.Logger

	clock     func() time.Time
	loc       *time.Location // dates and times are shown in it (time.Local when nil)
	threshold float64        // the confidence under which the engine asks instead of guessing
	// verifyIdle ends level 2 after this long without a message; verifyMax in any case.
	verifyIdle, verifyMax time.Duration
	// maxFailures failed verifications lock the citizen and the sender for lockBase,
	// doubling with each lock.
	maxFailures int
	lockBase    time.Duration
	// focusTTL is how long the applications last shown stay the subject of short
	// follow-ups (DefaultFocusTTL by default).
	focusTTL time.Duration
}

// EngineOption is an optional setting of an Engine.
type EngineOption func(*Engine)

// WithClock sets the clock of the engine (time.Now by default).
func WithClock(now func() time.Time) EngineOption { return func(e *Engine) { e.clock = now } }

// WithLocation sets the time zone dates and times are shown in (the machine's by default;
// main passes Europe/Madrid).
func WithLocation(loc *time.Location) EngineOption { return func(e *Engine) { e.loc = loc } }

// WithThreshold sets the confidence under which the engine asks what the citizen means
// instead of guessing. The classifier calibrates it (intents.DefaultThreshold, which main
// passes); without it the engine never asks.
func WithThreshold(t float64) EngineOption { return func(e *Engine) { e.threshold = t } }

// WithVerifyWindow sets how long level 2 lasts: idle without messages, max in any case
// (30 minutes and 24 hours by default).
func WithVerifyWindow(idle, max time.Duration) EngineOption {
	return func(e *Engine) { e.verifyIdle, e.verifyMax = idle, max }
}

// WithLockout sets how many failed verifications lock the citizen and the sender, and for
// how long the first lock lasts; each lock doubles it (3 and 15 minutes by default).
func WithLockout(failures int, base time.Duration) EngineOption {
	return func(e *Engine) { e.maxFailures, e.lockBase = failures, base }
}

// WithFocusTTL sets how long the applications last shown or named stay the subject of
// short follow-ups ("and by when?"): DefaultFocusTTL by default.
func WithFocusTTL(d time.Duration) EngineOption { return func(e *Engine) { e.focusTTL = d } }

// NewEngine returns an Engine with the defaults of the architecture, changed by opts.
func NewEngine(store Store, classifier Classifier, matcher Matcher, logger *slog.Logger, opts ...EngineOption) *Engine {
	if logger == nil {
		logger = slog.Default()
	}
	e := &Engine{
		Store:       store,
		Classifier:  classifier,
		Matcher:     matcher,
		Logger:      logger,
		clock:       time.Now,
		verifyIdle:  30 * time.Minute,
		verifyMax:   24 * time.Hour,
		maxFailures: 3,
		lockBase:    15 * time.Minute,
	}
	for _, o := range opts {
		o(e)
	}
	return e
}

var _ Handler = (*Engine)(nil)

// Handle runs one turn: it stores the inbound message, decides the replies and puts them in
// the outbox, all in one transaction. A message handled before is recognised and not
// answered again. When the turn fails, Handle still stores the message with an apology; it
// returns an error only when even that failed, so the channel can ask for a redelivery.
func (e *Engine) Handle(ctx context.Context, in Inbound) (Result, error) {
	if in.Channel == "" || in.Address == "" {
		return Result{}, records.Errorf(records.EINVALID, "inbound without channel or address")
	}
	if in.ReceivedAt.IsZero() {
		in.ReceivedAt = e.now()
	}
	in.Text = Sanitize(in.Text)
	var res Result
	dup, err := e.inboundTurn(ctx, in, func(ctx context.Context, tx Tx) error {
		res = Result{}
		c := tx.Conversation()
		t := &turn{e: e, ctx: ctx, tx: tx, c: c, in: in, now: e.now()}
		replies, err := t.run()
		if err != nil {
			return err
		}
		if in.Truncated && len(replies) > 0 {
			replies[0].Lines = append([]Text{T(KeyInputTruncated)}, replies[0].Lines...)
		}
		c.LastSeen = t.now
		if err := tx.SaveConversation(ctx, c); err != nil {
			return fmt.Errorf("save conversation: %w", err)
		}
		out, err := enqueue(ctx, tx, c, in.ReceivedAt, replies)
		res.Outbound = out
		return err
	})
	if err == nil {
		res.Duplicate = dup
		return res, nil
	}
	e.Logger.ErrorContext(ctx, "dialog: turn failed", "inbound", in, "err", err)
	return e.apologize(ctx, in, err)
}

// inboundTurn runs fn in a turn of in's conversation whose first write stores in; fn does
// not run when in was stored before (dup).
func (e *Engine) inboundTurn(ctx context.Context, in Inbound, fn func(ctx context.Context, tx Tx) error) (dup bool, err error) {
	if it, ok := e.Store.(InboundTurner); ok {
		return it.TurnInbound(ctx, in, fn)
	}
	return e.turnThenInbound(ctx, in, fn)
}

// turnThenInbound is inboundTurn on a Store without InboundTurner: Turn, then AddInbound.
func (e *Engine) turnThenInbound(ctx context.Context, in Inbound, fn func(ctx context.Context, tx Tx) error) (dup bool, err error) {
	err = e.Store.Turn(ctx, in.Channel, in.Address, func(ctx context.Context, tx Tx) error {
		dup = false
		if _, err := tx.AddInbound(ctx, tx.Conversation().ID, in); err != nil {
			if records.ErrorCode(err) == records.ECONFLICT {
				dup = true
				return nil
			}
			return fmt.Errorf("add inbound: %w", err)
		}
		return fn(ctx, tx)
	})
	return dup, err
}

// apologize stores the inbound message with a plain apology after a failed turn.
func (e *Engine) apologize(ctx context.Context, in Inbound, cause error) (Result, error) {
	var res Result
	dup, err := e.inboundTurn(ctx, in, func(ctx context.Context, tx Tx) error {
		res = Result{}
		c := tx.Conversation()
		if c.OptedOut && in.Caps.CarrierOptOut {
			return nil
		}
		out, err := enqueue(ctx, tx, c, in.ReceivedAt, []Reply{{Lines: []Text{T(KeyErrorInternal)}}})
		res.Outbound = out
		return err
	})
	if err != nil {
		e.Logger.ErrorContext(ctx, "dialog: could not store the message after a failed turn", "inbound", in, "err", err)
		return Result{}, fmt.Errorf("dialog: turn: %w", errors.Join(cause, err))
	}
	res.Duplicate = dup
	return res, nil
}

// merge joins the replies of a turn into one message: one message a turn keeps the order
// of what the citizen reads whatever order the delivery jobs run in, and costs one SMS
// instead of two. The menu and the contact button of the last reply are kept.
func merge(replies []Reply) []Reply {
	if len(replies) < 2 {
		return replies
	}
	var m Reply
	for _, r := range replies {
		m.Lines = append(m.Lines, r.Lines...)
		m.Options, m.AskContact = r.Options, r.AskContact
		m.Final = m.Final || r.Final
		if m.Notice == "" {
			m.Notice = r.Notice
		}
	}
	return []Reply{m}
}

// enqueue stores the replies of a turn in the outbox; lastInbound is when the citizen
// wrote the message they answer.
func enqueue(ctx context.Context, tx Tx, c *Conversation, lastInbound time.Time, replies []Reply) ([]Outbound, error) {
	replies = merge(replies)
	out := make([]Outbound, 0, len(replies))
	for i, r := range replies {
		out = append(out, Outbound{ConversationID: c.ID, Channel: c.Channel, Address: c.Address, Lang: langOr(c.Lang), Seq: i,
			Reply: r, LastInbound: lastInbound})
		if err := tx.AddOutbound(ctx, &out[i]); err != nil { // out does not grow again: its ID stays where it is set
			return nil, fmt.Errorf("add outbound: %w", err)
		}
	}
	return out, nil
}

func (e *Engine) now() time.Time {
	if e.clock != nil {
		return e.clock()
	}
	return time.Now()
}

// Trust returns the trust level of c at now.
func (e *Engine) Trust(c *Conversation, now time.Time) Trust {
	switch {
	case c.CitizenID == "":
		return TrustAnonymous
	case !c.VerifiedAt.IsZero() && now.Sub(c.VerifiedAt) < e.verifyMax && now.Sub(c.LastSeen) < e.verifyIdle:
		return TrustVerified
	default:
		return TrustPossession
	}
}

// Sanitize makes text safe to store and classify: invalid UTF-8 becomes U+FFFD, control
// characters other than newlines and tabs are dropped, and surrounding space is trimmed.
// It does not shorten the text: the turn decides what to do with a long one.
func Sanitize(s string) string {
	if utf8.ValidString(s) && !strings.ContainsFunc(s, isBadControl) {
		return strings.TrimSpace(s)
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if isBadControl(r) {
			return -1
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

func isBadControl(r rune) bool {
	return (unicode.IsControl(r) && r != '\n' && r != '\t') || r == '\u200b' || r == '\ufeff'
}

// hasWords reports whether s has a letter or a digit: emoji and punctuation alone do not
// say anything the assistant can act on.
func hasWords(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool {
		return (unicode.IsLetter(r) || unicode.IsDigit(r)) && r != '\uFFFD'
	})
}

func langOr(l string) string {
	if l == LangCA || l == LangES {
		return l
	}
	return LangCA
}
