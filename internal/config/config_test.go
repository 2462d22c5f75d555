package config

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/telegram"
	"github.com/catalonia/mygov/channels/whatsapp"
	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/intents"
)

// env returns a getenv with the given variables and nothing else.
var env = MapEnv

// withTwilio is a complete, valid Twilio account for SMS, plus kv.
func withTwilio(kv ...string) []string {
	return append([]string{EnvTwilioSID, "AC1", EnvTwilioToken, "t0k", EnvTwilioFrom, "+34600000000", EnvPublicURL, "https://x.example"}, kv...)
}

// TestLoadInvalid: every invalid value and every partial channel setting is an error naming
// the variable and what it expects, where it used to become the default in silence.
func TestLoadInvalid(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
		want []string // in the error
	}{
		{"Segments", []string{EnvSMSSegments, "abc"}, []string{EnvSMSSegments, "whole number from 1 to 10"}},
		{"SegmentsTooMany", []string{EnvSMSSegments, "11"}, []string{EnvSMSSegments, "from 1 to 10"}},
		{"LogLevel", []string{EnvLogLevel, "verbose"}, []string{EnvLogLevel, "debug, info"}},
		{"LogFormat", []string{EnvLogFormat, "xml"}, []string{EnvLogFormat, "json"}},
		{"DurationWithoutUnit", []string{EnvVerifyIdle, "30"}, []string{EnvVerifyIdle, "unit"}},
		{"DurationNegative", []string{EnvVerifyMax, "-1h"}, []string{EnvVerifyMax, "positive duration"}},
		{"DurationZero", []string{EnvInboxUnclaimed, "0s"}, []string{EnvInboxUnclaimed, "positive duration"}},
		{"ThresholdAsPercent", []string{EnvConfidenceThresh, "60"}, []string{EnvConfidenceThresh, "0 to 1"}},
		{"ThresholdNotANumber", []string{EnvConfidenceThresh, "high"}, []string{EnvConfidenceThresh, "0 to 1"}},
		{"GSM7", []string{EnvSMSGSM7, "maybe"}, []string{EnvSMSGSM7, "on or off"}},
		{"Retention", []string{EnvRetentionDays, "-3"}, []string{EnvRetentionDays, "whole number"}},
		{"Workers", []string{EnvDeliveryWorkers, "0"}, []string{EnvDeliveryWorkers, "from 1 to 10000"}},
		{"RescueShorterThanTimeout", []string{EnvDeliveryTimeout, "30s", EnvDeliveryRescue, "10s"}, []string{EnvDeliveryRescue, EnvDeliveryTimeout}},
		{"Addr", []string{EnvAddr, "8080"}, []string{EnvAddr, "host:port"}},
		{"AddrWithoutPort", []string{EnvAddr, "127.0.0.1:"}, []string{EnvAddr, "host:port"}},
		{"SMSRate", []string{EnvSMSRate, "fast"}, []string{EnvSMSRate, "messages a second"}},
		{"TelegramRate", []string{EnvTelegramRate, "-1"}, []string{EnvTelegramRate, "messages a second"}},
		{"DatabaseURL", []string{EnvDatabaseURL, "mysql://x"}, []string{EnvDatabaseURL, "postgres://"}},
		{"PublicURL", []string{EnvPublicURL, "mygov.example"}, []string{EnvPublicURL, "absolute http(s) URL"}},
		{"PublicURLWithQuery", []string{EnvPublicURL, "https://mygov.example/?a=1"}, []string{EnvPublicURL, "without query"}},
		{"TelegramAPI", []string{EnvTelegramToken, "1:a", EnvTelegramAPI, "ftp://x"}, []string{EnvTelegramAPI, "http(s)"}},
		{"QuietHours", []string{EnvQuietHours, "late"}, []string{EnvQuietHours, "HH:MM-HH:MM or off"}},
		{"InboxTeams", []string{EnvInboxTeams, "Badalona"}, []string{EnvInboxTeams, "MUNICIPALITY=TEAM"}},
		{"TwilioWithoutToken", []string{EnvTwilioSID, "AC1", EnvTwilioFrom, "+34600000000", EnvPublicURL, "https://x.example"},
			[]string{EnvTwilioToken, "missing"}},
		{"TwilioWithoutSID", []string{EnvTwilioToken, "t0k", EnvTwilioFrom, "+34600000000", EnvPublicURL, "https://x.example"},
			[]string{EnvTwilioSID, "missing"}},
		{"TwilioWithoutSender", []string{EnvTwilioSID, "AC1", EnvTwilioToken, "t0k", EnvPublicURL, "https://x.example"},
			[]string{EnvTwilioFrom, "missing", EnvWhatsAppFrom}},
		{"TwilioSIDNotAlphanumeric", withTwilio(EnvTwilioSID, "AC-1"), []string{EnvTwilioSID, "letters and digits"}},
		{"TwilioShortFrom", withTwilio(EnvTwilioFrom, "600"), []string{EnvTwilioFrom, "E.164"}},
		{"SMSWithoutPublicURL", []string{EnvTwilioSID, "AC1", EnvTwilioToken, "t0k", EnvTwilioFrom, "+34600000000"},
			[]string{EnvPublicURL, "missing"}},
		{"WhatsAppWithoutPublicURL", []string{EnvTwilioSID, "AC1", EnvTwilioToken, "t0k", EnvWhatsAppFrom, "whatsapp:+14155238886"},
			[]string{EnvPublicURL, "missing"}},
		{"WhatsAppFromWithoutPrefix", withTwilio(EnvWhatsAppFrom, "+14155238886"), []string{EnvWhatsAppFrom, "whatsapp:"}},
		{"WhatsAppTemplates", withTwilio(EnvWhatsAppFrom, "whatsapp:+14155238886", EnvWhatsAppTpl, "{{{"), []string{EnvWhatsAppTpl}},
		{"TemplatesWithoutAccount", []string{EnvWhatsAppTpl, "x"}, []string{EnvTwilioSID, "missing"}},
		{"TelegramSecretWithoutToken", []string{EnvTelegramSecret, "s"}, []string{EnvTelegramSecret, EnvTelegramToken}},
		{"TelegramWebhookWithoutToken", []string{EnvTelegramWebhook, "https://x.example/tg"}, []string{EnvTelegramWebhook, EnvTelegramToken}},
		{"TelegramWebhookWithoutSecret", []string{EnvTelegramToken, "1:a", EnvTelegramWebhook, "https://x.example/tg"}, []string{EnvTelegramSecret, "missing"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(env(tt.kv...))
			if err == nil {
				t.Fatalf("Load(%q) = nil error", tt.kv)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestLoadEveryError: one Load reports every problem, one a line, not the first alone.
func TestLoadEveryError(t *testing.T) {
	_, err := Load(env(EnvSMSSegments, "abc", EnvLogLevel, "loud", EnvAddr, "nowhere"))
	if err == nil {
		t.Fatal("no error")
	}
	got := Indent(err)
	for _, w := range []string{"  - " + EnvSMSSegments, "  - " + EnvLogLevel, "  - " + EnvAddr} {
		if !strings.Contains(got, w) {
			t.Errorf("Indent lacks %q:\n%s", w, got)
		}
	}
}

// TestLoadHidesSecrets: an invalid secret is named, never shown.
func TestLoadHidesSecrets(t *testing.T) {
	tests := []struct{ name, secret string }{
		{EnvTwilioToken, "sec-ret!"},
		{EnvDatabaseURL, "mysql://user:hunter2@db"},
		{EnvTwilioToken, strings.Repeat("s", 100000) + "!"},
	}
	for _, tt := range tests {
		_, err := Load(env(withTwilio(tt.name, tt.secret)...))
		if err == nil || strings.Contains(err.Error(), tt.secret) || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), tt.name) {
			t.Errorf("%s: error %.200v", tt.name, err)
		}
	}
}

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env())
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"DBPath", c.DBPath, "mygov.db"},
		{"DBNamed", c.DBNamed, false},
		{"Addr", c.Addr, "127.0.0.1:8080"},
		{"PublicURL", c.PublicURL, "http://127.0.0.1:8080"},
		{"LogLevel", c.LogLevel, "info"},
		{"LogFormat", c.LogFormat, "text"},
		{"SMSSegments", c.SMSSegments, 2},
		{"SMSGSM7", c.SMSGSM7, true},
		{"VerifyIdle", c.VerifyIdle, 30 * time.Minute},
		{"VerifyMax", c.VerifyMax, 24 * time.Hour},
		{"RetentionDays", c.RetentionDays, 90},
		{"Threshold", c.Threshold, intents.DefaultThreshold},
		{"Workers", c.Queue.MaxWorkers, delivery.DefaultMaxWorkers},
		{"JobTimeout", c.Queue.JobTimeout, delivery.DefaultLease},
		{"MaxBackoff", c.MaxBackoff, delivery.DefaultMaxBackoff},
		{"GiveUpAfter", c.GiveUpAfter, delivery.DefaultGiveUpAfter},
		{"InboxUnclaimed", c.InboxUnclaimed, 2 * time.Hour},
		{"SMSRate", c.Rates[sms.Name], 0.0},
		{"SMSOn", c.SMSOn(), false},
		{"WhatsAppOn", c.WhatsAppOn(), false},
		{"SeedDemo", c.SeedDemo(), true},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if _, on := c.Telegram(); on {
		t.Error("Telegram on without a token")
	}
}

