package dialog

import (
	"context"
	"fmt"
)

// Why a notice was not written.
const (
	NoticeSkippedNoConsent = "no_consent" // the citizen did not ask for notices here
	NoticeSkippedOptedOut  = "opted_out"  // the address opted out
	NoticeSkippedEscalated = "escalated"  // a social worker holds the conversation
	NoticeSkippedUnlinked  = "unlinked"   // the conversation is no longer the citizen's
)

// Notice is a message MyGov sends on its own to one of a citizen's conversations.
type Notice struct {
	CitizenID string
	// Kind is what the notice is about first (NoticeStatusChange, NoticeDeadline,
	// NoticeNewBenefit): the reply's Notice, for channels that write first with templates.
	Kind  string
	Lines []Text
	// Ref is the application the notice is about: the reply offers to open it, so "1"
	// continues the conversation there. Empty for a notice about benefits.
	Ref string
}

// Notify writes n to the conversation on (channel, address), in the same transaction as the
// conversation's new menu, when the conversation still belongs to n.CitizenID, has the
// citizen's consent, did not opt out and is not held by a social worker. It returns the
// stored reply, or the reason (a NoticeSkipped constant) when nothing was written.
func (e *Engine) Notify(ctx context.Context, channel, address string, n Notice) (*Outbound, string, error) {
	var (
		out     *Outbound
		skipped string
	)
	err := e.Store.Turn(ctx, channel, address, func(ctx context.Context, tx Tx) error {
		out, skipped = nil, ""
		c := tx.Conversation()
		switch {
		case c.CitizenID == "" || c.CitizenID != n.CitizenID:
			skipped = NoticeSkippedUnlinked
		case c.OptedOut:
			skipped = NoticeSkippedOptedOut
		case c.State == StateEscalated:
			skipped = NoticeSkippedEscalated
		case !c.Notices:
			skipped = NoticeSkippedNoConsent
		}
		if skipped != "" {
			return nil
		}
		r := Reply{Lines: n.Lines, Notice: n.Kind}
		if c.State == StateIdle || c.State == StateAnswering {
			// A reply to the notice continues about its application; a question the
			// citizen is answering (verification, a confirmation) stays open.
			t := &turn{e: e, ctx: ctx, tx: tx, c: c, now: e.now()}
			values := []string{ValueIntent + IntentForMe, ValueIntent + IntentHelp}
			if n.Ref != "" {
				values = []string{ValueApplication + n.Ref, ValueIntent + IntentHelp}
			}
			r = t.menuReply(Text{}, values)
			r.Lines, r.Notice = n.Lines, n.Kind
			c.List, c.Offset, c.Pending, c.PendingRef = "", 0, "", n.Ref
			if n.Ref != "" {
				t.setFocus([]string{n.Ref}) // "i quan cobraré?" is about it too
			}
			if err := fire(ctx, c, EventList); err != nil {
				return err
			}
		}
		if err := tx.SaveConversation(ctx, c); err != nil {
			return fmt.Errorf("save conversation: %w", err)
		}
		o, err := enqueue(ctx, tx, c, c.LastSeen, []Reply{r})
		if err != nil {
			return err
		}
		out = &o[0]
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("dialog: notify: %w", err)
	}
	return out, skipped, nil
}
