package main

import (
	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/telegram"
)

func init() {
	channelFactories = append(channelFactories, telegramChannel, smsChannel)
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
	}, a.handler, a.catalog, a.log.With("channel", telegram.Name))
	if err != nil {
		return nil, "", err
	}
	return &channel{name: telegram.Name, routes: ch.Routes, run: ch.Run, sender: ch}, "", nil
}

// smsChannel is on when the Twilio credentials are set.
func smsChannel(a *app) (*channel, string, error) {
	c := a.cfg
	if c.TwilioSID == "" || c.TwilioToken == "" {
		return nil, "sms (set " + envTwilioSID + " and " + envTwilioToken + " to turn it on)", nil
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
	}, a.handler, a.store, a.catalog, a.log.With("channel", sms.Name), sms.WithSentHook(a.metrics.SMSSent))
	if err != nil {
		return nil, "", err
	}
	return &channel{name: sms.Name, routes: ch.Routes, sender: ch}, "", nil
}
