package notices

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/riverqueue/river"

	"github.com/catalonia/mygov/records"
)

// Matcher finds the benefits a citizen's profile makes likely (records.Eligibility): its
// compiled programs are reused for every citizen.
type Matcher interface {
	Match(c records.Citizen, now time.Time) []records.Benefit
}

// Likely is one citizen's result of a sweep: the benefits now likely, and the items to
// queue for those that are new.
type Likely struct {
	CitizenID string
	Benefits  []string // ids, in catalog order
	Items     []Item
}

// SweepStore is what the sweep needs of the store.
type SweepStore interface {
	// EachCitizen calls fn for every citizen, streaming them (memory stays flat), with the
	// ids of the benefits the last sweep found likely; swept is false for a citizen never
	// swept. fn's error stops the walk and is returned.
	EachCitizen(ctx context.Context, fn func(c records.Citizen, known []string, swept bool) error) error
	// SaveLikely stores, in one transaction, each citizen's likely benefits and queues
	// their items (as Queuer does).
	SaveLikely(ctx context.Context, batch []Likely) error
}

// Sweep re-evaluates every citizen's eligibility and queues a notice for each benefit that
// became likely since the last sweep. A citizen's first sweep only records what is likely:
// it is the baseline, not news.
type Sweep struct {
	Store     SweepStore
	Matcher   Matcher
	Now       func() time.Time
	Logger    *slog.Logger
	BatchSize int // results written per transaction; 0: 500
}

// SweepResult counts what a sweep did.
type SweepResult struct {
	Citizens int // evaluated
	Changed  int // citizens whose likely benefits changed
	Notices  int // new-benefit items queued
}

// Run sweeps every citizen once.
func (s *Sweep) Run(ctx context.Context) (SweepResult, error) {
	now := time.Now()
	if s.Now != nil {
		now = s.Now()
	}
	size := s.BatchSize
	if size <= 0 {
		size = 500
	}
	var (
		res   SweepResult
		batch []Likely
	)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := s.Store.SaveLikely(ctx, batch); err != nil {
			return err
		}
		batch = batch[:0]
		return nil
	}
	err := s.Store.EachCitizen(ctx, func(c records.Citizen, known []string, swept bool) error {
		res.Citizens++
		likely := s.Matcher.Match(c, now)
		ids := make([]string, len(likely))
		for i, b := range likely {
			ids[i] = b.ID
		}
		if swept && slices.Equal(ids, known) {
			return nil
		}
		l := Likely{CitizenID: c.ID, Benefits: ids}
		if swept {
			for _, b := range likely {
				if !slices.Contains(known, b.ID) {
					l.Items = append(l.Items, NewBenefitItem(c.ID, b, now))
				}
			}
		}
		res.Changed++
		res.Notices += len(l.Items)
		batch = append(batch, l)
		if len(batch) >= size {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		return res, fmt.Errorf("notices: sweep: %w", err)
	}
	return res, nil
}

// SweepJob is the nightly River job that runs the sweep.
type SweepJob struct{}

// Kind names the job for River.
func (SweepJob) Kind() string { return "eligibility_sweep" }

// SweepWorker is the River worker of SweepJob.
type SweepWorker struct {
	river.WorkerDefaults[SweepJob]
	Sweep *Sweep
}

// Work runs the sweep and logs its counts.
func (w *SweepWorker) Work(ctx context.Context, _ *river.Job[SweepJob]) error {
	start := time.Now()
	res, err := w.Sweep.Run(ctx)
	if err != nil {
		return err
	}
	log := w.Sweep.Logger
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "notices: sweep done", "citizens", res.Citizens, "changed", res.Changed, "notices", res.Notices, "took", time.Since(start))
	return nil
}

// Timeout lets a sweep of a large population finish.
func (w *SweepWorker) Timeout(*river.Job[SweepJob]) time.Duration { return time.Hour }

// Nightly is the sweep's schedule: every day at 02:00 in loc.
func Nightly(loc *time.Location) river.PeriodicSchedule { return nightly{loc} }

type nightly struct{ loc *time.Location }

func (n nightly) Next(t time.Time) time.Time {
	lt := t.In(n.loc)
	next := time.Date(lt.Year(), lt.Month(), lt.Day(), 2, 0, 0, 0, n.loc)
	if !next.After(t) {
		next = time.Date(lt.Year(), lt.Month(), lt.Day()+1, 2, 0, 0, 0, n.loc)
	}
	return next
}
