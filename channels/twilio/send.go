package twilio

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// Twilio error codes the channels act on.
const (
	CodeOptedOut      = 21610 // the recipient replied STOP at the carrier
	CodeInvalidTo     = 21211 // invalid 'To' number
	CodeUnreachable   = 21612 // 'To' number not reachable by SMS
	CodeNotMobile     = 21614 // 'To' number is not a mobile number
	CodeNotOnWhatsApp = 63003 // the channel could not find the 'To' address
	CodeOutsideWindow = 63016 // free-form WhatsApp message outside the 24-hour window
)

const (
	// sendTimeout bounds one call to the REST API (twilio-go's own default).
	sendTimeout = 10 * time.Second
	// maxRetryAfter caps a Retry-After hint, so a strange header cannot park a reply for days.
	maxRetryAfter = time.Hour
	// maxErrorBody bounds the error response read from Twilio.
	maxErrorBody = 64 << 10
)

// SendError is a message Twilio refused: the HTTP status and Twilio's error code, never
// Twilio's own message, which can quote the number. It wraps dialog.ErrPermanent or
// dialog.ErrOptedOut when no retry can fix it.
type SendError struct {
	Status int // HTTP status, 0 when unknown
	Code   int // Twilio error code, 0 when none
	msg    string
	kind   error
}

func (e *SendError) Error() string { return e.msg }

// Unwrap returns dialog.ErrPermanent, dialog.ErrOptedOut or nil.
func (e *SendError) Unwrap() error { return e.kind }

// ErrorCode returns the Twilio error code of a Send error, 0 when it has none.
func ErrorCode(err error) int {
	var se *SendError
	if errors.As(err, &se) {
		return se.Code
	}
	return 0
}

// Send creates the message of params for the stored reply id and returns its MessageSid.
// It is safe for concurrent use. Errors: Twilio error 21610 (the recipient opted out at
// the carrier) wraps dialog.ErrOptedOut; an invalid or unreachable address (21211, 21612,
// 21614, 63003), a WhatsApp message outside the 24-hour window (63016) or any other
// request Twilio rejects with 4xx wraps dialog.ErrPermanent, except 401/403 (credentials,
// which an operator can fix) and 429; a 429 or 5xx is a *dialog.RetryAfterError when
// Twilio says how long to wait, otherwise a plain error to retry, as are network errors.
// Refusals are *SendError. Errors never carry the address or the text.
func (a *Account) Send(ctx context.Context, id int64, params *openapi.CreateMessageParams) (string, error) {
	api, rt := a.rest(ctx)
	msg, err := api.CreateMessage(params)
	if err != nil {
		return "", a.sendError(id, rt, err)
	}
	if msg == nil || msg.Sid == nil {
		return "", nil
	}
	return *msg.Sid, nil
}

// maxIdleConns is how many connections to Twilio's API the process keeps open: about the
// delivery workers sending at once, so that a send reuses a connection instead of dialling
// and a TLS handshake, as all but the default transport's 2 kept connections a host would.
const maxIdleConns = 128

// keepAlive is the transport of every REST call: the default one, keeping up to
// maxIdleConns connections.
var keepAlive = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = maxIdleConns, maxIdleConns
	return t
}()

// rest returns a Twilio REST client for one call. twilio-go takes no context and hides the
// response headers, so the call's own transport carries ctx and keeps the status and
// Retry-After it saw.
func (a *Account) rest(ctx context.Context) (*openapi.ApiService, *callTransport) {
	rt := &callTransport{ctx: ctx, base: keepAlive, api: a.api}
	cl := &client.Client{
		Credentials: client.NewCredentials(a.cfg.AccountSID, a.cfg.AuthToken),
		HTTPClient: &http.Client{
			Transport:     rt,
			Timeout:       sendTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	cl.SetAccountSid(a.cfg.AccountSID)
	return openapi.NewApiServiceWithClient(cl), rt
}

// sendError classifies an error of a send for the delivery worker.
func (a *Account) sendError(id int64, rt *callTransport, err error) error {
	status, code := rt.status, 0
	var tre *client.TwilioRestError
	if errors.As(err, &tre) {
		code = tre.Code
		if tre.Status != 0 {
			status = tre.Status
		}
	}
	refused := func(kind error, format string, args ...any) *SendError {
		return &SendError{Status: status, Code: code, kind: kind,
			msg: fmt.Sprintf("%s: send %d: ", a.Name, id) + fmt.Sprintf(format, args...)}
	}
	switch code {
	case CodeOptedOut:
		return refused(dialog.ErrOptedOut, "twilio error %d: %v", code, dialog.ErrOptedOut)
	case CodeInvalidTo, CodeUnreachable, CodeNotMobile, CodeNotOnWhatsApp:
		return refused(dialog.ErrPermanent, "twilio error %d, the address cannot take messages: %v", code, dialog.ErrPermanent)
	case CodeOutsideWindow:
		return refused(dialog.ErrPermanent, "twilio error %d, outside the 24-hour window: %v", code, dialog.ErrPermanent)
	}
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		e := refused(nil, "twilio HTTP %d, error %d", status, code)
		if d, ok := parseRetryAfter(rt.retryAfter, time.Now()); ok {
			return &dialog.RetryAfterError{After: d, Err: e}
		}
		return e
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return refused(nil, "twilio refused the credentials: HTTP %d, error %d", status, code)
	case status >= 400:
		return refused(dialog.ErrPermanent, "twilio rejected the message: HTTP %d, error %d: %v", status, code, dialog.ErrPermanent)
	case tre != nil:
		return refused(nil, "twilio error %d", code)
	}
	return fmt.Errorf("%s: send %d: %w", a.Name, id, err)
}

// parseRetryAfter reads a Retry-After header, in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if secs, err := strconv.Atoi(v); err == nil {
		if secs < 0 {
			return 0, false
		}
		d = time.Duration(min(secs, int(maxRetryAfter/time.Second))) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(now), 0)
	} else {
		return 0, false
	}
	return min(d, maxRetryAfter), true
}

// callTransport is the transport of one REST call: it sends the request with the call's
// context, to Config.APIURL when set (twilio-go hard-codes api.twilio.com), and keeps the
// status and Retry-After of the response. It reads an error response whole and closes it,
// because twilio-go leaves error bodies open.
type callTransport struct {
	ctx        context.Context
	base       http.RoundTripper
	api        *url.URL
	status     int
	retryAfter string
}

// RoundTrip sends req.
func (t *callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(t.ctx)
	if t.api != nil {
		r.URL.Scheme = t.api.Scheme
		r.URL.Host = t.api.Host
		if p := strings.TrimRight(t.api.Path, "/"); p != "" {
			r.URL.Path = p + r.URL.Path
			r.URL.RawPath = ""
		}
		r.Host = ""
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	t.status = resp.StatusCode
	t.retryAfter = resp.Header.Get("Retry-After")
	if resp.StatusCode >= 400 {
		body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		resp.Body.Close()
		if rerr != nil {
			return nil, rerr
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
	}
	return resp, nil
}
