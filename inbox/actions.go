package inbox

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// Catalog keys of what the inbox sends the citizen.
const (
	KeyReply     = "inbox.reply"     // a worker's reply: Text and Name
	KeyClosed    = "inbox.closed"    // the case is closed, the assistant is back
	KeyUnclaimed = "inbox.unclaimed" // nobody claimed the case in time: the 012
	keyPurpose   = "inbox.access.purpose"
)

// Reply sends text to the citizen of an open case over their own channel, through the
// outbox, inside the conversation's turn lock. It returns ECONFLICT when the case is
// closed and EUNAUTHORIZED when the citizen opted out.
func (s *Server) Reply(ctx context.Context, st *Staff, cs *Case, text string) error {
	return s.store.Turn(ctx, cs.Channel, cs.Address, func(ctx context.Context, tx dialog.Tx) error {
		open, err := s.store.FindOpenCase(ctx, tx, cs.ConversationID)
		if err != nil || open.ID != cs.ID {
			return records.Errorf(records.ECONFLICT, "inbox: reply: case %d is not open", cs.ID)
		}
		c := tx.Conversation()
		if c.OptedOut {
			return records.Errorf(records.EUNAUTHORIZED, "inbox: reply: the citizen opted out")
		}
		// A notice: outside WhatsApp's 24-hour window it goes as the inbox_reply template.
		r := dialog.Reply{Lines: []dialog.Text{dialog.T(KeyReply, "Text", text, "Name", st.Name)}, Notice: dialog.NoticeInboxReply}
		return send(ctx, tx, c, r)
	})
}

// CloseCase ends a case: the conversation goes back to the assistant, idle, and the citizen
// is told. It returns ECONFLICT when the case was closed already.
func (s *Server) CloseCase(ctx context.Context, cs *Case, reason string) error {
	return s.store.Turn(ctx, cs.Channel, cs.Address, func(ctx context.Context, tx dialog.Tx) error {
		open, err := s.store.FindOpenCase(ctx, tx, cs.ConversationID)
		if err != nil || open.ID != cs.ID {
			return records.Errorf(records.ECONFLICT, "inbox: close: case %d is not open", cs.ID)
		}
		now := s.now()
		open.ClosedAt, open.CloseReason, open.UpdatedAt = now, reason, now
		if err := s.store.SaveCase(ctx, tx, open); err != nil {
			return fmt.Errorf("inbox: close: %w", err)
		}
		c := tx.Conversation()
		if c.State != dialog.StateEscalated {
			return nil // opted out meanwhile: nothing to hand back, nothing to say
		}
		c.State, c.Menu, c.List, c.Pending = dialog.StateIdle, nil, "", ""
		if err := tx.SaveConversation(ctx, c); err != nil {
			return fmt.Errorf("inbox: close: %w", err)
		}
		return send(ctx, tx, c, dialog.Reply{Lines: []dialog.Text{dialog.T(KeyClosed)}})
	})
}

// send puts one reply in the outbox, unless the citizen opted out.
func send(ctx context.Context, tx dialog.Tx, c *dialog.Conversation, r dialog.Reply) error {
	if c.OptedOut {
		return nil
	}
	lang := c.Lang
	if lang != dialog.LangES {
		lang = dialog.LangCA
	}
	o := dialog.Outbound{ConversationID: c.ID, Channel: c.Channel, Address: c.Address, Lang: lang, Reply: r}
	if err := tx.AddOutbound(ctx, &o); err != nil {
		return fmt.Errorf("add outbound: %w", err)
	}
	return nil
}

// recordAccess writes to the citizen's access log that a worker opened their
// conversation, at most once an hour for one worker and case.
func (s *Server) recordAccess(ctx context.Context, st *Staff, cs *Case) error {
	if cs.CitizenID == "" {
		return nil
	}
	now := s.now()
	key := [2]int64{st.ID, cs.ID}
	s.accessMu.Lock()
	last, seen := s.accessLogged[key]
	if seen && now.Sub(last) < time.Hour {
		s.accessMu.Unlock()
		return nil
	}
	s.accessLogged[key] = now
	s.accessMu.Unlock()
	ev := AccessEvent(s.catalogText(keyPurpose), st, cs.CitizenID, now)
	if err := s.store.RecordAccess(ctx, ev); err != nil {
		s.accessMu.Lock()
		delete(s.accessLogged, key)
		s.accessMu.Unlock()
		return err
	}
	return nil
}

// AccessEvent is the access-log entry of a social worker reading a citizen's data to
// attend their request; purpose is the bilingual reason.
func AccessEvent(purpose records.Localized, st *Staff, citizenID string, at time.Time) *records.AccessEvent {
	return &records.AccessEvent{
		CitizenID:        citizenID,
		At:               at,
		AdministrationID: st.Administration,
		Unit:             records.Localized{dialog.LangCA: "Serveis socials", dialog.LangES: "Servicios sociales"},
		Category:         records.CategorySocialServices,
		Purpose:          purpose,
		LegalBasis:       records.Localized{dialog.LangCA: "RGPD art. 6.1.e; Llei 12/2007, de serveis socials", dialog.LangES: "RGPD art. 6.1.e; Ley 12/2007, de servicios sociales"},
		Channel:          "inbox",
	}
}

// catalogText returns key in every catalog language.
func (s *Server) catalogText(key string) records.Localized {
	t := records.Localized{}
	for _, l := range []string{dialog.LangCA, dialog.LangES} {
		t[l] = s.catalog.Text(l, "", key)
	}
	return t
}

// Watcher tells the citizens of cases nobody claimed in time that they can call the 012.
type Watcher struct {
	Store  Store
	After  time.Duration // how long a case may wait unclaimed
	Every  time.Duration // how often to look (1 minute when zero)
	Now    func() time.Time
	Logger *slog.Logger
}

// Run checks every Every until ctx ends.
func (w *Watcher) Run(ctx context.Context) {
	every := w.Every
	if every <= 0 {
		every = time.Minute
	}
	tk := time.NewTicker(every)
	defer tk.Stop()
	for {
		if n, err := w.Check(ctx); err != nil {
			w.Logger.ErrorContext(ctx, "inbox: unclaimed cases", "err", err)
		} else if n > 0 {
			w.Logger.InfoContext(ctx, "inbox: told citizens nobody claimed their case yet", "cases", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-tk.C:
		}
	}
}

// Check warns the citizen of every case unclaimed for longer than After, once, and
// returns how many it warned.
func (w *Watcher) Check(ctx context.Context) (int, error) {
	now := time.Now()
	if w.Now != nil {
		now = w.Now()
	}
	cases, err := w.Store.ListUnclaimedCases(ctx, now.Add(-w.After))
	if err != nil {
		return 0, fmt.Errorf("inbox: unclaimed cases: %w", err)
	}
	n := 0
	for _, cs := range cases {
		err := w.Store.Turn(ctx, cs.Channel, cs.Address, func(ctx context.Context, tx dialog.Tx) error {
			open, err := w.Store.FindOpenCase(ctx, tx, cs.ConversationID)
			if err != nil || open.AssignedTo != 0 || !open.WarnedAt.IsZero() {
				return nil // claimed or closed meanwhile
			}
			open.WarnedAt, open.UpdatedAt = now, now
			if err := w.Store.SaveCase(ctx, tx, open); err != nil {
				return err
			}
			n++
			return send(ctx, tx, tx.Conversation(), dialog.Reply{Lines: []dialog.Text{dialog.T(KeyUnclaimed)}})
		})
		if err != nil {
			return n, fmt.Errorf("inbox: warn case %d: %w", cs.ID, err)
		}
	}
	return n, nil
}
