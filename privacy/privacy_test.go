package privacy

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// fakeStore holds one citizen, cit-1, with one of each record; fail makes the read it names fail.
type fakeStore struct {
	fail    string
	erased  string
	purged  time.Time
	deleted int64
}

var errBroken = errors.New("connection reset")

func (f *fakeStore) err(op string) error {
	if f.fail == op {
		return errBroken
	}
	return nil
}

func (f *fakeStore) FindCitizenByID(_ context.Context, id string) (*records.Citizen, error) {
	if id != "cit-1" {
		return nil, records.Errorf(records.ENOTFOUND, "no citizen %s", id)
	}
	return &records.Citizen{ID: id}, f.err("citizen")
}

func (f *fakeStore) FindApplicationsByCitizen(context.Context, string) ([]records.Application, error) {
	return []records.Application{{Ref: "EXP-1"}}, f.err("applications")
}

func (f *fakeStore) FindHoldingsByCitizen(context.Context, string) ([]records.DataHolding, error) {
	return []records.DataHolding{{AdministrationID: "aj"}}, f.err("holdings")
}

func (f *fakeStore) FindAccessEventsByCitizen(_ context.Context, _ string, limit int) ([]records.AccessEvent, error) {
	if limit < 100_000 {
		return nil, errors.New("the export must read the whole access log")
	}
	return []records.AccessEvent{{ID: 1}}, f.err("events")
}

func (f *fakeStore) Transcripts(context.Context, string) ([]dialog.Transcript, error) {
	return []dialog.Transcript{{}}, f.err("transcripts")
}

func (f *fakeStore) EraseTranscripts(_ context.Context, id string) (int64, error) {
	f.erased = id
	return 3, f.err("erase")
}

func (f *fakeStore) PurgeTranscripts(_ context.Context, before time.Time) (int64, error) {
	f.purged = before
	return f.deleted, f.err("purge")
}

var now = time.Date(2026, 11, 20, 10, 0, 0, 0, time.FixedZone("CET", 3600))

func TestAssembleReadsEverything(t *testing.T) {
	x, err := Assemble(context.Background(), &fakeStore{}, "cit-1", now)
	if err != nil {
		t.Fatal(err)
	}
	if x.Citizen.ID != "cit-1" || len(x.Applications) != 1 || len(x.Holdings) != 1 || len(x.AccessEvents) != 1 || len(x.Transcripts) != 1 {
		t.Errorf("export = %+v", x)
	}
	if !x.ExportedAt.Equal(now) || x.ExportedAt.Location() != time.UTC {
		t.Errorf("ExportedAt = %v, want %v in UTC", x.ExportedAt, now)
	}
	var b bytes.Buffer
	if err := x.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatalf("export is not JSON: %v\n%s", err, b.String())
	}
	for _, k := range []string{"exported_at", "citizen", "applications", "data_holdings", "access_events", "conversations"} {
		if _, ok := got[k]; !ok {
			t.Errorf("export has no %q", k)
		}
	}
}

func TestAssembleUnknownCitizen(t *testing.T) {
	for _, id := range []string{"cit-2", "", "cit-1\x00", "'; DROP TABLE citizens; --"} {
		_, err := Assemble(context.Background(), &fakeStore{}, id, now)
		if records.ErrorCode(err) != records.ENOTFOUND {
			t.Errorf("Assemble(%q) = %v, want code %s", id, err, records.ENOTFOUND)
		}
	}
}

func TestAssembleFailedRead(t *testing.T) {
	for _, op := range []string{"citizen", "applications", "holdings", "events", "transcripts"} {
		t.Run(op, func(t *testing.T) {
			x, err := Assemble(context.Background(), &fakeStore{fail: op}, "cit-1", now)
			if !errors.Is(err, errBroken) || x != nil {
				t.Errorf("Assemble = %v, %v; want no export and the store's error", x, err)
			}
		})
	}
}

func TestErase(t *testing.T) {
	st := &fakeStore{}
	n, err := Erase(context.Background(), st, "cit-1")
	if err != nil || n != 3 || st.erased != "cit-1" {
		t.Errorf("Erase = %d, %v; erased %q", n, err, st.erased)
	}
	st = &fakeStore{}
	if _, err := Erase(context.Background(), st, "cit-9"); records.ErrorCode(err) != records.ENOTFOUND || st.erased != "" {
		t.Errorf("Erase of an unknown citizen = %v, erased %q", err, st.erased)
	}
	if _, err := Erase(context.Background(), &fakeStore{fail: "erase"}, "cit-1"); !errors.Is(err, errBroken) {
		t.Errorf("Erase with a broken store = %v", err)
	}
}

func TestPurgeCutoff(t *testing.T) {
	st := &fakeStore{deleted: 5}
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if err := Purge(context.Background(), st, 90, now, log); err != nil {
		t.Fatal(err)
	}
	if want := now.AddDate(0, 0, -90); !st.purged.Equal(want) {
		t.Errorf("purged before %v, want %v", st.purged, want)
	}
	if !bytes.Contains(logs.Bytes(), []byte("messages=5")) {
		t.Errorf("log does not count the purged messages: %s", logs.String())
	}
	if err := Purge(context.Background(), &fakeStore{fail: "purge"}, 90, now, log); !errors.Is(err, errBroken) {
		t.Errorf("Purge with a broken store = %v", err)
	}
}
