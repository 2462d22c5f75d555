// Package demo is the synthetic dataset of demonstrations and tests: administrations,
// citizens, their applications, data holdings and access events, and the benefits catalog.
package demo

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"strings"
	"time"

	"github.com/catalonia/mygov/records"
)

// Dataset returns a synthetic dataset for demonstrations and tests: administrations, fifteen
// citizens of different municipalities of Catalonia with their applications, data holdings
// and access events, and the benefits catalog. Dates are relative to now (application
// updates in the last weeks and months, deadlines ahead), and the same now always gives
// the same dataset. Every person in it is invented; the benefits are real but their rules
// are simplified and marked Illustrative.
//
// It contains Maria Puig Soler (cit-0001, DNI 12345678Z, Badalona, Catalan), a single
// mother of two who is unemployed, and José García López (cit-0002, NIE X1234567L, Lleida,
// Spanish), a retired man who lives alone, whom the tests and demonstrations rely on.
func Dataset(now time.Time) *records.Dataset {
	now = now.UTC()
	d := &builder{
		today: time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC),
		procs: demoProcedures(),
	}
	d.addAdministrations()
	d.addCitizens()
	for _, c := range d.Citizens {
		d.addHoldings(c)
	}
	d.addAccessEvents()
	d.Benefits = benefits()
	return &d.Dataset
}

// builder builds a Dataset.
type builder struct {
	records.Dataset
	today time.Time
	procs map[string]procedure
}

// tx returns a Localized in Catalan and Spanish.
func tx(ca, es string) records.Localized { return records.Localized{"ca": ca, "es": es} }

// at returns the time days before today, at hour:minute UTC.
func (d *builder) at(daysAgo, hour, minute int) time.Time {
	return d.today.AddDate(0, 0, -daysAgo).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
}

// in returns the date days after today, at midnight UTC.
func (d *builder) in(days int) time.Time { return d.today.AddDate(0, 0, days) }

// step is one StatusChange, daysAgo before today.
func (d *builder) step(s records.Status, daysAgo, hour int, note records.Localized) records.StatusChange {
	return records.StatusChange{Status: s, At: d.at(daysAgo, hour, 7*daysAgo%60), Note: maps.Clone(note)}
}

// date returns "7 de desembre" or "7 de diciembre".
func date(lang string, t time.Time) string {
	ca := [...]string{"gener", "febrer", "març", "abril", "maig", "juny", "juliol", "agost", "setembre", "octubre", "novembre", "desembre"}
	es := [...]string{"enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"}
	m := t.Month() - 1
	if lang == "es" {
		return fmt.Sprintf("%d de %s", t.Day(), es[m])
	}
	if strings.ContainsRune("aeiou", rune(ca[m][0])) {
		return fmt.Sprintf("%d d'%s", t.Day(), ca[m])
	}
	return fmt.Sprintf("%d de %s", t.Day(), ca[m])
}

// municipality is a municipality where demo citizens live, with its ajuntament and the
// consell comarcal of its comarca.
type municipality struct {
	name, ajuntament, council, councilCa, councilEs string
}

var demoMunicipalities = []municipality{
	{"Badalona", "ajuntament-badalona", "cc-barcelones", "Consell Comarcal del Barcelonès", "Consejo Comarcal del Barcelonès"},
	{"Lleida", "ajuntament-lleida", "cc-segria", "Consell Comarcal del Segrià", "Consejo Comarcal del Segrià"},
	{"Barcelona", "ajuntament-barcelona", "cc-barcelones", "Consell Comarcal del Barcelonès", "Consejo Comarcal del Barcelonès"},
	{"Girona", "ajuntament-girona", "cc-girones", "Consell Comarcal del Gironès", "Consejo Comarcal del Gironès"},
	{"Tarragona", "ajuntament-tarragona", "cc-tarragones", "Consell Comarcal del Tarragonès", "Consejo Comarcal del Tarragonès"},
	{"Sabadell", "ajuntament-sabadell", "cc-valles-occidental", "Consell Comarcal del Vallès Occidental", "Consejo Comarcal del Vallès Occidental"},
	{"Terrassa", "ajuntament-terrassa", "cc-valles-occidental", "Consell Comarcal del Vallès Occidental", "Consejo Comarcal del Vallès Occidental"},
	{"L'Hospitalet de Llobregat", "ajuntament-hospitalet", "cc-barcelones", "Consell Comarcal del Barcelonès", "Consejo Comarcal del Barcelonès"},
	{"Reus", "ajuntament-reus", "cc-baix-camp", "Consell Comarcal del Baix Camp", "Consejo Comarcal del Baix Camp"},
	{"Mataró", "ajuntament-mataro", "cc-maresme", "Consell Comarcal del Maresme", "Consejo Comarcal del Maresme"},
	{"Manresa", "ajuntament-manresa", "cc-bages", "Consell Comarcal del Bages", "Consejo Comarcal del Bages"},
	{"Vic", "ajuntament-vic", "cc-osona", "Consell Comarcal d'Osona", "Consejo Comarcal de Osona"},
	{"Figueres", "ajuntament-figueres", "cc-alt-emporda", "Consell Comarcal de l'Alt Empordà", "Consejo Comarcal del Alt Empordà"},
	{"Tortosa", "ajuntament-tortosa", "cc-baix-ebre", "Consell Comarcal del Baix Ebre", "Consejo Comarcal del Baix Ebre"},
}

// municipalityOf returns the demo municipality called name.
func municipalityOf(name string) municipality {
	for _, m := range demoMunicipalities {
		if m.name == name {
			return m
		}
	}
	panic("demo: municipality " + name + " missing")
}

