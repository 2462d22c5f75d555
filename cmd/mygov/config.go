package main

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/telegram"
	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/channels/whatsapp"
	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/inbox"
	"github.com/catalonia/mygov/intents"
	"github.com/catalonia/mygov/records"
)

// Environment variables: the only place MyGov reads its configuration.
const (
	envDatabaseURL      = "DATABASE_URL" // PostgreSQL; the embedded SQLite file when unset
	envDB               = "MYGOV_DB"     // SQLite file, default ./mygov.db
	envAddr             = "MYGOV_ADDR"   // HTTP address, default 127.0.0.1:8080
	envLogLevel         = "MYGOV_LOG_LEVEL"
	envLogFormat        = "MYGOV_LOG_FORMAT" // text (default) or json
	envPublicURL        = "MYGOV_PUBLIC_URL" // public base URL that Twilio and Telegram call
	envMetricsToken     = "MYGOV_METRICS_TOKEN"
	envTelegramToken    = "TELEGRAM_BOT_TOKEN"
	envTelegramAPI      = "TELEGRAM_API_URL"
	envTelegramWebhook  = "TELEGRAM_WEBHOOK_URL"
	envTelegramSecret   = "TELEGRAM_WEBHOOK_SECRET"
	envTwilioSID        = "TWILIO_ACCOUNT_SID"
	envTwilioToken      = "TWILIO_AUTH_TOKEN"
	envTwilioFrom       = "TWILIO_FROM"
	envTwilioService    = "TWILIO_MESSAGING_SERVICE_SID"
	envTwilioAPI        = "TWILIO_API_URL"
	envSMSGSM7          = "MYGOV_SMS_GSM7"       // transliterate to GSM-7 when it saves segments, default on
	envSMSSegments      = "MYGOV_SMS_SEGMENTS"   // segment budget of one SMS reply, default 2
	envWhatsAppFrom     = "TWILIO_WHATSAPP_FROM" // WhatsApp sender, "whatsapp:+14155238886"
	envWhatsAppService  = "TWILIO_WHATSAPP_MESSAGING_SERVICE_SID"
	envWhatsAppTpl      = "MYGOV_WHATSAPP_TEMPLATES" // templates by notice kind and language (whatsapp.ParseTemplates)
	envVerifyIdle       = "MYGOV_VERIFY_IDLE"        // level-2 window without messages, default 30m
	envVerifyMax        = "MYGOV_VERIFY_MAX"         // level-2 window in any case, default 24h
	envRetentionDays    = "MYGOV_RETENTION_DAYS"
	envConfidenceThresh = "MYGOV_CONFIDENCE_THRESHOLD"

	envDeliveryWorkers    = "MYGOV_DELIVERY_WORKERS"
	envDeliveryCooldown   = "MYGOV_DELIVERY_FETCH_COOLDOWN"
	envDeliveryPoll       = "MYGOV_DELIVERY_POLL_INTERVAL"
	envDeliveryTimeout    = "MYGOV_DELIVERY_TIMEOUT"
	envDeliveryRescue     = "MYGOV_DELIVERY_RESCUE_AFTER"
	envDeliveryMaxBackoff = "MYGOV_DELIVERY_MAX_BACKOFF"
	envDeliveryGiveUp     = "MYGOV_DELIVERY_GIVE_UP_AFTER"
	envSMSRate            = "MYGOV_SMS_RATE"      // SMS sends a second per process, 0: no cap
	envTelegramRate       = "MYGOV_TELEGRAM_RATE" // Telegram sends a second per process, 0: the channel's own (30/s)

	envInboxTeams     = "MYGOV_INBOX_TEAMS"     // MUNICIPALITY=TEAM,…; default serveis-socials
	envInboxHours     = "MYGOV_INBOX_HOURS"     // TEAM=DAYS/HH:MM-HH:MM,…; default 1-5/09:00-14:00
	envInboxUnclaimed = "MYGOV_INBOX_UNCLAIMED" // unclaimed this long, the citizen is given the 012; default 2h
)

// config is MyGov's configuration, read once from the environment.
type config struct {
	DatabaseURL  string
	DBPath       string
	Addr         string
	LogLevel     string
	LogLevelSet  bool // MYGOV_LOG_LEVEL was given
	LogFormat    string
	PublicURL    string
	MetricsToken string

	TelegramToken, TelegramAPI, TelegramWebhook, TelegramSecret string

	TwilioSID, TwilioToken, TwilioFrom, TwilioService, TwilioAPI string
	SMSGSM7                                                      bool
	SMSSegments                                                  int

	WhatsAppFrom, WhatsAppService, WhatsAppTemplates string

	VerifyIdle, VerifyMax time.Duration
	RetentionDays         int
	Threshold             float64

	Queue                   delivery.QueueConfig
	MaxBackoff, GiveUpAfter time.Duration
	Rates                   map[string]float64 // delivery.Worker.Rates, by channel name

	InboxTeams, InboxHours string
	InboxUnclaimed         time.Duration
}

