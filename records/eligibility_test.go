package records

import (
	"fmt"
	"slices"
	"strings"
	"sync"
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

func demoEligibility(t testing.TB) (*Dataset, *Eligibility) {
	t.Helper()
	d := Demo(testNow)
	e, err := NewEligibility(d.Benefits)
	if err != nil {
		t.Fatalf("NewEligibility(demo) = %v", err)
	}
	return d, e
}

func demoCitizen(t testing.TB, d *Dataset, id string) Citizen {
	t.Helper()
	for _, c := range d.Citizens {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("demo has no citizen %s", id)
	return Citizen{}
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

func TestMatchMaria(t *testing.T) {
	d, e := demoEligibility(t)
	maria := demoCitizen(t, d, "cit-0001")
	got := ids(e.Match(maria, testNow))
	for _, want := range []string{"rgc", "menjador", "monoparental", "bo_social", "lloguer", "imv", "infancia"} {
		if !slices.Contains(got, want) {
			t.Errorf("Maria matches %v, want %s among them", got, want)
		}
	}
	for _, not := range []string{"targeta_rosa", "pnc", "nombrosa", "dependencia", "t_jove"} {
		if slices.Contains(got, not) {
			t.Errorf("Maria matches %v, want no %s", got, not)
		}
	}
	// Before her birthday she is a year younger: nothing changes.
	if early := ids(e.Match(maria, time.Date(2026, time.January, 10, 9, 0, 0, 0, time.UTC))); !slices.Equal(early, got) {
		t.Errorf("Maria in January matches %v, in November %v", early, got)
	}
}

func TestMatchJose(t *testing.T) {
	d, e := demoEligibility(t)
	jose := demoCitizen(t, d, "cit-0002")
	got := ids(e.Match(jose, testNow))
	for _, want := range []string{"targeta_rosa", "bo_social", "dependencia"} {
		if !slices.Contains(got, want) {
			t.Errorf("José matches %v, want %s among them", got, want)
		}
	}
	// 900 € a month is above the illustrative limit of the non-contributory pension, and
	// he is too old for the working-age benefits.
	for _, not := range []string{"pnc", "rgc", "imv", "menjador", "lloguer", "subsidi"} {
		if slices.Contains(got, not) {
			t.Errorf("José matches %v, want no %s", got, not)
		}
	}
}

// incomeTested are the demo benefits whose rule depends on income.
var incomeTested = []string{"rgc", "imv", "bo_social", "menjador", "targeta_rosa", "lloguer", "pnc", "infancia", "subsidi"}

func TestMatchHighIncome(t *testing.T) {
	d, e := demoEligibility(t)
	for _, b := range d.Benefits {
		if slices.Contains(incomeTested, b.ID) != strings.Contains(b.Rule, "income") {
			t.Errorf("benefit %s: income-tested is %v, rule %q", b.ID, slices.Contains(incomeTested, b.ID), b.Rule)
		}
	}
	rich := []Citizen{
		demoCitizen(t, d, "cit-0014"),
		{BirthDate: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), Municipality: "Girona", Profile: Profile{
			HouseholdSize: 1, LivesAlone: true, Employment: EmploymentEmployed, MonthlyIncome: 4000, Renting: true, MonthlyRent: 900}},
		{BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), Municipality: "Reus", Profile: Profile{
			HouseholdSize: 4, ChildrenAges: []int{5, 10}, Employment: EmploymentEmployed, MonthlyIncome: 6000}},
	}
	for i, c := range rich {
		for _, b := range e.Match(c, testNow) {
			if slices.Contains(incomeTested, b.ID) {
				t.Errorf("high-income citizen %d matches income-tested %s", i, b.ID)
			}
		}
	}
}

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

func TestMatchConcurrent(t *testing.T) {
	d, e := demoEligibility(t)
	want := make([][]string, len(d.Citizens))
	for i, c := range d.Citizens {
		want[i] = ids(e.Match(c, testNow))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Go(func() {
			for n := range 50 {
				i := (g + n) % len(d.Citizens)
				if got := ids(e.Match(d.Citizens[i], testNow)); !slices.Equal(got, want[i]) {
					select {
					case errs <- fmt.Sprintf("citizen %s: %v, want %v", d.Citizens[i].ID, got, want[i]):
					default:
					}
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for msg := range errs {
		t.Error(msg)
	}
}

func BenchmarkMatch(b *testing.B) {
	d, e := demoEligibility(b)
	maria := demoCitizen(b, d, "cit-0001")
	b.ReportAllocs()
	for b.Loop() {
		e.Match(maria, testNow)
	}
}

func BenchmarkMatchAllCitizens(b *testing.B) {
	d, e := demoEligibility(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range d.Citizens {
			e.Match(c, testNow)
		}
	}
}

func BenchmarkMatchParallel(b *testing.B) {
	d, e := demoEligibility(b)
	maria := demoCitizen(b, d, "cit-0001")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			e.Match(maria, testNow)
		}
	})
}

func BenchmarkNewEligibility(b *testing.B) {
	d := Demo(testNow)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewEligibility(d.Benefits); err != nil {
			b.Fatal(err)
		}
	}
}
