// Package config reads MyGov's configuration from the environment: the variable names,
// their parsing and validation, and the output of "mygov config check".
package config

import (
	"errors"
	"fmt"
	"io"
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
	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/records"
)

// Environment variables: the only place MyGov reads its configuration.
const (
	EnvDatabaseURL      = "DATABASE_URL" // PostgreSQL; the embedded SQLite file when unset
	EnvDB               = "MYGOV_DB"     // SQLite file, default ./mygov.db
	EnvAddr             = "MYGOV_ADDR"   // HTTP address, default 127.0.0.1:8080
	EnvLogLevel         = "MYGOV_LOG_LEVEL"
	EnvLogFormat        = "MYGOV_LOG_FORMAT" // text (default) or json
	EnvPublicURL        = "MYGOV_PUBLIC_URL" // public base URL that Twilio and Telegram call
	EnvMetricsToken     = "MYGOV_METRICS_TOKEN"
	EnvTelegramToken    = "TELEGRAM_BOT_TOKEN"
	EnvTelegramAPI      = "TELEGRAM_API_URL"
	EnvTelegramWebhook  = "TELEGRAM_WEBHOOK_URL"
	EnvTelegramSecret   = "TELEGRAM_WEBHOOK_SECRET"
	EnvTwilioSID        = "TWILIO_ACCOUNT_SID"
	EnvTwilioToken      = "TWILIO_AUTH_TOKEN"
	EnvTwilioFrom       = "TWILIO_FROM"
	EnvTwilioService    = "TWILIO_MESSAGING_SERVICE_SID"
	EnvTwilioAPI        = "TWILIO_API_URL"
	EnvSMSGSM7          = "MYGOV_SMS_GSM7"       // transliterate to GSM-7 when it saves segments, default on
	EnvSMSSegments      = "MYGOV_SMS_SEGMENTS"   // segment budget of one SMS reply, default 2
	EnvWhatsAppFrom     = "TWILIO_WHATSAPP_FROM" // WhatsApp sender, "whatsapp:+14155238886"
	EnvWhatsAppService  = "TWILIO_WHATSAPP_MESSAGING_SERVICE_SID"
	EnvWhatsAppTpl      = "MYGOV_WHATSAPP_TEMPLATES" // templates by notice kind and language (whatsapp.ParseTemplates)
	EnvVerifyIdle       = "MYGOV_VERIFY_IDLE"        // level-2 window without messages, default 30m
	EnvVerifyMax        = "MYGOV_VERIFY_MAX"         // level-2 window in any case, default 24h
	EnvRetentionDays    = "MYGOV_RETENTION_DAYS"
	EnvConfidenceThresh = "MYGOV_CONFIDENCE_THRESHOLD"

	EnvDeliveryWorkers    = "MYGOV_DELIVERY_WORKERS"
	EnvDeliveryCooldown   = "MYGOV_DELIVERY_FETCH_COOLDOWN"
	EnvDeliveryPoll       = "MYGOV_DELIVERY_POLL_INTERVAL"
	EnvDeliveryTimeout    = "MYGOV_DELIVERY_TIMEOUT"
	EnvDeliveryRescue     = "MYGOV_DELIVERY_RESCUE_AFTER"
	EnvDeliveryMaxBackoff = "MYGOV_DELIVERY_MAX_BACKOFF"
	EnvDeliveryGiveUp     = "MYGOV_DELIVERY_GIVE_UP_AFTER"
	EnvSMSRate            = "MYGOV_SMS_RATE"      // SMS sends a second per process, 0: no cap
	EnvTelegramRate       = "MYGOV_TELEGRAM_RATE" // Telegram sends a second per process, 0: the channel's own (30/s)

	EnvQuietHours     = "MYGOV_QUIET_HOURS"     // "21:00-09:00" (default), or "off"
	EnvInboxTeams     = "MYGOV_INBOX_TEAMS"     // MUNICIPALITY=TEAM,…; default serveis-socials
	EnvInboxHours     = "MYGOV_INBOX_HOURS"     // TEAM=DAYS/HH:MM-HH:MM,…; default 1-5/09:00-14:00
	EnvInboxUnclaimed = "MYGOV_INBOX_UNCLAIMED" // unclaimed this long, the citizen is given the 012; default 2h
)

// Config is MyGov's configuration, read once from the environment.
type Config struct {
	DatabaseURL  string
	DBPath       string
	DBNamed      bool // MYGOV_DB was given: the operator's database, never seeded unasked
	DemoAsked    bool // --demo: load the demo data into an empty database, whichever
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
	whatsAppTemplates                                whatsapp.Templates // WhatsAppTemplates parsed

	VerifyIdle, VerifyMax time.Duration
	RetentionDays         int
	Threshold             float64

	Queue                   delivery.QueueConfig
	MaxBackoff, GiveUpAfter time.Duration
	Rates                   map[string]float64 // delivery.Worker.Rates, by channel name

	InboxTeams, InboxHours string
	InboxUnclaimed         time.Duration

	QuietHours notices.QuietHours
}