// SMSOn reports whether the SMS channel is configured: the Twilio account and an SMS
// sender (with the account and only a WhatsApp sender, WhatsApp runs alone).
func (c config) SMSOn() bool {
	return c.TwilioSID != "" && (c.TwilioFrom != "" || c.TwilioService != "")
}

// WhatsAppOn reports whether the WhatsApp channel is configured.
func (c config) WhatsAppOn() bool {
	return c.TwilioSID != "" && (c.WhatsAppFrom != "" || c.WhatsAppService != "")
}

// loadConfig reads the configuration. Every value that is set and invalid, and every
// partial channel setting, is an error naming the variable and what it expects.
func loadConfig(getenv func(string) string) (config, error) {
	r := &envReader{getenv: getenv}
	c := config{
		DatabaseURL:       r.str(envDatabaseURL),
		DBPath:            or(r.str(envDB), "mygov.db"),
		Addr:              r.hostPort(envAddr, "127.0.0.1:8080"),
		LogLevel:          r.oneOf(envLogLevel, "info", "debug", "info", "warn", "error"),
		LogLevelSet:       getenv(envLogLevel) != "",
		LogFormat:         r.oneOf(envLogFormat, "text", "text", "json"),
		PublicURL:         strings.TrimRight(r.baseURL(envPublicURL), "/"),
		MetricsToken:      r.str(envMetricsToken),
		TelegramToken:     r.str(envTelegramToken),
		TelegramAPI:       r.baseURL(envTelegramAPI),
		TelegramWebhook:   r.baseURL(envTelegramWebhook),
		TelegramSecret:    r.str(envTelegramSecret),
		TwilioSID:         r.str(envTwilioSID),
		TwilioToken:       r.str(envTwilioToken),
		TwilioFrom:        r.str(envTwilioFrom),
		TwilioService:     r.str(envTwilioService),
		TwilioAPI:         r.baseURL(envTwilioAPI),
		SMSGSM7:           r.boolean(envSMSGSM7, true),
		SMSSegments:       r.integer(envSMSSegments, 2, 1, 10),
		WhatsAppFrom:      r.str(envWhatsAppFrom),
		WhatsAppService:   r.str(envWhatsAppService),
		WhatsAppTemplates: r.str(envWhatsAppTpl),
		VerifyIdle:        r.duration(envVerifyIdle, 30*time.Minute),
		VerifyMax:         r.duration(envVerifyMax, 24*time.Hour),
		RetentionDays:     r.integer(envRetentionDays, 90, 1, 36500),
		Threshold:         r.fraction(envConfidenceThresh, intents.DefaultThreshold),
		Queue: delivery.QueueConfig{
			MaxWorkers:        r.integer(envDeliveryWorkers, delivery.DefaultMaxWorkers, 1, 10000),
			FetchCooldown:     r.duration(envDeliveryCooldown, delivery.DefaultFetchCooldown),
			FetchPollInterval: r.duration(envDeliveryPoll, delivery.DefaultFetchPollInterval),
			JobTimeout:        r.duration(envDeliveryTimeout, delivery.DefaultLease),
			RescueAfter:       r.duration(envDeliveryRescue, 0),
		},
		MaxBackoff:     r.duration(envDeliveryMaxBackoff, delivery.DefaultMaxBackoff),
		GiveUpAfter:    r.duration(envDeliveryGiveUp, delivery.DefaultGiveUpAfter),
		InboxTeams:     r.str(envInboxTeams),
		InboxHours:     r.str(envInboxHours),
		InboxUnclaimed: r.duration(envInboxUnclaimed, 2*time.Hour),
		Rates: map[string]float64{
			sms.Name:      r.rate(envSMSRate),
			telegram.Name: r.rate(envTelegramRate),
		},
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		r.bad(envDatabaseURL, "a postgres:// or postgresql:// URL")
	}
	if q := c.Queue; q.RescueAfter != 0 && q.RescueAfter < q.JobTimeout {
		r.bad(envDeliveryRescue, "a duration no shorter than "+envDeliveryTimeout)
	}
	c.checkTwilio(r)
	c.checkTelegram(r)
	if _, err := inbox.ParseRouting(c.InboxTeams, c.InboxHours, time.UTC); err != nil {
		r.bad(envInboxTeams+" or "+envInboxHours, fmt.Sprintf("MUNICIPALITY=TEAM,… and TEAM=DAYS/HH:MM-HH:MM,… (%v)", err))
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	return c, r.err()
}

// checkTwilio reports partial Twilio settings: SMS and WhatsApp are on with the account
// SID, and then need the token, the public URL Twilio calls and a sender of at least one
// of them (SMS: a number or a messaging service; WhatsApp: a whatsapp: number or a
// messaging service).
func (c *config) checkTwilio(r *envReader) {
	any := c.TwilioSID != "" || c.TwilioToken != "" || c.TwilioFrom != "" || c.TwilioService != "" || c.TwilioAPI != "" ||
		c.WhatsAppFrom != "" || c.WhatsAppService != "" || c.WhatsAppTemplates != ""
	if !any {
		return
	}
	const partial = "SMS and WhatsApp need " + envTwilioSID + ", " + envTwilioToken + ", " + envPublicURL +
		" and a sender: " + envTwilioFrom + " or " + envTwilioService + " (SMS), " +
		envWhatsAppFrom + " or " + envWhatsAppService + " (WhatsApp)"
	if c.TwilioSID == "" {
		r.missing(envTwilioSID, partial)
	} else if !alnum(c.TwilioSID) {
		r.bad(envTwilioSID, "letters and digits (an account SID such as AC0123…)")
	}
	if c.TwilioToken == "" {
		r.missing(envTwilioToken, partial)
	} else if !alnum(c.TwilioToken) {
		r.bad(envTwilioToken, "letters and digits")
	}
	if c.TwilioFrom == "" && c.TwilioService == "" && c.WhatsAppFrom == "" && c.WhatsAppService == "" {
		r.missing(envTwilioFrom, partial)
	}
	if c.TwilioFrom != "" && !records.ValidPhone(c.TwilioFrom) {
		r.bad(envTwilioFrom, "an E.164 phone number such as +34600000000")
	}
	if c.WhatsAppFrom != "" {
		if _, err := twilio.SenderPhone(c.WhatsAppFrom, whatsapp.Prefix); err != nil {
			r.bad(envWhatsAppFrom, "whatsapp: and an E.164 number, such as whatsapp:+14155238886")
		}
	}
	if _, err := whatsapp.ParseTemplates(c.WhatsAppTemplates); err != nil {
		r.bad(envWhatsAppTpl, fmt.Sprintf("templates as whatsapp.ParseTemplates reads them (%v)", err))
	}
	if c.PublicURL == "" {
		r.missing(envPublicURL, "SMS and WhatsApp need the public https URL Twilio calls, for signatures and status callbacks")
	}
}

// checkTelegram reports Telegram settings given without the bot token.
func (c *config) checkTelegram(r *envReader) {
	if c.TelegramToken != "" {
		if c.TelegramWebhook != "" && c.TelegramSecret == "" {
			r.missing(envTelegramSecret, "a webhook ("+envTelegramWebhook+") needs its secret")
		}
		return
	}
	for name, v := range map[string]string{envTelegramAPI: c.TelegramAPI, envTelegramWebhook: c.TelegramWebhook, envTelegramSecret: c.TelegramSecret} {
		if v != "" {
			r.bad(name, "to be set only with "+envTelegramToken)
		}
	}
}

// envReader reads typed values and collects every error.
type envReader struct {
	getenv func(string) string
	errs   []error
}

func (r *envReader) bad(name, want string) {
	r.errs = append(r.errs, fmt.Errorf("%s: want %s", name, want))
}

func (r *envReader) missing(name, why string) {
	r.errs = append(r.errs, fmt.Errorf("%s: missing: %s", name, why))
}

func (r *envReader) badValue(name, v, want string) {
	r.errs = append(r.errs, fmt.Errorf("%s=%q: want %s", name, redact(name, v), want))
}

func (r *envReader) err() error { return errors.Join(r.errs...) }

func (r *envReader) str(name string) string { return r.getenv(name) }

func (r *envReader) integer(name string, def, lo, hi int) int {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.badValue(name, v, fmt.Sprintf("a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

func (r *envReader) duration(name string, def time.Duration) time.Duration {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.badValue(name, v, "a positive duration with its unit, such as 30m, 10s or 250ms")
		return def
	}
	return d
}

// fraction reads a number from 0 to 1.
func (r *envReader) fraction(name string, def float64) float64 {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1 {
		r.badValue(name, v, "a number from 0 to 1, such as 0.6")
		return def
	}
	return f
}

// rate reads a number of messages a second, 0 (the default) for none.
func (r *envReader) rate(name string) float64 {
	v := r.getenv(name)
	if v == "" {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > 1e6 {
		r.badValue(name, v, "messages a second, a number such as 1 or 0.5 (0: no cap)")
		return 0
	}
	return f
}

func (r *envReader) boolean(name string, def bool) bool {
	switch strings.ToLower(r.getenv(name)) {
	case "":
		return def
	case "1", "true", "on", "yes":
		return true
	case "0", "false", "off", "no":
		return false
	}
	r.badValue(name, r.getenv(name), "on or off (also 1/0, true/false)")
	return def
}

func (r *envReader) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(r.getenv(name))
	if v == "" {
		return def
	}
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.badValue(name, v, "one of "+strings.Join(allowed, ", "))
	return def
}

func (r *envReader) hostPort(name, def string) string {
	v := r.getenv(name)
	if v == "" {
		return def
	}
	if _, port, err := net.SplitHostPort(v); err != nil || port == "" {
		r.badValue(name, v, "host:port, such as 127.0.0.1:8080 or :8080")
		return def
	}
	return v
}

func (r *envReader) baseURL(name string) string {
	v := r.getenv(name)
	if v == "" {
		return ""
	}
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		r.badValue(name, v, "an absolute http(s) URL without query, such as https://mygov.example")
		return ""
	}
	return v
}

// redact hides the value of a secret in an error.
func redact(name, v string) string {
	switch name {
	case envTwilioToken, envTelegramToken, envTelegramSecret, envMetricsToken, envDatabaseURL:
		return "…"
	}
	return v
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func alnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
