package demo

import (
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/records"
)

func demoApplication(t *testing.T, d *records.Dataset, ref string) records.Application {
	t.Helper()
	for _, a := range d.Applications {
		if a.Ref == ref {
			return a
		}
	}
	t.Fatalf("demo has no application %s", ref)
	return records.Application{}
}

func adminName(d *records.Dataset, id string) string {
	for _, a := range d.Administrations {
		if a.ID == id {
			return a.Name["ca"]
		}
	}
	return ""
}

func TestDemoValid(t *testing.T) {
	for _, now := range []time.Time{testNow, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2030, 7, 15, 23, 59, 0, 0, time.FixedZone("CEST", 2*3600))} {
		if err := Dataset(now).Validate(); err != nil {
			t.Errorf("Dataset(%v).Validate() = %v", now, err)
		}
	}
}

func TestDemoDeterministic(t *testing.T) {
	a, b := Dataset(testNow), Dataset(testNow)
	if !reflect.DeepEqual(a, b) {
		t.Error("two Dataset(now) differ")
	}
	// Datasets share no maps: changing one leaves the next untouched.
	a.Applications[0].Procedure["ca"] = "changed"
	a.Applications[0].History[0].Note = records.Localized{"ca": "x"}
	a.Benefits[0].Documents[0]["ca"] = "changed"
	if c := Dataset(testNow); !reflect.DeepEqual(b, c) {
		t.Error("changing a demo dataset changed the next one")
	}
}

func TestDemoMaria(t *testing.T) {
	d := Dataset(testNow)
	c := demoCitizen(t, d, "cit-0001")
	want := records.Citizen{
		ID: "cit-0001", NationalID: "12345678Z", GivenName: "Maria", Surnames: "Puig Soler",
		BirthDate: time.Date(1984, time.March, 15, 0, 0, 0, 0, time.UTC), Phone: "+34600000001", Lang: "ca",
		Street: "Carrer de Francesc Layret 23", Municipality: "Badalona",
		Profile: records.Profile{HouseholdSize: 3, ChildrenAges: []int{6, 9}, SingleParent: true,
			Employment: records.EmploymentUnemployed, MonthlyIncome: 650, Renting: true, MonthlyRent: 550},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("Maria = %+v, want %+v", c, want)
	}
	if got := records.MaskAddress(c); got != "Carrer de Francesc Layret, Badalona" {
		t.Errorf("MaskAddress(Maria) = %q", got)
	}

	rgc := demoApplication(t, d, "EXP-2026-000101")
	if rgc.CitizenID != c.ID || rgc.ProcedureID != "rgc" || rgc.Status != records.StatusNeedsDocuments {
		t.Errorf("EXP-2026-000101 = citizen %s, procedure %s, status %s", rgc.CitizenID, rgc.ProcedureID, rgc.Status)
	}
	if rgc.Procedure["ca"] != "Renda Garantida de Ciutadania" || rgc.Procedure["es"] != "Renta Garantizada de Ciudadanía" {
		t.Errorf("EXP-2026-000101 procedure = %v", rgc.Procedure)
	}
	if got := adminName(d, rgc.AdministrationID); got != "Generalitat de Catalunya" {
		t.Errorf("EXP-2026-000101 administration = %q", got)
	}
	if rgc.Unit["ca"] != "Departament de Drets Socials i Inclusió" || rgc.Unit["es"] != "Departamento de Derechos Sociales e Inclusión" {
		t.Errorf("EXP-2026-000101 unit = %v", rgc.Unit)
	}
	wantDocs := []records.Localized{{"ca": "certificat de convivència", "es": "certificado de convivencia"}}
	if !reflect.DeepEqual(rgc.MissingDocuments, wantDocs) {
		t.Errorf("EXP-2026-000101 missing documents = %v", rgc.MissingDocuments)
	}
	if days := rgc.Deadline.Sub(testNow).Hours() / 24; days < 9 || days > 11 {
		t.Errorf("EXP-2026-000101 deadline %v is %.1f days ahead, want about 10", rgc.Deadline, days)
	}
	// The next step is shown at trust level 1: it names "your ajuntament", not the municipality.
	for lang, want := range map[string]string{"ca": "al teu ajuntament", "es": "a tu ayuntamiento"} {
		if next := rgc.NextStep[lang]; !strings.Contains(next, want) || !strings.Contains(next, date(lang, rgc.Deadline)) || strings.Contains(next, "Badalona") {
			t.Errorf("EXP-2026-000101 next step [%s] = %q, want the ajuntament, no municipality, and the deadline", lang, next)
		}
	}
	if !strings.Contains(rgc.NextStep["ca"], "7 de desembre") || !strings.Contains(rgc.NextStep["es"], "7 de diciembre") {
		t.Errorf("EXP-2026-000101 next step = %v, want 7 December", rgc.NextStep)
	}
	if age := testNow.Sub(rgc.UpdatedAt).Hours() / 24; age < 0 || age > 21 {
		t.Errorf("EXP-2026-000101 updated %.1f days ago, want within the last weeks", age)
	}

	menjador := demoApplication(t, d, "EXP-2026-000102")
	if menjador.CitizenID != c.ID || menjador.ProcedureID != "menjador" || menjador.Status != records.StatusApproved {
		t.Errorf("EXP-2026-000102 = citizen %s, procedure %s, status %s", menjador.CitizenID, menjador.ProcedureID, menjador.Status)
	}
	if got := adminName(d, menjador.AdministrationID); got != "Consell Comarcal del Barcelonès" {
		t.Errorf("EXP-2026-000102 administration = %q", got)
	}
}

