package enginetest

// The four questions and the answers that need no verification.

import "testing"

func (s suite) statusCatalan(t *testing.T) {
	e := s.env(t)
	out := e.Console(maria).Say("com va la meva sol·licitud?")
	must(t, out, "EXP-2026-000101", "certificat de convivència", "falten documents", "Renda Garantida")
	// Level 1: the applications, nothing of the level-2 record.
	mustNot(t, out, "Badalona", "650", "Layret", "12345678Z", "5678Z", "1984")
}

func (s suite) statusSpanish(t *testing.T) {
	e := s.env(t)
	out := e.Console(jose).Say("¿cómo va mi solicitud?")
	must(t, out, "EXP-2026-000201", "en revisión")
}

func (s suite) statusNamedProcedure(t *testing.T) {
	e := s.env(t)
	out := e.Console(maria).Say("com va la renda garantida?")
	must(t, out, "EXP-2026-000101")
	mustNot(t, out, "EXP-2026-000102")
}

func (s suite) statusNamedReference(t *testing.T) {
	e := s.env(t)
	out := e.Console(maria).Say("estat de l'expedient EXP-2026-000102")
	must(t, out, "EXP-2026-000102")
	mustNot(t, out, "EXP-2026-000101")
}

func (s suite) unknownPhoneIsAnonymous(t *testing.T) {
	e := s.env(t)
	u := e.Console(nobody)
	out := u.Say("com va la meva sol·licitud?")
	must(t, out, "012")
	mustNot(t, out, "EXP-", "Maria", "Badalona")
	if c := u.Conversation(); c.CitizenID != "" {
		t.Errorf("unknown phone linked to citizen %q", c.CitizenID)
	}
}

func (s suite) forMePersonal(t *testing.T) {
	e := s.env(t)
	out := e.Console(maria).Say("quines ajudes puc demanar?")
	must(t, out, "Ingrés mínim vital", "Per què")
	mustNot(t, out, "Renda Garantida de Ciutadania (")
	mustNot(t, out, "650")
}

func (s suite) forMeGeneralWhenAnonymous(t *testing.T) {
	e := s.env(t)
	out := e.Console(nobody).Say("quines ajudes hi ha?")
	must(t, out, "Si em dius qui ets")
}

func (s suite) help(t *testing.T) {
	e := s.env(t)
	must(t, e.Console(maria).Say("què pots fer?"), "amb les teves paraules")
}

func (s suite) otherIsNeverADeadEnd(t *testing.T) {
	e := s.env(t)
	must(t, e.Console(maria).Say("qui guanyarà la lliga aquest any?"), "[Els meus tràmits]")
}

func (s suite) humanWithoutInbox(t *testing.T) {
	e := s.env(t)
	must(t, e.Console(jose).Say("quiero hablar con una persona"), "012")
}
