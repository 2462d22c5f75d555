package sms

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

// Name is the channel's name in conversations, messages and delivery jobs.
const Name = "sms"

// Capabilities describe SMS to the engine: one list item a reply, paid messages on a small
// screen, and the carrier's opt-out.
var Capabilities = dialog.Capabilities{PageSize: 1, Compact: true, CarrierOptOut: true}

// Paths of the webhooks, relative to Config.PublicURL.
const (
	PathInbound = "/sms/twilio"
	PathStatus  = "/sms/twilio/status"
)

// Defaults and limits.
const (
	// DefaultSegmentBudget is the number of segments a reply may take.
	DefaultSegmentBudget = 2
	// MaxBodyLimit is Twilio's limit on the characters of one message, both ways.
	MaxBodyLimit = 1600
	// MaxFormBytes bounds the form of a webhook; a larger request is answered 413.
	MaxFormBytes = twilio.MaxFormBytes
)

// Config configures the channel. Main fills it from the environment; the package never
// reads the environment itself.
type Config struct {
	// AccountSID and AuthToken are the Twilio credentials (both required, alphanumeric).
	// The token also signs the webhooks.
	AccountSID string
	AuthToken  string
	// From is the Twilio number replies are sent from; MessagingServiceSID a Messaging
	// Service to send through instead. One is required; the service wins when both are set.
	From                string
	MessagingServiceSID string
	// PublicURL is the public base URL Twilio calls ("https://mygov.example"), required:
	// signatures are computed over it, and it gives the status callback URL of each send.
	PublicURL string
	// APIURL is the base URL of Twilio's REST API, empty for the real one. Tests and
	// staging point it at a local server.
	APIURL string
	// SegmentBudget is the number of segments a reply may take (DefaultSegmentBudget when
	// zero or negative).
	SegmentBudget int
	// GSM7 transliterates a reply to GSM-7 (á → a, ç → c, · → .) when that makes it take
	// fewer segments. Main turns it on unless MYGOV_SMS_GSM7 says otherwise.
	GSM7 bool
	// MaxBody is the most characters a message may have, both ways (MaxBodyLimit when zero
	// or larger): a longer inbound Body is truncated, a longer reply shortened.
	MaxBody int
}

// Channel is the SMS channel: the webhooks (Routes) and the sender of replies (Send). It
// is safe for concurrent use and holds no state besides its configuration.
type Channel struct {
	tw  *twilio.Channel
	cfg Config
	cat *locales.Catalog
	log *slog.Logger
}

// Outbox is what the channel needs of the store: delivery receipts and carrier opt-outs.
type Outbox = twilio.Outbox

// Option sets an optional setting of a Channel.
type Option = twilio.Option

// WithClock sets the clock that stamps inbound messages (time.Now by default).
func WithClock(now func() time.Time) Option { return twilio.WithClock(now) }

// New returns the SMS channel for cfg. Inbound messages go to h; delivery receipts and
// carrier opt-outs to outbox; replies are rendered with cat. It checks the configuration
// and makes no network call.
func New(cfg Config, h dialog.Handler, outbox Outbox, cat *locales.Catalog, logger *slog.Logger, opts ...Option) (*Channel, error) {
	tw, err := twilio.NewChannel(Name, PathStatus, twilio.Config{
		AccountSID: cfg.AccountSID, AuthToken: cfg.AuthToken, PublicURL: cfg.PublicURL, APIURL: cfg.APIURL,
		From: cfg.From, MessagingServiceSID: cfg.MessagingServiceSID,
	}, h, outbox, cat, logger, nil, opts...)
	if err != nil {
		return nil, err
	}
	if cfg.SegmentBudget <= 0 {
		cfg.SegmentBudget = DefaultSegmentBudget
	}
	if cfg.MaxBody <= 0 || cfg.MaxBody > MaxBodyLimit {
		cfg.MaxBody = MaxBodyLimit
	}
	return &Channel{tw: tw, cfg: cfg, cat: cat, log: tw.Log}, nil
}

// Routes mounts the webhooks on mux: POST /sms/twilio (inbound messages) and
// POST /sms/twilio/status (delivery receipts).
func (c *Channel) Routes(mux *http.ServeMux) {
	c.tw.Routes(mux, PathInbound, PathStatus, c.parseInbound)
}
