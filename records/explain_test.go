package records

import (
	"slices"
	"strings"
	"testing"
)

// reasonOf returns the first reason of x about fact with op, or fails.
func reasonOf(t *testing.T, x Explanation, fact, op string) Reason {
	t.Helper()
	for _, r := range x.Reasons {
		if r.Fact == fact && r.Op == op {
			return r
		}
	}
	t.Fatalf("%s: no reason %s %s in %+v", x.Benefit.ID, fact, op, x.Reasons)
	return Reason{}
}

func TestExplainMaria(t *testing.T) {
	d, e := demoEligibility(t)
	maria := demoCitizen(t, d, "cit-0001") // 42, household of 3, 650 €, renting at 550 €
	tests := []struct {
		benefit, fact, op string
		likely            bool
		value, limit      float64
		per               []string
		confirm           []string
	}{
		{"rgc", "income", "<", true, 650, 1200, []string{"household_size"}, []string{ConfirmResidence2y}},
		{"rgc", "age", "<", true, 42, 65, nil, []string{ConfirmResidence2y}},
		{"imv", "income", "<", true, 650, 1056, []string{"household_size"}, []string{ConfirmResidence1y}},
		{"bo_social", "income_per_person", "<", true, 650.0 / 3, 650, nil, []string{ConfirmPVPC}},
		{"lloguer", "rent", "<=", true, 550, 950, nil, []string{ConfirmBankAccount}},
		{"lloguer", "rent", ">", true, 550, 195, []string{"income"}, []string{ConfirmBankAccount}},
		{"monoparental", "single_parent", "==", true, 1, 1, nil, nil},
		{"targeta_rosa", "age", ">=", false, 42, 60, nil, nil},
		{"t_jove", "age", "<", false, 42, 30, nil, nil},
		{"nombrosa", "children", ">=", false, 2, 3, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.benefit+"/"+tt.fact+tt.op, func(t *testing.T) {
			x, err := e.ExplainBenefit(maria, testNow, tt.benefit)
			if err != nil {
				t.Fatal(err)
			}
			if x.Likely != tt.likely {
				t.Fatalf("Likely = %v, want %v", x.Likely, tt.likely)
			}
			r := reasonOf(t, x, tt.fact, tt.op)
			if r.Met != tt.likely || r.Value != tt.value || !r.HasLimit || r.Limit != tt.limit || !slices.Equal(r.Per, tt.per) {
				t.Errorf("reason = %+v, want value %v, limit %v, per %v, met %v", r, tt.value, tt.limit, tt.per, tt.likely)
			}
			if !slices.Equal(x.Confirm, tt.confirm) {
				t.Errorf("Confirm = %v, want %v", x.Confirm, tt.confirm)
			}
		})
	}
}

func TestExplainAgreesWithMatch(t *testing.T) {
	d, e := demoEligibility(t)
	for _, c := range d.Citizens {
		var likely []string
		for _, x := range e.Explain(c, testNow) {
			if x.Likely {
				likely = append(likely, x.Benefit.ID)
			}
			if len(x.Reasons) == 0 {
				t.Errorf("%s %s: no reasons", c.ID, x.Benefit.ID)
			}
			for _, r := range x.Reasons {
				if r.Met != x.Likely {
					t.Errorf("%s %s: reason %+v has Met %v, the benefit Likely %v", c.ID, x.Benefit.ID, r, r.Met, x.Likely)
				}
			}
		}
		if got := ids(e.Match(c, testNow)); !slices.Equal(likely, got) {
			t.Errorf("%s: Explain likely %v, Match %v", c.ID, likely, got)
		}
	}
}

