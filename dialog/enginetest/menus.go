package enginetest

// Menus, numbered options, pagination, buttons and redelivery.

import (
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
)

func (s suite) duplicateMessageAnsweredOnce(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria)
	in := dialog.Inbound{MessageID: "SM123", Text: "com va la meva sol·licitud?"}
	r1, _ := u.Send(in)
	r2, _ := u.Send(in)
	if r1.Duplicate || len(r1.Outbound) == 0 {
		t.Fatalf("first delivery: %+v", r1)
	}
	if !r2.Duplicate || len(r2.Outbound) != 0 {
		t.Errorf("second delivery: duplicate %v, %d replies", r2.Duplicate, len(r2.Outbound))
	}
}

func (s suite) numberedAnswers(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria)
	must(t, u.Say("hola"), "[Els meus tràmits]")
	must(t, u.Say("1"), "EXP-2026-000101")
}

func (s suite) numberOutOfMenu(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria)
	u.Say("hola")
	must(t, u.Say("9"), "ja no és vàlid")
}

func (s suite) pagination(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria) // one application a page on SMS
	out := u.Say("com va la meva sol·licitud?")
	must(t, out, "EXP-", "MÉS")
	first := strings.Contains(out, "EXP-2026-000101")
	out = u.Say("MÉS")
	must(t, out, "EXP-")
	if strings.Contains(out, "EXP-2026-000101") == first {
		t.Errorf("second page repeats the first:\n%s", out)
	}
}

func (s suite) moreWithNothingOpen(t *testing.T) {
	e := s.env(t)
	u := e.SMS(jose)
	u.Say("hola")
	out := u.Say("MÁS")
	must(t, out, "nada más")
	if u.Conversation().OptedOut {
		t.Errorf("MÁS opted the citizen out")
	}
}

func (s suite) staleButton(t *testing.T) {
	e := s.env(t)
	u := e.Telegram("1001", "ca")
	_, out := u.Send(dialog.Inbound{Kind: dialog.KindButton, Payload: "more"})
	must(t, out, "ja no és vàlid")
	_, out = u.Send(dialog.Inbound{Kind: dialog.KindButton, Payload: "x\x00<script>" + strings.Repeat("A", 100)})
	must(t, out, "ja no és vàlid")
}

func (s suite) buttonIntent(t *testing.T) {
	e := s.env(t)
	u := e.Console(jose)
	_, out := u.Send(dialog.Inbound{Kind: dialog.KindButton, Payload: "i:status"})
	must(t, out, "EXP-2026-000201")
}
