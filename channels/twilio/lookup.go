package twilio

import (
	"context"
	"fmt"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// lookupLimit bounds the recent messages to an address that FindSent reads.
const lookupLimit = 50

// clockSkew is how much earlier than the first try Twilio's date_created may read: it
// has whole seconds.
const clockSkew = 2 * time.Second

// FindSent looks for the stored reply id, sent to the address to with the text body, at
// Twilio, for a send whose outcome is unknown (a timeout, a crash after the call): Twilio's
// Messages API has no idempotency key, but it lists the messages to an address. The
// messages from the channel's sender to to with that body, created since the first try,
// newest first, are candidates: the conversation's replies go out one at a time in order,
// so an earlier reply with the same text was sent before the first try began, and the
// delivery worker skips the sids it recorded. Its errors are those of Send.
func (c *Channel) FindSent(ctx context.Context, id int64, to, body string, since time.Time) ([]string, error) {
	params := &openapi.ListMessageParams{}
	params.SetTo(to).SetPageSize(lookupLimit).SetLimit(lookupLimit)
	if c.service == "" {
		params.SetFrom(c.from)
	}
	api, rt := c.rest(ctx)
	msgs, err := api.ListMessage(params)
	if err != nil {
		return nil, c.sendError(id, rt, fmt.Errorf("look up: %w", err))
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
