// Package synthetic builds a synthetic population for benchmarks and load tests: citizens
// with households, incomes, applications, data holdings and access events, deterministic
// for a seed, on the administrations and benefits of the demo catalog. Every person is
// invented; national ids have valid check letters and phones are in +34 61x, a range the
// demo does not use.
package synthetic

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
)

// ChunkSize is how many citizens one chunk of Each holds.
const ChunkSize = 1000

// Each builds n citizens deterministically for seed and calls fn with them in chunks of
// ChunkSize, each chunk a Dataset of the chunk's citizens and their records; the first
// chunk also holds the administrations and the benefits. Memory stays flat whatever n.
func Each(n int, seed uint64, now time.Time, fn func(d *records.Dataset) error) error {
	base := demo.Dataset(now)
	g := &gen{
		rnd:   rand.New(rand.NewPCG(seed, 0x5eed)),
		today: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC),
		bs:    base.Benefits,
	}
	for i := 0; i < n; i += ChunkSize {
		d := &records.Dataset{}
		if i == 0 {
			d.Administrations, d.Benefits = base.Administrations, base.Benefits
		}
		for j := i; j < min(i+ChunkSize, n); j++ {
			g.citizen(d, j)
		}
		if err := fn(d); err != nil {
			return err
		}
	}
	return nil
}

// Population returns n citizens built as Each builds them, in one Dataset.
func Population(n int, seed uint64, now time.Time) *records.Dataset {
	all := &records.Dataset{}
	Each(n, seed, now, func(d *records.Dataset) error {
		all.Administrations = append(all.Administrations, d.Administrations...)
		all.Benefits = append(all.Benefits, d.Benefits...)
		all.Citizens = append(all.Citizens, d.Citizens...)
		all.Applications = append(all.Applications, d.Applications...)
		all.Holdings = append(all.Holdings, d.Holdings...)
		all.AccessEvents = append(all.AccessEvents, d.AccessEvents...)
		return nil
	})
	return all
}

type gen struct {
	rnd   *rand.Rand
	today time.Time
	bs    []records.Benefit
	apps  int
}

var (
	givenCA    = []string{"Marta", "Jordi", "Laia", "Pau", "Núria", "Marc", "Montserrat", "Joan", "Anna", "Arnau", "Mercè", "Oriol"}
	givenES    = []string{"Carmen", "Antonio", "Lucía", "Manuel", "Isabel", "Francisco", "Rosa", "David", "Pilar", "Javier", "Elena", "Miguel"}
	surnames   = []string{"Puig", "Vidal", "Ferrer", "Soler", "Martí", "Serra", "García", "Martínez", "López", "Sánchez", "Pérez", "Romero", "Costa", "Roca"}
	towns      = []string{"Barcelona", "Badalona", "L'Hospitalet de Llobregat", "Sabadell", "Terrassa", "Lleida", "Girona", "Tarragona", "Reus", "Mataró", "Manresa", "Vic"}
	streets    = []string{"Carrer Major", "Carrer de la Pau", "Avinguda Catalunya", "Rambla Nova", "Carrer del Sol", "Passeig del Mar"}
	jobs       = []string{records.EmploymentEmployed, records.EmploymentEmployed, records.EmploymentUnemployed, records.EmploymentRetired, records.EmploymentStudent, records.EmploymentSelf}
	statuses   = records.Statuses
	categories = []string{records.CategoryIdentity, records.CategoryAddress, records.CategoryIncome, records.CategoryHealth, records.CategoryEmployment, records.CategoryHousing}
)

func (g *gen) pick(s []string) string { return s[g.rnd.IntN(len(s))] }

