package sms

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

// maxRetryAfter caps a Retry-After hint, so a strange header cannot park a reply for days.
const maxRetryAfter = time.Hour

// maxErrorBody bounds the error response read from Twilio.
const maxErrorBody = 64 << 10

// Send sends the reply o to o.Address as one SMS (see Render for the text) and returns
// Twilio's MessageSid; Twilio posts the delivery receipts to PublicURL + /sms/twilio/status.
// It is safe for concurrent use. Errors: Twilio error 21610 (the recipient opted out at
// the carrier) wraps dialog.ErrOptedOut; an invalid or unreachable number (21211, 21612,
// 21614) or any other request Twilio rejects with 4xx wraps dialog.ErrPermanent, except
// 401/403 (credentials, which an operator can fix) and 429; a 429 or 5xx is a
// *dialog.RetryAfterError when Twilio says how long to wait, otherwise a plain error to
// retry, as are network errors. Errors never carry the number or the text.
func (c *Channel) Send(ctx context.Context, o dialog.Outbound) (string, error) {
	log := c.log.With("outbound", o)
	if o.Address == "" {
		return "", fmt.Errorf("sms: send %d: no address: %w", o.ID, dialog.ErrPermanent)
	}
	out := c.Render(o.Lang, o.Reply)
	if out.Body == "" {
		return "", fmt.Errorf("sms: send %d: empty reply: %w", o.ID, dialog.ErrPermanent)
	}
	log = log.With("sms", out)
	params := &openapi.CreateMessageParams{}
	params.SetTo(o.Address).SetBody(out.Body).SetStatusCallback(c.statusCallback)
	if c.cfg.MessagingServiceSID != "" {
		params.SetMessagingServiceSid(c.cfg.MessagingServiceSID)
	} else {
		params.SetFrom(c.cfg.From)
	}
	// One client per call: twilio-go takes no context and hides the response headers, so
	// the call's own transport carries ctx and keeps the status and Retry-After it saw.
	rt := &callTransport{ctx: ctx, base: http.DefaultTransport, api: c.api}
	cl := &client.Client{
		Credentials: client.NewCredentials(c.cfg.AccountSID, c.cfg.AuthToken),
		HTTPClient: &http.Client{
			Transport:     rt,
			Timeout:       sendTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
	}
	cl.SetAccountSid(c.cfg.AccountSID)
	msg, err := openapi.NewApiServiceWithClient(cl).CreateMessage(params)
	if err != nil {
		err = c.sendError(o.ID, rt, err)
		log.Warn("sms: send failed", "err", err)
		return "", err
	}
	sid := ""
	if msg != nil && msg.Sid != nil {
		sid = *msg.Sid
	}
	if out.Shortened {
		log.Warn("sms: reply over the segment budget was shortened", "budget", c.cfg.SegmentBudget)
	}
	log.Info("sms: sent", "sid", sid)
	return sid, nil
}

// sendError classifies an error of a send for the delivery worker.
func (c *Channel) sendError(id int64, rt *callTransport, err error) error {
	status, code := rt.status, 0
	var tre *client.TwilioRestError
	if errors.As(err, &tre) {
		code = tre.Code
		if tre.Status != 0 {
			status = tre.Status
		}
		switch tre.Code {
		case codeOptedOut:
			return fmt.Errorf("sms: send %d: twilio error %d: %w", id, code, dialog.ErrOptedOut)
		case codeInvalidTo, codeUnreachable, codeNotMobile:
			return fmt.Errorf("sms: send %d: twilio error %d, the number cannot take SMS: %w", id, code, dialog.ErrPermanent)
		}
	}
	switch {
	case status == http.StatusTooManyRequests || status >= 500:
		e := fmt.Errorf("sms: send %d: twilio HTTP %d, error %d", id, status, code)
		if d, ok := parseRetryAfter(rt.retryAfter, time.Now()); ok {
			return &dialog.RetryAfterError{After: d, Err: e}
		}
		return e
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("sms: send %d: twilio refused the credentials: HTTP %d, error %d", id, status, code)
	case status >= 400:
		return fmt.Errorf("sms: send %d: twilio rejected the message: HTTP %d, error %d: %w", id, status, code, dialog.ErrPermanent)
	case tre != nil:
		return fmt.Errorf("sms: send %d: twilio error %d", id, code)
	}
	return fmt.Errorf("sms: send %d: %w", id, err)
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
