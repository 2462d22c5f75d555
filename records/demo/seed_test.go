package demo

import (
	"context"
	"errors"
	"testing"

	"github.com/catalonia/mygov/records"
)

// fakeSeeder is a store that is empty or not, and records what it is given.
type fakeSeeder struct {
	empty  bool
	err    error
	seeded *records.Dataset
}

func (f *fakeSeeder) Empty(context.Context) (bool, error) { return f.empty, f.err }

func (f *fakeSeeder) Seed(_ context.Context, d *records.Dataset) error {
	f.seeded = d
	return f.err
}

func TestSeedIfEmpty(t *testing.T) {
	st := &fakeSeeder{empty: true}
	if seeded, err := SeedIfEmpty(context.Background(), st, testNow); !seeded || err != nil || st.seeded == nil || len(st.seeded.Citizens) == 0 {
		t.Errorf("empty store: SeedIfEmpty = %v, %v; seeded %v", seeded, err, st.seeded != nil)
	}
	st = &fakeSeeder{empty: false}
	if seeded, err := SeedIfEmpty(context.Background(), st, testNow); seeded || err != nil || st.seeded != nil {
		t.Errorf("store with data: SeedIfEmpty = %v, %v; seeded %v", seeded, err, st.seeded != nil)
	}
	broken := errors.New("disk full")
	st = &fakeSeeder{empty: true, err: broken}
	if seeded, err := SeedIfEmpty(context.Background(), st, testNow); seeded || !errors.Is(err, broken) {
		t.Errorf("broken store: SeedIfEmpty = %v, %v", seeded, err)
	}
}
