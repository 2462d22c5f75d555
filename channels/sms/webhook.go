package sms

import (
	"net/http"
	"net/url"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/dialog"
)

// serveInbound handles POST /sms/twilio: it checks the signature, turns the form into a
// dialog.Inbound, hands it to the Handler and answers an empty TwiML response.
//
// A Body longer than Config.MaxBody characters is truncated to that length and handled
// with Inbound.Truncated set, so the reply tells the citizen only the beginning was read;
// the cut is logged (its length only). Invalid UTF-8 in the Body is replaced with U+FFFD and
// NUL bytes are dropped, so the message can be stored. A Handler error is answered 500,
// for Twilio to try again; the engine stores a message once however often it arrives.
func (c *Channel) serveInbound(w http.ResponseWriter, r *http.Request) {
	form, ok := c.tw.Verify(w, r)
	if !ok {
		return
	}
	in, err := c.parseInbound(form)
	if err != nil {
		c.log.Warn("sms: bad inbound webhook", "err", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	log := c.log.With("sid", in.MessageID, "inbound", in)
	res, err := c.handler.Handle(r.Context(), in)
	if err != nil {
		log.Error("sms: handle inbound", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	log.Info("sms: inbound handled", "duplicate", res.Duplicate, "replies", len(res.Outbound))
	twilio.WriteTwiML(w)
}

// parseInbound turns an inbound webhook's form into a dialog.Inbound.
func (c *Channel) parseInbound(form url.Values) (dialog.Inbound, error) {
	m, err := twilio.ParseMessage(form, c.cfg.MaxBody)
	if err != nil {
		return dialog.Inbound{}, err
	}
	if m.Truncated {
		c.log.Warn("sms: inbound body truncated", "sid", m.SID, "kept", c.cfg.MaxBody)
	}
	in := dialog.Inbound{
		Channel:    Name,
		Caps:       Capabilities,
		Address:    m.From,
		MessageID:  m.SID,
		Kind:       inboundKind(m.Body, len(m.MediaTypes)),
		Text:       m.Body,
		Truncated:  m.Truncated,
		ReceivedAt: c.now(),
	}
	if twilio.IsE164(m.From) {
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
