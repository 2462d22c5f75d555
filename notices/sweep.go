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
	Benefits  int // how many benefits Matcher evaluates for a citizen, for SweepCommand's rate
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

// SweepJob is the nightly River job that runs the sweep; Night (a date) makes it one job a
// night however many processes schedule it.
type SweepJob struct {
	Night string `json:"night" river:"unique"`
}

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

// SweepScheduler enqueues the sweep of a night to run at a time (the store implements it).
type SweepScheduler interface {
	ScheduleSweep(ctx context.Context, night string, at time.Time) error
}

// SweepHour is the local hour the nightly sweep runs at: after the day's writes, before the
// quiet hours end, so its notices go out in the morning.
const SweepHour = 2

// ScheduleNightly keeps the next night's sweep enqueued until ctx ends: every hour it
// enqueues the sweep of the next SweepHour in loc, which the store keeps once.
func ScheduleNightly(ctx context.Context, s SweepScheduler, loc *time.Location, log *slog.Logger) {
	for {
		now := time.Now().In(loc)
		at := time.Date(now.Year(), now.Month(), now.Day(), SweepHour, 0, 0, 0, loc)
		if !at.After(now) {
			at = at.AddDate(0, 0, 1)
		}
		if err := s.ScheduleSweep(ctx, at.Format(time.DateOnly), at); err != nil && ctx.Err() == nil {
			log.WarnContext(ctx, "notices: schedule the sweep", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}
