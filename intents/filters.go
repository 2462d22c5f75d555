package intents

import (
	"strings"

	"github.com/catalonia/mygov/dialog"
)

// filterPhrase is a phrase, in normalized tokens, that gives an entity narrowing an answer:
// a period, someone else, a situation, a category of data, a "why".
type filterPhrase struct {
	toks        []string
	kind, value string
}

// filterTable indexes the filter phrases by their first token.
type filterTable map[string][]filterPhrase

// filters are found by keyword, after the model: they are not model features, so adding
// one needs no retraining.
var filters = newFilterTable([]struct{ kind, value, phrases string }{
	{dialog.EntityPeriod, "today", "avui|hoy"},
	{dialog.EntityPeriod, "week", "aquesta setmana|esta setmana|esta semana|aquesta semana|ultima setmana|ultima semana|darrera setmana"},
	{dialog.EntityPeriod, "month", "aquest mes|este mes|ultim mes|ultimo mes|darrer mes"},
	{dialog.EntityPeriod, "last_month", "mes passat|mes pasado"},
	{dialog.EntityPeriod, "year", "aquest any|enguany|este ano|ultim any|ultimo ano|darrer any"},
	{dialog.EntityPeriod, "last_year", "any passat|ano pasado"},

	{dialog.EntityRelation, "parent", "meva mare|meu pare|meus pares|mi madre|mi padre|mis padres|ma mare|mon pare"},
	{dialog.EntityRelation, "grandparent", "meva avia|meu avi|meus avis|mi abuela|mi abuelo|mis abuelos"},
	{dialog.EntityRelation, "child", "meva filla|meu fill|mi hija|mi hijo"},
	{dialog.EntityRelation, "sibling", "meva germana|meu germa|mi hermana|mi hermano"},
	{dialog.EntityRelation, "partner", "meva parella|meu marit|meva dona|mi pareja|mi marido|mi mujer|mi esposa|mi esposo"},
	{dialog.EntityRelation, "other", "un amic|una amiga|mi amigo|mi amiga|un vei|una veina|mi vecino|mi vecina|meu vei|meva veina|per ella|per a ella|per ell|per a ell|para ella"},

	{dialog.EntitySituation, "older", "gran|gent gran|mayor|mayores|jubilat|jubilada|jubilado|jubilada|pensionista|anciana|anciano|vella|vell"},
	{dialog.EntitySituation, "alone", "viu sola|viu sol|vive sola|vive solo|sola a casa|sola en casa"},
	{dialog.EntitySituation, "disability", "discapacitat|discapacidad|minusvalidesa|minusvalia"},
	{dialog.EntitySituation, "dependency", "dependencia|dependent|dependiente|no es pot valer|no se vale|no se puede valer"},
	{dialog.EntitySituation, "unemployed", "atur|paro|sense feina|sin trabajo"},
	{dialog.EntitySituation, "renting", "de lloguer|de alquiler"},

	{dialog.EntityCategory, "address", "padro|padron|empadronament|empadronamiento|adreca|domicili|domicilio"},
	{dialog.EntityCategory, "income", "ingressos|ingresos|renda|nomina|impostos|impuestos"},
	{dialog.EntityCategory, "health", "salut|salud|historia clinica|historial medic|historial medico"},
	{dialog.EntityCategory, "employment", "vida laboral|feina|trabajo|empleo"},
	{dialog.EntityCategory, "housing", "habitatge|vivienda"},
	{dialog.EntityCategory, "education", "escola|escuela|educacio|educacion|beca"},
	{dialog.EntityCategory, "social_services", "serveis socials|servicios sociales"},
	{dialog.EntityCategory, "contact", "telefon|telefono|correu|correo|contacte|contacto"},

	{dialog.EntityWhy, "why", "per que|perque|por que|porque|com es que|como es que|per a que"},
})

func newFilterTable(rows []struct{ kind, value, phrases string }) filterTable {
	t := filterTable{}
	for _, r := range rows {
		for _, p := range strings.Split(r.phrases, "|") {
			toks := strings.Fields(p)
			t[toks[0]] = append(t[toks[0]], filterPhrase{toks: toks, kind: r.kind, value: r.value})
		}
	}
	return t
}

// appendFilters appends the filter entities of text, normalized in n, to dst: the longest
// phrase at each token, then the scan goes on after it.
func appendFilters(dst []dialog.Entity, text string, n *normalizer) []dialog.Entity {
	x := entityScan{text: text, n: n}
	for i := 0; i < len(n.toks); {
		best, used := filterPhrase{}, 0
		for _, p := range filters[x.norm(i)] {
			if len(p.toks) > used && x.phraseAt(i, p.toks) {
				best, used = p, len(p.toks)
			}
		}
		if used == 0 {
			i++
			continue
		}
		os, oe := int(n.toks[i].os), int(n.toks[i+used-1].oe)
		dst = append(dst, dialog.Entity{Kind: best.kind, Value: best.value, Text: strings.Clone(text[os:oe])})
		i += used
	}
	return dst
}

// phraseAt reports whether the tokens from i are toks.
func (x *entityScan) phraseAt(i int, toks []string) bool {
	for k, w := range toks {
		if x.norm(i+k) != w {
			return false
		}
	}
	return true
}
