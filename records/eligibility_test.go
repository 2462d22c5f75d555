package records

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// testNow is the clock of the tests: a fixed day, so that ages and dates are stable.
var testNow = time.Date(2026, time.November, 27, 10, 30, 0, 0, time.UTC)

// ids returns the IDs of bs, in order.
func ids(bs []Benefit) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.ID
	}
	return out
}

// rules compiles one benefit per rule, with the rule as its ID.
func rules(t *testing.T, rs ...string) *Eligibility {
	t.Helper()
	var bs []Benefit
	for _, r := range rs {
		bs = append(bs, Benefit{ID: r, Rule: r})
	}
	e, err := NewEligibility(bs)
	if err != nil {
		t.Fatalf("NewEligibility = %v", err)
	}
	return e
}

func TestRuleVariables(t *testing.T) {
	c := Citizen{
		BirthDate:    time.Date(1984, time.March, 15, 0, 0, 0, 0, time.UTC),
		Municipality: "Badalona",
		Profile: Profile{HouseholdSize: 4, ChildrenAges: []int{9, 6}, SingleParent: true, LivesAlone: false,
			Employment: EmploymentUnemployed, MonthlyIncome: 650, Renting: true, MonthlyRent: 550,
			DisabilityPercent: 33, Dependency: true},
	}
	tests := []string{
		"age == 42",
		"household_size == 4",
		"children == 2",
		"youngest_child_age == 6",
		"children_ages == [9, 6]",
		"single_parent",
		"!lives_alone",
		`employment == "unemployed"`,
		"income == 650",
		"income_per_person == 162.5",
		"income_per_person < 163",
		"renting",
		"rent == 550",
		"disability == 33",
		"dependency",
		`municipality == "Badalona"`,
	}
	vars := newRuleVars(c, testNow)
	for _, v := range ruleVariables {
		if val, ok := vars.ResolveName(v.name); !ok || val == nil {
			t.Errorf("variable %s is declared but not resolved", v.name)
		}
	}
	if _, ok := vars.ResolveName("salary"); ok {
		t.Error("an undeclared variable resolves")
	}
	e := rules(t, tests...)
	got := ids(e.Match(c, testNow))
	if !slices.Equal(got, tests) {
		for _, r := range tests {
			if !slices.Contains(got, r) {
				t.Errorf("rule %q is false", r)
			}
		}
	}

	t.Run("NoChildrenNoHousehold", func(t *testing.T) {
		tests := []string{"children == 0", "youngest_child_age == -1", "children_ages == []", "household_size == 1", "income_per_person == 900.0"}
		c := Citizen{BirthDate: c.BirthDate, Profile: Profile{MonthlyIncome: 900}}
		if got := ids(rules(t, tests...).Match(c, testNow)); !slices.Equal(got, tests) {
			t.Errorf("Match = %v, want all of %v", got, tests)
		}
	})
	t.Run("AgeFollowsNow", func(t *testing.T) {
		e := rules(t, "age == 41", "age == 42")
		before := time.Date(2026, time.March, 14, 23, 0, 0, 0, time.UTC)
		if got := ids(e.Match(c, before)); !slices.Equal(got, []string{"age == 41"}) {
			t.Errorf("Match the day before the birthday = %v", got)
		}
		on := time.Date(2026, time.March, 15, 0, 0, 0, 0, time.UTC)
		if got := ids(e.Match(c, on)); !slices.Equal(got, []string{"age == 42"}) {
			t.Errorf("Match on the birthday = %v", got)
		}
	})
}

// incomeTested are the demo benefits whose rule depends on income.
func TestMatchCatalogOrder(t *testing.T) {
	e := rules(t, "age > 1", "false", "age > 2", "true", "age > 3")
	c := Citizen{BirthDate: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)}
	if got, want := ids(e.Match(c, testNow)), []string{"age > 1", "age > 2", "true", "age > 3"}; !slices.Equal(got, want) {
		t.Errorf("Match = %v, want %v", got, want)
	}
}

func TestMatchRuntimeErrors(t *testing.T) {
	bad := []string{
		"children_ages[5] > 0",               // index out of range
		"income / (children - children) > 0", // division by zero
		"income % (rent - rent) == 0",        // modulus by zero
		"int(income_per_person * 1e30) > 0",  // int overflow
		"[1, 2].map(x, x / (x - x)).size() > 0",
	}
	e := rules(t, append(bad, "true")...)
	c := Citizen{BirthDate: time.Date(1984, 3, 15, 0, 0, 0, 0, time.UTC), Profile: Profile{MonthlyIncome: 100, ChildrenAges: []int{1}}}
	if got := ids(e.Match(c, testNow)); !slices.Equal(got, []string{"true"}) {
		t.Errorf("Match = %v, want only the rule that does not fail", got)
	}
}

func TestEmptyRuleNeverMatches(t *testing.T) {
	e, err := NewEligibility([]Benefit{{ID: "info"}, {ID: "all", Rule: "true"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(e.Match(Citizen{}, testNow)); !slices.Equal(got, []string{"all"}) {
		t.Errorf("Match = %v, want [all]", got)
	}
}

func TestNewEligibilityErrors(t *testing.T) {
	tests := []struct {
		name, rule, want string
	}{
		{"Syntax", "age >", "Syntax error"},
		{"UndeclaredVariable", "salary > 1000", "undeclared reference to 'salary'"},
		{"TypeMismatch", `employment > 3`, "no matching overload"},
		{"NotBool", "income + 1", "want bool"},
		{"String", `"yes"`, "want bool"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewEligibility([]Benefit{{ID: "ok", Rule: "true"}, {ID: "broken_one", Rule: tt.rule}})
			if err == nil {
				t.Fatalf("NewEligibility(%q) = nil error", tt.rule)
			}
			if ErrorCode(err) != EINVALID {
				t.Errorf("code = %q, want %q", ErrorCode(err), EINVALID)
			}
			if msg := err.Error(); !strings.Contains(msg, `benefit "broken_one"`) || !strings.Contains(msg, tt.want) {
				t.Errorf("error %q, want it to name the benefit and contain %q", msg, tt.want)
			}
		})
	}
	t.Run("DuplicateID", func(t *testing.T) {
		_, err := NewEligibility([]Benefit{{ID: "a", Rule: "true"}, {ID: "a"}})
		if err == nil || !strings.Contains(err.Error(), `benefit "a": duplicate id`) {
			t.Errorf("NewEligibility with a duplicate id = %v", err)
		}
	})
}
