package demo

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/records"
)

// testNow is the clock of the tests: a fixed day, so that ages and dates are stable.
var testNow = time.Date(2026, time.November, 27, 10, 30, 0, 0, time.UTC)

// ids returns the IDs of bs, in order.
func ids(bs []records.Benefit) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = b.ID
	}
	return out
}

func demoEligibility(t testing.TB) (*records.Dataset, *records.Eligibility) {
	t.Helper()
	d := Dataset(testNow)
	e, err := records.NewEligibility(d.Benefits)
	if err != nil {
		t.Fatalf("NewEligibility(demo) = %v", err)
	}
	return d, e
}

func demoCitizen(t testing.TB, d *records.Dataset, id string) records.Citizen {
	t.Helper()
	for _, c := range d.Citizens {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("demo has no citizen %s", id)
	return records.Citizen{}
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

var incomeTested = []string{"rgc", "imv", "bo_social", "menjador", "targeta_rosa", "lloguer", "pnc", "infancia", "subsidi"}

func TestMatchHighIncome(t *testing.T) {
	d, e := demoEligibility(t)
	for _, b := range d.Benefits {
		if slices.Contains(incomeTested, b.ID) != strings.Contains(b.Rule, "income") {
			t.Errorf("benefit %s: income-tested is %v, rule %q", b.ID, slices.Contains(incomeTested, b.ID), b.Rule)
		}
	}
	rich := []records.Citizen{
		demoCitizen(t, d, "cit-0014"),
		{BirthDate: time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), Municipality: "Girona", Profile: records.Profile{
			HouseholdSize: 1, LivesAlone: true, Employment: records.EmploymentEmployed, MonthlyIncome: 4000, Renting: true, MonthlyRent: 900}},
		{BirthDate: time.Date(1990, 1, 1, 0, 0, 0, 0, time.UTC), Municipality: "Reus", Profile: records.Profile{
			HouseholdSize: 4, ChildrenAges: []int{5, 10}, Employment: records.EmploymentEmployed, MonthlyIncome: 6000}},
	}
	for i, c := range rich {
		for _, b := range e.Match(c, testNow) {
			if slices.Contains(incomeTested, b.ID) {
				t.Errorf("high-income citizen %d matches income-tested %s", i, b.ID)
			}
		}
	}
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
	d := Dataset(testNow)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := records.NewEligibility(d.Benefits); err != nil {
			b.Fatal(err)
		}
	}
}
