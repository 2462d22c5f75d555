package enginetest

import (
	"context"
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
)

// runNotices is the part of the suite about notices: the consent asked and given in
// conversation, and the notices Engine.Notify writes.
func runNotices(t *testing.T, env func(t *testing.T) *Env) {
	contains := func(t *testing.T, out, want string, yes bool) {
		t.Helper()
		if strings.Contains(out, want) != yes {
			t.Errorf("reply contains %q: %v, want %v:\n%s", want, !yes, yes, out)
		}
	}
	t.Run("ConsentAskedOnceAfterAUsefulAnswer", func(t *testing.T) {
		u := env(t).SMS(maria)
		contains(t, u.Say("hola"), "VULL AVISOS", false)
		contains(t, u.Say("com va la meva sol·licitud?"), "VULL AVISOS", true)
		contains(t, u.Say("com va la meva sol·licitud?"), "VULL AVISOS", false)
	})
	t.Run("ConsentIsNeverAStop", func(t *testing.T) {
		for _, tc := range []struct{ phone, say, want string }{
			{maria, "vull rebre avisos", "t'avisaré"},
			{maria, "Vull avisos!", "t'avisaré"},
			{jose, "quiero recibir avisos", "te avisaré"},
			{jose, "Quiero avisos", "te avisaré"},
		} {
			t.Run(tc.say, func(t *testing.T) {
				u := env(t).SMS(tc.phone)
				out := u.Say(tc.say)
				contains(t, out, tc.want, true)
				contains(t, out, "baixa", false)
				c := u.Conversation()
				if !c.Notices || c.OptedOut {
					t.Errorf("consent %v, opted out %v, state %s; want consent, not opted out", c.Notices, c.OptedOut, c.State)
				}
			})
		}
	})
	t.Run("ConsentRevoked", func(t *testing.T) {
		for _, tc := range []struct{ phone, give, revoke string }{
			{maria, "vull rebre avisos", "no vull avisos"},
			{jose, "quiero avisos", "No quiero avisos."},
		} {
			t.Run(tc.revoke, func(t *testing.T) {
				u := env(t).SMS(tc.phone)
				u.Say(tc.give)
				u.Say(tc.revoke)
				c := u.Conversation()
				if c.Notices || c.OptedOut {
					t.Errorf("consent %v, opted out %v after %q; want neither", c.Notices, c.OptedOut, tc.revoke)
				}
			})
		}
	})
	t.Run("ConsentOfAnUnknownNumber", func(t *testing.T) {
		u := env(t).SMS(nobody)
		contains(t, u.Say("vull avisos"), "012", true)
	})

	notice := dialog.Notice{CitizenID: "cit-0001", Kind: dialog.NoticeStatusChange, Ref: "EXP-2026-000101", Lines: []dialog.Text{dialog.T("notice.footer")}}
	notify := func(t *testing.T, e *Env, u *User) (*dialog.Outbound, string) {
		t.Helper()
		o, skipped, err := e.Engine.Notify(context.Background(), u.Channel, u.Address, notice)
		if err != nil {
			t.Fatalf("Notify: %v", err)
		}
		return o, skipped
	}
	t.Run("NotifyNeedsConsent", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		u.Say("hola")
		if o, skipped := notify(t, e, u); o != nil || skipped != dialog.NoticeSkippedNoConsent {
			t.Errorf("Notify without consent: %v, %q; want nothing, %q", o, skipped, dialog.NoticeSkippedNoConsent)
		}
	})
	t.Run("NotifyThenOneContinuesAboutTheApplication", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		u.Say("vull rebre avisos")
		o, skipped := notify(t, e, u)
		if o == nil || skipped != "" {
			t.Fatalf("Notify with consent: %v, %q; want a reply", o, skipped)
		}
		if o.Reply.Notice != dialog.NoticeStatusChange || o.LastInbound.IsZero() {
			t.Errorf("notice reply of kind %q, last inbound %v; want %q and the citizen's last message", o.Reply.Notice, o.LastInbound, dialog.NoticeStatusChange)
		}
		out := u.Say("1")
		contains(t, out, "EXP-2026-000101", true)
		contains(t, out, "EXP-2026-000102", false)
	})
	t.Run("NotifyNeverToOptedOutOrEscalated", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		u.Say("vull rebre avisos")
		u.Send(dialog.Inbound{Kind: dialog.KindOptOut, Text: "BAIXA"})
		if o, skipped := notify(t, e, u); o != nil || skipped != dialog.NoticeSkippedOptedOut {
			t.Errorf("Notify after opt-out: %v, %q; want nothing, %q", o, skipped, dialog.NoticeSkippedOptedOut)
		}

		u = e.Telegram("777", "ca")
		err := e.Store.Turn(context.Background(), u.Channel, u.Address, func(ctx context.Context, tx dialog.Tx) error {
			c := tx.Conversation()
			c.CitizenID, c.Notices, c.State = "cit-0001", true, dialog.StateEscalated
			return tx.SaveConversation(ctx, c)
		})
		if err != nil {
			t.Fatal(err)
		}
		if o, skipped := notify(t, e, u); o != nil || skipped != dialog.NoticeSkippedEscalated {
			t.Errorf("Notify while escalated: %v, %q; want nothing, %q", o, skipped, dialog.NoticeSkippedEscalated)
		}
	})
	t.Run("NotifyNeverToAnotherCitizen", func(t *testing.T) {
		e := env(t)
		u := e.SMS(jose)
		u.Say("quiero avisos")
		if o, skipped := notify(t, e, u); o != nil || skipped != dialog.NoticeSkippedUnlinked {
			t.Errorf("Notify to José's conversation about Maria: %v, %q; want nothing, %q", o, skipped, dialog.NoticeSkippedUnlinked)
		}
	})
}