// Units of the administrations, shared by applications, holdings and access events.
var (
	unitDretsSocials = tx("Departament de Drets Socials i Inclusió", "Departamento de Derechos Sociales e Inclusión")
	unitUniversitats = tx("Departament de Recerca i Universitats", "Departamento de Investigación y Universidades")
	unitServeis      = tx("Serveis Socials Bàsics", "Servicios Sociales Básicos")
	unitPadro        = tx("Padró d'habitants", "Padrón de habitantes")
	unitMenjador     = tx("Servei de beques de menjador", "Servicio de becas de comedor")
	unitCAISS        = tx("Centre d'Atenció i Informació de la Seguretat Social (CAISS)", "Centro de Atención e Información de la Seguridad Social (CAISS)")
	unitPrestacions  = tx("Oficina de prestacions", "Oficina de prestaciones")
	unitAEAT         = tx("Delegació Especial de Catalunya", "Delegación Especial de Cataluña")
	unitCAP          = tx("Centre d'Atenció Primària (CAP)", "Centro de Atención Primaria (CAP)")
	unitLloguer      = tx("Àrea d'Ajuts al Lloguer", "Área de Ayudas al Alquiler")
	unitHPO          = tx("Registre de Sol·licitants d'Habitatge amb Protecció Oficial", "Registro de Solicitantes de Vivienda con Protección Oficial")
)

func (d *builder) addAdministrations() {
	d.Administrations = []records.Administration{
		{ID: "generalitat", Name: tx("Generalitat de Catalunya", "Generalitat de Catalunya")},
		{ID: "ajuntament", Name: tx("Ajuntament del teu municipi", "Ayuntamiento de tu municipio")},
		{ID: "consell-comarcal", Name: tx("Consell comarcal de la teva comarca", "Consejo comarcal de tu comarca")},
		{ID: "ahc", Name: tx("Agència de l'Habitatge de Catalunya", "Agencia de la Vivienda de Cataluña")},
		{ID: "incasol", Name: tx("Institut Català del Sòl (INCASÒL)", "Instituto Catalán del Suelo (INCASÒL)")},
		{ID: "catsalut", Name: tx("Servei Català de la Salut (CatSalut)", "Servicio Catalán de la Salud (CatSalut)")},
		{ID: "atc", Name: tx("Agència Tributària de Catalunya", "Agencia Tributaria de Cataluña")},
		{ID: "soc", Name: tx("Servei d'Ocupació de Catalunya (SOC)", "Servicio de Empleo de Cataluña (SOC)")},
		{ID: "atm", Name: tx("Autoritat del Transport Metropolità (ATM)", "Autoridad del Transporte Metropolitano (ATM)")},
		{ID: "inss", Name: tx("Institut Nacional de la Seguretat Social (INSS)", "Instituto Nacional de la Seguridad Social (INSS)")},
		{ID: "tgss", Name: tx("Tresoreria General de la Seguretat Social", "Tesorería General de la Seguridad Social")},
		{ID: "sepe", Name: tx("Servei Públic d'Ocupació Estatal (SEPE)", "Servicio Público de Empleo Estatal (SEPE)")},
		{ID: "aeat", Name: tx("Agència Tributària (AEAT)", "Agencia Tributaria (AEAT)")},
		{ID: "policia", Name: tx("Direcció General de la Policia", "Dirección General de la Policía")},
		{ID: "miteco", Name: tx("Ministeri per a la Transició Ecològica i el Repte Demogràfic", "Ministerio para la Transición Ecológica y el Reto Demográfico")},
	}
	for _, m := range demoMunicipalities {
		d.Administrations = append(d.Administrations, records.Administration{
			ID: m.ajuntament, Name: tx("Ajuntament de "+m.name, "Ayuntamiento de "+m.name),
		})
	}
	seen := map[string]bool{}
	for _, m := range demoMunicipalities {
		if !seen[m.council] {
			seen[m.council] = true
			d.Administrations = append(d.Administrations, records.Administration{ID: m.council, Name: tx(m.councilCa, m.councilEs)})
		}
	}
}

// procedure describes a procedure of the demo: its name, the unit that handles it, its
// legal basis and the categories of data it reads.
type procedure struct {
	name, unit, basis records.Localized
	reads             []string
}