func TestLoadValues(t *testing.T) {
	c, err := Load(env(withTwilio(EnvDB, "/var/lib/mygov.db", EnvLogLevel, "DEBUG", EnvLogFormat, "json", EnvSMSSegments, "3",
		EnvSMSGSM7, "off", EnvVerifyIdle, "10m", EnvConfidenceThresh, "0.7", EnvDeliveryWorkers, "50", EnvSMSRate, "0.5",
		EnvPublicURL, "https://mygov.example/", EnvWhatsAppFrom, "whatsapp:+14155238886")...))
	if err != nil {
		t.Fatal(err)
	}
	if c.DBPath != "/var/lib/mygov.db" || !c.DBNamed || c.SeedDemo() || c.LogLevel != "debug" || !c.LogLevelSet || c.LogFormat != "json" ||
		c.SMSSegments != 3 || c.SMSGSM7 || c.VerifyIdle != 10*time.Minute || c.Threshold != 0.7 || c.Queue.MaxWorkers != 50 ||
		c.Rates[sms.Name] != 0.5 || c.PublicURL != "https://mygov.example" {
		t.Errorf("config %+v", c)
	}
	s, on := c.SMS()
	if !on || s.AccountSID != "AC1" || s.From != "+34600000000" || s.PublicURL != "https://mygov.example" || s.SegmentBudget != 3 || s.GSM7 {
		t.Errorf("SMS() = %+v, %v", s, on)
	}
	w, on := c.WhatsApp()
	if !on || w.From != "whatsapp:+14155238886" || w.AuthToken != "t0k" {
		t.Errorf("WhatsApp() = %+v, %v", w, on)
	}
}

