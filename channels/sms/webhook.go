package sms

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// emptyTwiML is the answer to every accepted webhook: the replies leave through the
// outbox, not in the webhook's response.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// maxField bounds the length of a webhook's From, To, MessageSid and status fields.
const maxField = 64

// Twilio error codes the channel acts on.
const (
	codeOptedOut    = 21610 // the recipient replied STOP at the carrier
	codeInvalidTo   = 21211 // invalid 'To' number
	codeUnreachable = 21612 // 'To' number not reachable by SMS
	codeNotMobile   = 21614 // 'To' number is not a mobile number
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
	form, ok := c.verify(w, r)
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
	writeTwiML(w)
}

// inboundError is a webhook form that cannot be handled; its text is safe to log and to
// answer (it names fields, never their values).
type inboundError string

func (e inboundError) Error() string { return "sms: " + string(e) }

// parseInbound turns an inbound webhook's form into a dialog.Inbound.
func (c *Channel) parseInbound(form url.Values) (dialog.Inbound, error) {
	sid := form.Get("MessageSid")
	if sid == "" || len(sid) > maxField || !printableASCII(sid) {
		return dialog.Inbound{}, inboundError("MessageSid missing or malformed")
	}
	from := form.Get("From")
	if from == "" || len(from) > maxField || !utf8.ValidString(from) || strings.ContainsFunc(from, unicode.IsControl) {
		return dialog.Inbound{}, inboundError("From missing or malformed")
	}
	numMedia := 0
	if s := form.Get("NumMedia"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return dialog.Inbound{}, inboundError("NumMedia malformed")
		}
		numMedia = n
	}
	bodies, hasBody := form["Body"]
	if !hasBody || (bodies[0] == "" && numMedia == 0) {
		return dialog.Inbound{}, inboundError("Body missing")
	}
	body := sanitize(bodies[0])
	truncated := false
	if n := utf8.RuneCountInString(body); n > c.cfg.MaxBody {
		body, truncated = truncateRunes(body, c.cfg.MaxBody), true
		c.log.Warn("sms: inbound body truncated", "sid", sid, "chars", n, "kept", c.cfg.MaxBody)
	}
	in := dialog.Inbound{
		Channel:    Name,
		Caps:       Capabilities,
		Address:    from,
		MessageID:  sid,
		Kind:       inboundKind(body, numMedia),
		Text:       body,
		Truncated:  truncated,
		ReceivedAt: c.now(),
	}
	if records.ValidPhone(from) {
		in.Phone = from
	}
	return in, nil
}

// inboundKind returns the kind of an inbound SMS. A keyword alone wins over attached
// media, so an opt-out is never missed; any other message with media is KindMedia.
func inboundKind(body string, numMedia int) dialog.Kind {
	if k := KeywordKind(body); k != dialog.KindText {
		return k
	}
	if numMedia > 0 {
		return dialog.KindMedia
	}
	return dialog.KindText
}

// serveStatus handles POST /sms/twilio/status: it records a delivery receipt once per
// (MessageSid, MessageStatus) and marks the recipient opted out on error 21610. Once the
// signature is valid it always answers 200, so Twilio does not retry a receipt the
// channel cannot use; a failure to record it is logged.
func (c *Channel) serveStatus(w http.ResponseWriter, r *http.Request) {
	form, ok := c.verify(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	sid, status, code := form.Get("MessageSid"), form.Get("MessageStatus"), form.Get("ErrorCode")
	log := c.log.With("sid", sid, "status", status, "error_code", code)
	switch {
	case sid == "" || len(sid) > maxField || !printableASCII(sid) || len(code) > maxField || !printableASCII(code):
		log = c.log
		log.Warn("sms: status callback without a usable MessageSid or ErrorCode")
	case !recordedStatus(status):
		log.Debug("sms: status callback ignored")
	default:
		fresh, err := c.outbox.RecordReceipt(ctx, sid, status, code)
		if err != nil {
			log.Error("sms: record receipt", "err", err)
		} else {
			log.Info("sms: receipt", "new", fresh)
		}
	}
	if code == strconv.Itoa(codeOptedOut) {
		to := form.Get("To")
		if to == "" || len(to) > maxField || !utf8.ValidString(to) {
			log.Warn("sms: opted-out receipt without a usable To")
		} else if err := c.outbox.SetOptedOut(ctx, Name, to, true); err != nil {
			log.Error("sms: set opted out", "err", err)
		} else {
			log.Info("sms: recipient opted out at the carrier")
		}
	}
	writeTwiML(w)
}

// recordedStatus reports whether a Twilio message status is one the outbox records.
func recordedStatus(s string) bool {
	switch s {
	case dialog.DeliveryQueued, dialog.DeliverySent, dialog.DeliveryDelivered,
		dialog.DeliveryUndelivered, dialog.DeliveryFailed:
		return true
	}
	return false
}

// verify reads the webhook's form and checks its X-Twilio-Signature over the public URL
// of the request. It answers 403 for a missing or wrong signature, 413 for a form over
// MaxFormBytes and 400 for a malformed one, and reports whether the request may go on.
func (c *Channel) verify(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" {
		c.log.Warn("sms: webhook without signature", "path", r.URL.Path)
		http.Error(w, "forbidden", http.StatusForbidden)
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			c.log.Warn("sms: webhook form too large", "path", r.URL.Path)
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		c.log.Warn("sms: malformed webhook form", "path", r.URL.Path)
		http.Error(w, "malformed form", http.StatusBadRequest)
		return nil, false
	}
	params := make(map[string]string, len(r.PostForm))
	for k, v := range r.PostForm {
		params[k] = v[0]
	}
	u := c.publicURL + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	if !c.validator.Validate(u, params, sig) {
		c.log.Warn("sms: webhook with a wrong signature", "path", r.URL.Path)
		http.Error(w, "forbidden", http.StatusForbidden)
		return nil, false
	}
	return r.PostForm, true
}

func writeTwiML(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(emptyTwiML))
}

// sanitize makes s storable: invalid UTF-8 becomes U+FFFD and NUL bytes are dropped.
func sanitize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

// truncateRunes returns the first n runes of s.
func truncateRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// printableASCII reports whether s is printable ASCII only.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