func demoProcedures() map[string]procedure {
	lawSocial := tx("Llei 12/2007, de serveis socials; RGPD art. 6.1.e i 9.2.h", "Ley 12/2007, de servicios sociales de Cataluña; RGPD art. 6.1.e y 9.2.h")
	lawIMV := tx("Llei 19/2021, de l'ingrés mínim vital", "Ley 19/2021, por la que se establece el ingreso mínimo vital")
	lawLGSS := tx("Reial decret legislatiu 8/2015, Llei general de la Seguretat Social", "Real Decreto Legislativo 8/2015, Ley General de la Seguridad Social")
	lawHousing := tx("Llei 18/2007, del dret a l'habitatge", "Ley 18/2007, del derecho a la vivienda")
	lawIRPF := tx("Llei 35/2006, de l'IRPF; Llei 58/2003, general tributària", "Ley 35/2006, del IRPF; Ley 58/2003, General Tributaria")
	return map[string]procedure{
		"rgc": {
			name:  tx("Renda Garantida de Ciutadania", "Renta Garantizada de Ciudadanía"),
			unit:  unitDretsSocials,
			basis: tx("Llei 14/2017, de la renda garantida de ciutadania", "Ley 14/2017, de la renta garantizada de ciudadanía"),
			reads: []string{records.CategoryIncome, records.CategoryAddress, records.CategoryEmployment},
		},
		"imv": {
			name: tx("Ingrés mínim vital", "Ingreso mínimo vital"), unit: unitCAISS, basis: lawIMV,
			reads: []string{records.CategoryIncome, records.CategoryAddress, records.CategoryIdentity},
		},
		"infancia": {
			name: tx("Complement d'ajuda per a la infància", "Complemento de ayuda para la infancia"), unit: unitCAISS, basis: lawIMV,
			reads: []string{records.CategoryIncome, records.CategoryIdentity},
		},
		"menjador": {
			name:  tx("Ajut de menjador escolar", "Ayuda de comedor escolar"),
			unit:  unitMenjador,
			basis: tx("Decret 160/1996, del servei escolar de menjador", "Decreto 160/1996, del servicio escolar de comedor"),
			reads: []string{records.CategoryIncome, records.CategoryEducation},
		},
		"targeta_rosa": {
			name: tx("Targeta rosa", "Tarjeta rosa"), unit: unitServeis, basis: lawSocial,
			reads: []string{records.CategoryIncome, records.CategoryAddress},
		},
		"dependencia": {
			name:  tx("Prestació de dependència", "Prestación de dependencia"),
			unit:  unitDretsSocials,
			basis: tx("Llei 39/2006, de promoció de l'autonomia personal i atenció a les persones en situació de dependència", "Ley 39/2006, de Promoción de la Autonomía Personal y Atención a las personas en situación de dependencia"),
			reads: []string{records.CategoryHealth, records.CategorySocialServices, records.CategoryIncome},
		},
		"lloguer": {
			name: tx("Ajut al lloguer", "Ayuda al alquiler"), unit: unitLloguer, basis: lawHousing,
			reads: []string{records.CategoryIncome, records.CategoryHousing, records.CategoryAddress},
		},
		"monoparental": {
			name:  tx("Títol de família monoparental", "Título de familia monoparental"),
			unit:  unitDretsSocials,
			basis: tx("Decret 151/2009, de les famílies monoparentals", "Decreto 151/2009, de las familias monoparentales"),
			reads: []string{records.CategoryIdentity, records.CategoryAddress},
		},
		"nombrosa": {
			name:  tx("Títol de família nombrosa", "Título de familia numerosa"),
			unit:  unitDretsSocials,
			basis: tx("Llei 40/2003, de protecció a les famílies nombroses", "Ley 40/2003, de Protección a las Familias Numerosas"),
			reads: []string{records.CategoryIdentity, records.CategoryAddress},
		},
		"subsidi": {
			name: tx("Subsidi per desocupació", "Subsidio por desempleo"), unit: unitPrestacions, basis: lawLGSS,
			reads: []string{records.CategoryEmployment, records.CategoryIncome},
		},
		"prestacio_atur": {
			name: tx("Prestació per desocupació (atur)", "Prestación por desempleo (paro)"), unit: unitPrestacions, basis: lawLGSS,
			reads: []string{records.CategoryEmployment, records.CategoryIncome},
		},
		"devolucio_irpf": {
			name: tx("Devolució de la declaració de la renda (IRPF)", "Devolución de la declaración de la renta (IRPF)"), unit: unitAEAT, basis: lawIRPF,
			reads: []string{records.CategoryIncome},
		},
		"canvi_cap": {
			name:  tx("Canvi de metge de capçalera", "Cambio de médico de cabecera"),
			unit:  unitCAP,
			basis: tx("Llei 15/1990, d'ordenació sanitària de Catalunya", "Ley 15/1990, de ordenación sanitaria de Cataluña"),
			reads: []string{records.CategoryHealth, records.CategoryAddress},
		},
		"grau_discapacitat": {
			name:  tx("Reconeixement del grau de discapacitat", "Reconocimiento del grado de discapacidad"),
			unit:  unitDretsSocials,
			basis: tx("Reial decret 888/2022, del grau de discapacitat", "Real Decreto 888/2022, del grado de discapacidad"),
			reads: []string{records.CategoryHealth, records.CategoryIdentity},
		},
		"beca_equitat": {
			name:  tx("Beca Equitat (matrícula de la universitat)", "Beca Equitat (matrícula de la universidad)"),
			unit:  unitUniversitats,
			basis: tx("Llei 1/2003, d'universitats de Catalunya", "Ley 1/2003, de universidades de Cataluña"),
			reads: []string{records.CategoryIncome, records.CategoryEducation},
		},
		"habitatge_hpo": {
			name:  tx("Inscripció al Registre de sol·licitants d'habitatge protegit", "Inscripción en el Registro de solicitantes de vivienda protegida"),
			unit:  unitHPO,
			basis: lawHousing,
			reads: []string{records.CategoryIncome, records.CategoryHousing, records.CategoryAddress},
		},
		"teleassistencia": {
			name: tx("Servei de teleassistència", "Servicio de teleasistencia"), unit: unitServeis, basis: lawSocial,
			reads: []string{records.CategorySocialServices, records.CategoryHealth},
		},
	}
}

// app returns an application to procedure proc whose status and update time are those of
// the last step of its history.
func (d *builder) app(ref, citizenID, proc, adminID string, history ...records.StatusChange) records.Application {
	p, ok := d.procs[proc]
	if !ok {
		panic("demo: procedure " + proc + " missing")
	}
	last := history[len(history)-1]
	return records.Application{
		Ref:              ref,
		CitizenID:        citizenID,
		ProcedureID:      proc,
		Procedure:        maps.Clone(p.name),
		AdministrationID: adminID,
		Unit:             maps.Clone(p.unit),
		Status:           last.Status,
		UpdatedAt:        last.At,
		History:          history,
	}
}

// birth returns a birth date.
func birth(y int, m time.Month, day int) time.Time { return time.Date(y, m, day, 0, 0, 0, 0, time.UTC) }

