package enginetest

// Identity: level 2 verification, lockouts, the verification window and the access log.

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

func (s suite) myDataNeedsVerification(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	out := u.Say("quines dades teniu de mi?")
	must(t, out, "DNI")
	mustNot(t, out, "Badalona", "650", "Padró", "****5678Z")
	out = u.Say(mariaID)
	must(t, out, "naixement")
	mustNot(t, out, "Badalona", "Padró")
	out = u.Say(mariaBirth)
	must(t, out, "ets tu", "****5678Z", "+34 6** *** 001", "Badalona")
	mustNot(t, out, mariaID, maria, "Layret 23")
	if got := u.Conversation().State; got == dialog.StateVerifying {
		t.Errorf("state after verification = %s", got)
	}
}

func (s suite) verificationAcceptsSpokenForms(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	u.Say("qui ha consultat les meves dades?")
	u.Say("12.345.678-z")
	out := u.Say("15 de març de 1984")
	must(t, out, "MyGov")
}

func (s suite) noPersonalDataBeforeVerificationOnSMS(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria)
	var all strings.Builder
	for _, msg := range []string{"hola", "com va la meva sol·licitud?", "MÉS", "quines ajudes puc demanar?", "MÉS", "MÉS",
		"quines dades teniu de mi?", "87654321X", "01/01/1990", "qui ha mirat les meves dades?", "1", "2", "3"} {
		all.WriteString(u.Say(msg))
	}
	mustNot(t, all.String(), "Badalona", "650", "Layret", "Puig", "12345678Z", "5678Z", "15/03/1984", "Padró", "Policia")
}

func (s suite) wrongIDAndNoSuchCitizenAnswerAlike(t *testing.T) {
	e := s.env(t)
	a, b := e.SMS(maria), e.SMS(nobody)
	var outA, outB []string
	for _, msg := range []string{"quines dades teniu de mi?", joseID, mariaBirth} {
		outA = append(outA, a.Say(msg))
		outB = append(outB, b.Say(msg))
	}
	for i := range outA {
		if outA[i] != outB[i] {
			t.Errorf("turn %d differs:\nwrong id:   %q\nno citizen: %q", i, outA[i], outB[i])
		}
	}
	must(t, outA[2], "no coincideixen")
}

func (s suite) wrongBirthDateAnswersLikeWrongID(t *testing.T) {
	e := s.env(t)
	a, b := e.Console(maria), e.Console(jose)
	a.Say("quines dades teniu de mi?")
	b.Say("quines dades teniu de mi?")
	a.Say(mariaID)
	b.Say(mariaID) // José with Maria's id
	outA := a.Say("01/01/1990")
	outB := b.Say(mariaBirth)
	if outA != outB {
		t.Errorf("wrong date %q differs from wrong id %q", outA, outB)
	}
}

func (s suite) lockoutAfterThreeFailures(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	u.Say("quines dades teniu de mi?")
	var out string
	for range 3 {
		u.Say("87654321X")
		out = u.Say("01/01/1990")
	}
	must(t, out, "10:15", "15 minuts")
	// Locked: even the right answers are refused until then.
	out = u.Say("quines dades teniu de mi?")
	must(t, out, "10:15")
	mustNot(t, out, "Padró")
	e.Clock.Advance(16 * time.Minute)
	u.Say("quines dades teniu de mi?")
	u.Say(mariaID)
	out = u.Say(mariaBirth)
	must(t, out, "Badalona")
}

func (s suite) lockDoubles(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	u.Say("quines dades teniu de mi?")
	for range 3 {
		u.Say("87654321X")
		u.Say("01/01/1990")
	}
	e.Clock.Advance(16 * time.Minute)
	var out string
	u.Say("quines dades teniu de mi?")
	for range 3 {
		u.Say("87654321X")
		out = u.Say("01/01/1990")
	}
	must(t, out, "30 minuts")
}

func (s suite) verificationWindowEnds(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	u.Say("quines dades teniu de mi?")
	u.Say(mariaID)
	u.Say(mariaBirth)
	e.Clock.Advance(20 * time.Minute)
	must(t, u.Say("quines dades teniu de mi?"), "Padró")
	e.Clock.Advance(31 * time.Minute)
	out := u.Say("quines dades teniu de mi?")
	must(t, out, "DNI")
	mustNot(t, out, "Padró")
}

func (s suite) otherQuestionLeavesVerification(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	must(t, u.Say("quines dades teniu de mi?"), "DNI")
	out := u.Say("com va la meva sol·licitud?")
	must(t, out, "EXP-2026-000101")
	if c := u.Conversation(); c.State == dialog.StateVerifying || c.Pending != "" {
		t.Errorf("still verifying: state %s, pending %q", c.State, c.Pending)
	}
	// A typo in the id is still an attempt at it.
	u.Say("quines dades teniu de mi?")
	must(t, u.Say("1234567"), "no sembla un DNI")
}

func (s suite) logoutEndsVerification(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	u.Say("quines dades teniu de mi?")
	u.Say(mariaID)
	u.Say(mariaBirth)
	must(t, u.Say("surt"), "Has sortit")
	mustNot(t, u.Say("quines dades teniu de mi?"), "Padró")
}

func (s suite) assistantReadsAppearInDataUsage(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	u.Say("com va la meva sol·licitud?")
	u.Say("qui ha consultat les meves dades?")
	u.Say(mariaID)
	out := u.Say(mariaBirth)
	must(t, out, "MyGov, a petició teva", "les teves sol·licituds")
	ctx := context.Background()
	c, err := e.Store.FindCitizenByPhone(ctx, maria)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := e.Store.FindAccessEventsByCitizen(ctx, c.ID, 10)
	if err != nil {
		t.Fatal(err)
	}
	var reasons []string
	for _, ev := range evs {
		if ev.AdministrationID == records.AccessorAssistant {
			reasons = append(reasons, ev.Reason+"/"+ev.Channel)
		}
	}
	if !slices.Contains(reasons, "status/console") || !slices.Contains(reasons, "data_usage/console") {
		t.Errorf("assistant reads in the access log: %v", reasons)
	}
}
