package dialog

import (
	"log/slog"
	"time"
)

// Languages.
const (
	LangCA = "ca"
	LangES = "es"
)

// Kind is what an inbound message carries.
type Kind string

// Inbound kinds.
const (
	KindText    Kind = "text"     // Text holds what the citizen wrote
	KindCommand Kind = "command"  // Command and Text (the arguments) from "/idioma es"
	KindButton  Kind = "button"   // Payload holds the Option.Value of a pressed button
	KindContact Kind = "contact"  // Contact holds a shared phone number
	KindMedia   Kind = "media"    // a photo, voice note, sticker, file or location: not readable
	KindEdited  Kind = "edited"   // an edited message: not processed again
	KindOptOut  Kind = "opt_out"  // a carrier-style STOP keyword
	KindOptIn   Kind = "opt_in"   // a carrier-style START keyword
	KindSMSHelp Kind = "sms_help" // a carrier-style HELP keyword
)

// Inbound is one message from a citizen, as a channel adapter translated it.
type Inbound struct {
	Channel string // the adapter's name; the engine stores it and never branches on it
	// Caps is what the channel can do; the engine decides from it, never from Channel.
	Caps      Capabilities
	Address   string // who to answer on the channel: chat id, phone number
	MessageID string // the channel's id of the message; (Channel, MessageID) is the dedupe key
	Kind      Kind
	Text      string
	Command   string   // for KindCommand: "start", "help", "idioma", "stop"
	Payload   string   // for KindButton
	Contact   *Contact // for KindContact
	// Phone is the number the channel proves the sender holds (SMS From, console --as):
	// it gives trust level 1 when it matches a citizen. Empty when the channel proves none.
	Phone string
	// LangHint is the language the channel reports for the sender (Telegram language_code).
	// It sets the conversation's language when none is known yet, or always when LangSet
	// (the citizen chose it outside the conversation, e.g. "mygov chat --lang es").
	LangHint string
	LangSet  bool
	// Truncated says the channel cut the text to its own limit (an SMS over 1,600
	// characters): the reply says only the beginning was read.
	Truncated  bool
	ReceivedAt time.Time
}

// LogValue keeps personal data out of logs.
func (in Inbound) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("channel", in.Channel),
		slog.String("kind", string(in.Kind)),
		slog.Int("text_len", len(in.Text)),
	)
}

// Capabilities describe a channel to the engine: each adapter sets them on every Inbound,
// so a new channel needs no change in dialog.
type Capabilities struct {
	// PageSize is how many list items one reply shows (0: 4); with Fits, at most.
	PageSize int
	// Fitter measures replies as the channel sends them (SMS: within the segment budget).
	// With it, a list page holds as many whole items as fit, up to PageSize; nil means
	// every reply fits.
	Fitter Fitter
	// Compact channels pay per message and show it on a small, easily seen screen (SMS):
	// personal data is masked more.
	Compact bool
	// CarrierOptOut channels are silenced by the carrier's opt-out keywords: an opted-out
	// address is never written to until it opts in again (SMS, WhatsApp). On other channels
	// writing again is asking to be answered again.
	CarrierOptOut bool
	// ContactButton channels can offer the sender to share their own phone number
	// (Telegram), which proves possession instead of the address itself.
	ContactButton bool
}

// Fitter measures replies as a channel sends them.
type Fitter interface {
	// Fits reports whether r in lang goes out whole in one message: nothing cut.
	Fits(lang string, r Reply) bool
}

// Contact is a phone number shared from the channel's address book.
type Contact struct {
	Phone string
	// Own is true when the channel proves that the contact is the sender's own
	// (Telegram: contact.user_id equals the sender's id).
	Own bool
}

