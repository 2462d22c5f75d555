package dialog

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/catalonia/mygov/records"
)

// itemsFitter fits the replies with at most most status items.
type itemsFitter struct{ most int }

func (f itemsFitter) Fits(_ string, r Reply) bool {
	n := 0
	for _, l := range r.Lines {
		if l.Key == KeyStatusItem {
			n++
		}
	}
	return n <= f.most
}

// namesTx is a Tx that only finds administrations, and counts the reads.
type namesTx struct {
	Tx    // nil: any other call panics
	names map[string]string
	reads [][]string
}

func (tx *namesTx) FindAdministrations(_ context.Context, ids []string) ([]records.Administration, error) {
	tx.reads = append(tx.reads, slices.Clone(ids))
	var out []records.Administration
	for _, id := range ids {
		if name, ok := tx.names[id]; ok {
			out = append(out, records.Administration{ID: id, Name: records.Localized{"ca": name}})
		}
	}
	return out, nil
}

// statusTurn returns an SMS turn on Maria's two applications, read already, as in
// BenchmarkEngineTurn when it builds the status page; the administrations' names are read
// from tx.
func statusTurn(tx Tx) *turn {
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	l := func(ca, es string) records.Localized { return records.Localized{"ca": ca, "es": es} }
	apps := []records.Application{
		{Ref: "EXP-2026-000101", CitizenID: "cit-0001", ProcedureID: "rgc", AdministrationID: "gencat",
			Procedure: l("Renda Garantida de Ciutadania", "Renta Garantizada de Ciudadanía"), Status: records.StatusNeedsDocuments,
			UpdatedAt: now.AddDate(0, 0, -14), MissingDocuments: []records.Localized{l("certificat de convivència", "certificado de convivencia")},
			NextStep: l("Demana el certificat de convivència al teu ajuntament (a l'oficina d'atenció ciutadana o a la seu electrònica) i envia'l abans del 30 de novembre.", "Pide el certificado."),
			History:  []records.StatusChange{{Status: records.StatusNeedsDocuments, At: now.AddDate(0, 0, -14), Note: l("Falta el certificat de convivència.", "Falta el certificado.")}}},
		{Ref: "EXP-2026-000102", CitizenID: "cit-0001", ProcedureID: "menjador", AdministrationID: "ccbarcelones",
			Procedure: l("Ajut de menjador escolar", "Ayuda de comedor escolar"), Status: records.StatusApproved, UpdatedAt: now.AddDate(0, -3, 0),
			History: []records.StatusChange{{Status: records.StatusApproved, At: now.AddDate(0, -3, 0), Note: l("Ajut concedit per a aquest curs.", "Ayuda concedida.")}}},
	}
	return &turn{
		e: NewEngine(nil, nil, nil, nil, WithLocation(time.UTC)), ctx: context.Background(), tx: tx,
		c: &Conversation{Lang: "ca"}, in: Inbound{Caps: Capabilities{PageSize: 4, Fitter: itemsFitter{1}}}, now: now,
		citizen:  &records.Citizen{ID: "cit-0001"},
		recorded: map[string]bool{records.CategoryApplications + "/" + IntentStatus: true},
		reads:    turnReads{apps: apps},
	}
}

// TestReadNamesOnce: the names of the administrations a turn's reads name are read once, in
// one read of the sorted ids, however many pages are built; an id the store does not know
// is its own name.
func TestReadNamesOnce(t *testing.T) {
	tx := &namesTx{names: map[string]string{"gencat": "Generalitat de Catalunya"}}
	tr := statusTurn(tx)
	tr.reads.holdings = []records.DataHolding{{AdministrationID: "gencat"}, {AdministrationID: "ajbdn"}, {AdministrationID: ""}}
	for range 3 {
		if _, _, _, err := tr.fitPage(tr.statusPage, 0); err != nil {
			t.Fatal(err)
		}
	}
	if want := [][]string{{"ajbdn", "ccbarcelones", "gencat"}}; !slices.EqualFunc(tx.reads, want, slices.Equal) {
		t.Errorf("reads %q, want %q", tx.reads, want)
	}
	if err := tr.readNames("dgp"); err != nil {
		t.Fatal(err)
	}
	if want := []string{"dgp"}; len(tx.reads) != 2 || !slices.Equal(tx.reads[1], want) {
		t.Errorf("reads %q, want a second one of %q", tx.reads, want)
	}
	for id, want := range map[string]string{"gencat": "Generalitat de Catalunya", "ccbarcelones": "ccbarcelones", "dgp": "dgp"} {
		if got := tr.reads.names[id]; got != want {
			t.Errorf("name of %s = %q, want %q", id, got, want)
		}
	}
}

// BenchmarkStatusPage measures the engine's side of a status answer on SMS, the records and
// names read already: the pages of one and two applications built, the second refused.
func BenchmarkStatusPage(b *testing.B) {
	tr := statusTurn(&namesTx{names: map[string]string{"gencat": "Generalitat de Catalunya", "ccbarcelones": "Consell Comarcal del Barcelonès"}})
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := tr.fitPage(tr.statusPage, 0); err != nil {
			b.Fatal(err)
		}
	}
}
