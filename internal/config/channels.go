package config

import (
	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/telegram"
	"github.com/catalonia/mygov/channels/whatsapp"
)

// Telegram returns the Telegram channel's settings, and whether the channel is on (its
// bot token is set).
func (c Config) Telegram() (telegram.Config, bool) {
	return telegram.Config{
		Token:         c.TelegramToken,
		APIURL:        c.TelegramAPI,
		WebhookURL:    c.TelegramWebhook,
		WebhookSecret: c.TelegramSecret,
	}, c.TelegramToken != ""
}

// SMS returns the SMS channel's settings, and whether the channel is on (SMSOn).
func (c Config) SMS() (sms.Config, bool) {
	return sms.Config{
		AccountSID:          c.TwilioSID,
		AuthToken:           c.TwilioToken,
		From:                c.TwilioFrom,
		MessagingServiceSID: c.TwilioService,
		PublicURL:           c.PublicURL,
		APIURL:              c.TwilioAPI,
		SegmentBudget:       c.SMSSegments,
		GSM7:                c.SMSGSM7,
	}, c.SMSOn()
}

// WhatsApp returns the WhatsApp channel's settings, and whether the channel is on
// (WhatsAppOn).
func (c Config) WhatsApp() (whatsapp.Config, bool) {
	return whatsapp.Config{
		AccountSID:          c.TwilioSID,
		AuthToken:           c.TwilioToken,
		From:                c.WhatsAppFrom,
		MessagingServiceSID: c.WhatsAppService,
		PublicURL:           c.PublicURL,
		APIURL:              c.TwilioAPI,
		Templates:           c.whatsAppTemplates,
	}, c.WhatsAppOn()
}

// TurnOn says which variables turn a channel on, for the log line of a channel left off.
func TurnOn(channel string) string {
	switch channel {
	case telegram.Name:
		return "set " + EnvTelegramToken
	case sms.Name:
		return "set " + EnvTwilioSID + ", " + EnvTwilioToken + ", " + EnvTwilioFrom + " or " + EnvTwilioService + " and " + EnvPublicURL
	case whatsapp.Name:
		return "set " + EnvTwilioSID + ", " + EnvTwilioToken + " and " + EnvWhatsAppFrom
	}
	return "no setting turns " + channel + " on"
}