// Notes of status changes.
var (
	noteMissing  = tx("Falta un document. Mira què has de portar.", "Falta un documento. Mira qué tienes que aportar.")
	noteReceived = tx("Hem rebut la documentació que faltava.", "Hemos recibido la documentación que faltaba.")
	notePaid     = tx("Hem fet el pagament al teu compte.", "Hemos hecho el pago en tu cuenta.")
	noteApproved = tx("Sol·licitud aprovada.", "Solicitud aprobada.")
)

func (d *builder) addCitizens() {
	cc := municipalityOf
	add := func(c records.Citizen, apps ...records.Application) {
		d.Citizens = append(d.Citizens, c)
		d.Applications = append(d.Applications, apps...)
	}
	S, R, N, A, D, P, C := records.StatusSubmitted, records.StatusInReview, records.StatusNeedsDocuments, records.StatusApproved, records.StatusDenied, records.StatusPaid, records.StatusClosed

	// Maria: single mother of two in Badalona, unemployed, renting.
	rgc := d.app("EXP-2026-000101", "cit-0001", "rgc", "generalitat",
		d.step(S, 45, 10, nil),
		d.step(R, 30, 12, nil),
		d.step(N, 4, 9, tx("Falta el certificat de convivència.", "Falta el certificado de convivencia.")))
	rgc.MissingDocuments = []records.Localized{tx("certificat de convivència", "certificado de convivencia")}
	rgc.Deadline = d.in(10)
	rgc.NextStep = tx(
		"Demana el certificat de convivència al teu ajuntament (a l'oficina d'atenció ciutadana o a la seu electrònica) i envia'l abans del "+date("ca", rgc.Deadline)+".",
		"Pide el certificado de convivencia a tu ayuntamiento (en la oficina de atención ciudadana o en la sede electrónica) y envíalo antes del "+date("es", rgc.Deadline)+".")
	add(records.Citizen{
		ID: "cit-0001", NationalID: "12345678Z", GivenName: "Maria", Surnames: "Puig Soler",
		BirthDate: birth(1984, time.March, 15), Phone: "+34600000001", Lang: "ca",
		Street: "Carrer de Francesc Layret 23", Municipality: "Badalona",
		Profile: records.Profile{HouseholdSize: 3, ChildrenAges: []int{6, 9}, SingleParent: true,
			Employment: records.EmploymentUnemployed, MonthlyIncome: 650, Renting: true, MonthlyRent: 550},
	}, rgc, d.app("EXP-2026-000102", "cit-0001", "menjador", cc("Badalona").council,
		d.step(S, 120, 11, nil),
		d.step(R, 100, 9, nil),
		d.step(A, 75, 13, tx("Ajut concedit per a aquest curs.", "Ayuda concedida para este curso."))))

	// José: retired, lives alone in Lleida, recognised dependency.
	add(records.Citizen{
		ID: "cit-0002", NationalID: "X1234567L", GivenName: "José", Surnames: "García López",
		BirthDate: birth(1958, time.November, 2), Phone: "+34600000002", Lang: "es",
		Street: "Carrer de Sant Martí 14", Municipality: "Lleida",
		Profile: records.Profile{HouseholdSize: 1, LivesAlone: true, Employment: records.EmploymentRetired,
			MonthlyIncome: 900, Dependency: true},
	}, d.app("EXP-2026-000201", "cit-0002", "targeta_rosa", cc("Lleida").ajuntament,
		d.step(S, 21, 10, nil),
		d.step(R, 12, 12, nil)),
		d.app("EXP-2025-000202", "cit-0002", "dependencia", "generalitat",
			d.step(S, 210, 9, nil),
			d.step(R, 180, 11, tx("Visita de valoració a casa teva.", "Visita de valoración en tu casa.")),
			d.step(A, 95, 10, tx("Grau I de dependència reconegut.", "Grado I de dependencia reconocido."))))

	// Núria: single mother of a toddler in Tortosa, works part time.
	add(records.Citizen{
		ID: "cit-0003", NationalID: "87654321X", GivenName: "Núria", Surnames: "Vidal Camps",
		BirthDate: birth(1991, time.June, 20), Phone: "+34600000003", Lang: "ca",
		Street: "Carrer de la Rosa 8", Municipality: "Tortosa",
		Profile: records.Profile{HouseholdSize: 2, ChildrenAges: []int{2}, SingleParent: true,
			Employment: records.EmploymentEmployed, MonthlyIncome: 1100, Renting: true, MonthlyRent: 520},
	}, d.app("EXP-2026-000301", "cit-0003", "lloguer", "ahc",
		d.step(S, 20, 17, nil),
		d.step(N, 12, 10, noteMissing),
		d.step(S, 5, 18, noteReceived)),
		d.app("EXP-2026-000302", "cit-0003", "monoparental", "generalitat",
			d.step(S, 60, 10, nil),
			d.step(R, 40, 9, nil),
			d.step(A, 18, 12, noteApproved)))

	// Ahmed: father of two in Sabadell, unemployed, renting.
	add(records.Citizen{
		ID: "cit-0004", NationalID: "Y2345678Z", GivenName: "Ahmed", Surnames: "El Idrissi",
		BirthDate: birth(1979, time.January, 8), Phone: "+34600000004", Lang: "es",
		Street: "Carrer de la Concòrdia 41", Municipality: "Sabadell",
		Profile: records.Profile{HouseholdSize: 4, ChildrenAges: []int{4, 12}, Employment: records.EmploymentUnemployed,
			MonthlyIncome: 480, Renting: true, MonthlyRent: 600},
	}, d.app("EXP-2026-000401", "cit-0004", "imv", "inss",
		d.step(S, 50, 10, nil),
		d.step(R, 35, 12, nil)),
		d.app("EXP-2025-000402", "cit-0004", "prestacio_atur", "sepe",
			d.step(S, 240, 9, nil),
			d.step(A, 230, 11, noteApproved),
			d.step(P, 200, 8, notePaid),
			d.step(C, 15, 8, tx("Has cobrat tota la prestació.", "Has cobrado toda la prestación."))),
		d.app("EXP-2026-000403", "cit-0004", "menjador", cc("Sabadell").council,
			d.step(S, 70, 16, nil),
			d.step(R, 55, 10, nil)))

	// Montserrat: widow in Girona with a small pension.
	add(records.Citizen{
		ID: "cit-0005", NationalID: "47851236N", GivenName: "Montserrat", Surnames: "Ferrer Roca",
		BirthDate: birth(1949, time.September, 30), Phone: "+34600000005", Lang: "ca",
		Street: "Carrer de la Força 12", Municipality: "Girona",
		Profile: records.Profile{HouseholdSize: 1, LivesAlone: true, Employment: records.EmploymentRetired,
			MonthlyIncome: 620, DisabilityPercent: 45},
	}, d.app("EXP-2026-000501", "cit-0005", "dependencia", "generalitat",
		d.step(S, 25, 11, nil),
		d.step(R, 9, 10, nil)),
		d.app("EXP-2025-000502", "cit-0005", "devolucio_irpf", "aeat",
			d.step(S, 200, 19, nil),
			d.step(R, 180, 9, nil),
			d.step(P, 150, 8, notePaid)))

	// Francisco Javier: long-term unemployed, lives alone in a rented room.
	add(records.Citizen{
		ID: "cit-0006", NationalID: "40329817F", GivenName: "Francisco Javier", Surnames: "Moreno Ruiz",
		BirthDate: birth(1968, time.April, 12), Phone: "+34600000006", Lang: "es",
		Street: "Carrer de Llobregat 87", Municipality: "L'Hospitalet de Llobregat",
		Profile: records.Profile{HouseholdSize: 1, LivesAlone: true, Employment: records.EmploymentUnemployed,
			MonthlyIncome: 0, Renting: true, MonthlyRent: 350},
	}, d.app("EXP-2026-000601", "cit-0006", "rgc", "generalitat",
		d.step(S, 40, 10, nil),
		d.step(R, 28, 12, nil),
		d.step(N, 20, 9, noteMissing),
		d.step(R, 7, 13, noteReceived)),
		d.app("EXP-2025-000602", "cit-0006", "subsidi", "sepe",
			d.step(S, 160, 10, nil),
			d.step(R, 150, 11, nil),
			d.step(D, 130, 9, tx("No consta el temps cotitzat necessari. Pots presentar una reclamació en 30 dies.",
				"No consta el tiempo cotizado necesario. Puedes presentar una reclamación en 30 días."))))

	// Laia: university student in Terrassa, lives with her parents.
	beca := d.app("EXP-2026-000701", "cit-0007", "beca_equitat", "generalitat",
		d.step(S, 35, 20, nil),
		d.step(N, 3, 10, noteMissing))
	beca.MissingDocuments = []records.Localized{tx("certificat de matrícula de la universitat", "certificado de matrícula de la universidad")}
	beca.Deadline = d.in(15)
	beca.NextStep = tx(
		"Descarrega el certificat de matrícula de la web de la teva universitat i puja'l a la seu electrònica abans del "+date("ca", beca.Deadline)+".",
		"Descarga el certificado de matrícula de la web de tu universidad y súbelo a la sede electrónica antes del "+date("es", beca.Deadline)+".")
	add(records.Citizen{
		ID: "cit-0007", NationalID: "46712093J", GivenName: "Laia", Surnames: "Soler Puigdomènech",
		BirthDate: birth(2003, time.February, 25), Phone: "+34600000007", Lang: "ca",
		Street: "Carrer de la Rutlla 30", Municipality: "Terrassa",
		Profile: records.Profile{HouseholdSize: 3, Employment: records.EmploymentStudent, MonthlyIncome: 2100},
	}, beca)

	// Rosa: mother of three in Tarragona, both parents work.
	add(records.Citizen{
		ID: "cit-0008", NationalID: "77124580Z", GivenName: "Rosa", Surnames: "Martínez Gil",
		BirthDate: birth(1975, time.July, 7), Phone: "+34600000008", Lang: "es",
		Street: "Rambla Nova 54", Municipality: "Tarragona",
		Profile: records.Profile{HouseholdSize: 5, ChildrenAges: []int{3, 8, 11}, Employment: records.EmploymentEmployed,
			MonthlyIncome: 1900},
	}, d.app("EXP-2026-000801", "cit-0008", "nombrosa", "generalitat",
		d.step(S, 90, 10, nil),
		d.step(R, 70, 12, nil),
		d.step(A, 50, 9, noteApproved)),
		d.app("EXP-2026-000802", "cit-0008", "menjador", cc("Tarragona").council,
			d.step(S, 30, 18, nil),
			d.step(R, 14, 10, nil)))

	// Pere: retired couple in Reus.
	add(records.Citizen{
		ID: "cit-0009", NationalID: "39876512D", GivenName: "Pere", Surnames: "Casals Vila",
		BirthDate: birth(1956, time.December, 1), Phone: "+34600000009", Lang: "ca",
		Street: "Carrer de Monterols 9", Municipality: "Reus",
		Profile: records.Profile{HouseholdSize: 2, Employment: records.EmploymentRetired, MonthlyIncome: 1500},
	}, d.app("EXP-2025-000901", "cit-0009", "devolucio_irpf", "aeat",
		d.step(S, 190, 20, nil),
		d.step(P, 160, 8, notePaid)),
		d.app("EXP-2026-000902", "cit-0009", "canvi_cap", "catsalut",
			d.step(S, 40, 9, nil),
			d.step(A, 38, 12, nil),
			d.step(C, 37, 8, tx("Ja tens el nou metge assignat.", "Ya tienes asignado el nuevo médico."))))

	// Fatima: single mother in Mataró, works part time, renting.
	lloguer := d.app("EXP-2026-001001", "cit-0010", "lloguer", "ahc",
		d.step(S, 28, 10, nil),
		d.step(R, 21, 12, nil),
		d.step(N, 6, 9, noteMissing))
	lloguer.MissingDocuments = []records.Localized{tx("rebuts del lloguer dels últims tres mesos", "recibos del alquiler de los últimos tres meses")}
	lloguer.Deadline = d.in(8)
	lloguer.NextStep = tx(
		"Demana els rebuts al propietari o busca'ls al teu banc, i envia'ls per la seu electrònica abans del "+date("ca", lloguer.Deadline)+".",
		"Pide los recibos al propietario o búscalos en tu banco, y envíalos por la sede electrónica antes del "+date("es", lloguer.Deadline)+".")
	add(records.Citizen{
		ID: "cit-0010", NationalID: "Z3456789D", GivenName: "Fatima Zahra", Surnames: "Benali",
		BirthDate: birth(1988, time.October, 19), Phone: "+34600000010", Lang: "es",
		Street: "Carrer de la Riera 102", Municipality: "Mataró",
		Profile: records.Profile{HouseholdSize: 2, ChildrenAges: []int{7}, SingleParent: true,
			Employment: records.EmploymentEmployed, MonthlyIncome: 850, Renting: true, MonthlyRent: 650},
	}, lloguer, d.app("EXP-2026-001002", "cit-0010", "menjador", cc("Mataró").council,
		d.step(S, 110, 10, nil),
		d.step(R, 95, 11, nil),
		d.step(A, 70, 12, tx("Ajut concedit per a aquest curs.", "Ayuda concedida para este curso."))))

	// Joan: unemployed, with a recognised disability, lives with his wife in Manresa.
	add(records.Citizen{
		ID: "cit-0011", NationalID: "43210987J", GivenName: "Joan", Surnames: "Riera Bosch",
		BirthDate: birth(1963, time.May, 22), Phone: "+34600000011", Lang: "ca",
		Street: "Carrer del Born 17", Municipality: "Manresa",
		Profile: records.Profile{HouseholdSize: 2, Employment: records.EmploymentUnemployed, MonthlyIncome: 900,
			Renting: true, MonthlyRent: 500, DisabilityPercent: 33},
	}, d.app("EXP-2026-001101", "cit-0011", "prestacio_atur", "sepe",
		d.step(S, 100, 10, nil),
		d.step(A, 85, 12, noteApproved),
		d.step(P, 55, 8, notePaid)),
		d.app("EXP-2026-001102", "cit-0011", "grau_discapacitat", "generalitat",
			d.step(S, 180, 9, nil),
			d.step(R, 150, 10, nil),
			d.step(A, 60, 11, tx("Grau de discapacitat del 33 % reconegut.", "Grado de discapacidad del 33 % reconocido."))))

	// Carmen: very old, lives alone in Vic, high dependency.
	add(records.Citizen{
		ID: "cit-0012", NationalID: "36547821Q", GivenName: "Carmen", Surnames: "Ortega Navarro",
		BirthDate: birth(1940, time.August, 14), Phone: "+34600000012", Lang: "es",
		Street: "Carrer de Sant Pere 5", Municipality: "Vic",
		Profile: records.Profile{HouseholdSize: 1, LivesAlone: true, Employment: records.EmploymentRetired,
			MonthlyIncome: 780, DisabilityPercent: 70, Dependency: true},
	}, d.app("EXP-2025-001201", "cit-0012", "dependencia", "generalitat",
		d.step(S, 230, 10, nil),
		d.step(R, 200, 11, nil),
		d.step(A, 140, 9, tx("Grau II de dependència reconegut.", "Grado II de dependencia reconocido.")),
		d.step(P, 25, 8, notePaid)),
		d.app("EXP-2026-001202", "cit-0012", "teleassistencia", cc("Vic").ajuntament,
			d.step(S, 60, 12, nil),
			d.step(A, 45, 10, tx("T'instal·larem l'aparell aviat.", "Te instalaremos el aparato pronto."))))

	// Marc: young worker in Figueres, renting alone.
	add(records.Citizen{
		ID: "cit-0013", NationalID: "40871234G", GivenName: "Marc", Surnames: "Font Serra",
		BirthDate: birth(1996, time.November, 11), Phone: "+34600000013", Lang: "ca",
		Street: "Carrer de la Muralla 21", Municipality: "Figueres",
		Profile: records.Profile{HouseholdSize: 1, LivesAlone: true, Employment: records.EmploymentEmployed,
			MonthlyIncome: 1400, Renting: true, MonthlyRent: 600},
	}, d.app("EXP-2026-001301", "cit-0013", "habitatge_hpo", "ahc",
		d.step(S, 75, 19, nil),
		d.step(R, 60, 10, nil),
		d.step(A, 33, 12, tx("Ja ets al Registre. T'avisarem quan hi hagi pisos.", "Ya estás en el Registro. Te avisaremos cuando haya pisos."))))

	// Albert: well-paid worker in Barcelona, entitled to none of the income-tested benefits.
	add(records.Citizen{
		ID: "cit-0014", NationalID: "77654321L", GivenName: "Albert", Surnames: "Roig Ventura",
		BirthDate: birth(1980, time.April, 3), Phone: "+34600000014", Lang: "ca",
		Street: "Carrer de Provença 214", Municipality: "Barcelona",
		Profile: records.Profile{HouseholdSize: 2, Employment: records.EmploymentEmployed, MonthlyIncome: 5200,
			Renting: true, MonthlyRent: 1300},
	}, d.app("EXP-2026-001401", "cit-0014", "lloguer", "ahc",
		d.step(S, 55, 21, nil),
		d.step(R, 40, 10, nil),
		d.step(D, 22, 12, tx("Els ingressos de casa superen el límit d'aquest ajut.", "Los ingresos de casa superan el límite de esta ayuda."))))

	// Lucía: self-employed mother of two in Barcelona.
	add(records.Citizen{
		ID: "cit-0015", NationalID: "38912456K", GivenName: "Lucía", Surnames: "Fernández Pardo",
		BirthDate: birth(1985, time.January, 30), Phone: "+34600000015", Lang: "es",
		Street: "Carrer de Pujades 150", Municipality: "Barcelona",
		Profile: records.Profile{HouseholdSize: 4, ChildrenAges: []int{1, 5}, Employment: records.EmploymentSelf,
			MonthlyIncome: 1600, Renting: true, MonthlyRent: 900},
	}, d.app("EXP-2026-001501", "cit-0015", "infancia", "inss",
		d.step(S, 16, 22, nil),
		d.step(R, 2, 10, nil)))
}

