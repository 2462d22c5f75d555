package enginetest

// What depends on the channel's capabilities: contacts, languages, media, escalation, opt-out.

import (
	"context"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/dialog"
)

func (s suite) telegramContact(t *testing.T) {
	e := s.env(t)
	u := e.Telegram("2002", "ca")
	_, out := u.Send(dialog.Inbound{Kind: dialog.KindCommand, Command: "start"})
	must(t, out, "Soc MyGov")
	out = u.Say("com va la meva sol·licitud?")
	must(t, out, "[share contact]")
	mustNot(t, out, "EXP-")
	_, out = u.Send(dialog.Inbound{Kind: dialog.KindContact, Contact: &dialog.Contact{Phone: maria, Own: false}})
	must(t, out, "propi número")
	mustNot(t, out, "EXP-")
	_, out = u.Send(dialog.Inbound{Kind: dialog.KindContact, Contact: &dialog.Contact{Phone: maria, Own: true}})
	must(t, out, "ja sé qui ets", "EXP-2026-000101") // answers the pending question
	_, out = u.Send(dialog.Inbound{Kind: dialog.KindCommand, Command: "unlink"})
	must(t, out, "desvinculat")
	mustNot(t, u.Say("com va la meva sol·licitud?"), "EXP-")
}

func (s suite) telegramStartAsksLanguage(t *testing.T) {
	e := s.env(t)
	u := e.Telegram("3003", "en")
	_, out := u.Send(dialog.Inbound{Kind: dialog.KindCommand, Command: "start"})
	must(t, out, "[Català]", "[Castellano]")
	_, out = u.Send(dialog.Inbound{Kind: dialog.KindButton, Payload: "lang:es"})
	must(t, out, "castellano")
}

func (s suite) languageSwitch(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	must(t, u.Say("parla'm en castellà, si us plau"), "castellano")
	must(t, u.Say("hola"), "Hola")
	if got := u.Conversation().Lang; got != dialog.LangES {
		t.Errorf("lang = %q, want es", got)
	}
}

func (s suite) mediaAndEdited(t *testing.T) {
	e := s.env(t)
	u := e.Telegram("4004", "es")
	_, out := u.Send(dialog.Inbound{Kind: dialog.KindMedia})
	must(t, out, "fotos")
	_, out = u.Send(dialog.Inbound{Kind: dialog.KindEdited, Text: "edited"})
	must(t, out, "editados")
}

func (s suite) escalatedIsSilentExceptStop(t *testing.T) {
	e := s.env(t)
	var reasons []string
	e.Engine.Escalator = escalatorFunc(func(ctx context.Context, tx dialog.Tx, c *dialog.Conversation, esc dialog.Escalation) (dialog.Handoff, error) {
		reasons = append(reasons, esc.Reason)
		return dialog.Handoff{Team: "serveis-socials", Open: true}, nil
	})
	u := e.Telegram("5005", "es")
	out := u.Say("quiero hablar con una persona")
	must(t, out, "trabajadora social")
	if len(reasons) != 1 || reasons[0] != dialog.ReasonAsked || u.Conversation().State != dialog.StateEscalated {
		t.Fatalf("escalations %v, state %s", reasons, u.Conversation().State)
	}
	if res, _ := u.Send(dialog.Inbound{Text: "hola?"}); len(res.Outbound) != 0 {
		t.Errorf("the bot answered an escalated conversation")
	}
	_, out = u.Send(dialog.Inbound{Kind: dialog.KindCommand, Command: "stop"})
	must(t, out, "no te enviaré avisos")
}

func (s suite) sMSOptOut(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria)
	res, out := u.Send(dialog.Inbound{Kind: dialog.KindOptOut, Text: "BAIXA"})
	must(t, out, "ALTA")
	if len(res.Outbound) != 1 || !res.Outbound[0].Reply.Final {
		t.Fatalf("opt-out confirmation: %+v", res.Outbound)
	}
	res, _ = u.Send(dialog.Inbound{Text: "com va la meva sol·licitud?"})
	if len(res.Outbound) != 0 {
		t.Errorf("opted-out number got %d replies", len(res.Outbound))
	}
	opted, err := e.Store.OptedOut(context.Background(), sms.Name, maria)
	if err != nil || !opted {
		t.Errorf("OptedOut = %v, %v", opted, err)
	}
	_, txt := u.Send(dialog.Inbound{Kind: dialog.KindOptIn, Text: "ALTA"})
	must(t, txt, "de nou")
	must(t, u.Say("com va la meva sol·licitud?"), "EXP-2026-000101")
}

// outboundCarriesLastInbound: a channel with a window since the citizen's last message
// (WhatsApp's 24 hours) decides from Outbound.LastInbound, the time of the message the
// reply answers.
func (s suite) outboundCarriesLastInbound(t *testing.T) {
	e := s.env(t)
	at := e.Clock.Now().Add(-time.Minute)
	res, _ := e.SMS(maria).Send(dialog.Inbound{Kind: dialog.KindText, Text: "hola", ReceivedAt: at})
	if len(res.Outbound) == 0 {
		t.Fatal("no reply")
	}
	for _, o := range res.Outbound {
		if !o.LastInbound.Equal(at) {
			t.Errorf("Outbound.LastInbound = %v, want %v", o.LastInbound, at)
		}
	}
}
