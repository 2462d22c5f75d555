package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
	"github.com/twilio/twilio-go/client"
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
	MaxFormBytes = 64 << 10
	// sendTimeout bounds one call to Twilio's REST API (twilio-go's own default).
	sendTimeout = 10 * time.Second
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
	cfg            Config
	handler        dialog.Handler
	outbox         Outbox
	cat            *locales.Catalog
	log            *slog.Logger
	validator      client.RequestValidator
	publicURL      string   // without a trailing slash
	api            *url.URL // nil for Twilio's own host
	statusCallback string
	now            func() time.Time
}

// Outbox is what the channel needs of the store: delivery receipts and carrier opt-outs.
type Outbox interface {
	// RecordReceipt stores a provider's delivery receipt once per (providerID, status); it
	// reports false when that receipt was stored before.
	RecordReceipt(ctx context.Context, providerID, status, errorCode string) (bool, error)
	// SetOptedOut marks or clears the opt-out of an address, outside any turn.
	SetOptedOut(ctx context.Context, channel, address string, optedOut bool) error
}

// Option sets an optional setting of a Channel.
type Option func(*Channel)

// WithClock sets the clock that stamps inbound messages (time.Now by default).
func WithClock(now func() time.Time) Option {
	return func(c *Channel) { c.now = now }
}

// New returns the SMS channel for cfg. Inbound messages go to h; delivery receipts and
// carrier opt-outs to outbox; replies are rendered with cat. It checks the configuration
// and makes no network call.
func New(cfg Config, h dialog.Handler, outbox Outbox, cat *locales.Catalog, logger *slog.Logger, opts ...Option) (*Channel, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	switch {
	case cfg.AccountSID == "":
		bad("account SID is required")
	case !alphanumeric(cfg.AccountSID):
		bad("account SID must be letters and digits")
	}
	switch {
	case cfg.AuthToken == "":
		bad("auth token is required")
	case !alphanumeric(cfg.AuthToken):
		bad("auth token must be letters and digits")
	}
	if cfg.From == "" && cfg.MessagingServiceSID == "" {
		bad("a From number or a messaging service SID is required")
	}
	public, err := parseBaseURL(cfg.PublicURL)
	if err != nil {
		bad("public URL (needed to check Twilio signatures): %w", err)
	}
	var api *url.URL
	if cfg.APIURL != "" {
		if api, err = parseBaseURL(cfg.APIURL); err != nil {
			bad("API URL: %w", err)
		}
	}
	if h == nil {
		bad("a dialog handler is required")
	}
	if outbox == nil {
		bad("an outbox is required")
	}
	if cat == nil {
		bad("a catalog is required")
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("sms: config: %w", errors.Join(errs...))
	}
	if cfg.SegmentBudget <= 0 {
		cfg.SegmentBudget = DefaultSegmentBudget
	}
	if cfg.MaxBody <= 0 || cfg.MaxBody > MaxBodyLimit {
		cfg.MaxBody = MaxBodyLimit
	}
	if logger == nil {
		logger = slog.Default()
	}
	pub := strings.TrimRight(public.String(), "/")
	c := &Channel{
		cfg:            cfg,
		handler:        h,
		outbox:         outbox,
		cat:            cat,
		log:            logger,
		validator:      client.NewRequestValidator(cfg.AuthToken),
		publicURL:      pub,
		api:            api,
		statusCallback: pub + PathStatus,
		now:            time.Now,
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Routes mounts the webhooks on mux: POST /sms/twilio (inbound messages) and
// POST /sms/twilio/status (delivery receipts).
func (c *Channel) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST "+PathInbound, c.serveInbound)
	mux.HandleFunc("POST "+PathStatus, c.serveStatus)
}

// parseBaseURL parses an absolute http or https URL without query or fragment.
func parseBaseURL(s string) (*url.URL, error) {
	if s == "" {
		return nil, errors.New("is empty")
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%q: %w", s, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%q is not an http(s) base URL", s)
	}
	return u, nil
}

// alphanumeric reports whether s is ASCII letters and digits only, as twilio-go requires
// of credentials.
func alphanumeric(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
