package twilio

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// Channel is what every Twilio channel is made of besides its address format and its
// rendering: the account, the handler of inbound messages, the outbox that takes receipts
// and opt-outs, the catalog and the clock. It is safe for concurrent use.
type Channel struct {
	*Account
	Handler dialog.Handler
	Outbox  Outbox
	Catalog *locales.Catalog
	Log     *slog.Logger
	// Now stamps inbound messages (time.Now unless WithClock).
	Now func() time.Time
	// Refused, when set, is called with the MessageSid and error code of a message Twilio
	// reports failed or undelivered, the first time it does, after the receipt is recorded.
	Refused func(ctx context.Context, sid string, code int)

	from, service  string
	statusCallback string
}

// Outbox is what a Twilio channel needs of the store: delivery receipts and carrier
// opt-outs.
type Outbox interface {
	// RecordReceipt stores a provider's delivery receipt once per (providerID, status); it
	// reports false when that receipt was stored before.
	RecordReceipt(ctx context.Context, providerID, status, errorCode string) (bool, error)
	// SetOptedOut marks or clears the opt-out of an address, outside any turn.
	SetOptedOut(ctx context.Context, channel, address string, optedOut bool) error
}

// Option sets an optional setting of a Twilio channel.
type Option func(*Channel)

// WithClock sets the clock that stamps inbound messages (time.Now by default).
func WithClock(now func() time.Time) Option {
	return func(c *Channel) { c.Now = now }
}

// NewChannel returns the channel name for cfg, whose delivery receipts Twilio posts to
// statusPath. Its error lists the problems of cfg, of the other arguments and the
// channel's own problems, under "NAME: config:". It makes no network call.
func NewChannel(name, statusPath string, cfg Config, h dialog.Handler, outbox Outbox, cat *locales.Catalog,
	logger *slog.Logger, problems []error, opts ...Option) (*Channel, error) {
	errs := append(Check(cfg), problems...)
	if cfg.From == "" && cfg.MessagingServiceSID == "" {
		errs = append(errs, errors.New("a sender (From) or a messaging service SID is required"))
	}
	for _, need := range []struct {
		what    string
		missing bool
	}{{"a dialog handler", h == nil}, {"an outbox", outbox == nil}, {"a catalog", cat == nil}} {
		if need.missing {
			errs = append(errs, fmt.Errorf("%s is required", need.what))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: config: %w", name, errors.Join(errs...))
	}
	a, err := New(name, cfg, logger)
	if err != nil {
		return nil, fmt.Errorf("%s: config: %w", name, err)
	}
	c := &Channel{
		Account: a, Handler: h, Outbox: outbox, Catalog: cat, Log: a.log, Now: time.Now,
		from: cfg.From, service: cfg.MessagingServiceSID, statusCallback: a.PublicURL(statusPath),
	}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// Routes mounts the webhooks on mux: POST inPath takes inbound messages, which parse turns
// into dialog.Inbound, and POST statusPath the delivery receipts.
func (c *Channel) Routes(mux *http.ServeMux, inPath, statusPath string, parse func(url.Values) (dialog.Inbound, error)) {
	mux.HandleFunc("POST "+inPath, c.inboundHandler(parse))
	mux.HandleFunc("POST "+statusPath, c.statusHandler)
}

// inboundHandler returns the handler of inbound messages: it checks the signature, turns
// the form into a dialog.Inbound with parse (an error is answered 400), hands it to the
// Handler and answers an empty TwiML response. A Handler error is answered 500, for Twilio
// to try again; the engine stores a message once however often it arrives.
func (c *Channel) inboundHandler(parse func(url.Values) (dialog.Inbound, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		form, ok := c.Verify(w, r)
		if !ok {
			return
		}
		in, err := parse(form)
		if err != nil {
			c.Log.Warn(c.Name+": bad inbound webhook", "err", err)
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		log := c.Log.With("sid", in.MessageID, "inbound", in)
		res, err := c.Handler.Handle(r.Context(), in)
		if err != nil {
			log.Error(c.Name+": handle inbound", "err", err)
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		log.Info(c.Name+": inbound handled", "duplicate", res.Duplicate, "replies", len(res.Outbound))
		WriteTwiML(w)
	}
}

// Params returns the parameters of a message to the address to, from the configured
// sender (the messaging service when there is one), with the status callback.
func (c *Channel) Params(to string) *openapi.CreateMessageParams {
	p := &openapi.CreateMessageParams{}
	p.SetTo(to).SetStatusCallback(c.statusCallback)
	if c.service != "" {
		p.SetMessagingServiceSid(c.service)
	} else {
		p.SetFrom(c.from)
	}
	return p
}

// Inbound returns the dialog.Inbound of m on the channel: its sender's address, id, text
// and truncation, stamped by the clock. The channel sets the kind and the phone.
func (c *Channel) Inbound(m Message, caps dialog.Capabilities) dialog.Inbound {
	if m.Truncated {
		c.Log.Warn(c.Name+": inbound body truncated", "sid", m.SID)
	}
	return dialog.Inbound{
		Channel: c.Name, Caps: caps, Address: m.From, MessageID: m.SID, Kind: dialog.KindText,
		Text: m.Body, Truncated: m.Truncated, ReceivedAt: c.Now(),
	}
}
