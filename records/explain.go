package records

import (
	"slices"
	"time"

	"cel.dev/cel-go/cel"
	celast "cel.dev/cel-go/common/ast"
	"cel.dev/cel-go/common/operators"
	"cel.dev/cel-go/common/types"
	"cel.dev/cel-go/common/types/ref"
	"cel.dev/cel-go/interpreter"
)

// Explanation says why a benefit is likely for a citizen, or why it is not, in terms of the
// citizen's own facts and the limits of the benefit's rule.
type Explanation struct {
	Benefit Benefit
	// Likely is the result of the rule, as Match gives it.
	Likely bool
	// Reasons are, when Likely, the conditions that made the rule true (for an "or", those
	// of the first alternative that holds); when not, the conditions that failed (for an
	// "or", those of the alternative that came closest: the fewest failures).
	Reasons []Reason
	// Confirm names the conditions the held data cannot check and the citizen must confirm
	// ("pvpc", "residence_2y", "bank_account", …), from the rule's confirm("…") calls, in
	// rule order. They hold for Likely: the answer says they are still to be confirmed.
	Confirm []string
}

// Reason is one condition of a rule with the citizen's value and the limit it is compared
// against.
type Reason struct {
	// Fact is the rule variable the condition reads ("income", "age", "single_parent").
	Fact string
	// Op is how the fact compares to Limit: "<", "<=", ">", ">=", "==", "!=". It is "" for a
	// test with no single limit (children_ages.exists(…), a bool variable alone).
	Op string
	// Value is the citizen's value of Fact: a number, 1 or 0 for a bool. Str holds a
	// string fact's value ("unemployed"); List the values of a list fact (children_ages).
	Value float64
	Str   string
	List  []int64
	// Limit is the value Fact is compared against, already computed for the citizen (the
	// income limit of a household of 3); HasLimit is false when there is none. LimitStr is
	// the limit of a string comparison.
	Limit    float64
	LimitStr string
	HasLimit bool
	// Per lists the other variables the limit depends on ("household_size").
	Per []string
	// Met reports whether the condition holds for the citizen.
	Met bool
}

// Confirmations the demo catalog uses in confirm("…"): conditions of a benefit that the held
// data cannot check.
const (
	ConfirmPVPC        = "pvpc"         // the electricity contract is on the regulated tariff
	ConfirmResidence1y = "residence_1y" // a year of legal residence in Spain
	ConfirmResidence2y = "residence_2y" // two years of residence in Catalonia
	ConfirmBankAccount = "bank_account" // a bank account in the citizen's name
	ConfirmJobSeeker   = "job_seeker"   // registered as a job seeker
)

// condKind is the shape of a node of an explainable rule.
type condKind uint8

const (
	condLeaf    condKind = iota // a comparison or test, reported as a Reason
	condAll                     // "&&": every child holds
	condAny                     // "||": some child holds
	condConfirm                 // confirm("…"): true, reported in Confirm
)

// cond is a node of a rule, as NewEligibility reads it once from the checked expression;
// its value and those of its operands are read back, by expression id, from the state of
// an exhaustive evaluation.
type cond struct {
	kind condKind
	id   int64
	kids []cond

	fact     string // condLeaf: the variable the condition reads, "" when none
	negated  bool   // condLeaf: "!fact"
	op       string // condLeaf: the comparison, fact on the left
	factID   int64  // condLeaf: the expression id of the fact
	limitID  int64  // condLeaf: the expression id of the limit, 0 without one
	limitLit ref.Val
	per      []string
	name     string // condConfirm: what to confirm
}

