package whatsapp

import (
	"context"
	"sync"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/dialog"
)

// maxRecent bounds the free-form messages a channel remembers for a late 63016.
const maxRecent = 1024

// recent remembers the last free-form replies sent, by the MessageSid of their first
// message, so that one WhatsApp refuses later with error 63016 (Twilio reports it in the
// status callback, after accepting the message) can go again as a template. It keeps the
// last maxRecent only, in memory: a refusal that comes after a restart, or after
// maxRecent other replies, stays failed in the transcript. It is safe for concurrent use.
type recent struct {
	mu    sync.Mutex
	bySID map[string]dialog.Outbound
	order []string // oldest first
}

// add remembers o, sent as sid.
func (r *recent) add(sid string, o dialog.Outbound) {
	if sid == "" {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.bySID == nil {
		r.bySID = make(map[string]dialog.Outbound)
	}
	if len(r.order) == maxRecent {
		delete(r.bySID, r.order[0])
		r.order = r.order[1:]
	}
	r.bySID[sid] = o
	r.order = append(r.order, sid)
}

// take returns the reply sent as sid and forgets it.
func (r *recent) take(sid string) (dialog.Outbound, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	o, ok := r.bySID[sid]
	delete(r.bySID, sid)
	return o, ok
}

// refused is told of each message Twilio reports failed: a free-form reply refused with
// 63016 goes again as the template of its kind. The stored reply stays failed, with the
// code, as the receipt recorded it.
func (c *Channel) refused(ctx context.Context, sid string, code int) {
	if code != twilio.CodeOutsideWindow {
		return
	}
	o, ok := c.recent.take(sid)
	if !ok {
		c.tw.Log.Warn("whatsapp: a message refused outside the window is not among the recent ones; it stays failed", "sid", sid)
		return
	}
	if _, err := c.sendTemplate(ctx, o); err != nil {
		c.tw.Log.Warn("whatsapp: the template after a late 63016 was not sent", "sid", sid, "err", err)
	}
}
