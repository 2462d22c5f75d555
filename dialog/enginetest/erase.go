package enginetest

// Erasure of a citizen's conversations.

import (
	"context"
	"testing"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

func (s suite) eraseConversations(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	u.Say("com va la meva sol·licitud?")
	out := u.Say("esborra les meves converses")
	must(t, out, "DNI")
	u.Say(mariaID)
	out = u.Say(mariaBirth)
	must(t, out, "No es podrà desfer")
	out = u.Say("sí")
	must(t, out, "he esborrat", "registre d'accessos")
	ctx := context.Background()
	c, err := e.Store.FindCitizenByPhone(ctx, maria)
	if err != nil {
		t.Fatal(err)
	}
	p, ok := e.Store.(Privacy)
	if !ok {
		t.Fatalf("%T does not implement Privacy", e.Store)
	}
	ts, err := p.Transcripts(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	kept := 0
	for _, tr := range ts {
		for _, m := range tr.Messages {
			if m.Text != "" || (m.Reply != nil && m.Reply.Lines[0].Key != dialog.KeyEraseDone) {
				kept++
			}
		}
	}
	if kept != 0 {
		t.Errorf("%d messages keep their content after erasure", kept)
	}
	evs, err := e.Store.FindAccessEventsByCitizen(ctx, c.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 || evs[0].AdministrationID != records.AccessorAssistant {
		t.Errorf("the access log lost the assistant's reads: %+v", evs)
	}
}

func (s suite) eraseDeclined(t *testing.T) {
	e := s.env(t)
	u := e.Console(jose)
	u.Say("borra mis conversaciones")
	u.Say(joseID)
	must(t, u.Say("02/11/1958"), "No se podrá deshacer")
	must(t, u.Say("2"), "no borro nada")
}
