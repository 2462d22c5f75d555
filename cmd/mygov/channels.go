package main

import (
	"fmt"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/telegram"
	"github.com/catalonia/mygov/channels/whatsapp"
)

func init() {
	channelFactories = append(channelFactories, telegramChannel, smsChannel, whatsappChannel)
}

// telegramChannel is on when TELEGRAM_BOT_TOKEN is set: webhook mode with
// TELEGRAM_WEBHOOK_URL, long polling otherwise.
func telegramChannel(a *app) (*channel, string, error) {
	c := a.cfg
	if c.TelegramToken == "" {
		return nil, "telegram (set " + envTelegramToken + " to turn it on)", nil
	}
	ch, err := telegram.New(telegram.Config{
		Token:         c.TelegramToken,
		APIURL:        c.TelegramAPI,
		WebhookURL:    c.TelegramWebhook,
		WebhookSecret: c.TelegramSecret,
	}, a.engine, a.catalog, a.log.With("channel", telegram.Name))
	if err != nil {
		return nil, "", err
	}
	return &channel{name: telegram.Name, routes: ch.Routes, run: ch.Run, sender: ch}, "", nil
}

// smsChannel is on when the Twilio credentials and an SMS sender are set.
func smsChannel(a *app) (*channel, string, error) {
	c := a.cfg
	if c.TwilioSID == "" || c.TwilioToken == "" || (c.TwilioFrom == "" && c.TwilioService == "") {
		return nil, "sms (set " + envTwilioSID + ", " + envTwilioToken + " and " + envTwilioFrom + " to turn it on)", nil
	}
	ch, err := sms.New(sms.Config{
		AccountSID:          c.TwilioSID,
		AuthToken:           c.TwilioToken,
		From:                c.TwilioFrom,
		MessagingServiceSID: c.TwilioService,
		PublicURL:           c.PublicURL,
		APIURL:              c.TwilioAPI,
		SegmentBudget:       c.SMSSegments,
		GSM7:                c.SMSGSM7,
	}, a.engine, a.store, a.catalog, a.log.With("channel", sms.Name))
	if err != nil {
		return nil, "", err
	}
	return &channel{name: sms.Name, routes: ch.Routes, sender: ch}, "", nil
}

// whatsappChannel is on when the Twilio credentials and a WhatsApp sender are set.
func whatsappChannel(a *app) (*channel, string, error) {
	c := a.cfg
	if c.TwilioSID == "" || c.TwilioToken == "" || (c.WhatsAppFrom == "" && c.WhatsAppService == "") {
		return nil, "whatsapp (set " + envTwilioSID + ", " + envTwilioToken + " and " + envWhatsAppFrom + " to turn it on)", nil
	}
	templates, err := whatsapp.ParseTemplates(c.WhatsAppTemplates)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", envWhatsAppTpl, err)
	}
	ch, err := whatsapp.New(whatsapp.Config{
		AccountSID:          c.TwilioSID,
		AuthToken:           c.TwilioToken,
		From:                c.WhatsAppFrom,
		MessagingServiceSID: c.WhatsAppService,
		PublicURL:           c.PublicURL,
		APIURL:              c.TwilioAPI,
		Templates:           templates,
	}, a.engine, a.store, a.catalog, a.log.With("channel", whatsapp.Name))
	if err != nil {
		return nil, "", err
	}
	return &channel{name: whatsapp.Name, routes: ch.Routes, sender: ch}, "", nil
}
