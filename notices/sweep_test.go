package notices

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/synthetic"
)

// memSweepStore holds citizens and their last likely benefits in memory.
type memSweepStore struct {
	citizens []records.Citizen
	likely   map[string][]string
	items    []Item
	batches  int
}

func (s *memSweepStore) EachCitizen(ctx context.Context, fn func(records.Citizen, []string, bool) error) error {
	for _, c := range s.citizens {
		known, swept := s.likely[c.ID]
		if err := fn(c, known, swept); err != nil {
			return err
		}
	}
	return nil
}

func (s *memSweepStore) SaveLikely(_ context.Context, batch []Likely) error {
	s.batches++
	for _, l := range batch {
		s.likely[l.CitizenID] = slices.Clone(l.Benefits)
		s.items = append(s.items, l.Items...)
	}
	return nil
}

func sweepFixture(t testing.TB, n int) (*Sweep, *memSweepStore, []records.Benefit) {
	t.Helper()
	now := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	d := synthetic.Population(n, 1, now)
	elig, err := records.NewEligibility(d.Benefits)
	if err != nil {
		t.Fatal(err)
	}
	st := &memSweepStore{citizens: d.Citizens, likely: map[string][]string{}}
	return &Sweep{Store: st, Matcher: elig, Now: func() time.Time { return now }, BatchSize: 100}, st, d.Benefits
}

func TestSweepFirstIsABaselineThenNewsOnce(t *testing.T) {
	s, st, _ := sweepFixture(t, 1000)
	res, err := s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Citizens != 1000 || res.Notices != 0 || len(st.items) != 0 || len(st.likely) != 1000 {
		t.Fatalf("first sweep: %+v, %d items, %d recorded; want 1000 citizens, no notice, all recorded", res, len(st.items), len(st.likely))
	}
	// One citizen's income falls to nothing: the next sweep finds new benefits for them only.
	poor := &st.citizens[7]
	before := slices.Clone(st.likely[poor.ID])
	poor.Profile.MonthlyIncome, poor.Profile.Employment = 0, records.EmploymentUnemployed
	res, err = s.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed != 1 || res.Notices == 0 || len(st.items) != res.Notices {
		t.Fatalf("second sweep: %+v; want one citizen changed with new benefits", res)
	}
	for _, it := range st.items {
		if it.CitizenID != poor.ID || it.Kind != dialog.NoticeNewBenefit || slices.Contains(before, it.Cause[len("benefit:"):]) || it.Reason["ca"] == "" {
			t.Errorf("item %+v; want a new benefit of %s with its reason", it, poor.ID)
		}
	}
	// A third sweep with nothing changed queues nothing.
	if res, err = s.Run(context.Background()); err != nil || res.Changed != 0 || res.Notices != 0 {
		t.Errorf("third sweep: %+v %v; want nothing", res, err)
	}
}

// BenchmarkMatch measures rule evaluation with compiled programs reused: citizen × benefit
// evaluations a second on one core.
//
//	go test -run '^$' -bench BenchmarkMatch -cpu 1 ./notices
func BenchmarkMatch(b *testing.B) {
	s, st, bs := sweepFixture(b, 10_000)
	now := s.Now()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		s.Matcher.Match(st.citizens[n%len(st.citizens)], now)
		n++
	}
	b.ReportMetric(float64(n*len(bs))/b.Elapsed().Seconds(), "evals/s")
}

// BenchmarkSweepMemory measures the sweep without a database: evaluation and diffing only.
//
//	go test -run '^$' -bench BenchmarkSweepMemory -benchtime 3x ./notices
func BenchmarkSweepMemory(b *testing.B) {
	s, st, bs := sweepFixture(b, 100_000)
	s.Run(context.Background()) // the baseline
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Run(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(st.citizens)*len(bs)*b.N)/b.Elapsed().Seconds(), "evals/s")
}
