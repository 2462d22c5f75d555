package demo

import (
	"slices"
	"testing"

	"github.com/catalonia/mygov/records"
)

// reasonOf returns the first reason of x about fact with op, or fails.
func reasonOf(t *testing.T, x records.Explanation, fact, op string) records.Reason {
	t.Helper()
	for _, r := range x.Reasons {
		if r.Fact == fact && r.Op == op {
			return r
		}
	}
	t.Fatalf("%s: no reason %s %s in %+v", x.Benefit.ID, fact, op, x.Reasons)
	return records.Reason{}
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
		{"rgc", "income", "<", true, 650, 1200, []string{"household_size"}, []string{records.ConfirmResidence2y}},
		{"rgc", "age", "<", true, 42, 65, nil, []string{records.ConfirmResidence2y}},
		{"imv", "income", "<", true, 650, 1056, []string{"household_size"}, []string{records.ConfirmResidence1y}},
		{"bo_social", "income_per_person", "<", true, 650.0 / 3, 650, nil, []string{records.ConfirmPVPC}},
		{"lloguer", "rent", "<=", true, 550, 950, nil, []string{records.ConfirmBankAccount}},
		{"lloguer", "rent", ">", true, 550, 195, []string{"income"}, []string{records.ConfirmBankAccount}},
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

// BenchmarkEligibility is the nightly sweep's cost: every benefit of the demo catalog
// for every demo citizen, with the compiled programs reused. It reports citizen×benefit
// evaluations a second; issue 11 needs ≥ 200,000 a core.
func BenchmarkEligibility(b *testing.B) {
	d, e := demoEligibility(b)
	rules := 0
	for _, bf := range d.Benefits {
		if bf.Rule != "" {
			rules++
		}
	}
	b.Run("Match", func(b *testing.B) {
		b.ReportAllocs()
		n := 0
		for b.Loop() {
			for _, c := range d.Citizens {
				e.Match(c, testNow)
				n += rules
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
