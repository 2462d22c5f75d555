package storetest

import (
	"bytes"
	"encoding/json"
	"sort"
	"testing"
	"time"

	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
)

// MariaPhone is the phone number of Maria, the citizen of demo.Dataset the suite reads.
const MariaPhone = "+34600000001"

// dataset is the records the suite seeds.
func dataset(now time.Time) *records.Dataset { return demo.Dataset(now) }

// equal compares got and want through their JSON, so that the failure shows both.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !bytes.Equal(g, w) {
		t.Errorf("%s:\n got  %s\n want %s", what, clip(g), clip(w))
	}
}

// clip shortens long JSON for a failure message.
func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "…"
	}
	return string(b)
}

// equalJSON compares stored JSON text with want.
func equalJSON(t *testing.T, what, stored string, want any) {
	t.Helper()
	var got any
	if err := json.Unmarshal([]byte(stored), &got); err != nil {
		t.Fatalf("%s: %v: %.200q", what, err, stored)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	var wantAny any
	if err := json.Unmarshal(w, &wantAny); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	equal(t, what, got, wantAny)
}

// tm is t as a store returns it: UTC, to the microsecond.
func tm(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

func normCitizen(c records.Citizen) records.Citizen {
	c.BirthDate = tm(c.BirthDate)
	return c
}

func normApplication(a records.Application) records.Application {
	a.UpdatedAt, a.Deadline = tm(a.UpdatedAt), tm(a.Deadline)
	if len(a.History) == 0 {
		a.History = nil
	} else {
		h := make([]records.StatusChange, len(a.History))
		for i, c := range a.History {
			c.At = tm(c.At)
			h[i] = c
		}
		a.History = h
	}
	return a
}

func normEvent(e records.AccessEvent) records.AccessEvent {
	e.At = tm(e.At)
	return e
}

// sortApplications orders applications as FindApplicationsByCitizen does.
func sortApplications(as []records.Application) {
	sort.SliceStable(as, func(i, j int) bool {
		if !as[i].UpdatedAt.Equal(as[j].UpdatedAt) {
			return as[i].UpdatedAt.After(as[j].UpdatedAt)
		}
		return as[i].Ref < as[j].Ref
	})
}

// sortEvents orders access events as the stores do: newest first, then by id, highest
// first; events seeded without an id get theirs in seeding order.
func sortEvents(es []records.AccessEvent) {
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	sort.SliceStable(es, func(i, j int) bool {
		if !es[i].At.Equal(es[j].At) {
			return es[i].At.After(es[j].At)
		}
		return es[i].ID > es[j].ID
	})
}
