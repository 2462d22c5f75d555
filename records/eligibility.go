package records

import (
	"fmt"
	"time"

	"cel.dev/cel-go/cel"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
)

// ruleVariables declares the variables an eligibility rule can read; ruleVars resolves
// them.
var ruleVariables = []struct {
	name string
	typ  *cel.Type
}{
	{"age", cel.IntType},
	{"household_size", cel.IntType},
	{"children", cel.IntType},
	{"youngest_child_age", cel.IntType},
	{"children_ages", cel.ListType(cel.IntType)},
	{"single_parent", cel.BoolType},
	{"lives_alone", cel.BoolType},
	{"employment", cel.StringType},
	{"income", cel.IntType},
	{"income_per_person", cel.DoubleType},
	{"renting", cel.BoolType},
	{"rent", cel.IntType},
	{"disability", cel.IntType},
	{"dependency", cel.BoolType},
	{"municipality", cel.StringType},
}

// Eligibility decides which benefits of a catalog a citizen is likely entitled to. Each
// benefit's Rule is a CEL expression that yields a bool, over these variables:
//
//	age                int        the citizen's age in whole years
//	household_size     int        people living at home, at least 1
//	children           int        number of children
//	youngest_child_age int        age of the youngest child, -1 without children
//	children_ages      list(int)  ages of the children
//	single_parent      bool       the citizen raises the children alone
//	lives_alone        bool       the citizen lives alone
//	employment         string     "employed", "unemployed", "retired", "student", "self_employed" or ""
//	income             int        household income, euros a month
//	income_per_person  double     income divided by household_size
//	renting            bool       the household rents its home
//	rent               int        monthly rent, euros
//	disability         int        recognised disability, percent
//	dependency         bool       a recognised dependency degree
//	municipality       string     the municipality of residence, as written in Citizen
//
// Ints and doubles compare with each other (income_per_person < 700). A benefit with an
// empty Rule never matches: it is general information only.
//
// An Eligibility is immutable and safe for concurrent use.
type Eligibility struct {
	rules []rule
}

// rule is one benefit with its compiled program; prg is nil for an empty Rule.
type rule struct {
	benefit Benefit
	prg     cel.Program
}

// NewEligibility compiles the rule of every benefit once. A rule that does not parse,
// does not type-check or does not yield a bool is an EINVALID error that names the
// benefit and carries CEL's message.
func NewEligibility(benefits []Benefit) (*Eligibility, error) {
	opts := []cel.EnvOption{cel.CrossTypeNumericComparisons(true)}
	for _, v := range ruleVariables {
		opts = append(opts, cel.Variable(v.name, v.typ))
	}
	env, err := cel.NewEnv(opts...)
	if err != nil {
		return nil, fmt.Errorf("records: eligibility environment: %w", err)
	}
	e := &Eligibility{rules: make([]rule, 0, len(benefits))}
	seen := make(map[string]bool, len(benefits))
	for _, b := range benefits {
		if seen[b.ID] {
			return nil, Errorf(EINVALID, "benefit %q: duplicate id", b.ID)
		}
		seen[b.ID] = true
		r := rule{benefit: b}
		if b.Rule != "" {
			ast, iss := env.Compile(b.Rule)
			if iss.Err() != nil {
				return nil, Errorf(EINVALID, "benefit %q: rule: %v", b.ID, iss.Err())
			}
			if !ast.OutputType().IsExactType(cel.BoolType) {
				return nil, Errorf(EINVALID, "benefit %q: rule yields %s, want bool", b.ID, ast.OutputType())
			}
			r.prg, err = env.Program(ast, cel.EvalOptions(cel.OptOptimize))
			if err != nil {
				return nil, Errorf(EINVALID, "benefit %q: rule: %v", b.ID, err)
			}
		}
		e.rules = append(e.rules, r)
	}
	return e, nil
}

// Match returns the benefits whose rule is true for c at now, in catalog order. A rule
// that fails at run time (a division by zero, an index out of range) does not match.
// The benefits share their Localized maps and slices with the catalog: callers must not
// modify them.
func (e *Eligibility) Match(c Citizen, now time.Time) []Benefit {
	vars := newRuleVars(c, now)
	var out []Benefit
	for i := range e.rules {
		if e.rules[i].matches(vars) {
			out = append(out, e.rules[i].benefit)
		}
	}
	return out
}

// matches evaluates the rule; any error or panic counts as false.
func (r *rule) matches(vars *ruleVars) (ok bool) {
	if r.prg == nil {
		return false
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	out, _, err := r.prg.Eval(vars)
	if err != nil {
		return false
	}
	b, isBool := out.(types.Bool)
	return isBool && bool(b)
}

// ruleVars is the activation of a rule: the variables derived from a citizen, already
// converted to CEL values so that each evaluation only reads them.
type ruleVars struct {
	age, householdSize, children, youngestChildAge, childrenAges  ref.Val
	singleParent, livesAlone, employment, income, incomePerPerson ref.Val
	renting, rent, disability, dependency, municipality           ref.Val
}

// ResolveName returns the value of the variable called name.
func (v *ruleVars) ResolveName(name string) (any, bool) {
	switch name {
	case "age":
		return v.age, true
	case "household_size":
		return v.householdSize, true
	case "children":
		return v.children, true
	case "youngest_child_age":
		return v.youngestChildAge, true
	case "children_ages":
		return v.childrenAges, true
	case "single_parent":
		return v.singleParent, true
	case "lives_alone":
		return v.livesAlone, true
	case "employment":
		return v.employment, true
	case "income":
		return v.income, true
	case "income_per_person":
		return v.incomePerPerson, true
	case "renting":
		return v.renting, true
	case "rent":
		return v.rent, true
	case "disability":
		return v.disability, true
	case "dependency":
		return v.dependency, true
	case "municipality":
		return v.municipality, true
	}
	return nil, false
}

// Parent returns nil: rule variables have no enclosing scope.
func (v *ruleVars) Parent() cel.Activation { return nil }

// newRuleVars derives the rule variables from a citizen's profile and age at now.
func newRuleVars(c Citizen, now time.Time) *ruleVars {
	p := c.Profile
	size := max(p.HouseholdSize, 1)
	youngest := -1
	ages := make([]ref.Val, len(p.ChildrenAges))
	for i, a := range p.ChildrenAges {
		ages[i] = types.Int(a)
		if youngest < 0 || a < youngest {
			youngest = a
		}
	}
	return &ruleVars{
		age:              types.Int(c.Age(now)),
		householdSize:    types.Int(size),
		children:         types.Int(len(p.ChildrenAges)),
		youngestChildAge: types.Int(youngest),
		childrenAges:     types.NewRefValList(types.DefaultTypeAdapter, ages),
		singleParent:     types.Bool(p.SingleParent),
		livesAlone:       types.Bool(p.LivesAlone),
		employment:       types.String(p.Employment),
		income:           types.Int(p.MonthlyIncome),
		incomePerPerson:  types.Double(float64(p.MonthlyIncome) / float64(size)),
		renting:          types.Bool(p.Renting),
		rent:             types.Int(p.MonthlyRent),
		disability:       types.Int(p.DisabilityPercent),
		dependency:       types.Bool(p.Dependency),
		municipality:     types.String(c.Municipality),
	}
}
