package notices

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

var madrid = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		panic(err)
	}
	return loc
}()

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, madrid)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseQuietHours(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    QuietHours
		wantErr bool
	}{
		{"", DefaultQuietHours, false},
		{"off", QuietHours{}, false},
		{" OFF ", QuietHours{}, false},
		{"22:30-07:00", QuietHours{On: true, Start: 22*time.Hour + 30*time.Minute, End: 7 * time.Hour}, false},
		{"01:00–06:00", QuietHours{On: true, Start: time.Hour, End: 6 * time.Hour}, false},
		{"21:00", QuietHours{}, true},
		{"25:00-09:00", QuietHours{}, true},
		{"09:00-09:00", QuietHours{}, true},
		{"a-b", QuietHours{}, true},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseQuietHours(tc.in)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("ParseQuietHours(%q) = %+v, %v; want %+v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestQuietHoursRelease(t *testing.T) {
	for _, tc := range []struct {
		name string
		q    QuietHours
		now  string
		want string
	}{
		{"Day", DefaultQuietHours, "2026-11-20 10:00", "2026-11-20 10:00"},
		{"Evening", DefaultQuietHours, "2026-11-20 22:15", "2026-11-21 09:00"},
		{"AtStart", DefaultQuietHours, "2026-11-20 21:00", "2026-11-21 09:00"},
		{"Night", DefaultQuietHours, "2026-11-21 03:00", "2026-11-21 09:00"},
		{"AtEnd", DefaultQuietHours, "2026-11-21 09:00", "2026-11-21 09:00"},
		{"Off", QuietHours{}, "2026-11-21 03:00", "2026-11-21 03:00"},
		{"SameDaySpan", QuietHours{On: true, Start: time.Hour, End: 6 * time.Hour}, "2026-11-21 03:00", "2026-11-21 06:00"},
		{"DaylightSavingEnds", DefaultQuietHours, "2026-10-24 23:00", "2026-10-25 09:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.q.Release(at(tc.now), madrid); !got.Equal(at(tc.want)) {
				t.Errorf("Release(%s) = %s, want %s", tc.now, got.In(madrid), tc.want)
			}
		})
	}
}

// fakeStore keeps items and conversations in memory.
type fakeStore struct {
	items    []Item
	outcome  map[int64]string
	claimed  map[int64]time.Time
	lastSent time.Time
	convs    []dialog.Conversation
}

func (s *fakeStore) ClaimNotices(_ context.Context, citizenID string, now time.Time) ([]Item, error) {
	var out []Item
	for _, it := range s.items {
		if it.CitizenID == citizenID && s.outcome[it.ID] == "" && now.Sub(s.claimed[it.ID]) >= ClaimLease {
			s.claimed[it.ID] = now
			out = append(out, it)
		}
	}
	return out, nil
}

func (s *fakeStore) LastNoticeAt(context.Context, string) (time.Time, error) { return s.lastSent, nil }

func (s *fakeStore) MarkNotices(_ context.Context, ids []int64, outcome string, t time.Time) error {
	for _, id := range ids {
		s.outcome[id] = outcome
	}
	if outcome == OutcomeSent {
		s.lastSent = t
	}
	return nil
}

func (s *fakeStore) CitizenConversations(context.Context, string) ([]dialog.Conversation, error) {
	return s.convs, nil
}

// fakeNotifier records notices and skips the addresses in skip.
type fakeNotifier struct {
	sent []dialog.Notice
	skip map[string]string
}

func (n *fakeNotifier) Notify(_ context.Context, _, address string, no dialog.Notice) (*dialog.Outbound, string, error) {
	if why := n.skip[address]; why != "" {
		return nil, why, nil
	}
	n.sent = append(n.sent, no)
	return &dialog.Outbound{Address: address, Reply: dialog.Reply{Lines: no.Lines}}, "", nil
}

