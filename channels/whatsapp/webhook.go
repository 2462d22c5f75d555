package whatsapp

import (
	"net/url"
	"strings"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/dialog"
)

// parseInbound turns the form of POST /whatsapp/twilio into a dialog.Inbound (the webhook
// itself is twilio.Channel's); a sender that is not "whatsapp:" and an E.164 number is an
// error, answered 400. The number after "whatsapp:" proves possession (Inbound.Phone). A
// pressed quick-reply button is KindButton with its payload; a keyword alone (STOP, BAIXA,
// ALTA, AJUDA…) is an opt-out, opt-in or help message; a message with attachments is
// KindMedia whose text describes them by content type only ("[media: image/jpeg]"),
// followed by the caption, if any: the files themselves are neither fetched nor stored.
func (c *Channel) parseInbound(form url.Values) (dialog.Inbound, error) {
	m, err := twilio.ParseMessage(form, c.cfg.MaxBody)
	if err != nil {
		return dialog.Inbound{}, err
	}
	if !validAddress(m.From) {
		return dialog.Inbound{}, twilio.FormError("From is not a WhatsApp number")
	}
	in := c.tw.Inbound(m, Capabilities)
	in.Phone = strings.TrimPrefix(m.From, Prefix)
	switch k := twilio.KeywordKind(m.Body); {
	case m.ButtonPayload != "":
		in.Kind, in.Payload = dialog.KindButton, m.ButtonPayload
	case k != dialog.KindText:
		in.Kind = k
	case len(m.MediaTypes) > 0:
		in.Kind = dialog.KindMedia
		in.Text = "[media: " + strings.Join(m.MediaTypes, ", ") + "]"
		if m.Body != "" {
			in.Text += "\n" + m.Body
		}
	}
	return in, nil
}
