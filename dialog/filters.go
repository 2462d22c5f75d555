package dialog

import "strings"

// Entity kinds that narrow or redirect a list answer. The classifier finds them by keyword;
// they are not features of its model.
const (
	// EntityPeriod narrows the access log: "today", "week", "month", "last_month",
	// "year", "last_year" ("aquest mes", "el año pasado").
	EntityPeriod = "period"
	// EntityRelation says the question is about someone else ("la meva mare", "mi hijo"):
	// "parent", "grandparent", "child", "sibling", "partner", "other".
	EntityRelation = "relation"
	// EntitySituation is a situation the citizen describes, of themselves or of the person
	// they ask about: "older", "alone", "disability", "dependency", "unemployed",
	// "low_income", "renting", "children".
	EntitySituation = "situation"
	// EntityCategory is a category of data the citizen names ("el meu padró": "address"),
	// one of records.Categories.
	EntityCategory = "category"
	// EntityWhy marks a "why" question ("per què…?", "¿por qué…?").
	EntityWhy = "why"
)

// listRef returns what narrows the list answer of intent, as kept in
// Conversation.PendingRef across its pages: an application reference or "proc:ID" for
// status; "proc:ID" (the benefit asked about) or "about:SITUATIONS" (someone else's
// situation) for for_me; the filters of the access log for data_usage.
func (t *turn) listRef(intent string, cls Classification) string {
	switch intent {
	case IntentStatus:
		if e, ok := cls.Entity(EntityApplicationRef); ok {
			return e.Value
		}
		if e, ok := cls.Entity(EntityProcedure); ok {
			return "proc:" + e.Value
		}
	case IntentMyData:
		if e, ok := cls.Entity(EntityApplicationRef); ok {
			return e.Value
		}
	case IntentForMe:
		if _, ok := cls.Entity(EntityRelation); ok {
			return refAbout + strings.Join(entityValues(cls, EntitySituation), ",")
		}
		if e, ok := cls.Entity(EntityProcedure); ok {
			return "proc:" + e.Value
		}
	case IntentDataUsage:
		return usageFilterOf(cls, t.in.Text).encode()
	}
	return ""
}

// refAbout starts the PendingRef of a for_me question about someone else.
const refAbout = "about:"

func entityValue(cls Classification, kind string) string {
	e, _ := cls.Entity(kind)
	return e.Value
}

func hasEntity(cls Classification, kind string) bool {
	_, ok := cls.Entity(kind)
	return ok
}

// entityValues returns the distinct values of the entities of kind, in text order.
func entityValues(cls Classification, kind string) []string {
	var out []string
	for _, e := range cls.Entities {
		if e.Kind == kind && !strings.Contains(e.Value, ",") && !containsString(out, e.Value) {
			out = append(out, e.Value)
		}
	}
	return out
}

func containsString(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
