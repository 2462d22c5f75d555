// Package twilio is what MyGov's Twilio channels share (channels/sms and channels/whatsapp
// reach citizens through the same Messages API and the same signed webhooks): the
// configuration of the account, the X-Twilio-Signature check and the form of an inbound
// message, the delivery receipts, the REST call that creates a message with the
// classification of its errors, and the carrier-style keywords (STOP, BAIXA, ALTA, AJUDA).
// A channel keeps only what is its own: the address format, the rendering, its limits.
package twilio

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/twilio/twilio-go/client"
)

// MaxFormBytes bounds the form of a webhook; a larger request is answered 413.
const MaxFormBytes = 64 << 10

// Config is the Twilio account a channel uses and where Twilio reaches MyGov.
type Config struct {
	// AccountSID and AuthToken are the credentials (both required, alphanumeric). The token
	// also signs the webhooks.
	AccountSID string
	AuthToken  string
	// PublicURL is the public base URL Twilio calls ("https://mygov.example"), required:
	// signatures are computed over it, and it gives the status callback URL of each send.
	PublicURL string
	// APIURL is the base URL of Twilio's REST API, empty for the real one. Tests and staging
	// point it at a local server.
	APIURL string
	// From is the sender of the messages ("+34900000000", "whatsapp:+14155238886");
	// MessagingServiceSID a Messaging Service to send through instead, which wins when both
	// are set. A Channel needs one.
	From                string
	MessagingServiceSID string
}

// Account is a channel's Twilio account: it checks webhooks and creates messages. It is
// safe for concurrent use.
type Account struct {
	// Name prefixes log events and errors ("sms", "whatsapp").
	Name string

	cfg       Config
	log       *slog.Logger
	validator client.RequestValidator
	publicURL string   // without a trailing slash
	api       *url.URL // nil for Twilio's own host
}

// New returns the account of the channel name for cfg. Its error lists every problem of
// cfg, never the token. It makes no network call.
func New(name string, cfg Config, logger *slog.Logger) (*Account, error) {
	errs := Check(cfg)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	public, _ := parseBaseURL(cfg.PublicURL)
	var api *url.URL
	if cfg.APIURL != "" {
		api, _ = parseBaseURL(cfg.APIURL)
	}
	if logger == nil {
		logger = slog.Default()
	}
	return &Account{
		Name:      name,
		cfg:       cfg,
		log:       logger,
		validator: client.NewRequestValidator(cfg.AuthToken),
		publicURL: strings.TrimRight(public.String(), "/"),
		api:       api,
	}, nil
}

// Check returns the problems of cfg, one error each, for a channel to report with its own.
func Check(cfg Config) []error {
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
	if _, err := parseBaseURL(cfg.PublicURL); err != nil {
		bad("public URL (needed to check Twilio signatures): %w", err)
	}
	if cfg.APIURL != "" {
		if _, err := parseBaseURL(cfg.APIURL); err != nil {
			bad("API URL: %w", err)
		}
	}
	return errs
}

// PublicURL returns the public URL of path ("/sms/twilio/status").
func (a *Account) PublicURL(path string) string { return a.publicURL + path }

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
