package storetest

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/ingest"
	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/records"
)

// IngestStore is what the administrations' API and the notices need of a store.
type IngestStore interface {
	ingest.Store
	ingest.Keys
	notices.Store
	notices.Queuer
	notices.SweepStore
	FindApplication(ctx context.Context, ref string) (*records.Application, error)
}

// ingestCases are the suite's cases of the API's and the notices' tables.
var ingestCases = []struct {
	name string
	test func(t *testing.T, open func(t *testing.T) Store)
}{
	{"APIKeys", testAPIKeys},
	{"IdempotentWrites", testIdempotentWrites},
	{"IngestWritesRecords", testIngestWritesRecords},
	{"NoticeItemsUniqueAndClaimed", testNoticeItems},
	{"SweepState", testSweepState},
}

func seeded(t *testing.T, open func(t *testing.T) Store) Store {
	t.Helper()
	s := open(t)
	if err := s.Seed(t.Context(), dataset(time.Now())); err != nil {
		t.Fatal(err)
	}
	return s
}

func testAPIKeys(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := seeded(t, open), t.Context()
	token, hash := ingest.NewToken()
	id, err := s.CreateAPIKey(ctx, "generalitat", hash, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if admin, err := s.AdministrationByKey(ctx, ingest.HashToken(token)); err != nil || admin != "generalitat" {
		t.Fatalf("AdministrationByKey = %q, %v; want generalitat", admin, err)
	}
	_, err = s.CreateAPIKey(ctx, "nobody", []byte("x"), time.Now())
	wantCode(t, "a key of an unknown administration", err, records.ENOTFOUND)
	if err := s.RevokeAPIKey(ctx, id, time.Now()); err != nil {
		t.Fatal(err)
	}
	_, err = s.AdministrationByKey(ctx, hash)
	wantCode(t, "a revoked key", err, records.ENOTFOUND)
	wantCode(t, "revoking twice", s.RevokeAPIKey(ctx, id, time.Now()), records.ENOTFOUND)
	if n := count(t, s, `SELECT count(*) FROM api_keys`); n != 1 {
		t.Errorf("%d keys stored, want 1 (the hash only)", n)
	}
}

func testIdempotentWrites(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := seeded(t, open), t.Context()
	calls := 0
	write := func(hash string, fail bool) (ingest.Response, error) {
		return s.Write(ctx, "generalitat", "key-1", []byte(hash), func(ctx context.Context, tx ingest.Tx) (ingest.Response, error) {
			calls++
			a, err := tx.FindApplication(ctx, "EXP-2026-000101")
			if err != nil {
				return ingest.Response{}, err
			}
			a.Status = records.StatusApproved
			a.History = append(a.History, records.StatusChange{Status: records.StatusApproved, At: time.Now()})
			if err := tx.SaveApplication(ctx, a); err != nil {
				return ingest.Response{}, err
			}
			if _, err := tx.QueueNotice(ctx, notices.Item{CitizenID: a.CitizenID, Kind: dialog.NoticeStatusChange, Cause: "status:test"}); err != nil {
				return ingest.Response{}, err
			}
			if fail {
				return ingest.Response{}, errors.New("the request failed after its writes")
			}
			return ingest.Response{Status: http.StatusOK, Body: []byte(`{"ok":true}`)}, nil
		})
	}
	if _, err := write("h1", true); err == nil {
		t.Fatal("a failing write succeeded")
	}
	if n := count(t, s, `SELECT count(*) FROM notice_items`) + count(t, s, `SELECT count(*) FROM idempotency_keys`); n != 0 {
		t.Fatalf("a failed write left %d rows", n)
	}
	res, err := write("h1", false)
	if err != nil || res.Status != http.StatusOK {
		t.Fatalf("Write = %+v, %v", res, err)
	}
	again, err := write("h1", false)
	if err != nil || again.Status != res.Status || string(again.Body) != string(res.Body) || calls != 2 {
		t.Errorf("replay = %+v, %v after %d calls; want the stored answer without a third call", again, err, calls)
	}
	_, err = write("h2", false)
	wantCode(t, "the key with another request", err, records.ECONFLICT)
	a, err := s.FindApplication(ctx, "EXP-2026-000101")
	if err != nil || a.Status != records.StatusApproved {
		t.Fatalf("application after the write: %+v, %v", a, err)
	}
	if n := count(t, s, `SELECT count(*) FROM notice_items`); n != 1 {
		t.Errorf("%d notice items, want 1", n)
	}
	if args, err := s.JobArgs(ctx, notices.Job{}.Kind()); err != nil || len(args) != 1 {
		t.Errorf("notice jobs %v, %v; want one", args, err)
	}
}

func testIngestWritesRecords(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := seeded(t, open), t.Context()
	holdings, err := s.FindHoldingsByCitizen(ctx, "cit-0001")
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Write(ctx, "generalitat", "k", []byte("h"), func(ctx context.Context, tx ingest.Tx) (ingest.Response, error) {
		c, err := tx.FindCitizenByID(ctx, "cit-0001")
		if err != nil {
			return ingest.Response{}, err
		}
		c.Profile.MonthlyIncome = 123
		if err := tx.SaveCitizen(ctx, c); err != nil {
			return ingest.Response{}, err
		}
		h := records.DataHolding{CitizenID: "cit-0001", AdministrationID: "generalitat", Category: records.CategoryHealth,
			Register: records.Localized{"ca": "r", "es": "r"}, LegalBasis: records.Localized{"ca": "l", "es": "l"}}
		for range 2 { // the same holding twice is one
			if err := tx.SaveHolding(ctx, h); err != nil {
				return ingest.Response{}, err
			}
		}
		e := &records.AccessEvent{CitizenID: "cit-0001", At: time.Now(), AdministrationID: "generalitat", Category: records.CategoryIncome, Channel: records.AccessChannelInternal}
		if err := tx.RecordAccess(ctx, e); err != nil {
			return ingest.Response{}, err
		}
		at := time.Now().Add(time.Hour)
		for range 2 { // one reminder job per (ref, deadline)
			if err := tx.ScheduleReminder(ctx, notices.Reminder{Ref: "EXP-2026-000101", Deadline: at.Truncate(24 * time.Hour)}, at); err != nil {
				return ingest.Response{}, err
			}
		}
		return ingest.Response{Status: 200, Body: []byte("{}")}, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.FindCitizenByID(ctx, "cit-0001")
	if err != nil || c.Profile.MonthlyIncome != 123 || c.NationalID == "" {
		t.Errorf("citizen after SaveCitizen: %+v, %v", c, err)
	}
	after, err := s.FindHoldingsByCitizen(ctx, "cit-0001")
	if err != nil || len(after) != len(holdings)+1 {
		t.Errorf("%d holdings after SaveCitizen and one new holding, want %d (%v)", len(after), len(holdings)+1, err)
	}
	if args, err := s.JobArgs(ctx, notices.Reminder{}.Kind()); err != nil || len(args) != 1 {
		t.Errorf("reminder jobs %v, %v; want one", args, err)
	}
	_, err = s.FindApplication(ctx, "EXP-2026-999999")
	wantCode(t, "an unknown application", err, records.ENOTFOUND)
}

func testNoticeItems(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := seeded(t, open), t.Context()
	it := notices.Item{CitizenID: "cit-0001", Kind: dialog.NoticeDeadline, Cause: "deadline:EXP-2026-000101:2026-12-07", Ref: "EXP-2026-000101",
		Document: records.Localized{"ca": "certificat", "es": "certificado"}}
	for i, want := range []bool{true, false} {
		if ok, err := s.QueueNotice(ctx, it); err != nil || ok != want {
			t.Fatalf("QueueNotice #%d = %v, %v; want %v", i+1, ok, err, want)
		}
	}
	now := time.Now()
	items, err := s.ClaimNotices(ctx, "cit-0001", now)
	if err != nil || len(items) != 1 || items[0].Ref != it.Ref || items[0].Document["ca"] != "certificat" || items[0].ID == 0 {
		t.Fatalf("ClaimNotices = %+v, %v; want the item", items, err)
	}
	if again, err := s.ClaimNotices(ctx, "cit-0001", now.Add(time.Minute)); err != nil || len(again) != 0 {
		t.Errorf("a second claim within the lease = %+v, %v; want none", again, err)
	}
	if late, err := s.ClaimNotices(ctx, "cit-0001", now.Add(notices.ClaimLease+time.Second)); err != nil || len(late) != 1 {
		t.Errorf("a claim after the lease = %+v, %v; want the item again", late, err)
	}
	if last, err := s.LastNoticeAt(ctx, "cit-0001"); err != nil || !last.IsZero() {
		t.Errorf("LastNoticeAt before any = %v, %v", last, err)
	}
	sent := now.Truncate(time.Second)
	if err := s.MarkNotices(ctx, []int64{items[0].ID}, notices.OutcomeSent, sent); err != nil {
		t.Fatal(err)
	}
	if last, err := s.LastNoticeAt(ctx, "cit-0001"); err != nil || !last.Equal(sent) {
		t.Errorf("LastNoticeAt = %v, %v; want %v", last, err, sent)
	}
	if left, err := s.ClaimNotices(ctx, "cit-0001", now.Add(time.Hour)); err != nil || len(left) != 0 {
		t.Errorf("claim after sending = %+v, %v; want none", left, err)
	}
	turn(t, s, chSMS, "+34600000001", func(ctx context.Context, tx dialog.Tx) error {
		c := tx.Conversation()
		c.CitizenID, c.Notices = "cit-0001", true
		return tx.SaveConversation(ctx, c)
	})
	convs, err := s.CitizenConversations(ctx, "cit-0001")
	if err != nil || len(convs) != 1 || !convs[0].Notices || convs[0].Address != "+34600000001" {
		t.Errorf("CitizenConversations = %+v, %v; want the SMS conversation with consent", convs, err)
	}
}

func testSweepState(t *testing.T, open func(t *testing.T) Store) {
	s, ctx := seeded(t, open), t.Context()
	var ids []string
	err := s.EachCitizen(ctx, func(c records.Citizen, known []string, swept bool) error {
		if swept || known != nil {
			t.Errorf("citizen %s swept before any sweep", c.ID)
		}
		ids = append(ids, c.ID)
		return nil
	})
	if err != nil || len(ids) != len(dataset(time.Now()).Citizens) || !slices.IsSorted(ids) {
		t.Fatalf("EachCitizen gave %d citizens (%v); want all, in id order", len(ids), err)
	}
	item := notices.Item{CitizenID: "cit-0002", Kind: dialog.NoticeNewBenefit, Cause: notices.BenefitCause("pnc")}
	if err := s.SaveLikely(ctx, []notices.Likely{{CitizenID: "cit-0002", Benefits: []string{"pnc", "bono"}, Items: []notices.Item{item}}}); err != nil {
		t.Fatal(err)
	}
	err = s.EachCitizen(ctx, func(c records.Citizen, known []string, swept bool) error {
		if c.ID == "cit-0002" && (!swept || !slices.Equal(known, []string{"pnc", "bono"})) {
			t.Errorf("José after SaveLikely: %v, %v", known, swept)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, `SELECT count(*) FROM notice_items WHERE citizen_id = 'cit-0002'`); n != 1 {
		t.Errorf("%d items of José, want 1", n)
	}
}