// TestWhatsAppAlone: the Twilio account with only a WhatsApp sender turns WhatsApp on and
// SMS off.
func TestWhatsAppAlone(t *testing.T) {
	c, err := Load(env(EnvTwilioSID, "AC1", EnvTwilioToken, "t0k", EnvPublicURL, "https://x.example", EnvWhatsAppService, "MG1"))
	if err != nil {
		t.Fatal(err)
	}
	if _, on := c.SMS(); on {
		t.Error("SMS on with only a WhatsApp sender")
	}
	if w, on := c.WhatsApp(); !on || w.MessagingServiceSID != "MG1" {
		t.Errorf("WhatsApp() = %+v, %v", w, on)
	}
}

func TestTelegram(t *testing.T) {
	c, err := Load(env(EnvTelegramToken, "1:a", EnvTelegramAPI, "http://127.0.0.1:9000", EnvTelegramWebhook, "https://x.example/tg", EnvTelegramSecret, "s3"))
	if err != nil {
		t.Fatal(err)
	}
	tg, on := c.Telegram()
	if want := (telegram.Config{Token: "1:a", APIURL: "http://127.0.0.1:9000", WebhookURL: "https://x.example/tg", WebhookSecret: "s3"}); !on || tg != want {
		t.Errorf("Telegram() = %+v, %v; want %+v", tg, on, want)
	}
}

func TestTurnOn(t *testing.T) {
	for name, want := range map[string]string{telegram.Name: EnvTelegramToken, sms.Name: EnvTwilioFrom, whatsapp.Name: EnvWhatsAppFrom} {
		if got := TurnOn(name); !strings.Contains(got, want) {
			t.Errorf("TurnOn(%s) = %q, lacks %s", name, got, want)
		}
	}
}

func TestSeedDemo(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want bool
	}{
		{"EmbeddedDefault", Config{}, true},
		{"NamedSQLite", Config{DBNamed: true}, false},
		{"PostgreSQL", Config{DatabaseURL: "postgres://x"}, false},
		{"PostgreSQLAsked", Config{DatabaseURL: "postgres://x", DemoAsked: true}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.cfg.SeedDemo(); got != tc.want {
				t.Errorf("SeedDemo() = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	c, err := Load(env(withTwilio(EnvTwilioToken, "tok", EnvLogFormat, "json", EnvDeliveryWorkers, "50")...))
	var out, errb bytes.Buffer
	if code := Check([]string{"check"}, c, err, &out, &errb); code != 0 || !strings.Contains(out.String(), "sms: on") ||
		!strings.Contains(out.String(), "50 workers") || strings.Contains(out.String(), "tok\n") {
		t.Errorf("exit %d\n%s\n%s", code, out.String(), errb.String())
	}
	c, err = Load(env(EnvSMSSegments, "abc"))
	out.Reset()
	errb.Reset()
	if code := Check([]string{"check"}, c, err, &out, &errb); code != 1 || !strings.Contains(errb.String(), EnvSMSSegments) {
		t.Errorf("invalid: exit %d\n%s", code, errb.String())
	}
	for _, args := range [][]string{nil, {"verify"}, {"check", "now"}} {
		if code := Check(args, c, nil, &out, &errb); code != 2 {
			t.Errorf("config %q: exit %d, want 2", args, code)
		}
	}
}
