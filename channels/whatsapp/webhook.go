package whatsapp

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/dialog"
)

// serveInbound handles POST /whatsapp/twilio: it checks the signature, turns the form into
// a dialog.Inbound, hands it to the Handler and answers an empty TwiML response. A sender
// that is not "whatsapp:" and an E.164 number is answered 400. A Handler error is answered
// 500, for Twilio to try again; the engine stores a message once however often it arrives.
func (c *Channel) serveInbound(w http.ResponseWriter, r *http.Request) {
	form, ok := c.tw.Verify(w, r)
	if !ok {
		return
	}
	in, err := c.parseInbound(form)
	if err != nil {
		c.log.Warn("whatsapp: bad inbound webhook", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	log := c.log.With("sid", in.MessageID, "inbound", in)
	res, err := c.handler.Handle(r.Context(), in)
	if err != nil {
		log.Error("whatsapp: handle inbound", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	log.Info("whatsapp: inbound handled", "duplicate", res.Duplicate, "replies", len(res.Outbound))
	twilio.WriteTwiML(w)
}

// parseInbound turns an inbound webhook's form into a dialog.Inbound. The number after
// "whatsapp:" proves possession (Inbound.Phone). A pressed quick-reply button is
// KindButton with its payload; a keyword alone (STOP, BAIXA, ALTA, AJUDA…) is an opt-out,
// opt-in or help message; a message with attachments is KindMedia whose text describes
// them by content type only ("[media: image/jpeg]"), followed by the caption, if any: the
// files themselves are neither fetched nor stored.
func (c *Channel) parseInbound(form url.Values) (dialog.Inbound, error) {
	m, err := twilio.ParseMessage(form, c.cfg.MaxBody)
	if err != nil {
		return dialog.Inbound{}, err
	}
	if !validAddress(m.From) {
		return dialog.Inbound{}, twilio.FormError("From is not a WhatsApp number")
	}
	if m.Truncated {
		c.log.Warn("whatsapp: inbound body truncated", "sid", m.SID, "kept", c.cfg.MaxBody)
	}
	in := dialog.Inbound{
		Channel:    Name,
		Caps:       Capabilities,
		Address:    m.From,
		MessageID:  m.SID,
		Kind:       dialog.KindText,
		Text:       m.Body,
		Phone:      strings.TrimPrefix(m.From, Prefix),
		Truncated:  m.Truncated,
		ReceivedAt: c.now(),
	}
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