func TestDemoJose(t *testing.T) {
	d := Dataset(testNow)
	c := demoCitizen(t, d, "cit-0002")
	want := records.Citizen{
		ID: "cit-0002", NationalID: "X1234567L", GivenName: "José", Surnames: "García López",
		BirthDate: time.Date(1958, time.November, 2, 0, 0, 0, 0, time.UTC), Phone: "+34600000002", Lang: "es",
		Street: "Carrer de Sant Martí 14", Municipality: "Lleida",
		Profile: records.Profile{HouseholdSize: 1, LivesAlone: true, Employment: records.EmploymentRetired,
			MonthlyIncome: 900, Dependency: true},
	}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("José = %+v, want %+v", c, want)
	}
	tests := []struct {
		ref, proc, admin string
		status           records.Status
	}{
		{"EXP-2026-000201", "targeta_rosa", "Ajuntament de Lleida", records.StatusInReview},
		{"EXP-2025-000202", "dependencia", "Generalitat de Catalunya", records.StatusApproved},
	}
	for _, tt := range tests {
		a := demoApplication(t, d, tt.ref)
		if a.CitizenID != c.ID || a.ProcedureID != tt.proc || a.Status != tt.status || adminName(d, a.AdministrationID) != tt.admin {
			t.Errorf("%s = citizen %s, procedure %s, status %s, administration %q; want %s, %s, %s, %q",
				tt.ref, a.CitizenID, a.ProcedureID, a.Status, adminName(d, a.AdministrationID), c.ID, tt.proc, tt.status, tt.admin)
		}
	}
	if u := demoApplication(t, d, "EXP-2025-000202").Unit["ca"]; u != "Departament de Drets Socials i Inclusió" {
		t.Errorf("EXP-2025-000202 unit = %q", u)
	}
}

