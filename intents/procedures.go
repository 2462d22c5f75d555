package intents

import "github.com/catalonia/mygov/records"

// ProceduresOf turns a benefits catalog into the classifier's gazetteer (WithProcedures),
// so that "com va la renda garantida?" names that procedure: each benefit's aliases and
// its name in every language.
func ProceduresOf(bs []records.Benefit) []Procedure {
	out := make([]Procedure, 0, len(bs))
	for _, b := range bs {
		names := append([]string{}, b.Aliases...)
		for _, n := range b.Name {
			names = append(names, n)
		}
		out = append(out, Procedure{ID: b.ID, Names: names})
	}
	return out
}
