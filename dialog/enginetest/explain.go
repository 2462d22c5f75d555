package enginetest

import (
	"context"
	"strings"
	"testing"

	"github.com/catalonia/mygov/records"
)

// The benefits explained with the citizen's own facts, and the access log made readable
// (issue 9, items 4 and 7).

// verified returns Maria's or José's console conversation at level 2.
func verified(e *Env, phone, id, birth string) *User {
	u := e.Console(phone)
	u.Say("quines dades teniu de mi?")
	u.Say(id)
	u.Say(birth)
	return u
}

// pages returns the answer to text followed by every page MÉS gives, up to 6.
func pages(u *User, text string) string {
	last := u.Say(text)
	out := last
	for i := 0; i < 6 && (strings.Contains(last, "MÉS") || strings.Contains(last, "MÁS")); i++ {
		last = u.Say("més")
		out += last
	}
	return out
}

func (s suite) forMeExplainsWithTheCitizensFacts(t *testing.T) {
	e := s.env(t)
	u := verified(e, maria, mariaID, mariaBirth)
	out := pages(u, "quines ajudes puc demanar?")
	must(t, out,
		"viviu 3 a casa i hi entren uns 650 € al mes; el límit és d'uns 1.056 €", // IMV, limit for 3
		"tens 42 anys, i és per a persones de 23 a 64 anys",
		"pagues 550 € de lloguer",
		"a casa hi entren uns 217 € al mes per persona; el límit és de 650 €", // bono social
		"Cal tenir la tarifa regulada de la llum (PVPC)",                      // not in the data
		"Cal un compte al banc a nom teu",
		"Cal estar inscrit o inscrita com a demandant de feina")
	mustNot(t, out, "El lloguer se t'emporta una part gran") // the canned line, replaced by facts
}

func (s suite) forMeFactsOnlyFromLevel2(t *testing.T) {
	e := s.env(t)
	out := pages(e.Console(maria), "quines ajudes puc demanar?")
	must(t, out, "Per què: Els ingressos de casa teva", "Cal tenir la tarifa regulada de la llum (PVPC)",
		"pregunta'm «quines dades teniu de mi?»")
	mustNot(t, out, "650", "42 anys", "viviu 3")
}

func (s suite) forMeAppliedShowsItsStatus(t *testing.T) {
	e := s.env(t)
	out := pages(e.Console(maria), "quines ajudes puc demanar?")
	must(t, out, "Renda Garantida de Ciutadania (Generalitat de Catalunya)\nJa l'has demanada (EXP-2026-000101): falten documents",
		"Ja l'has demanada (EXP-2026-000102): aprovada")
	if strings.Contains(out, "Renda Garantida de Ciutadania (Generalitat de Catalunya)\nPer què") {
		t.Errorf("a benefit already applied for is proposed again:\n%s", out)
	}
}

func (s suite) forMeOrderFollowsTheQuestion(t *testing.T) {
	e := s.env(t)
	out := e.Console(maria).Say("hi ha alguna ajuda pel lloguer?")
	rent, imv := strings.Index(out, "Ajuts al lloguer ("), strings.Index(out, "Ingrés mínim vital (")
	if rent < 0 || (imv >= 0 && imv < rent) {
		t.Errorf("rent help is not first:\n%s", out)
	}
}

func (s suite) forMeWhyNot(t *testing.T) {
	e := s.env(t)
	out := e.Console(jose).Say("¿qué es el ingreso mínimo vital y lo puedo pedir yo?")
	must(t, out, "Ingreso mínimo vital: Una ayuda del Estado", "ahora no encajas", "es para menores de 65 años",
		"En cambio, sí podrías pedir", "Bono social eléctrico (")
	mustNot(t, out, "68", "900") // level 1: the rule, not José's figures
	u := verified(e, jose, joseID, "02/11/1958")
	out = u.Say("¿qué es el ingreso mínimo vital y lo puedo pedir yo?")
	must(t, out, "tienes 68 años, y es para menores de 65", "te entran unos 900 € al mes; el límite es de unos 660 €")
}