// hold returns a data holding.
func hold(citizenID, adminID, category string, register, basis records.Localized) records.DataHolding {
	return records.DataHolding{CitizenID: citizenID, AdministrationID: adminID, Category: category, Register: register, LegalBasis: basis}
}

// addHoldings adds what the administrations hold about c: 4 to 8 holdings that follow
// from c's situation and applications.
func (d *builder) addHoldings(c records.Citizen) {
	m := municipalityOf(c.Municipality)
	procs := map[string]bool{}
	for _, a := range d.Applications {
		if a.CitizenID == c.ID {
			procs[a.ProcedureID] = true
		}
	}
	p := c.Profile
	var hs []records.DataHolding
	if strings.ContainsAny(c.NationalID[:1], "XYZ") {
		hs = append(hs, hold(c.ID, "policia", records.CategoryIdentity,
			tx("Registre Central d'Estrangers (NIE)", "Registro Central de Extranjeros (NIE)"),
			tx("Llei orgànica 4/2000, sobre els drets i llibertats dels estrangers; RGPD art. 6.1.e", "Ley Orgánica 4/2000, sobre derechos y libertades de los extranjeros; RGPD art. 6.1.e")))
	} else {
		hs = append(hs, hold(c.ID, "policia", records.CategoryIdentity,
			tx("Registre del DNI", "Registro del DNI"),
			tx("Reial decret 1553/2005, del DNI; RGPD art. 6.1.e", "Real Decreto 1553/2005, del DNI; RGPD art. 6.1.e")))
	}
	hs = append(hs,
		hold(c.ID, m.ajuntament, records.CategoryAddress,
			tx("Padró municipal d'habitants", "Padrón municipal de habitantes"),
			tx("Llei 7/1985, reguladora de les bases del règim local (art. 15-17)", "Ley 7/1985, reguladora de las Bases del Régimen Local (arts. 15-17)")),
		hold(c.ID, "aeat", records.CategoryIncome,
			tx("Declaracions de l'IRPF i imputacions de rendes", "Declaraciones del IRPF e imputaciones de rentas"),
			tx("Llei 58/2003, general tributària (art. 95); RGPD art. 6.1.c", "Ley 58/2003, General Tributaria (art. 95); RGPD art. 6.1.c")),
		hold(c.ID, "catsalut", records.CategoryHealth,
			tx("Registre central de persones assegurades (RCA)", "Registro central de personas aseguradas (RCA)"),
			tx("Llei 15/1990, d'ordenació sanitària de Catalunya; RGPD art. 9.2.h", "Ley 15/1990, de ordenación sanitaria de Cataluña; RGPD art. 9.2.h")))
	switch p.Employment {
	case records.EmploymentUnemployed:
		hs = append(hs, hold(c.ID, "soc", records.CategoryEmployment,
			tx("Registre de demandants d'ocupació", "Registro de demandantes de empleo"),
			tx("Llei 3/2023, d'ocupació", "Ley 3/2023, de Empleo")))
	case records.EmploymentRetired:
		hs = append(hs, hold(c.ID, "inss", records.CategoryEmployment,
			tx("Pensions de la Seguretat Social", "Pensiones de la Seguridad Social"),
			tx("Reial decret legislatiu 8/2015, Llei general de la Seguretat Social", "Real Decreto Legislativo 8/2015, Ley General de la Seguridad Social")))
	case records.EmploymentEmployed, records.EmploymentSelf:
		hs = append(hs, hold(c.ID, "tgss", records.CategoryEmployment,
			tx("Fitxer general d'afiliació (vida laboral)", "Fichero general de afiliación (vida laboral)"),
			tx("Reial decret legislatiu 8/2015, Llei general de la Seguretat Social", "Real Decreto Legislativo 8/2015, Ley General de la Seguridad Social")))
	}
	if p.Renting {
		hs = append(hs, hold(c.ID, "incasol", records.CategoryHousing,
			tx("Registre de fiances dels contractes de lloguer", "Registro de fianzas de los contratos de alquiler"),
			tx("Llei 13/1996, del registre i el dipòsit de fiances dels contractes de lloguer", "Ley 13/1996, del registro y el depósito de fianzas de los contratos de alquiler")))
	} else if p.Employment != records.EmploymentStudent {
		hs = append(hs, hold(c.ID, "atc", records.CategoryHousing,
			tx("Impost sobre transmissions patrimonials (compra de l'habitatge)", "Impuesto sobre transmisiones patrimoniales (compra de la vivienda)"),
			tx("Llei 7/2007, de l'Agència Tributària de Catalunya; RGPD art. 6.1.c", "Ley 7/2007, de la Agencia Tributaria de Cataluña; RGPD art. 6.1.c")))
	}
	if procs["lloguer"] || procs["habitatge_hpo"] {
		hs = append(hs, hold(c.ID, "ahc", records.CategoryHousing,
			tx("Expedients d'ajuts i registre d'habitatge protegit", "Expedientes de ayudas y registro de vivienda protegida"),
			tx("Llei 18/2007, del dret a l'habitatge; RGPD art. 6.1.e", "Ley 18/2007, del derecho a la vivienda; RGPD art. 6.1.e")))
	}
	if procs["rgc"] || procs["dependencia"] || procs["teleassistencia"] || p.MonthlyIncome < 700 {
		hs = append(hs, hold(c.ID, m.ajuntament, records.CategorySocialServices,
			tx("Història social dels Serveis Socials Bàsics", "Historia social de los Servicios Sociales Básicos"),
			tx("Llei 12/2007, de serveis socials (art. 17); RGPD art. 9.2.h", "Ley 12/2007, de servicios sociales de Cataluña (art. 17); RGPD art. 9.2.h")))
	}
	if len(p.ChildrenAges) > 0 {
		hs = append(hs, hold(c.ID, "generalitat", records.CategoryEducation,
			tx("Registre d'alumnes (RALC) dels teus fills", "Registro de alumnos (RALC) de tus hijos"),
			tx("Llei 12/2009, d'educació; RGPD art. 6.1.e", "Ley 12/2009, de educación de Cataluña; RGPD art. 6.1.e")))
	}
	if p.Employment == records.EmploymentStudent {
		hs = append(hs, hold(c.ID, "generalitat", records.CategoryEducation,
			tx("Expedients de beques universitàries", "Expedientes de becas universitarias"),
			tx("Llei 1/2003, d'universitats de Catalunya; RGPD art. 6.1.e", "Ley 1/2003, de universidades de Cataluña; RGPD art. 6.1.e")))
	}
	if len(hs) < 8 {
		hs = append(hs, hold(c.ID, "generalitat", records.CategoryContact,
			tx("Dades de contacte per a avisos i notificacions", "Datos de contacto para avisos y notificaciones"),
			tx("Llei 39/2015, del procediment administratiu comú (art. 41)", "Ley 39/2015, del Procedimiento Administrativo Común (art. 41)")))
	}
	d.Holdings = append(d.Holdings, hs[:min(len(hs), 8)]...)
}