func TestExplainShapes(t *testing.T) {
	c := Citizen{BirthDate: testNow.AddDate(-70, 0, -1), Profile: Profile{HouseholdSize: 2, ChildrenAges: []int{4, 12}, MonthlyIncome: 1000}}
	tests := []struct {
		name, rule string
		likely     bool
		want       []Reason
	}{
		{"LimitOnTheLeft", "65 <= age", true, []Reason{{Fact: "age", Op: ">=", Value: 70, Limit: 65, HasLimit: true, Met: true}}},
		{"OrReportsTheFirstTrue", "children >= 3 || age >= 65 || income < 10", true, []Reason{{Fact: "age", Op: ">=", Value: 70, Limit: 65, HasLimit: true, Met: true}}},
		{"OrFailsOnTheClosest", "(age < 30 && income < 10) || children >= 3", false, []Reason{{Fact: "children", Op: ">=", Value: 2, Limit: 3, HasLimit: true}}},
		{"AndReportsEveryFailure", "age < 65 && income < 500 && children > 0", false, []Reason{
			{Fact: "age", Op: "<", Value: 70, Limit: 65, HasLimit: true},
			{Fact: "income", Op: "<", Value: 1000, Limit: 500, HasLimit: true}}},
		{"ComputedLimit", "income < 400 * household_size", false, []Reason{{Fact: "income", Op: "<", Value: 1000, Limit: 800, HasLimit: true, Per: []string{"household_size"}}}},
		{"NegatedBool", "!dependency", true, []Reason{{Fact: "dependency", Op: "==", Value: 0, Limit: 0, HasLimit: true, Met: true}}},
		{"Bool", "single_parent", false, []Reason{{Fact: "single_parent", Op: "==", Value: 0, Limit: 1, HasLimit: true}}},
		{"List", "children_ages.exists(a, a < 3)", false, []Reason{{Fact: "children_ages", List: []int64{4, 12}}}},
		{"TrivialGuardLeftOut", "income > 0 && age >= 65", true, []Reason{{Fact: "age", Op: ">=", Value: 70, Limit: 65, HasLimit: true, Met: true}}},
		{"ConfirmIsNotAReason", `confirm("pvpc") && age >= 65`, true, []Reason{{Fact: "age", Op: ">=", Value: 70, Limit: 65, HasLimit: true, Met: true}}},
		{"String", `employment == "unemployed"`, false, []Reason{{Fact: "employment", Op: "==", LimitStr: "unemployed", HasLimit: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := rules(t, tt.rule)
			x, err := e.ExplainBenefit(c, testNow, tt.rule)
			if err != nil {
				t.Fatal(err)
			}
			if x.Likely != tt.likely {
				t.Errorf("Likely = %v, want %v", x.Likely, tt.likely)
			}
			if len(x.Reasons) != len(tt.want) {
				t.Fatalf("Reasons = %+v, want %+v", x.Reasons, tt.want)
			}
			for i, got := range x.Reasons {
				w := tt.want[i]
				if got.Fact != w.Fact || got.Op != w.Op || got.Value != w.Value || got.Limit != w.Limit || got.HasLimit != w.HasLimit ||
					got.Met != w.Met || got.LimitStr != w.LimitStr || !slices.Equal(got.Per, w.Per) || !slices.Equal(got.List, w.List) {
					t.Errorf("reason %d = %+v, want %+v", i, got, w)
				}
			}
		})
	}
}

func TestExplainBenefitErrors(t *testing.T) {
	e, err := NewEligibility([]Benefit{{ID: "info"}, {ID: "r", Rule: "1 / (children - children) > 0"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.ExplainBenefit(Citizen{}, testNow, "nope"); ErrorCode(err) != ENOTFOUND {
		t.Errorf("unknown benefit: %v, want ENOTFOUND", err)
	}
	if _, err := e.ExplainBenefit(Citizen{}, testNow, "info"); ErrorCode(err) != EINVALID {
		t.Errorf("benefit without a rule: %v, want EINVALID", err)
	}
	x, err := e.ExplainBenefit(Citizen{}, testNow, "r")
	if err != nil || x.Likely || len(x.Reasons) != 0 {
		t.Errorf("rule failing at run time = %+v, %v; want not likely, no reasons", x, err)
	}
}

func TestConfirmNeedsAStringLiteral(t *testing.T) {
	for _, rule := range []string{`confirm(employment)`, `confirm("a" + "b")`} {
		_, err := NewEligibility([]Benefit{{ID: "b", Rule: rule}})
		if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), "confirm") {
			t.Errorf("NewEligibility(%s) = %v, want EINVALID about confirm", rule, err)
		}
	}
}

// BenchmarkEligibility is the nightly sweep's cost: every benefit of the demo catalog
// for every demo citizen, with the compiled programs reused. It reports citizen×benefit
// evaluations a second; issue 11 needs ≥ 200,000 a core.
func BenchmarkEligibility(b *testing.B) {
	d, e := demoEligibility(b)
	b.Run("Match", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			for _, c := range d.Citizens {
				e.Match(c, testNow)
				n += len(e.rules)
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "evals/s")
	})
	b.Run("Explain", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			for _, c := range d.Citizens {
				n += len(e.Explain(c, testNow))
			}
		}
		b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "evals/s")
	})
}
