package whatsapp

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
	"github.com/catalonia/mygov/records"
)

// Name is the channel's name in conversations, messages and delivery jobs.
const Name = "whatsapp"

// Capabilities describe WhatsApp to the engine: a chat on a phone, read at leisure, where
// the carrier-style keywords opt out as on SMS; the number is the sender's own, so it
// proves possession like an SMS sender.
var Capabilities = dialog.Capabilities{PageSize: 3, CarrierOptOut: true}

// Paths of the webhooks, relative to Config.PublicURL.
const (
	PathInbound = "/whatsapp/twilio"
	PathStatus  = "/whatsapp/twilio/status"
)

// Prefix starts every WhatsApp address on Twilio ("whatsapp:+34600000001").
const Prefix = "whatsapp:"

// Defaults and limits.
const (
	// MaxBodyLimit is Twilio's limit on the characters of one message, both ways.
	MaxBodyLimit = 1600
	// Window is WhatsApp's customer service window: free-form messages may be sent until
	// this long after the citizen's last message; later only an approved template.
	Window = 24 * time.Hour
	// DefaultWindowMargin is how long before the end of the window free-form sending stops,
	// so a message queued at the edge is not refused by WhatsApp.
	DefaultWindowMargin = 5 * time.Minute
)

// Config configures the channel. Main fills it from the environment; the package never
// reads the environment itself.
type Config struct {
	// The Twilio account and URLs, as in twilio.Config: AccountSID and AuthToken are
	// required; PublicURL is the base URL Twilio calls, over which it signs; APIURL points
	// the REST calls elsewhere (tests, staging).
	AccountSID, AuthToken, PublicURL, APIURL string
	// From is the WhatsApp sender ("whatsapp:+14155238886"), or MessagingServiceSID a
	// Messaging Service with a WhatsApp sender, which wins when both are set.
	From, MessagingServiceSID string
	// MaxBody is the most characters of one message, both ways (MaxBodyLimit when zero or
	// larger): a longer inbound Body is truncated, a longer reply split into messages.
	MaxBody int
	// Templates are the approved templates sent outside the 24-hour window, and the
	// quick-reply contents of menus (see Templates).
	Templates Templates
	// WindowMargin is how long before the end of the window free-form sending stops
	// (DefaultWindowMargin when zero).
	WindowMargin time.Duration
}

// Channel is the WhatsApp channel: the webhooks (Routes) and the sender of replies (Send).
// It is safe for concurrent use; besides its configuration it remembers the last replies
// sent free-form, for a refusal that comes later (see Send).
type Channel struct {
	tw     *twilio.Channel
	cfg    Config
	recent recent // free-form replies sent lately, for a late 63016
}

// Outbox is what the channel needs of the store: delivery receipts and carrier opt-outs.
type Outbox = twilio.Outbox

// Option sets an optional setting of a Channel: those of every Twilio channel.
type Option = twilio.Option

// WithClock sets the clock that stamps inbound messages and measures the 24-hour window
// (time.Now by default).
var WithClock = twilio.WithClock

// New returns the WhatsApp channel for cfg. Inbound messages go to h; delivery receipts
// and opt-outs to outbox; replies are rendered with cat. It checks the configuration and
// makes no network call.
func New(cfg Config, h dialog.Handler, outbox Outbox, cat *locales.Catalog, logger *slog.Logger, opts ...Option) (*Channel, error) {
	var problems []error
	if cfg.MessagingServiceSID == "" && cfg.From != "" && !validAddress(cfg.From) {
		problems = append(problems, fmt.Errorf("the sender must be %q and an E.164 number, e.g. whatsapp:+14155238886", Prefix))
	}
	tw, err := twilio.NewChannel(Name, PathStatus, twilio.Config{
		AccountSID: cfg.AccountSID, AuthToken: cfg.AuthToken, PublicURL: cfg.PublicURL, APIURL: cfg.APIURL,
		From: cfg.From, MessagingServiceSID: cfg.MessagingServiceSID,
	}, h, outbox, cat, logger, problems, opts...)
	if err != nil {
		return nil, err
	}
	if cfg.MaxBody <= 0 || cfg.MaxBody > MaxBodyLimit {
		cfg.MaxBody = MaxBodyLimit
	}
	if cfg.WindowMargin <= 0 || cfg.WindowMargin >= Window {
		cfg.WindowMargin = DefaultWindowMargin
	}
	c := &Channel{tw: tw, cfg: cfg}
	tw.Refused = c.refused
	return c, nil
}

// Routes mounts the webhooks on mux: POST /whatsapp/twilio (inbound messages) and
// POST /whatsapp/twilio/status (delivery receipts, "read" included).
func (c *Channel) Routes(mux *http.ServeMux) {
	c.tw.Routes(mux, PathInbound, PathStatus, c.parseInbound)
}

// validAddress reports whether s is a WhatsApp address: the prefix and an E.164 number.
func validAddress(s string) bool {
	n, ok := strings.CutPrefix(s, Prefix)
	return ok && records.ValidPhone(n)
}
