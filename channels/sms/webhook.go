package sms

import (
	"net/url"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/dialog"
)

// parseInbound turns the form of POST /sms/twilio into a dialog.Inbound (the webhook
// itself is twilio.Channel's). A Body longer than Config.MaxBody characters is truncated
// to that length and handled with Inbound.Truncated set, so the reply tells the citizen
// only the beginning was read. A From that is not an E.164 number is refused (replies go
// to it); the number gives trust level 1.
func (c *Channel) parseInbound(form url.Values) (dialog.Inbound, error) {
	m, err := twilio.ParseMessage(form, c.cfg.MaxBody)
	if err != nil {
		return dialog.Inbound{}, err
	}
	phone, err := twilio.SenderPhone(m.From, "")
	if err != nil {
		return dialog.Inbound{}, err
	}
	in := c.tw.Inbound(m, c.Capabilities())
	in.Kind = inboundKind(m.Body, len(m.MediaTypes))
	in.Phone = phone
	return in, nil
}

// inboundKind returns the kind of an inbound SMS. A keyword alone wins over attached
// media, so an opt-out is never missed; any other message with media is KindMedia.
func inboundKind(body string, numMedia int) dialog.Kind {
	if k := twilio.KeywordKind(body); k != dialog.KindText {
		return k
	}
	if numMedia > 0 {
		return dialog.KindMedia
	}
	return dialog.KindText
}
