package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/inbox"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
)

// What package inbox needs of a store: staff, sessions, cases and notes.

// inboxStore returns s as the inbox's store, with the demo data seeded.
func inboxStore(t *testing.T, open func(t *testing.T) Store) (Store, inbox.Store) {
	t.Helper()
	s := open(t)
	is, ok := s.(inbox.Store)
	if !ok {
		t.Fatalf("%T does not implement inbox.Store", s)
	}
	if err := s.Seed(t.Context(), demo.Dataset(time.Now())); err != nil {
		t.Fatal(err)
	}
	return s, is
}

func testInboxStaffAndSessions(t *testing.T, open func(t *testing.T) Store) {
	_, is := inboxStore(t, open)
	ctx := t.Context()
	now := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	add := func(email, team, role string) *inbox.Staff {
		s := &inbox.Staff{Email: email, Name: "Nom " + email, Municipality: "Badalona", Team: team, Role: role,
			Administration: "ajuntament-badalona", PasswordHash: "$argon2id$x", CreatedAt: now}
		if err := is.AddStaff(ctx, s); err != nil || s.ID == 0 {
			t.Fatalf("AddStaff(%s): id %d, %v", email, s.ID, err)
		}
		return s
	}
	marta := add("marta@badalona.cat", inbox.DefaultTeam, inbox.RoleWorker)
	add("anna@badalona.cat", "habitatge", inbox.RoleCoordinator)
	wantCode(t, "AddStaff with an e-mail taken", is.AddStaff(ctx, &inbox.Staff{Email: "marta@badalona.cat", Name: "x",
		Municipality: "x", Team: "x", Role: inbox.RoleWorker, Administration: "x", PasswordHash: "x", CreatedAt: now}), records.ECONFLICT)
	got, err := is.FindStaffByEmail(ctx, "marta@badalona.cat")
	if err != nil || *got != *marta {
		t.Errorf("FindStaffByEmail = %+v, %v; want %+v", got, err, marta)
	}
	if got, err := is.FindStaffByID(ctx, marta.ID); err != nil || got.Email != marta.Email {
		t.Errorf("FindStaffByID = %+v, %v", got, err)
	}
	_, err = is.FindStaffByEmail(ctx, "nobody@badalona.cat")
	wantCode(t, "FindStaffByEmail of nobody", err, records.ENOTFOUND)
	_, err = is.FindStaffByID(ctx, 987654)
	wantCode(t, "FindStaffByID of nobody", err, records.ENOTFOUND)
	all, err := is.ListStaff(ctx)
	if err != nil || len(all) != 2 || all[0].Team != "habitatge" {
		t.Errorf("ListStaff = %+v, %v; want 2, by team", all, err)
	}

	sess := &inbox.Session{TokenHash: "hash-1", StaffID: marta.ID, CSRF: "csrf-1", Lang: "es", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := is.AddSession(ctx, sess); err != nil {
		t.Fatal(err)
	}
	if got, err := is.FindSession(ctx, "hash-1", now.Add(time.Minute)); err != nil || *got != *sess {
		t.Errorf("FindSession = %+v, %v; want %+v", got, err, sess)
	}
	_, err = is.FindSession(ctx, "hash-1", now.Add(time.Hour))
	wantCode(t, "FindSession once expired", err, records.ENOTFOUND)
	if err := is.SetStaffDisabled(ctx, "marta@badalona.cat", true); err != nil {
		t.Fatal(err)
	}
	_, err = is.FindSession(ctx, "hash-1", now)
	wantCode(t, "FindSession of a disabled account", err, records.ENOTFOUND)
	if got, _ := is.FindStaffByID(ctx, marta.ID); !got.Disabled {
		t.Errorf("account not disabled")
	}
	wantCode(t, "SetStaffDisabled of nobody", is.SetStaffDisabled(ctx, "nobody@x.cat", true), records.ENOTFOUND)
	if err := is.AddSession(ctx, &inbox.Session{TokenHash: "hash-2", StaffID: marta.ID, CSRF: "c", Lang: "ca", CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := is.DeleteSession(ctx, "hash-2"); err != nil {
		t.Fatal(err)
	}
	_, err = is.FindSession(ctx, "hash-2", now)
	wantCode(t, "FindSession after DeleteSession", err, records.ENOTFOUND)
}

// escalate runs a turn on (channel, address) linked to citizen that escalates through the
// inbox's Escalator, and returns the case.
func escalate(t *testing.T, s Store, is inbox.Store, channel, address, citizen string, e dialog.Escalation, now time.Time) *inbox.Case {
	t.Helper()
	esc := &inbox.Escalator{Store: is, Now: func() time.Time { return now }}
	var cs *inbox.Case
	turn(t, s, channel, address, func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		c.CitizenID, c.State = citizen, dialog.StateEscalated
		if _, err := esc.Escalate(ctx, tx, c, e); err != nil {
			return err
		}
		if err := tx.SaveConversation(ctx, c); err != nil {
			return err
		}
		var err error
		cs, err = is.FindOpenCase(ctx, tx, c.ID)
		return err
	})
	return cs
}

func testInboxCases(t *testing.T, open func(t *testing.T) Store) {
	s, is := inboxStore(t, open)
	ctx := t.Context()
	now := time.Now().Add(-3 * time.Hour).Truncate(time.Microsecond) // before the store's clock
	maria, err := s.FindCitizenByPhone(ctx, MariaPhone)
	if err != nil {
		t.Fatal(err)
	}
	bySMS := escalate(t, s, is, chSMS, MariaPhone, maria.ID, dialog.Escalation{Reason: dialog.ReasonAsked}, now)
	byTelegram := escalate(t, s, is, chTelegram, "4242", maria.ID,
		dialog.Escalation{Reason: dialog.ReasonDistress, Distress: "hunger", Priority: dialog.PriorityUrgent}, now.Add(time.Minute))
	anonymous := escalate(t, s, is, chSMS, "+34699999999", "", dialog.Escalation{Reason: dialog.ReasonMisunderstood}, now)
	if bySMS.Municipality != maria.Municipality || bySMS.Team != inbox.DefaultTeam || bySMS.Channel != chSMS {
		t.Errorf("SMS case routed to %s/%s", bySMS.Municipality, bySMS.Team)
	}
	if byTelegram.Municipality != maria.Municipality || byTelegram.Priority != dialog.PriorityUrgent || byTelegram.Distress != "hunger" {
		t.Errorf("Telegram case = %+v", byTelegram)
	}
	if anonymous.Municipality != inbox.GeneralMunicipality || anonymous.Team != inbox.GeneralTeam {
		t.Errorf("anonymous case routed to %s/%s", anonymous.Municipality, anonymous.Team)
	}
	open1, err := is.ListOpenCases(ctx, maria.Municipality)
	if err != nil || len(open1) != 2 || open1[0].ID != byTelegram.ID || open1[1].ID != bySMS.ID {
		t.Fatalf("ListOpenCases = %+v, %v; want the urgent Telegram case first", open1, err)
	}
	if got, err := is.FindCase(ctx, bySMS.ID); err != nil || *got != *bySMS {
		t.Errorf("FindCase = %+v, %v; want %+v", got, err, bySMS)
	}
	_, err = is.FindCase(ctx, 987654)
	wantCode(t, "FindCase of nothing", err, records.ENOTFOUND)

	t.Run("OneOpenCaseAConversation", func(t *testing.T) {
		err := s.Turn(ctx, chSMS, MariaPhone, func(ctx context.Context, tx dialog.Tx) error {
			c := *bySMS
			return is.AddCase(ctx, tx, &c)
		})
		wantCode(t, "a second open case", err, records.ECONFLICT)
	})
	t.Run("FailedTurnOpensNoCase", func(t *testing.T) {
		boom := errors.New("boom")
		err := s.Turn(ctx, chTelegram, "5151", func(ctx context.Context, tx dialog.Tx) error {
			c := &inbox.Case{ConversationID: tx.Conversation().ID, Channel: chTelegram, Address: "5151", Municipality: "Lleida",
				Team: inbox.DefaultTeam, Reason: dialog.ReasonAsked, OpenedAt: now, UpdatedAt: now}
			if err := is.AddCase(ctx, tx, c); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Turn: %v", err)
		}
		if cs, _ := is.ListOpenCases(ctx, "Lleida"); len(cs) != 0 {
			t.Errorf("a rolled-back turn left a case: %+v", cs)
		}
	})
	t.Run("Assign", func(t *testing.T) {
		w := &inbox.Staff{Email: "w@badalona.cat", Name: "W", Municipality: "Badalona", Team: inbox.DefaultTeam,
			Role: inbox.RoleWorker, Administration: "ajuntament-badalona", PasswordHash: "h", CreatedAt: now}
		if err := is.AddStaff(ctx, w); err != nil {
			t.Fatal(err)
		}
		if err := is.AssignCase(ctx, bySMS.ID, 0, w.ID); err != nil {
			t.Fatalf("claim: %v", err)
		}
		wantCode(t, "claiming a claimed case", is.AssignCase(ctx, bySMS.ID, 0, w.ID), records.ECONFLICT)
		if got, _ := is.FindCase(ctx, bySMS.ID); got.AssignedTo != w.ID || !got.UpdatedAt.After(bySMS.UpdatedAt) {
			t.Errorf("claimed case = %+v", got)
		}
		if un, err := is.ListUnclaimedCases(ctx, now.Add(time.Hour)); err != nil || len(un) != 2 || slices.ContainsFunc(un, func(c inbox.Case) bool { return c.ID == bySMS.ID }) {
			t.Errorf("ListUnclaimedCases = %+v, %v; want the two unclaimed", un, err)
		}
		if err := is.AssignCase(ctx, bySMS.ID, w.ID, 0); err != nil {
			t.Fatalf("release: %v", err)
		}
	})
	t.Run("NotesAndMessages", func(t *testing.T) {
		w, _ := is.FindStaffByEmail(ctx, "w@badalona.cat")
		if err := is.AddNote(ctx, &inbox.Note{CaseID: bySMS.ID, StaffID: w.ID, Text: "viu sola\x00 <b>", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
		notes, err := is.ListNotes(ctx, bySMS.ID)
		if err != nil || len(notes) != 1 || notes[0].Author != "W" || notes[0].Text == "" {
			t.Errorf("ListNotes = %+v, %v", notes, err)
		}
		before, err := is.CaseVersions(ctx, maria.Municipality)
		if err != nil || len(before) != 2 {
			t.Fatalf("CaseVersions = %+v, %v", before, err)
		}
		var o *dialog.Outbound
		turn(t, s, chSMS, MariaPhone, func(ctx context.Context, tx dialog.Tx) error {
			if _, err := tx.AddInbound(ctx, tx.Conversation().ID, dialog.Inbound{Channel: chSMS, Address: MariaPhone, MessageID: "SMinbox1", Kind: dialog.KindText, Text: "encara hi sou?"}); err != nil {
				return err
			}
			o = &dialog.Outbound{ConversationID: tx.Conversation().ID, Channel: chSMS, Address: MariaPhone, Lang: "ca",
				Reply: dialog.Reply{Lines: []dialog.Text{dialog.T(inbox.KeyReply, "Text", "sí", "Name", "W")}}}
			return tx.AddOutbound(ctx, o)
		})
		outID := o.ID // set by the turn's commit at the latest
		msgs, err := is.ConversationMessages(ctx, bySMS.ConversationID)
		if err != nil || len(msgs) != 2 || msgs[0].Text != "encara hi sou?" || msgs[1].Reply == nil {
			t.Fatalf("ConversationMessages = %+v, %v", msgs, err)
		}
		mid, _ := is.CaseVersions(ctx, maria.Municipality)
		if v := versionOf(mid, bySMS.ID); v.LastMessageID != outID || v == versionOf(before, bySMS.ID) {
			t.Errorf("a new message did not change the case's version: %+v", v)
		}
		if err := s.MarkOutbound(ctx, outID, dialog.DeliverySent, "SMinbox-out"); err != nil {
			t.Fatal(err)
		}
		after, _ := is.CaseVersions(ctx, maria.Municipality)
		if versionOf(after, bySMS.ID) == versionOf(mid, bySMS.ID) {
			t.Errorf("a delivery status did not change the case's version")
		}
	})
	t.Run("Close", func(t *testing.T) {
		turn(t, s, chSMS, MariaPhone, func(ctx context.Context, tx dialog.Tx) error {
			c, err := is.FindOpenCase(ctx, tx, tx.Conversation().ID)
			if err != nil {
				return err
			}
			c.ClosedAt, c.CloseReason = now.Add(time.Hour), "resolt"
			return is.SaveCase(ctx, tx, c)
		})
		if got, err := is.FindCase(ctx, bySMS.ID); err != nil || got.Open() || got.CloseReason != "resolt" {
			t.Errorf("closed case = %+v, %v", got, err)
		}
		if cs, _ := is.ListOpenCases(ctx, maria.Municipality); len(cs) != 1 {
			t.Errorf("%d open cases after closing one, want 1", len(cs))
		}
		wantCode(t, "claiming a closed case", is.AssignCase(ctx, bySMS.ID, 0, 1), records.ECONFLICT)
		again := escalate(t, s, is, chSMS, MariaPhone, maria.ID, dialog.Escalation{Reason: dialog.ReasonAsked}, now.Add(2*time.Hour))
		if again.ID == bySMS.ID {
			t.Errorf("a new escalation reopened the closed case")
		}
		c := *anonymous
		c.WarnedAt = now.Add(time.Hour)
		if err := is.SaveCase(ctx, nil, &c); err != nil {
			t.Fatal(err)
		}
		if got, _ := is.FindCase(ctx, anonymous.ID); !got.WarnedAt.Equal(c.WarnedAt) {
			t.Errorf("warned_at = %v, want %v", got.WarnedAt, c.WarnedAt)
		}
	})
}

func versionOf(vs []inbox.CaseVersion, id int64) inbox.CaseVersion {
	for _, v := range vs {
		if v.CaseID == id {
			return v
		}
	}
	return inbox.CaseVersion{}
}
