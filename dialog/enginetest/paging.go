package enginetest

import (
	"strings"
	"testing"
)

// SMS pages that keep the action (issue 9, item 6): the engine packs as many whole items
// as the channel fits; numbers mean the same on every channel.

// smsPages returns how many replies it takes to read the whole answer to text on u.
func smsPages(u *User, text string) (int, string) {
	last := u.Say(text)
	out, n := last, 1
	for n < 20 && strings.Contains(last, "[Veure'n més]") {
		last = u.Say("més")
		out += last
		n++
	}
	return n, out
}

func (s suite) smsPacksItems(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria)
	u.Say("quines dades teniu de mi?")
	u.Say(mariaID)
	u.Say(mariaBirth) // the first page of the holdings
	n, out := smsPages(u, "quines dades teniu de mi?")
	t.Logf("8 data holdings: %d SMS", n)
	if n > 5 {
		t.Errorf("Maria's 8 data holdings take %d SMS, want at most 5 (one a message before)", n)
	}
	must(t, out, "Policia", "Badalona", "CatSalut")
	n, out = smsPages(u, "qui ha consultat les meves dades?")
	t.Logf("access log: %d SMS", n)
	if n > 5 {
		t.Errorf("Maria's access log takes %d SMS, want at most 5", n)
	}
	must(t, out, "consultes que vas fer tu a través de MyGov")
}

func (s suite) numbersMeanTheSameOnEveryChannel(t *testing.T) {
	e := s.env(t)
	for _, u := range []*User{e.Console(maria), e.SMS(maria)} {
		u.Say("com va la meva sol·licitud?")
		must(t, u.Say("2"), "ajudes") // "2. Ajudes per a mi" after any answer
		u.Say("quines ajudes puc demanar?")
		must(t, u.Say("0"), "Tria una opció") // "0. Menú"
	}
}
