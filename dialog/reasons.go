package dialog

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/catalonia/mygov/records"
)

// The reasons of an eligibility explanation become catalog keys PREFIX+FACT+"."+SHAPE:
// why.income.max with the citizen's value and the limit, or rule.income.max with the limit
// only. The shape is min, max or range for numbers, yes for a bool fact that must hold,
// eq for an equality, or the value itself for a string fact (employment.unemployed). A
// reason with no key here is left out: the benefit's own reason line stands in for all.
var reasonKeys = []string{
	"age.min", "age.max", "age.range",
	"income.max", "income_per_person.max",
	"rent.min", "rent.max", "rent.range",
	"children.min", "disability.min", "household_size.eq",
	"single_parent.yes", "renting.yes", "dependency.yes", "lives_alone.yes",
	"employment.unemployed", "children_ages.any",
}

// confirmKeys are the confirmations with a catalog key PrefixConfirm+NAME.
var confirmKeys = []string{
	records.ConfirmPVPC, records.ConfirmResidence1y, records.ConfirmResidence2y,
	records.ConfirmBankAccount, records.ConfirmJobSeeker,
}

// countFacts are counted in whole units: a limit "< 65" reads "under 65", "> 2" reads "3 or
// more". Other numeric facts are euros, shown as they are.
var countFacts = []string{"age", "children", "disability", "household_size", "youngest_child_age"}

// reasonTexts returns one line per fact of rs, in the order the facts first appear: the
// limits on one fact (age ≥ 23 and age < 65) make one line.
func (t *turn) reasonTexts(rs []records.Reason, prefix string) []Text {
	household := "1"
	if t.citizen != nil {
		household = strconv.Itoa(max(t.citizen.Profile.HouseholdSize, 1))
	}
	var facts []string
	for _, r := range rs {
		if !slices.Contains(facts, r.Fact) {
			facts = append(facts, r.Fact)
		}
	}
	// Money first: it decides most benefits and says the most; a short channel keeps it.
	slices.SortStableFunc(facts, func(a, b string) int { return moneyFirst(a) - moneyFirst(b) })
	var out []Text
	for _, f := range facts {
		var same []records.Reason
		for _, r := range rs {
			if r.Fact == f {
				same = append(same, r)
			}
		}
		shape, args := reasonShape(f, same)
		if !slices.Contains(reasonKeys, f+"."+shape) {
			continue
		}
		if f == "household_size" && slices.Contains(facts, "income") {
			continue // the income line says how many live at home
		}
		p := prefix
		if !same[0].Met && (shape == "yes" || shape == "any" || same[0].LimitStr != "") {
			p = PrefixRule // "you are not a single parent" is no reason to give: say the rule
		}
		if f == "income" {
			args = append(args, "Count", household)
		}
		out = append(out, T(p+f+"."+shape, args...))
	}
	return out
}

func moneyFirst(fact string) int {
	switch fact {
	case "income", "income_per_person", "rent":
		return 0
	}
	return 1
}

// reasonShape returns the shape of the reasons on one fact and the arguments of its key:
// Value (the citizen's), Limit, or Min and Max for a range, Count for plurals, Ages.
func reasonShape(fact string, rs []records.Reason) (string, []string) {
	r := rs[0]
	count := slices.Contains(countFacts, fact)
	value := number(r.Value)
	switch {
	case r.List != nil || (r.Op == "" && fact == "children_ages"):
		ages := make([]string, len(r.List))
		for i, a := range r.List {
			ages[i] = strconv.FormatInt(a, 10)
		}
		return "any", []string{"Ages", strings.Join(ages, ", "), "Count", strconv.Itoa(len(r.List))}
	case r.Op == "==" && r.LimitStr != "":
		return r.LimitStr, nil
	case r.Op == "==" && fact == "household_size":
		return "eq", []string{"Value", value, "Count", value, "Limit", number(r.Limit)}
	case r.Op == "==" && r.Limit == 1 && r.Value <= 1 && !count:
		return "yes", nil
	}
	var lo, hi float64
	hasLo, hasHi := false, false
	for _, r := range rs {
		if !r.HasLimit {
			continue
		}
		switch r.Op {
		case ">", ">=":
			l := r.Limit
			if count && r.Op == ">" {
				l = math.Floor(l) + 1 // "> 2": 3 or more
			}
			if !hasLo || l > lo {
				lo, hasLo = l, true
			}
		case "<", "<=":
			l := r.Limit
			if count && r.Op == "<=" {
				l = math.Floor(l) + 1 // "<= 64": under 65
			}
			if !hasHi || l < hi {
				hi, hasHi = l, true
			}
		}
	}
	switch {
	case hasLo && hasHi:
		maxShown := hi
		if count {
			maxShown = hi - 1 // "from 23 to 64"
		}
		return "range", []string{"Value", value, "Min", number(lo), "Max", number(maxShown), "Count", value}
	case hasLo:
		return "min", []string{"Value", value, "Limit", number(lo), "Count", value}
	case hasHi:
		return "max", []string{"Value", value, "Limit", number(hi), "Count", value}
	}
	return "", nil
}

// number writes n rounded to a whole number with a dot every three digits, as Catalan and
// Spanish write amounts: 1.200.
func number(n float64) string {
	s := strconv.FormatInt(int64(math.Round(n)), 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
