package main

import (
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/notices"

	"github.com/catalonia/mygov/intents"
)

// Environment variables: the only place MyGov reads its configuration.
const (
	envDatabaseURL      = "DATABASE_URL" // PostgreSQL; the embedded SQLite file when unset
	envDB               = "MYGOV_DB"     // SQLite file, default ./mygov.db
	envAddr             = "MYGOV_ADDR"   // HTTP address, default 127.0.0.1:8080
	envLogLevel         = "MYGOV_LOG_LEVEL"
	envPublicURL        = "MYGOV_PUBLIC_URL" // public base URL that Twilio and Telegram call
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
	envQuietHours       = "MYGOV_QUIET_HOURS" // "21:00-09:00" (default), or "off"
	envConfidenceThresh = "MYGOV_CONFIDENCE_THRESHOLD"
	envInboxTeams       = "MYGOV_INBOX_TEAMS"     // MUNICIPALITY=TEAM,…; default serveis-socials
	envInboxHours       = "MYGOV_INBOX_HOURS"     // TEAM=DAYS/HH:MM-HH:MM,…; default 1-5/09:00-14:00
	envInboxUnclaimed   = "MYGOV_INBOX_UNCLAIMED" // unclaimed this long, the citizen is given the 012; default 2h
)

// config is MyGov's configuration, read once from the environment.
type config struct {
	DatabaseURL string
	DBPath      string
	DBNamed     bool // MYGOV_DB was given: the operator's database, never seeded unasked
	DemoAsked   bool // --demo: load the demo data into an empty database, whichever
	Addr        string
	LogLevel    string
	LogLevelSet bool // MYGOV_LOG_LEVEL was given
	PublicURL   string

	TelegramToken, TelegramAPI, TelegramWebhook, TelegramSecret string

	TwilioSID, TwilioToken, TwilioFrom, TwilioService, TwilioAPI string
	SMSGSM7                                                      bool
	SMSSegments                                                  int

	WhatsAppFrom, WhatsAppService, WhatsAppTemplates string

	VerifyIdle, VerifyMax time.Duration
	RetentionDays         int
	Threshold             float64

	InboxTeams, InboxHours string
	InboxUnclaimed         time.Duration
	QuietHours             notices.QuietHours
	QuietHoursErr          error // MYGOV_QUIET_HOURS could not be read
}

func loadConfig(getenv func(string) string) config {
	c := config{
		DatabaseURL:       getenv(envDatabaseURL),
		DBPath:            or(getenv(envDB), "mygov.db"),
		DBNamed:           getenv(envDB) != "",
		Addr:              or(getenv(envAddr), "127.0.0.1:8080"),
		LogLevel:          or(getenv(envLogLevel), "info"),
		LogLevelSet:       getenv(envLogLevel) != "",
		PublicURL:         strings.TrimRight(getenv(envPublicURL), "/"),
		TelegramToken:     getenv(envTelegramToken),
		TelegramAPI:       getenv(envTelegramAPI),
		TelegramWebhook:   getenv(envTelegramWebhook),
		TelegramSecret:    getenv(envTelegramSecret),
		TwilioSID:         getenv(envTwilioSID),
		TwilioToken:       getenv(envTwilioToken),
		TwilioFrom:        getenv(envTwilioFrom),
		TwilioService:     getenv(envTwilioService),
		TwilioAPI:         getenv(envTwilioAPI),
		SMSGSM7:           getenv(envSMSGSM7) != "0" && !strings.EqualFold(getenv(envSMSGSM7), "false") && !strings.EqualFold(getenv(envSMSGSM7), "off"),
		SMSSegments:       atoi(getenv(envSMSSegments), 2),
		WhatsAppFrom:      getenv(envWhatsAppFrom),
		WhatsAppService:   getenv(envWhatsAppService),
		WhatsAppTemplates: getenv(envWhatsAppTpl),
		VerifyIdle:        duration(getenv(envVerifyIdle), 30*time.Minute),
		VerifyMax:         duration(getenv(envVerifyMax), 24*time.Hour),
		RetentionDays:     atoi(getenv(envRetentionDays), 90),
		Threshold:         intents.DefaultThreshold,
		InboxTeams:        getenv(envInboxTeams),
		InboxHours:        getenv(envInboxHours),
		InboxUnclaimed:    duration(getenv(envInboxUnclaimed), 2*time.Hour),
	}
	if f, err := strconv.ParseFloat(getenv(envConfidenceThresh), 64); err == nil && f >= 0 && f <= 1 {
		c.Threshold = f
	}
	if c.PublicURL == "" {
		c.PublicURL = "http://" + c.Addr
	}
	c.QuietHours, c.QuietHoursErr = notices.ParseQuietHours(getenv(envQuietHours))
	return c
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func atoi(s string, def int) int {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return n
	}
	return def
}

func duration(s string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d
	}
	return def
}

// seedDemo reports whether serve and chat load the demo data into an empty database: into
// the embedded default one (so a first run shows a working demo) or when asked with --demo;
// into a database the operator named, never.
func (c config) seedDemo() bool {
	return c.DemoAsked || (c.DatabaseURL == "" && !c.DBNamed)
}
