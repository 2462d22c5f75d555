package notices

import (
	"context"
	"testing"
	"time"

	"github.com/catalonia/mygov/records"
)

type fakeApps map[string]records.Application

func (f fakeApps) FindApplication(_ context.Context, ref string) (*records.Application, error) {
	a, ok := f[ref]
	if !ok {
		return nil, records.Errorf(records.ENOTFOUND, "no application")
	}
	return &a, nil
}

type fakeQueuer struct{ items []Item }

func (q *fakeQueuer) QueueNotice(_ context.Context, it Item) (bool, error) {
	q.items = append(q.items, it)
	return true, nil
}

func TestReminder(t *testing.T) {
	now := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	deadline := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	doc := []records.Localized{{"ca": "certificat", "es": "certificado"}}
	for _, tc := range []struct {
		name string
		app  *records.Application
		want bool
	}{
		{"StillMissing", &records.Application{Ref: "EXP-2026-000101", CitizenID: "cit-0001", MissingDocuments: doc, Deadline: deadline}, true},
		{"Delivered", &records.Application{Ref: "EXP-2026-000101", CitizenID: "cit-0001", Deadline: deadline}, false},
		{"DeadlineMoved", &records.Application{Ref: "EXP-2026-000101", CitizenID: "cit-0001", MissingDocuments: doc, Deadline: deadline.AddDate(0, 0, 7)}, false},
		{"ApplicationGone", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			apps := fakeApps{}
			if tc.app != nil {
				apps[tc.app.Ref] = *tc.app
			}
			q := &fakeQueuer{}
			w := &ReminderWorker{Applications: apps, Queuer: q, Now: func() time.Time { return now }}
			got, err := w.Remind(context.Background(), Reminder{Ref: "EXP-2026-000101", Deadline: deadline})
			if err != nil || got != tc.want || len(q.items) != map[bool]int{true: 1, false: 0}[tc.want] {
				t.Fatalf("Remind = %v, %v, %d items; want %v", got, err, len(q.items), tc.want)
			}
			if got && (q.items[0].Cause != DeadlineCause("EXP-2026-000101", deadline) || q.items[0].Document["ca"] != "certificat") {
				t.Errorf("item %+v", q.items[0])
			}
		})
	}
}

func TestReminderAt(t *testing.T) {
	now := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		deadline time.Time
		want     time.Time
		ok       bool
	}{
		{"Later", now.AddDate(0, 0, 10), now.AddDate(0, 0, 7), true},
		{"WithinThreeDays", now.AddDate(0, 0, 2), now, true},
		{"Past", now.Add(-time.Hour), time.Time{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got, ok := ReminderAt(tc.deadline, now); !got.Equal(tc.want) || ok != tc.ok {
				t.Errorf("ReminderAt = %v, %v; want %v, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