func newWorker(now *time.Time, convs ...dialog.Conversation) (*Worker, *fakeStore, *fakeNotifier) {
	st := &fakeStore{outcome: map[int64]string{}, claimed: map[int64]time.Time{}, convs: convs}
	n := &fakeNotifier{skip: map[string]string{}}
	return &Worker{Store: st, Notifier: n, Quiet: DefaultQuietHours, Location: madrid, Now: func() time.Time { return *now }}, st, n
}

func approved(id int64, ref string, t time.Time) Item {
	return Item{ID: id, CitizenID: "cit-0001", Kind: dialog.NoticeStatusChange, Cause: StatusCause(ref, records.StatusApproved, t),
		Ref: ref, Procedure: records.Localized{"ca": "Renda Garantida", "es": "Renta Garantizada"}, Status: records.StatusApproved,
		Note: records.Localized{"ca": "Cobraràs el dia 10.", "es": "Cobrarás el día 10."}, CreatedAt: t}
}

var maria = dialog.Conversation{Channel: "sms", Address: "+34600000001", CitizenID: "cit-0001", Lang: "ca", Notices: true}

func TestWorkerHoldsANightNoticeUntilMorning(t *testing.T) {
	now := at("2026-11-20 23:30")
	w, st, n := newWorker(&now, maria)
	st.items = []Item{approved(1, "EXP-2026-000101", now)}
	wait, err := w.Deliver(context.Background(), "cit-0001")
	if err != nil {
		t.Fatal(err)
	}
	if want := at("2026-11-21 09:00"); !wait.Equal(want) || len(n.sent) != 0 {
		t.Fatalf("at night: wait until %s, %d sent; want %s, none", wait, len(n.sent), want)
	}
	now = wait
	if wait, err = w.Deliver(context.Background(), "cit-0001"); err != nil || !wait.IsZero() {
		t.Fatalf("in the morning: wait %s, %v; want none", wait, err)
	}
	if len(n.sent) != 1 || n.sent[0].Ref != "EXP-2026-000101" {
		t.Fatalf("sent %+v; want one notice about EXP-2026-000101", n.sent)
	}
	keys := lineKeys(n.sent[0])
	if want := []string{KeyStatus, KeyNote, KeyFooter}; !slices.Equal(keys, want) {
		t.Errorf("lines %v, want %v", keys, want)
	}
	if got := n.sent[0].Lines[0].Args["Procedure"]; got != "Renda Garantida" {
		t.Errorf("procedure %q, want the Catalan name", got)
	}
}

func TestWorkerSendsOneNoticeADayAndMergesTheRest(t *testing.T) {
	now := at("2026-11-20 10:00")
	w, st, n := newWorker(&now, maria)
	st.items = []Item{approved(1, "EXP-2026-000101", now)}
	if _, err := w.Deliver(context.Background(), "cit-0001"); err != nil {
		t.Fatal(err)
	}
	now = at("2026-11-20 15:00")
	st.items = append(st.items,
		Item{ID: 2, CitizenID: "cit-0001", Kind: dialog.NoticeDeadline, Cause: "deadline:EXP-2026-000102:2026-11-23", Ref: "EXP-2026-000102", Deadline: at("2026-11-23 00:00"), CreatedAt: now},
		Item{ID: 3, CitizenID: "cit-0001", Kind: dialog.NoticeNewBenefit, Cause: BenefitCause("bono-social"), Benefit: records.Localized{"ca": "Bo social"}, CreatedAt: now})
	wait, err := w.Deliver(context.Background(), "cit-0001")
	if err != nil {
		t.Fatal(err)
	}
	if want := at("2026-11-21 09:00"); !wait.Equal(want) || len(n.sent) != 1 {
		t.Fatalf("second change the same day: wait until %s, %d sent; want %s, 1", wait, len(n.sent), want)
	}
	now = wait
	if _, err := w.Deliver(context.Background(), "cit-0001"); err != nil {
		t.Fatal(err)
	}
	if len(n.sent) != 2 {
		t.Fatalf("sent %d notices, want 2", len(n.sent))
	}
	if keys, want := lineKeys(n.sent[1]), []string{KeyDeadline, KeyNewBenefit, KeyFooter}; !slices.Equal(keys, want) {
		t.Errorf("merged notice lines %v, want %v", keys, want)
	}
	// The second job of the merged items finds nothing left.
	if _, err := w.Deliver(context.Background(), "cit-0001"); err != nil || len(n.sent) != 2 {
		t.Errorf("a later job: %v, %d sent; want nothing more", err, len(n.sent))
	}
}