func TestDemoCoverage(t *testing.T) {
	d := Dataset(testNow)
	if len(d.Citizens) < 14 {
		t.Errorf("demo has %d citizens, want at least 14", len(d.Citizens))
	}
	statuses := map[records.Status]bool{}
	for _, a := range d.Applications {
		statuses[a.Status] = true
		if n := len(a.History); n < 2 || n > 5 {
			t.Errorf("%s: %d history steps, want 2 to 5", a.Ref, n)
		}
		if a.UpdatedAt.After(testNow) {
			t.Errorf("%s: updated in the future", a.Ref)
		}
		if !a.Deadline.IsZero() && !a.Deadline.After(testNow) {
			t.Errorf("%s: deadline is not ahead", a.Ref)
		}
		if a.Status == records.StatusNeedsDocuments && (a.Deadline.IsZero() || a.NextStep == nil) {
			t.Errorf("%s: needs documents without a deadline and a next step", a.Ref)
		}
	}
	for _, s := range records.Statuses {
		if !statuses[s] {
			t.Errorf("no application is %s", s)
		}
	}

	municipalities := map[string]bool{}
	phones := map[string]bool{}
	langs := map[string]int{}
	for i, c := range d.Citizens {
		municipalities[c.Municipality] = true
		phones[c.Phone] = true
		langs[c.Lang]++
		if i >= 2 {
			if want := "+346000000" + twoDigits(i+1); c.Phone != want {
				t.Errorf("%s: phone %s, want %s", c.ID, c.Phone, want)
			}
		}
		var holdings, events int
		for _, h := range d.Holdings {
			if h.CitizenID == c.ID {
				holdings++
			}
		}
		for _, e := range d.AccessEvents {
			if e.CitizenID == c.ID {
				events++
				if e.At.After(testNow) || e.At.Before(testNow.AddDate(-1, 0, 0)) {
					t.Errorf("%s: access event %d at %v, want within the last months", c.ID, e.ID, e.At)
				}
				if e.Channel != records.AccessChannelInternal {
					t.Errorf("%s: access event %d on channel %q", c.ID, e.ID, e.Channel)
				}
			}
		}
		if holdings < 4 || holdings > 8 {
			t.Errorf("%s: %d data holdings, want 4 to 8", c.ID, holdings)
		}
		if events < 3 || events > 10 {
			t.Errorf("%s: %d access events, want 3 to 10", c.ID, events)
		}
	}
	if len(phones) != len(d.Citizens) {
		t.Error("phones are not unique")
	}
	for _, m := range []string{"Badalona", "Lleida", "Barcelona", "Girona", "Tarragona", "Sabadell", "Terrassa", "L'Hospitalet de Llobregat", "Reus", "Mataró", "Manresa", "Vic", "Figueres", "Tortosa"} {
		if !municipalities[m] {
			t.Errorf("no citizen lives in %s", m)
		}
	}
	if langs["ca"] < 4 || langs["es"] < 4 {
		t.Errorf("languages %v, want a mix of ca and es", langs)
	}

	categories := map[string]bool{}
	for _, h := range d.Holdings {
		categories[h.Category] = true
	}
	for _, c := range []string{records.CategoryIdentity, records.CategoryAddress, records.CategoryIncome, records.CategorySocialServices, records.CategoryEducation, records.CategoryHealth, records.CategoryEmployment, records.CategoryHousing} {
		if !categories[c] {
			t.Errorf("no data holding of category %s", c)
		}
	}

	used := map[string]bool{}
	for _, a := range d.Applications {
		used[a.AdministrationID] = true
	}
	for _, h := range d.Holdings {
		used[h.AdministrationID] = true
	}
	for _, e := range d.AccessEvents {
		used[e.AdministrationID] = true
	}
	for _, id := range []string{"generalitat", "inss", "aeat", "atc", "sepe", "catsalut", "ahc", "cc-barcelones", "ajuntament-badalona", "ajuntament-lleida"} {
		if !used[id] {
			t.Errorf("administration %s holds and uses nothing", id)
		}
	}
}

func twoDigits(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }

func TestDemoAccessEventsOrdered(t *testing.T) {
	d := Dataset(testNow)
	for i, e := range d.AccessEvents {
		if e.ID != int64(i+1) {
			t.Fatalf("access event #%d has id %d", i, e.ID)
		}
		if i > 0 && d.AccessEvents[i-1].CitizenID == e.CitizenID && e.At.Before(d.AccessEvents[i-1].At) {
			t.Errorf("access event %d is earlier than the one before", e.ID)
		}
	}
}