// addAccessEvents adds, for every citizen, the reads of their data that their
// applications caused, a visit to the doctor and a check of the padró, numbered in time
// order.
func (d *builder) addAccessEvents() {
	var evs []records.AccessEvent
	for i, c := range d.Citizens {
		m := municipalityOf(c.Municipality)
		evs = append(evs,
			records.AccessEvent{
				CitizenID: c.ID, At: d.at(130+i, 9, 12+i), AdministrationID: m.ajuntament, Unit: maps.Clone(unitPadro),
				Category: records.CategoryAddress, Purpose: tx("Revisió del padró d'habitants", "Revisión del padrón de habitantes"),
				LegalBasis: tx("Llei 7/1985, reguladora de les bases del règim local (art. 17)", "Ley 7/1985, reguladora de las Bases del Régimen Local (art. 17)"),
			},
			records.AccessEvent{
				CitizenID: c.ID, At: d.at(20+3*i, 11, 30), AdministrationID: "catsalut", Unit: maps.Clone(unitCAP),
				Category: records.CategoryHealth, Purpose: tx("Visita al CAP", "Visita en el CAP"),
				LegalBasis: tx("Llei 21/2000, sobre els drets d'informació concernent la salut i l'autonomia del pacient", "Ley 21/2000, sobre los derechos de información concernientes a la salud y la autonomía del paciente"),
			})
		for _, a := range d.Applications {
			if a.CitizenID != c.ID {
				continue
			}
			p := d.procs[a.ProcedureID]
			first, last := a.History[0].At, a.History[len(a.History)-1].At
			reads := p.reads[:min(len(p.reads), 3)]
			for k, cat := range reads {
				at := first.Add(last.Sub(first) * time.Duration(k+1) / time.Duration(len(reads)+1))
				if last.Equal(first) {
					at = first.Add(time.Duration(k+1) * time.Hour)
				}
				evs = append(evs, records.AccessEvent{
					CitizenID: c.ID, At: at.Truncate(time.Minute), AdministrationID: a.AdministrationID, Unit: maps.Clone(a.Unit),
					Category: cat, Purpose: tx(a.Procedure["ca"]+" ("+a.Ref+")", a.Procedure["es"]+" ("+a.Ref+")"),
					LegalBasis: maps.Clone(p.basis),
				})
			}
		}
	}
	order := map[string]int{}
	for i, c := range d.Citizens {
		order[c.ID] = i
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].CitizenID != evs[j].CitizenID {
			return order[evs[i].CitizenID] < order[evs[j].CitizenID]
		}
		return evs[i].At.Before(evs[j].At)
	})
	for i := range evs {
		evs[i].ID = int64(i + 1)
		evs[i].Channel = records.AccessChannelInternal
	}
	d.AccessEvents = evs
}

// Seeder is a store that can tell it holds nothing and load a dataset.
type Seeder interface {
	Empty(ctx context.Context) (bool, error)
	Seed(ctx context.Context, d *records.Dataset) error
}

// SeedIfEmpty loads the demo dataset of now into st when st holds nothing, so that a fresh
// checkout runs; it reports whether it did.
func SeedIfEmpty(ctx context.Context, st Seeder, now time.Time) (bool, error) {
	empty, err := st.Empty(ctx)
	if err != nil || !empty {
		return false, err
	}
	if err := st.Seed(ctx, Dataset(now)); err != nil {
		return false, fmt.Errorf("demo: seed: %w", err)
	}
	return true, nil
}
