package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"sync"
	"time"

	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/records"
)

// fakeStore keeps records in memory; Write runs on a copy and keeps it only on success, as
// a transaction would.
type fakeStore struct {
	mu    sync.Mutex
	keys  map[string]string // hex hash → administration
	state fakeState
}

type idem struct {
	hash []byte
	res  Response
}

type fakeState struct {
	citizens  map[string]records.Citizen
	apps      map[string]records.Application
	holdings  []records.DataHolding
	access    []records.AccessEvent
	items     []notices.Item
	reminders map[notices.Reminder]time.Time
	idem      map[string]idem
}

func (s fakeState) clone() fakeState {
	apps := make(map[string]records.Application, len(s.apps))
	for k, a := range s.apps {
		a.History = append([]records.StatusChange(nil), a.History...)
		apps[k] = a
	}
	return fakeState{
		citizens: maps.Clone(s.citizens), apps: apps,
		holdings: append([]records.DataHolding(nil), s.holdings...), access: append([]records.AccessEvent(nil), s.access...),
		items: append([]notices.Item(nil), s.items...), reminders: maps.Clone(s.reminders), idem: maps.Clone(s.idem),
	}
}

func newFakeStore(d *records.Dataset) *fakeStore {
	s := &fakeStore{keys: map[string]string{}, state: fakeState{
		citizens: map[string]records.Citizen{}, apps: map[string]records.Application{},
		reminders: map[notices.Reminder]time.Time{}, idem: map[string]idem{},
	}}
	for _, c := range d.Citizens {
		s.state.citizens[c.ID] = c
	}
	for _, a := range d.Applications {
		s.state.apps[a.Ref] = a
	}
	return s
}

func (s *fakeStore) addKey(admin string) string {
	token, hash := NewToken()
	s.keys[string(hash)] = admin
	return token
}

func (s *fakeStore) AdministrationByKey(_ context.Context, hash []byte) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.keys[string(hash)]; ok {
		return a, nil
	}
	return "", records.Errorf(records.ENOTFOUND, "no such key")
}

func (s *fakeStore) Write(ctx context.Context, admin, key string, hash []byte, fn func(context.Context, Tx) (Response, error)) (Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if prev, ok := s.state.idem[admin+"\x00"+key]; ok {
		if !bytes.Equal(prev.hash, hash) {
			return Response{}, records.Errorf(records.ECONFLICT, "key reused")
		}
		return prev.res, nil
	}
	tx := &fakeTx{st: s.state.clone()}
	res, err := fn(ctx, tx)
	if err != nil {
		return Response{}, err
	}
	tx.st.idem[admin+"\x00"+key] = idem{hash: hash, res: res}
	s.state = tx.st
	return res, nil
}

type fakeTx struct{ st fakeState }

func (t *fakeTx) FindCitizenByID(_ context.Context, id string) (*records.Citizen, error) {
	c, ok := t.st.citizens[id]
	if !ok {
		return nil, records.Errorf(records.ENOTFOUND, "citizen %s not found", id)
	}
	return &c, nil
}

func (t *fakeTx) FindApplication(_ context.Context, ref string) (*records.Application, error) {
	a, ok := t.st.apps[ref]
	if !ok {
		return nil, records.Errorf(records.ENOTFOUND, "application %s not found", ref)
	}
	a.History = append([]records.StatusChange(nil), a.History...)
	return &a, nil
}

func (t *fakeTx) SaveCitizen(_ context.Context, c *records.Citizen) error {
	t.st.citizens[c.ID] = *c
	return nil
}

func (t *fakeTx) SaveApplication(_ context.Context, a *records.Application) error {
	t.st.apps[a.Ref] = *a
	return nil
}

func (t *fakeTx) SaveHolding(_ context.Context, h records.DataHolding) error {
	t.st.holdings = append(t.st.holdings, h)
	return nil
}

func (t *fakeTx) RecordAccess(_ context.Context, e *records.AccessEvent) error {
	e.ID = int64(len(t.st.access) + 1)
	t.st.access = append(t.st.access, *e)
	return nil
}

func (t *fakeTx) QueueNotice(_ context.Context, it notices.Item) (bool, error) {
	for _, old := range t.st.items {
		if old.CitizenID == it.CitizenID && old.Cause == it.Cause {
			return false, nil
		}
	}
	t.st.items = append(t.st.items, it)
	return true, nil
}

func (t *fakeTx) ScheduleReminder(_ context.Context, job notices.Reminder, at time.Time) error {
	if _, ok := t.st.reminders[job]; !ok {
		t.st.reminders[job] = at
	}
	return nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