// SeedDemo reports whether serve and chat load the demo data into an empty database: into
// the embedded default one, or any other only when --demo asked for it.
func (c Config) SeedDemo() bool {
	return c.DemoAsked || (c.DatabaseURL == "" && !c.DBNamed)
}

// Database names the database the configuration opens, for messages: "PostgreSQL
// (DATABASE_URL)" or "SQLite PATH".
func (c Config) Database() string {
	if c.DatabaseURL != "" {
		return "PostgreSQL (" + EnvDatabaseURL + ")"
	}
	return "SQLite " + c.DBPath
}

// SMSOn reports whether the SMS channel is configured: the Twilio account and an SMS
// sender (with the account and only a WhatsApp sender, WhatsApp runs alone).
func (c Config) SMSOn() bool {
	return c.TwilioSID != "" && (c.TwilioFrom != "" || c.TwilioService != "")
}

// WhatsAppOn reports whether the WhatsApp channel is configured.
func (c Config) WhatsAppOn() bool {
	return c.TwilioSID != "" && (c.WhatsAppFrom != "" || c.WhatsAppService != "")
}

// MapEnv returns a getenv for Load that knows only the given name, value pairs: the
// configuration of a test, or of a tool that sets it itself.
func MapEnv(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// Load reads the configuration. Every value that is set and invalid, and every
// partial channel setting, is an error naming the variable and what it expects.
func Load(getenv func(string) string) (Config, error) {
	r := &envReader{getenv: getenv}
	c := Config{
		DatabaseURL:       r.str(EnvDatabaseURL),
		DBPath:            or(r.str(EnvDB), "mygov.db"),
		DBNamed:           getenv(EnvDB) != "",
		Addr:              r.hostPort(EnvAddr, "127.0.0.1:8080"),
		LogLevel:          r.oneOf(EnvLogLevel, "info", "debug", "info", "warn", "error"),
		LogLevelSet:       getenv(EnvLogLevel) != "",
		LogFormat:         r.oneOf(EnvLogFormat, "text", "text", "json"),
		PublicURL:         strings.TrimRight(r.baseURL(EnvPublicURL), "/"),
		MetricsToken:      r.str(EnvMetricsToken),
		TelegramToken:     r.str(EnvTelegramToken),
		TelegramAPI:       r.baseURL(EnvTelegramAPI),
		TelegramWebhook:   r.baseURL(EnvTelegramWebhook),
		TelegramSecret:    r.str(EnvTelegramSecret),
		TwilioSID:         r.str(EnvTwilioSID),
		TwilioToken:       r.str(EnvTwilioToken),
		TwilioFrom:        r.str(EnvTwilioFrom),
		TwilioService:     r.str(EnvTwilioService),
		TwilioAPI:         r.baseURL(EnvTwilioAPI),
		SMSGSM7:           r.boolean(EnvSMSGSM7, true),
		SMSSegments:       r.integer(EnvSMSSegments, 2, 1, 10),
		WhatsAppFrom:      r.str(EnvWhatsAppFrom),
		WhatsAppService:   r.str(EnvWhatsAppService),
		WhatsAppTemplates: r.str(EnvWhatsAppTpl),
		VerifyIdle:        r.duration(EnvVerifyIdle, 30*time.Minute),
		VerifyMax:         r.duration(EnvVerifyMax, 24*time.Hour),
		RetentionDays:     r.integer(EnvRetentionDays, 90, 1, 36500),
		Threshold:         r.fraction(EnvConfidenceThresh, intents.DefaultThreshold),
		Queue: delivery.QueueConfig{
			MaxWorkers:        r.integer(EnvDeliveryWorkers, delivery.DefaultMaxWorkers, 1, 10000),
			FetchCooldown:     r.duration(EnvDeliveryCooldown, delivery.DefaultFetchCooldown),
			FetchPollInterval: r.duration(EnvDeliveryPoll, delivery.DefaultFetchPollInterval),
			JobTimeout:        r.duration(EnvDeliveryTimeout, delivery.DefaultLease),
			RescueAfter:       r.duration(EnvDeliveryRescue, 0),
		},
		MaxBackoff:     r.duration(EnvDeliveryMaxBackoff, delivery.DefaultMaxBackoff),
		GiveUpAfter:    r.duration(EnvDeliveryGiveUp, delivery.DefaultGiveUpAfter),
		InboxTeams:     r.str(EnvInboxTeams),
		InboxHours:     r.str(EnvInboxHours),
		InboxUnclaimed: r.duration(EnvInboxUnclaimed, 2*time.Hour),
		Rates: map[string]float64{
			sms.Name:      r.rate(EnvSMSRate),
			telegram.Name: r.rate(EnvTelegramRate),
		},
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		r.bad(EnvDatabaseURL, "a postgres:// or postgresql:// URL")
	}
	if q := c.Queue; q.RescueAfter != 0 && q.RescueAfter < q.JobTimeout {
		r.bad(EnvDeliveryRescue, "a duration no shorter than "+EnvDeliveryTimeout)
	}
	var err error
	if c.QuietHours, err = notices.ParseQuietHours(getenv(EnvQuietHours)); err != nil {
		r.bad(EnvQuietHours, fmt.Sprintf("HH:MM-HH:MM or off (%v)", err))
	}
	c.checkTwilio(r)
	c.checkTelegram(r)
	if _, err := inbox.ParseRouting(c.InboxTeams, c.InboxHours, time.UTC); err != nil {
		r.bad(EnvInboxTeams+" or "+EnvInboxHours, fmt.Sprintf("MUNICIPALITY=TEAM,… and TEAM=DAYS/HH:MM-HH:MM,… (%v)", err))
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
func (c *Config) checkTwilio(r *envReader) {
	any := c.TwilioSID != "" || c.TwilioToken != "" || c.TwilioFrom != "" || c.TwilioService != "" || c.TwilioAPI != "" ||
		c.WhatsAppFrom != "" || c.WhatsAppService != "" || c.WhatsAppTemplates != ""
	if !any {
		return
	}
	const partial = "SMS and WhatsApp need " + EnvTwilioSID + ", " + EnvTwilioToken + ", " + EnvPublicURL +
		" and a sender: " + EnvTwilioFrom + " or " + EnvTwilioService + " (SMS), " +
		EnvWhatsAppFrom + " or " + EnvWhatsAppService + " (WhatsApp)"
	if c.TwilioSID == "" {
		r.missing(EnvTwilioSID, partial)
	} else if !alnum(c.TwilioSID) {
		r.bad(EnvTwilioSID, "letters and digits (an account SID such as AC0123…)")
	}
	if c.TwilioToken == "" {
		r.missing(EnvTwilioToken, partial)
	} else if !alnum(c.TwilioToken) {
		r.bad(EnvTwilioToken, "letters and digits")
	}
	if c.TwilioFrom == "" && c.TwilioService == "" && c.WhatsAppFrom == "" && c.WhatsAppService == "" {
		r.missing(EnvTwilioFrom, partial)
	}
	if c.TwilioFrom != "" && !records.ValidPhone(c.TwilioFrom) {
		r.bad(EnvTwilioFrom, "an E.164 phone number such as +34600000000")
	}
	if c.WhatsAppFrom != "" {
		if _, err := twilio.SenderPhone(c.WhatsAppFrom, whatsapp.Prefix); err != nil {
			r.bad(EnvWhatsAppFrom, "whatsapp: and an E.164 number, such as whatsapp:+14155238886")
		}
	}
	var err error
	if c.whatsAppTemplates, err = whatsapp.ParseTemplates(c.WhatsAppTemplates); err != nil {
		r.bad(EnvWhatsAppTpl, fmt.Sprintf("templates as whatsapp.ParseTemplates reads them (%v)", err))
	}
	if c.PublicURL == "" {
		r.missing(EnvPublicURL, "SMS and WhatsApp need the public https URL Twilio calls, for signatures and status callbacks")
	}
}

// checkTelegram reports Telegram settings given without the bot token.
func (c *Config) checkTelegram(r *envReader) {
	if c.TelegramToken != "" {
		if c.TelegramWebhook != "" && c.TelegramSecret == "" {
			r.missing(EnvTelegramSecret, "a webhook ("+EnvTelegramWebhook+") needs its secret")
		}
		return
	}
	for name, v := range map[string]string{EnvTelegramAPI: c.TelegramAPI, EnvTelegramWebhook: c.TelegramWebhook, EnvTelegramSecret: c.TelegramSecret} {
		if v != "" {
			r.bad(name, "to be set only with "+EnvTelegramToken)
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
	case EnvTwilioToken, EnvTelegramToken, EnvTelegramSecret, EnvMetricsToken, EnvDatabaseURL:
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

// Indent formats a joined error one problem a line.
func Indent(err error) string {
	return "  - " + strings.ReplaceAll(err.Error(), "\n", "\n  - ")
}

// Check runs "mygov config check": it reports every invalid setting, or a summary of
// the valid configuration (secrets left out).
func Check(args []string, cfg Config, cfgErr error, stdout, stderr io.Writer) int {
	if len(args) != 1 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: mygov config check")
		return 2
	}
	if cfgErr != nil {
		fmt.Fprintf(stderr, "mygov: invalid configuration:\n%s\n", Indent(cfgErr))
		return 1
	}
	on := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	fmt.Fprintf(stdout, "configuration ok\n  database: %s\n  address: %s\n  public URL: %s\n  telegram: %s\n  sms: %s\n  log: %s, %s\n  delivery: %d workers per channel, job timeout %s, retries up to %s apart, give up after %s\n  metrics token: %s\n",
		cfg.Database(), cfg.Addr, cfg.PublicURL, on(cfg.TelegramToken != ""), on(cfg.SMSOn()), cfg.LogLevel, cfg.LogFormat,
		cfg.Queue.MaxWorkers, cfg.Queue.JobTimeout, cfg.MaxBackoff, cfg.GiveUpAfter, on(cfg.MetricsToken != ""))
	return 0
}
