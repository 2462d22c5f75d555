package sms

import (
	"net/url"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// parseInbound turns the form of POST /sms/twilio into a dialog.Inbound (the webhook
// itself is twilio.Channel's). A Body longer than Config.MaxBody characters is truncated
// to that length and handled with Inbound.Truncated set, so the reply tells the citizen
// only the beginning was read. The sender's number gives trust level 1 when it is E.164.
func (c *Channel) parseInbound(form url.Values) (dialog.Inbound, error) {
	m, err := twilio.ParseMessage(form, c.cfg.MaxBody)
	if err != nil {
		return dialog.Inbound{}, err
	}
	in := c.tw.Inbound(m, Capabilities)
	in.Kind = inboundKind(m.Body, len(m.MediaTypes))
	if records.ValidPhone(m.From) {
		in.Phone = m.From
	}
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