func (s suite) forMeAboutSomeoneElse(t *testing.T) {
	e := s.env(t)
	u := verified(e, maria, mariaID, mariaBirth)
	out := pages(u, "la meva mare és gran i viu sola a Girona, hi ha alguna ajuda per ella?")
	must(t, out, "No puc mirar les dades d'una altra persona", "Targeta rosa", "Pensió no contributiva", "Prestació de dependència")
	// Never Maria's own profile: she is 42, a single mother renting.
	mustNot(t, out, "Títol de família monoparental", "Ajuts al lloguer", "Ajut de menjador", "650", "EXP-")
	out = pages(e.Console(jose), "mi hijo tiene una discapacidad, ¿qué ayudas hay para él?")
	must(t, out, "No puedo mirar los datos de otra persona", "Tarjeta rosa")
	mustNot(t, out, "EXP-", "Ya la pediste")
}

func (s suite) dataUsageOwnReadsInOneLine(t *testing.T) {
	e := s.env(t)
	u := verified(e, maria, mariaID, mariaBirth)
	u.Say("com va la meva sol·licitud?")
	u.Say("quines ajudes puc demanar?")
	out := pages(u, "qui ha consultat les meves dades?")
	first := strings.SplitN(out, "\n", 3)[1]
	if strings.Contains(first, "MyGov") {
		t.Errorf("the first read listed is MyGov's own: %q", first)
	}
	// The seeded reads, my_data at verification, status and for_me; not the log's own read.
	must(t, out, "I 4 consultes que vas fer tu a través de MyGov.")
	mustNot(t, out, "MyGov, a petició teva")
}

func (s suite) dataUsageByPeriod(t *testing.T) {
	e := s.env(t)
	u := verified(e, maria, mariaID, mariaBirth)
	out := pages(u, "qui ha mirat les meves dades aquest mes?")
	must(t, out, "Aquest mes, hi ha")
	month := e.Clock.Now().Format("/01/2006")
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, " · ") && !strings.Contains(line, month) {
			t.Errorf("a read outside this month: %q", line)
		}
	}
	out = pages(u, "¿quién ha consultado mis datos el año pasado?")
	must(t, out, "No encuentro ninguna consulta así", "¿quién ha visto mis datos?")
}

func (s suite) dataUsageByAdministration(t *testing.T) {
	e := s.env(t)
	u := verified(e, maria, mariaID, mariaBirth)
	out := pages(u, "qui ha mirat les meves dades al Consell Comarcal?")
	must(t, out, "Consell Comarcal del Barcelonès ha consultat les teves dades 2 vegades")
	mustNot(t, out, "Generalitat de Catalunya (", "CatSalut")
}

func (s suite) dataUsageWhy(t *testing.T) {
	e := s.env(t)
	u := e.Console(maria)
	u.Say("per què l'Ajuntament de Badalona va mirar el meu padró?")
	u.Say(mariaID)
	out := u.Say(mariaBirth) // the question survives verification
	must(t, out, "Ajuntament de Badalona (Padró d'habitants) va consultar les teves dades (adreça i padró) per a Revisió del padró",
		"Base legal: Llei 7/1985", "pots demanar explicacions")
	mustNot(t, out, "CatSalut")
	out = u.Say("per què la Generalitat ha mirat les meves dades de salut?")
	must(t, out, "No trobo cap consulta així")
}

func (s suite) dataUsageStillNeedsLevel2(t *testing.T) {
	e := s.env(t)
	out := e.Console(maria).Say("per què l'Ajuntament de Badalona va mirar el meu padró?")
	must(t, out, "DNI")
	mustNot(t, out, "Padró d'habitants", "Llei 7/1985")
	ctx := context.Background()
	c, err := e.Store.FindCitizenByPhone(ctx, maria)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := e.Store.FindAccessEventsByCitizen(ctx, c.ID, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if ev.AdministrationID == records.AccessorAssistant && ev.Category == records.CategoryAccessLog {
			t.Errorf("the log was read before verification: %+v", ev)
		}
	}
}
