package sms

import (
	"context"
	"fmt"
	"time"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

var _ delivery.Finder = (*Channel)(nil)

// lookupLimit bounds the recent messages to o.Address that FindSent reads.
const lookupLimit = 50

// clockSkew is how much earlier than the first try Twilio's date_created may read: it
// has whole seconds.
const clockSkew = 2 * time.Second

// FindSent looks for the reply o at Twilio, for a send whose outcome is unknown (a
// timeout, a crash after the call): Twilio's Messages API has no idempotency key, but it
// lists the messages to a number. The messages from the channel's number to o.Address
// with o's rendered body, created since the first try, newest first, are candidates: the
// conversation's replies go out one at a time in order, so an earlier reply with the same
// text was sent before the first try began, and the worker skips the sids it recorded.
func (c *Channel) FindSent(ctx context.Context, o dialog.Outbound, since time.Time) ([]string, error) {
	body := c.Render(o.Lang, o.Reply).Body
	params := &openapi.ListMessageParams{}
	params.SetTo(o.Address).SetPageSize(lookupLimit).SetLimit(lookupLimit)
	if c.cfg.MessagingServiceSID == "" {
		params.SetFrom(c.cfg.From)
	}
	api, rt := c.rest(ctx)
	msgs, err := api.ListMessage(params)
	if err != nil {
		return nil, c.sendError(o.ID, rt, fmt.Errorf("look up: %w", err))
	}
	var sids []string
	for _, m := range msgs {
		if m.Sid == nil || m.Body == nil || *m.Body != body {
			continue
		}
		if m.DateCreated != nil {
			created, err := time.Parse(time.RFC1123Z, *m.DateCreated)
			if err == nil && created.Before(since.Add(-clockSkew)) {
				continue
			}
		}
		sids = append(sids, *m.Sid)
	}
	return sids, nil
}
