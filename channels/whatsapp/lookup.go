package whatsapp

import (
	"context"
	"time"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
)

var _ delivery.Finder = (*Channel)(nil)

// FindSent looks for the reply o at Twilio, for a send whose outcome is unknown (a
// timeout, a crash after the call), as the SMS channel does: the messages from the
// channel's sender to o.Address with the reply's rendered text, created since the first
// try (twilio.Channel.FindSent). A free-form reply of several messages counts as sent
// when its last message is found, since Send sends them one after another, and FindSent
// then returns the candidates of its first message, whose sid Send returns.
//
// A reply that went, or may have gone, as a template or with quick-reply buttons has no
// text of its own at Twilio to compare (Twilio composes it from the content): FindSent
// finds nothing for it, and the worker sends it again — the at-least-once window the
// README describes.
func (c *Channel) FindSent(ctx context.Context, o dialog.Outbound, since time.Time) ([]string, error) {
	if o.Address == "" || !c.inWindowAt(o.LastInbound, since) {
		return nil, nil // a template
	}
	out := c.Render(o.Lang, o.Reply)
	if len(out.Messages) == 0 || len(out.Buttons) > 0 {
		return nil, nil
	}
	first, err := c.tw.FindSent(ctx, o.ID, o.Address, out.Messages[0], since)
	if err != nil || len(first) == 0 || len(out.Messages) == 1 {
		return first, err
	}
	last, err := c.tw.FindSent(ctx, o.ID, o.Address, out.Messages[len(out.Messages)-1], since)
	if err != nil || len(last) == 0 {
		return nil, err
	}
	return first, nil
}
