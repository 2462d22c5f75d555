package enginetest

// Conversations real citizens get right (issue 9): distress first, follow-ups on the
// application in focus, questions about one application, and no dead ends.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
)

// francisco has a denied subsidy whose record gives the reason.
const francisco = "+34600000006"

// recorder returns an escalator that records what it is given.
func recorder(got *[]dialog.Escalation) escalatorFunc {
	return func(ctx context.Context, tx dialog.Tx, c *dialog.Conversation, esc dialog.Escalation) (dialog.Handoff, error) {
		*got = append(*got, esc)
		return dialog.Handoff{Team: "serveis-socials", Open: true}, nil
	}
}

func (s suite) distressComesFirst(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	out := u.Say("no tinc res per menjar avui i els nens tenen gana")
	must(t, out, "serveis socials", "012")
	mustNot(t, out, "Ingrés mínim vital", "Bo social")
	if c := u.Conversation(); !c.Urgent || c.Distress != dialog.DistressHunger {
		t.Errorf("conversation urgent=%v distress=%q, want urgent hunger", c.Urgent, c.Distress)
	}
	out = e.Console(jose).Say("me quieren desahuciar y tengo una niña pequeña")
	must(t, out, "servicios sociales", "Ofideute")
	out = e.SMS(francisco).Say("ya no quiero vivir mas")
	must(t, out, "024", "112")
}

func (s suite) distressInALongMessage(t *testing.T) {
	e := s.env(t)
	long := "ens desnonen dimarts i no sé què fer. " + strings.Repeat("Us explico tota la història. ", 300)
	out := e.Console(maria).Say(long)
	must(t, out, "Ofideute")
}

func (s suite) distressEscalatesUrgently(t *testing.T) {
	e := s.env(t)
	var got []dialog.Escalation
	e.Engine.Escalator = recorder(&got)
	u := e.Telegram("7007", "ca")
	out := u.Say("el meu marit em pega")
	must(t, out, "016", "112", "treballadora social")
	want := dialog.Escalation{Reason: dialog.ReasonDistress, Distress: dialog.DistressViolence, Priority: dialog.PriorityUrgent}
	if len(got) != 1 || got[0] != want {
		t.Fatalf("escalations %+v, want [%+v]", got, want)
	}
	if c := u.Conversation(); c.State != dialog.StateEscalated || !c.Urgent {
		t.Errorf("state %s urgent %v, want escalated and urgent", c.State, c.Urgent)
	}
}

func (s suite) distressInterruptsVerification(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	u.Say("quines dades teniu de mi?")
	out := u.Say("m'han tallat la llum i tinc nens")
	must(t, out, "serveis socials")
	mustNot(t, out, "DNI o NIE")
	if c := u.Conversation(); c.State == dialog.StateVerifying {
		t.Errorf("still verifying after distress")
	}
}

func (s suite) followUpUsesFocus(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	u.Say("com va la meva sol·licitud?")
	out := u.Say("i on el demano aquest certificat?")
	must(t, out, "EXP-2026-000101", "ajuntament")
	out = u.Say("i fins quan tinc?")
	must(t, out, "Tens temps fins al 30/11/2026")
	out = u.Say("i ara?")
	must(t, out, "certificat de convivència")
	mustNot(t, out, "Gràcies a tu")
}

// focusIsWhatWasShown: the applications a follow-up question is about are those the
// reply showed, not those of a longer page that did not fit the channel.
func (s suite) focusIsWhatWasShown(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria)
	out := u.Say("com va la meva sol·licitud?")
	focus := u.Conversation().Focus
	if len(focus) == 0 {
		t.Fatalf("no focus after a status answer:\n%s", out)
	}
	for _, ref := range focus {
		if !strings.Contains(out, ref) {
			t.Errorf("focus on %s, which the reply did not show:\n%s", ref, out)
		}
	}
}

func (s suite) focusExpires(t *testing.T) {
	e := s.env(t)
	u := e.Console(jose)
	u.Say("como va la tarjeta rosa")
	e.Clock.Advance(dialog.DefaultFocusTTL + time.Minute)
	out := u.Say("¿y eso qué significa?")
	must(t, out, "¿De qué solicitud")
	out = u.Say("1")
	must(t, out, "EXP-2026-000201", "la están estudiando")
}

func (s suite) focusNeedsTrust(t *testing.T) {
	e := s.env(t)
	u := e.Telegram("8008", "ca")
	out := u.Say("i fins quan tinc per portar el certificat?")
	mustNot(t, out, "EXP-", "30/11/2026", "Renda Garantida")
	out = e.Console(nobody).Say("per què m'han denegat la renda garantida?")
	mustNot(t, out, "EXP-", "Maria")
}

func (s suite) deniedShowsReason(t *testing.T) {
	e := s.env(t)
	out := e.Console(francisco).Say("¿por qué me denegaron el subsidio?")
	must(t, out, "EXP-2025-000602", "No consta el tiempo cotizado necesario", "recurso")
	out = e.Console(jose).Say("por que me han denegado la tarjeta rosa?")
	must(t, out, "no está denegada")
}

func (s suite) statusShowsNote(t *testing.T) {
	e := s.env(t)
	must(t, e.Console(jose).Say("¿cómo va mi solicitud?"), "Grado I de dependencia reconocido")
}

func (s suite) clarifyOffersTwoMeanings(t *testing.T) {
	e := s.env(t)
	var got []dialog.Escalation
	e.Engine.Escalator = recorder(&got)
	u := e.Console(maria)
	out := u.Say("xrtq bzzz plof")
	mustNot(t, out, "Parlar amb una persona]\n") // a menu, not the bare main menu
	if len(got) != 0 {
		t.Fatalf("escalated after one misunderstanding")
	}
	out = u.Say("plim plam plum zork")
	must(t, out, "persona")
	if len(got) != 1 || got[0].Reason != dialog.ReasonMisunderstood {
		t.Fatalf("escalations %+v, want one for misunderstood", got)
	}
}

func (s suite) misunderstoodTwiceGives012(t *testing.T) {
	e := s.env(t)
	u := e.Console(jose)
	u.Say("xrtq bzzz plof")
	must(t, u.Say("plim plam plum zork"), "012")
}

func (s suite) outOfScopeIsRouted(t *testing.T) {
	e := s.env(t)
	out := e.Console(maria).Say("quant em toca pagar d'IBI?")
	must(t, out, "ajuntament")
	mustNot(t, out, "Ingrés mínim vital")
	must(t, e.Console(jose).Say("necesito cita con el médico de cabecera"), "061")
	must(t, e.Console(maria).Say("quin temps farà demà?"), "ho sento")
}

func (s suite) insultGetsCalmReply(t *testing.T) {
	e := s.env(t)
	out := e.Console(jose).Say("eres un inútil, no sirves para nada")
	must(t, out, "Siento", "012")
	mustNot(t, out, "no lo sé hacer")
}
