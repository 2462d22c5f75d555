package twilio

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/catalonia/mygov/dialog"
)

// EmptyTwiML is the answer to every accepted webhook: the replies leave through the
// outbox, not in the webhook's response.
const EmptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// maxField bounds the length of a webhook's From, To, MessageSid and status fields.
const maxField = 64

// maxMedia bounds the attachments of a message that are read (Twilio sends at most 10).
const maxMedia = 10

// Verify reads the webhook's form and checks its X-Twilio-Signature over the public URL
// of the request. It answers 403 for a missing or wrong signature, 413 for a form over
// MaxFormBytes and 400 for a malformed one, and reports whether the request may go on.
func (a *Account) Verify(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	sig := r.Header.Get("X-Twilio-Signature")
	if sig == "" {
		a.log.Warn(a.Name+": webhook without signature", "path", r.URL.Path)
		http.Error(w, "forbidden", http.StatusForbidden)
		return nil, false
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxFormBytes)
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			a.log.Warn(a.Name+": webhook form too large", "path", r.URL.Path)
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return nil, false
		}
		a.log.Warn(a.Name+": malformed webhook form", "path", r.URL.Path)
		http.Error(w, "malformed form", http.StatusBadRequest)
		return nil, false
	}
	params := make(map[string]string, len(r.PostForm))
	for k, v := range r.PostForm {
		params[k] = v[0]
	}
	u := a.publicURL + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	if !a.validator.Validate(u, params, sig) {
		a.log.Warn(a.Name+": webhook with a wrong signature", "path", r.URL.Path)
		http.Error(w, "forbidden", http.StatusForbidden)
		return nil, false
	}
	return r.PostForm, true
}

// WriteTwiML answers an accepted webhook with an empty TwiML response.
func WriteTwiML(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write([]byte(EmptyTwiML))
}

// Message is what every channel reads of an inbound message webhook.
type Message struct {
	SID  string // MessageSid: printable ASCII, at most 64 bytes
	From string // the sender as Twilio gives it ("+34…", "whatsapp:+34…", a short code)
	// Body is the text, valid UTF-8 without NUL bytes, at most the maxBody characters of
	// ParseMessage; Truncated says it was cut to that.
	Body      string
	Truncated bool
	// MediaTypes are the content types of the attachments ("image/jpeg"); one that is not
	// a well-formed type is "unknown".
	MediaTypes []string
	// ButtonPayload is the id of a pressed quick-reply button (WhatsApp), printable ASCII.
	ButtonPayload string
}

// FormError is an inbound webhook form that cannot be handled; its text is safe to log
// and to answer (it names fields, never their values).
type FormError string

func (e FormError) Error() string { return "twilio: " + string(e) }

// ParseMessage reads an inbound message webhook's form. A Body longer than maxBody
// characters is cut to that length with Truncated set; invalid UTF-8 in it becomes U+FFFD
// and NUL bytes are dropped, so it can be stored. A form without MessageSid or From, or
// without a Body unless it carries media, is a FormError.
func ParseMessage(form url.Values, maxBody int) (Message, error) {
	sid := form.Get("MessageSid")
	if sid == "" || len(sid) > maxField || !printableASCII(sid) {
		return Message{}, FormError("MessageSid missing or malformed")
	}
	from := form.Get("From")
	if from == "" || len(from) > maxField || !utf8.ValidString(from) || strings.ContainsFunc(from, unicode.IsControl) {
		return Message{}, FormError("From missing or malformed")
	}
	numMedia := 0
	if s := form.Get("NumMedia"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return Message{}, FormError("NumMedia malformed")
		}
		numMedia = n
	}
	bodies, hasBody := form["Body"]
	if !hasBody || (bodies[0] == "" && numMedia == 0) {
		return Message{}, FormError("Body missing")
	}
	m := Message{SID: sid, From: from, Body: sanitize(bodies[0])}
	if n := utf8.RuneCountInString(m.Body); n > maxBody {
		m.Body, m.Truncated = truncateRunes(m.Body, maxBody), true
	}
	for i := range min(numMedia, maxMedia) {
		t := strings.ToLower(form.Get("MediaContentType" + strconv.Itoa(i)))
		if !mediaType(t) {
			t = "unknown"
		}
		m.MediaTypes = append(m.MediaTypes, t)
	}
	if p := form.Get("ButtonPayload"); p != "" && len(p) <= 256 && printableASCII(p) {
		m.ButtonPayload = p
	}
	return m, nil
}

// mediaType reports whether s is a well-formed MIME type without parameters
// ("application/pdf"), at most 64 bytes.
func mediaType(s string) bool {
	typ, sub, ok := strings.Cut(s, "/")
	if !ok || typ == "" || sub == "" || len(s) > maxField {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("/.+-_", c) >= 0) {
			return false
		}
	}
	return true
}

// statusHandler handles the delivery receipts: it records each receipt once per
// (MessageSid, MessageStatus), marks the recipient opted out on error 21610 and tells
// Refused of a message that failed with an error code. Once the signature is valid it
// always answers 200, so Twilio does not retry a receipt the channel cannot use; a failure
// to record it is logged. A receipt of error 63016 (a WhatsApp message outside the 24-hour
// window) is recorded as failed like any other, and logged as a warning.
func (c *Channel) statusHandler(w http.ResponseWriter, r *http.Request) {
	form, ok := c.Verify(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	sid, status, code := form.Get("MessageSid"), form.Get("MessageStatus"), form.Get("ErrorCode")
	log := c.Log.With("sid", sid, "status", status, "error_code", code)
	switch {
	case sid == "" || len(sid) > maxField || !printableASCII(sid) || len(code) > maxField || !printableASCII(code):
		log = c.Log
		log.Warn(c.Name + ": status callback without a usable MessageSid or ErrorCode")
	case !recordedStatus(status):
		log.Debug(c.Name + ": status callback ignored")
	default:
		fresh, err := c.Outbox.RecordReceipt(ctx, sid, status, code)
		n, _ := strconv.Atoi(code)
		switch {
		case err != nil:
			log.Error(c.Name+": record receipt", "err", err)
		case n == CodeOutsideWindow:
			log.Warn(c.Name+": message refused outside the 24-hour window", "new", fresh)
		default:
			log.Info(c.Name+": receipt", "new", fresh)
		}
		if err == nil && fresh && n != 0 && c.Refused != nil &&
			(status == dialog.DeliveryFailed || status == dialog.DeliveryUndelivered) {
			c.Refused(ctx, sid, n)
		}
	}
	if code == strconv.Itoa(CodeOptedOut) {
		to := form.Get("To")
		if to == "" || len(to) > maxField || !utf8.ValidString(to) {
			log.Warn(c.Name + ": opted-out receipt without a usable To")
		} else if err := c.Outbox.SetOptedOut(ctx, c.Name, to, true); err != nil {
			log.Error(c.Name+": set opted out", "err", err)
		} else {
			log.Info(c.Name + ": recipient opted out at the carrier")
		}
	}
	WriteTwiML(w)
}

// recordedStatus reports whether a Twilio message status is one the outbox records.
func recordedStatus(s string) bool {
	switch s {
	case dialog.DeliveryQueued, dialog.DeliverySent, dialog.DeliveryDelivered, dialog.DeliveryRead,
		dialog.DeliveryUndelivered, dialog.DeliveryFailed:
		return true
	}
	return false
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
