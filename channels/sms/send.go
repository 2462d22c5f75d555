package sms

import (
	"context"
	"fmt"

	"github.com/catalonia/mygov/dialog"
)

// Send sends the reply o to o.Address as one SMS (see Render for the text) and returns
// Twilio's MessageSid; Twilio posts the delivery receipts to PublicURL + /sms/twilio/status.
// It is safe for concurrent use. Its errors are those of twilio.Account.Send: 21610 wraps
// dialog.ErrOptedOut, a number that cannot take SMS or a rejected request
// dialog.ErrPermanent, a 429 or 5xx with a Retry-After a *dialog.RetryAfterError. Errors
// never carry the number or the text.
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
	sid, err := c.tw.Send(ctx, o.ID, c.tw.Params(o.Address).SetBody(out.Body))
	if err != nil {
		log.Warn("sms: send failed", "err", err)
		return "", err
	}
	if out.Shortened {
		log.Warn("sms: reply over the segment budget was shortened", "budget", c.cfg.SegmentBudget)
	}
	log.Info("sms: sent", "sid", sid)
	return sid, nil
}