func TestDemoCatalog(t *testing.T) {
	d := Dataset(testNow)
	want := []string{"rgc", "imv", "bo_social", "menjador", "targeta_rosa", "lloguer", "monoparental", "nombrosa", "dependencia", "pnc", "infancia"}
	var got []string
	aliases := map[string]string{}
	lowerNoAccents := regexp.MustCompile(`^[a-z0-9 '\-]+$`)
	for _, b := range d.Benefits {
		got = append(got, b.ID)
		if !b.Illustrative {
			t.Errorf("%s: not marked illustrative", b.ID)
		}
		if b.Rule == "" {
			t.Errorf("%s: empty rule", b.ID)
		}
		if !strings.HasPrefix(b.Link, "https://") {
			t.Errorf("%s: link %q", b.ID, b.Link)
		}
		if b.Phone != "012" && b.Phone != "060" {
			t.Errorf("%s: phone %q", b.ID, b.Phone)
		}
		if len(b.Documents) == 0 || len(b.Aliases) == 0 {
			t.Errorf("%s: no documents or no aliases", b.ID)
		}
		for _, a := range b.Aliases {
			if !lowerNoAccents.MatchString(a) {
				t.Errorf("%s: alias %q is not lower case without accents", b.ID, a)
			}
			if other, ok := aliases[a]; ok {
				t.Errorf("alias %q of %s and %s", a, other, b.ID)
			}
			aliases[a] = b.ID
		}
	}
	for _, id := range want {
		if !slices.Contains(got, id) {
			t.Errorf("catalog has no %s", id)
		}
	}
	for alias, id := range map[string]string{
		"renda garantida": "rgc", "renta garantizada": "rgc", "rgc": "rgc",
		"ingres minim vital": "imv", "ingreso minimo vital": "imv", "imv": "imv",
		"bo social": "bo_social", "bono social": "bo_social",
		"beca menjador": "menjador", "comedor": "menjador",
		"targeta rosa": "targeta_rosa", "tarjeta rosa": "targeta_rosa",
		"lloguer": "lloguer", "alquiler": "lloguer",
	} {
		if aliases[alias] != id {
			t.Errorf("alias %q names %q, want %q", alias, aliases[alias], id)
		}
	}
	// Applications to a benefit use the benefit's ID.
	for ref, id := range map[string]string{"EXP-2026-000101": "rgc", "EXP-2026-000102": "menjador", "EXP-2026-000201": "targeta_rosa", "EXP-2025-000202": "dependencia"} {
		if a := demoApplication(t, d, ref); a.ProcedureID != id {
			t.Errorf("%s: procedure %q, want %q", ref, a.ProcedureID, id)
		}
	}
}

func TestDemoDate(t *testing.T) {
	tests := []struct {
		lang string
		t    time.Time
		want string
	}{
		{"ca", time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), "7 de desembre"},
		{"ca", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), "1 d'abril"},
		{"ca", time.Date(2026, 8, 15, 0, 0, 0, 0, time.UTC), "15 d'agost"},
		{"ca", time.Date(2026, 10, 3, 0, 0, 0, 0, time.UTC), "3 d'octubre"},
		{"es", time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), "1 de abril"},
		{"es", time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC), "7 de diciembre"},
	}
	for _, tt := range tests {
		if got := date(tt.lang, tt.t); got != tt.want {
			t.Errorf("date(%s, %v) = %q, want %q", tt.lang, tt.t, got, tt.want)
		}
	}
}

// TestDemoTextsNative guards against a language slipping into the other one's text.
func TestDemoTextsNative(t *testing.T) {
	d := Dataset(testNow)
	var texts []records.Localized
	for _, a := range d.Administrations {
		texts = append(texts, a.Name)
	}
	for _, b := range d.Benefits {
		texts = append(texts, b.Summary, b.Why)
	}
	for _, a := range d.Applications {
		if a.NextStep != nil {
			texts = append(texts, a.NextStep)
		}
	}
	for _, tx := range texts {
		if strings.Contains(tx["es"], "·") || strings.Contains(tx["es"], "ç") {
			t.Errorf("Spanish text %q has Catalan letters", tx["es"])
		}
		if strings.Contains(tx["ca"], "ñ") || strings.Contains(tx["ca"], "¿") {
			t.Errorf("Catalan text %q has Spanish letters", tx["ca"])
		}
	}
}