// Text is one piece of citizen-facing text: a catalog key with its arguments. Args are
// inserted as they are; Keys are arguments that are themselves catalog keys, rendered in the
// same language first (e.g. the words for an application status).
type Text struct {
	Key  string            `json:"key"`
	Args map[string]string `json:"args,omitempty"`
	Keys map[string]string `json:"keys,omitempty"`
	// Action marks a line that says what to do next or by when: a channel that must
	// shorten a reply drops other lines first and never cuts this one inside a sentence.
	Action bool `json:"action,omitempty"`
}

// AsAction returns a copy of t marked as the action of its reply.
func (t Text) AsAction() Text {
	t.Action = true
	return t
}

// T returns a Text for key with args given as name, value pairs.
func T(key string, kv ...string) Text {
	t := Text{Key: key}
	for i := 0; i+1 < len(kv); i += 2 {
		if t.Args == nil {
			t.Args = make(map[string]string, len(kv)/2)
		}
		t.Args[kv[i]] = kv[i+1]
	}
	return t
}

// WithKey returns a copy of t with the argument name rendered from the catalog key.
func (t Text) WithKey(name, key string) Text {
	keys := make(map[string]string, len(t.Keys)+1)
	for k, v := range t.Keys {
		keys[k] = v
	}
	keys[name] = key
	t.Keys = keys
	return t
}

// MessageKey returns the key, arguments and key arguments of t, for the catalogs.
func (t Text) MessageKey() (string, map[string]string, map[string]string) {
	return t.Key, t.Args, t.Keys
}

// Option is one entry of a menu: a button on Telegram, a numbered line on SMS and console.
type Option struct {
	Label Text   `json:"label"`
	Value string `json:"value"` // what choosing it sends back as a KindButton payload
	// Number is what the citizen types to choose it where options are numbered (SMS,
	// console); 0 is a number too ("0. Menú"). The engine sets it: the same option has
	// the same number on every channel.
	Number int `json:"number"`
}

// Reply is one message to a citizen: lines of text and an optional menu.
type Reply struct {
	Lines   []Text   `json:"lines"`
	Options []Option `json:"options,omitempty"`
	// AskContact asks the channel to offer sharing the phone number (Telegram contact button).
	AskContact bool `json:"ask_contact,omitempty"`
	// Final replies are sent even to an opted-out address (the opt-out confirmation).
	Final bool `json:"final,omitempty"`
	// Notice names the kind of a reply the citizen did not just ask for, so a channel that
	// may only write first with an approved template (outside a 24-hour window since the
	// citizen last wrote)
	// picks the template of that kind: NoticeStatusChange, NoticeDeadline, NoticeNewBenefit,
	// NoticeInboxReply. Empty for the answer to a message.
	Notice string `json:"notice,omitempty"`
}

// Kinds of Reply.Notice.
const (
	NoticeStatusChange = "status_change" // an application changed status
	NoticeDeadline     = "deadline"      // a deadline is near
	NoticeNewBenefit   = "new_benefit"   // a benefit the citizen may claim appeared
	NoticeInboxReply   = "inbox_reply"   // a social worker answered from the inbox
)

// Outbound is a reply stored in the outbox for the delivery worker. Its Kind makes it a
// job of the delivery queue.
type Outbound struct {
	ID             int64  `json:"id"` // the stored message's id, set by the store
	ConversationID int64  `json:"conversation_id"`
	Channel        string `json:"channel"`
	Address        string `json:"address"`
	Lang           string `json:"lang"`
	Seq            int    `json:"seq"` // order within the turn
	Reply          Reply  `json:"reply"`
	// LastInbound is when the citizen last wrote in the conversation (zero when never): a
	// channel that may answer freely only for a while after the citizen's last message
	// (a 24-hour window) decides from it. Whoever enqueues a reply sets it.
	LastInbound time.Time `json:"last_inbound,omitzero"`
}

// LogValue keeps the address and text out of logs.
func (o Outbound) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int64("id", o.ID),
		slog.Int64("conversation", o.ConversationID),
		slog.String("channel", o.Channel),
	)
}