// citizen adds citizen number i with its records to d.
func (g *gen) citizen(d *records.Dataset, i int) {
	r := g.rnd
	lang, given := "ca", g.pick(givenCA)
	if r.IntN(10) < 3 {
		lang, given = "es", g.pick(givenES)
	}
	num := 10_000_000 + i
	age := 18 + r.IntN(75)
	c := records.Citizen{
		ID:           fmt.Sprintf("syn-%07d", i),
		NationalID:   fmt.Sprintf("%08d%c", num, "TRWAGMYFPDXBNJZSQVHLCKE"[num%23]),
		GivenName:    given,
		Surnames:     g.pick(surnames) + " " + g.pick(surnames),
		BirthDate:    g.today.AddDate(-age, -r.IntN(12), -r.IntN(28)),
		Phone:        fmt.Sprintf("+3461%07d", i),
		Lang:         lang,
		Street:       fmt.Sprintf("%s, %d", g.pick(streets), 1+r.IntN(120)),
		Municipality: g.pick(towns),
	}
	p := &c.Profile
	p.HouseholdSize = 1 + r.IntN(5)
	p.LivesAlone = p.HouseholdSize == 1
	for range r.IntN(p.HouseholdSize) {
		p.ChildrenAges = append(p.ChildrenAges, r.IntN(18))
	}
	p.SingleParent = len(p.ChildrenAges) > 0 && p.HouseholdSize == len(p.ChildrenAges)+1
	p.Employment = g.pick(jobs)
	if age >= 67 {
		p.Employment = records.EmploymentRetired
	}
	p.MonthlyIncome = int(r.ExpFloat64() * 1400)
	if p.Renting = r.IntN(2) == 0; p.Renting {
		p.MonthlyRent = 300 + r.IntN(900)
	}
	if r.IntN(10) == 0 {
		p.DisabilityPercent = 33 + r.IntN(60)
	}
	p.Dependency = age > 75 && r.IntN(3) == 0
	d.Citizens = append(d.Citizens, c)

	for range r.IntN(4) {
		g.application(d, c)
	}
	for _, cat := range categories[:2+r.IntN(len(categories)-1)] {
		d.Holdings = append(d.Holdings, records.DataHolding{
			CitizenID: c.ID, AdministrationID: "generalitat", Category: cat,
			Register:   records.Localized{"ca": "Registre sintètic", "es": "Registro sintético"},
			LegalBasis: records.Localized{"ca": "RGPD art. 6.1.e", "es": "RGPD art. 6.1.e"},
		})
	}
	if r.IntN(2) == 0 {
		d.AccessEvents = append(d.AccessEvents, records.AccessEvent{
			CitizenID: c.ID, At: g.today.AddDate(0, 0, -r.IntN(200)), AdministrationID: "generalitat",
			Unit:     records.Localized{"ca": "Unitat sintètica", "es": "Unidad sintética"},
			Category: records.CategoryIncome, Channel: records.AccessChannelInternal,
			Purpose:    records.Localized{"ca": "Comprovació d'ingressos", "es": "Comprobación de ingresos"},
			LegalBasis: records.Localized{"ca": "RGPD art. 6.1.e", "es": "RGPD art. 6.1.e"},
		})
	}
}

// application adds an application of c to a benefit of the catalog.
func (g *gen) application(d *records.Dataset, c records.Citizen) {
	r := g.rnd
	b := g.bs[r.IntN(len(g.bs))]
	g.apps++
	year := 2025 + g.apps/1_000_000
	start := g.today.AddDate(0, 0, -30-r.IntN(300))
	a := records.Application{
		Ref:              fmt.Sprintf("EXP-%d-%06d", year, g.apps%1_000_000),
		CitizenID:        c.ID,
		ProcedureID:      b.ID,
		Procedure:        b.Name,
		AdministrationID: b.AdministrationID,
		Unit:             b.Name,
		History:          []records.StatusChange{{Status: records.StatusSubmitted, At: start}},
	}
	steps := r.IntN(len(statuses))
	for k := 1; k <= steps; k++ {
		a.History = append(a.History, records.StatusChange{Status: statuses[k], At: start.AddDate(0, 0, 7*k)})
	}
	last := a.History[len(a.History)-1]
	a.Status, a.UpdatedAt = last.Status, last.At
	if a.Status == records.StatusNeedsDocuments {
		a.MissingDocuments = []records.Localized{{"ca": "certificat de convivència", "es": "certificado de convivencia"}}
		a.Deadline = g.today.AddDate(0, 0, 1+r.IntN(20))
	}
	d.Applications = append(d.Applications, a)
}