func TestWorkerWithoutConsentDropsTheItems(t *testing.T) {
	now := at("2026-11-20 10:00")
	noConsent := maria
	noConsent.Notices = false
	w, st, n := newWorker(&now, noConsent)
	st.items = []Item{approved(1, "EXP-2026-000101", now)}
	if _, err := w.Deliver(context.Background(), "cit-0001"); err != nil {
		t.Fatal(err)
	}
	if len(n.sent) != 0 || st.outcome[1] != dialog.NoticeSkippedNoConsent {
		t.Errorf("%d sent, outcome %q; want none, %q", len(n.sent), st.outcome[1], dialog.NoticeSkippedNoConsent)
	}
}

func TestWorkerTriesTheNextConversation(t *testing.T) {
	now := at("2026-11-20 10:00")
	telegram := dialog.Conversation{Channel: "telegram", Address: "42", CitizenID: "cit-0001", Lang: "es", Notices: true}
	w, st, n := newWorker(&now, maria, telegram)
	n.skip[maria.Address] = dialog.NoticeSkippedEscalated
	st.items = []Item{approved(1, "EXP-2026-000101", now)}
	if _, err := w.Deliver(context.Background(), "cit-0001"); err != nil {
		t.Fatal(err)
	}
	if len(n.sent) != 1 || n.sent[0].Lines[0].Args["Procedure"] != "Renta Garantizada" || st.outcome[1] != OutcomeSent {
		t.Errorf("sent %+v, outcome %q; want one notice in Spanish on Telegram", n.sent, st.outcome[1])
	}
}

func TestComposeKeepsTheNewestStatusOfAnApplication(t *testing.T) {
	t0 := at("2026-11-20 10:00")
	first := approved(1, "EXP-2026-000101", t0)
	first.Status = records.StatusInReview
	n := Compose("cit-0001", []Item{first, approved(2, "EXP-2026-000101", t0.Add(time.Hour))}, "ca", madrid)
	if len(n.Lines) == 0 || n.Lines[0].Keys["Status"] != dialog.PrefixStatus+"approved" {
		t.Errorf("lines %+v; want the approved status first", n.Lines)
	}
	if keys := lineKeys(n); !slices.Equal(keys, []string{KeyStatus, KeyNote, KeyFooter}) {
		t.Errorf("lines %v; want one status with its note", keys)
	}
}

func TestComposeCountsWhatDoesNotFit(t *testing.T) {
	t0 := at("2026-11-20 10:00")
	var items []Item
	for i, ref := range []string{"EXP-2026-000001", "EXP-2026-000002", "EXP-2026-000003", "EXP-2026-000004"} {
		items = append(items, approved(int64(i), ref, t0))
	}
	n := Compose("cit-0001", items, "es", madrid)
	if keys := lineKeys(n); !slices.Equal(keys, []string{KeyStatus, KeyStatus, KeyMore, KeyFooter}) || n.Lines[2].Args["Count"] != "2" {
		t.Errorf("lines %+v; want two statuses and 2 more", n.Lines)
	}
}

func lineKeys(n dialog.Notice) []string {
	var keys []string
	for _, l := range n.Lines {
		keys = append(keys, l.Key)
	}
	return keys
}
