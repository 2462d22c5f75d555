package records

import (
	"slices"
	"strings"
	"testing"
)

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