// mirrored gives the comparison with its operands swapped, for "limit < fact".
var mirrored = map[string]string{"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}

// comparisons maps CEL's comparison functions to the Reason.Op they report.
var comparisons = map[string]string{
	operators.Less: "<", operators.LessEquals: "<=", operators.Greater: ">",
	operators.GreaterEquals: ">=", operators.Equals: "==", operators.NotEquals: "!=",
}

// readCond builds the explainable tree of a checked rule expression.
func readCond(e celast.Expr) cond {
	if e.Kind() == celast.CallKind {
		call := e.AsCall()
		switch fn := call.FunctionName(); fn {
		case operators.LogicalAnd, operators.LogicalOr:
			c := cond{kind: condAll, id: e.ID()}
			if fn == operators.LogicalOr {
				c.kind = condAny
			}
			for _, a := range call.Args() {
				k := readCond(a)
				if k.kind == c.kind { // a && (b && c): one level
					c.kids = append(c.kids, k.kids...)
					continue
				}
				c.kids = append(c.kids, k)
			}
			return c
		case confirmFunc:
			return cond{kind: condConfirm, id: e.ID(), name: call.Args()[0].AsLiteral().Value().(string)}
		case operators.LogicalNot:
			if a := call.Args()[0]; a.Kind() == celast.IdentKind {
				return cond{kind: condLeaf, id: e.ID(), fact: a.AsIdent(), factID: a.ID(), negated: true}
			}
		default:
			if op, ok := comparisons[fn]; ok {
				l, r := call.Args()[0], call.Args()[1]
				if r.Kind() == celast.IdentKind && l.Kind() != celast.IdentKind {
					l, r, op = r, l, mirrored[op]
				}
				if l.Kind() == celast.IdentKind {
					c := cond{kind: condLeaf, id: e.ID(), fact: l.AsIdent(), factID: l.ID(), op: op, limitID: r.ID(), per: idents(r, nil)}
					if r.Kind() == celast.LiteralKind {
						c.limitLit = r.AsLiteral()
					}
					return c
				}
			}
		}
	}
	c := cond{kind: condLeaf, id: e.ID()}
	if e.Kind() == celast.IdentKind {
		c.fact, c.factID = e.AsIdent(), e.ID()
	} else if vs := idents(e, nil); len(vs) > 0 {
		c.fact = vs[0] // e.g. children_ages.exists(…): the list it reads
		if e.Kind() == celast.ComprehensionKind {
			if r := e.AsComprehension().IterRange(); r.Kind() == celast.IdentKind {
				c.factID = r.ID()
			}
		}
	}
	return c
}

// idents appends the rule variables e reads, once each, in reading order; a
// comprehension's own variables are not rule variables.
func idents(e celast.Expr, dst []string) []string {
	switch e.Kind() {
	case celast.IdentKind:
		if n := e.AsIdent(); isRuleVariable(n) && !slices.Contains(dst, n) {
			dst = append(dst, n)
		}
	case celast.CallKind:
		call := e.AsCall()
		if call.IsMemberFunction() {
			dst = idents(call.Target(), dst)
		}
		for _, a := range call.Args() {
			dst = idents(a, dst)
		}
	case celast.ComprehensionKind:
		dst = idents(e.AsComprehension().IterRange(), dst)
	case celast.SelectKind:
		dst = idents(e.AsSelect().Operand(), dst)
	case celast.ListKind:
		for _, x := range e.AsList().Elements() {
			dst = idents(x, dst)
		}
	}
	return dst
}

func isRuleVariable(name string) bool {
	for _, v := range ruleVariables {
		if v.name == name {
			return true
		}
	}
	return false
}

// confirmFunc is the CEL function that marks a condition the data cannot check:
// confirm("pvpc") is true, and reported in Explanation.Confirm.
const confirmFunc = "confirm"

// confirmOption declares confirm(string) bool.
var confirmOption = cel.Function(confirmFunc,
	cel.Overload("confirm_string", []*cel.Type{cel.StringType}, cel.BoolType,
		cel.UnaryBinding(func(ref.Val) ref.Val { return types.True })))

// checkConfirms reports whether every confirm call of e has one string literal argument.
func checkConfirms(e celast.Expr) bool {
	ok := true
	celast.PostOrderVisit(e, celast.NewExprVisitor(func(x celast.Expr) {
		if x.Kind() == celast.CallKind && x.AsCall().FunctionName() == confirmFunc {
			args := x.AsCall().Args()
			if len(args) != 1 || args[0].Kind() != celast.LiteralKind {
				ok = false
			} else if _, isStr := args[0].AsLiteral().Value().(string); !isStr {
				ok = false
			}
		}
	}))
	return ok
}

// Explain returns the explanation of every benefit with a rule, in catalog order. It
// evaluates each rule once more, exhaustively, so it costs a few times Match: a sweep calls
// Match for every citizen and Explain only for the citizens whose result changed.
func (e *Eligibility) Explain(c Citizen, now time.Time) []Explanation {
	vars := newRuleVars(c, now)
	out := make([]Explanation, 0, len(e.rules))
	for i := range e.rules {
		if e.rules[i].explain != nil {
			out = append(out, e.rules[i].explanation(vars))
		}
	}
	return out
}

// ExplainBenefit returns the explanation of the benefit with id for c at now. It is an
// ENOTFOUND error when the catalog has no such benefit, EINVALID when it has no rule (it is
// general information only).
func (e *Eligibility) ExplainBenefit(c Citizen, now time.Time, id string) (Explanation, error) {
	for i := range e.rules {
		if e.rules[i].benefit.ID != id {
			continue
		}
		if e.rules[i].explain == nil {
			return Explanation{}, Errorf(EINVALID, "benefit %q has no rule", id)
		}
		return e.rules[i].explanation(newRuleVars(c, now)), nil
	}
	return Explanation{}, Errorf(ENOTFOUND, "no benefit %q", id)
}

// explanation evaluates the rule exhaustively and reads the tree back from the state.
func (r *rule) explanation(vars *ruleVars) Explanation {
	x := Explanation{Benefit: r.benefit}
	st, ok := r.evalState(vars)
	if !ok {
		return x
	}
	x.Likely = truth(st, r.tree.id)
	collectConfirms(&r.tree, &x.Confirm)
	if x.Likely {
		x.Reasons = met(&r.tree, st, nil)
	} else {
		x.Reasons = failed(&r.tree, st, nil)
	}
	return x
}

// evalState runs the exhaustive program; ok is false when the rule fails at run time.
func (r *rule) evalState(vars *ruleVars) (st interpreter.EvalState, ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	_, det, err := r.explain.Eval(vars)
	if err != nil || det == nil {
		return nil, false
	}
	return det.State(), true
}

func truth(st interpreter.EvalState, id int64) bool {
	v, ok := st.Value(id)
	b, isBool := v.(types.Bool)
	return ok && isBool && bool(b)
}

// met appends the reasons that make a true node true.
func met(c *cond, st interpreter.EvalState, dst []Reason) []Reason {
	switch c.kind {
	case condAll:
		for i := range c.kids {
			dst = met(&c.kids[i], st, dst)
		}
	case condAny:
		for i := range c.kids {
			if truth(st, c.kids[i].id) {
				return met(&c.kids[i], st, dst)
			}
		}
	case condLeaf:
		if r := c.reason(st); !trivial(r) {
			dst = append(dst, r)
		}
	}
	return dst
}

// failed appends the reasons that make a false node false.
func failed(c *cond, st interpreter.EvalState, dst []Reason) []Reason {
	if truth(st, c.id) {
		return dst
	}
	switch c.kind {
	case condAll:
		for i := range c.kids {
			dst = failed(&c.kids[i], st, dst)
		}
	case condAny:
		var best []Reason
		for i := range c.kids {
			if f := failed(&c.kids[i], st, nil); best == nil || len(f) < len(best) {
				best = f
			}
		}
		dst = append(dst, best...)
	case condLeaf:
		dst = append(dst, c.reason(st))
	}
	return dst
}

// trivial reports a guard that says nothing to the citizen once met: "rent > 0".
func trivial(r Reason) bool {
	return r.Met && r.HasLimit && r.Limit == 0 && (r.Op == ">" || r.Op == "!=")
}

func collectConfirms(c *cond, dst *[]string) {
	if c.kind == condConfirm && !slices.Contains(*dst, c.name) {
		*dst = append(*dst, c.name)
	}
	for i := range c.kids {
		collectConfirms(&c.kids[i], dst)
	}
}

// reason reads a leaf's values from the state.
func (c *cond) reason(st interpreter.EvalState) Reason {
	r := Reason{Fact: c.fact, Op: c.op, Met: truth(st, c.id), Per: c.per}
	if c.factID != 0 {
		v, _ := st.Value(c.factID)
		r.Value, r.Str, r.List = scalar(v)
	}
	if c.negated {
		r.Op, r.HasLimit, r.Limit = "==", true, 0
		return r
	}
	if c.op == "" && c.fact != "" && c.factID != 0 {
		if _, isBool := valueOf(st, c.factID).(types.Bool); isBool {
			r.Op, r.HasLimit, r.Limit = "==", true, 1
		}
		return r
	}
	if c.limitID != 0 {
		v := c.limitLit
		if v == nil {
			v = valueOf(st, c.limitID)
		}
		if v != nil {
			r.Limit, r.LimitStr, _ = scalar(v)
			r.HasLimit = true
		}
	}
	return r
}

func valueOf(st interpreter.EvalState, id int64) ref.Val {
	v, _ := st.Value(id)
	return v
}

// scalar converts a CEL value to a Reason's number, string or list.
func scalar(v ref.Val) (float64, string, []int64) {
	switch x := v.(type) {
	case types.Int:
		return float64(x), "", nil
	case types.Double:
		return float64(x), "", nil
	case types.Bool:
		if x {
			return 1, "", nil
		}
		return 0, "", nil
	case types.String:
		return 0, string(x), nil
	case traitsLister:
		var out []int64
		for i := types.Int(0); i < x.Size().(types.Int); i++ {
			if n, ok := x.Get(i).(types.Int); ok {
				out = append(out, int64(n))
			}
		}
		return 0, "", out
	}
	return 0, "", nil
}

// traitsLister is the part of a CEL list scalar reads.
type traitsLister interface {
	Get(index ref.Val) ref.Val
	Size() ref.Val
}
