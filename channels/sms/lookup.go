package sms

import (
	"context"
	"time"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
)

var _ delivery.Finder = (*Channel)(nil)

// FindSent looks for the reply o at Twilio, for a send whose outcome is unknown: the
// messages to o.Address with o's rendered body, created since the first try (see
// twilio.Channel.FindSent).
func (c *Channel) FindSent(ctx context.Context, o dialog.Outbound, since time.Time) ([]string, error) {
	return c.tw.FindSent(ctx, o.ID, o.Address, c.Render(o.Lang, o.Reply).Body, since)
}
