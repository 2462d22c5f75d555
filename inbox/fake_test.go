package inbox

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// fakeStore is an in-memory Store for the package's unit tests. The real stores are tested
// by storetest and the browser test.
type fakeStore struct {
	mu       sync.Mutex
	now      func() time.Time
	citizens map[string]*records.Citizen
	apps     map[string][]records.Application
	access   []records.AccessEvent
	convs    map[string]*dialog.Conversation // channel+"\x00"+address
	messages map[int64][]dialog.Message
	staff    []Staff
	sessions map[string]Session
	cases    []Case
	notes    []Note
	nextID   int64
}

func newFakeStore(now func() time.Time) *fakeStore {
	return &fakeStore{
		now: now, citizens: map[string]*records.Citizen{}, apps: map[string][]records.Application{},
		convs: map[string]*dialog.Conversation{}, messages: map[int64][]dialog.Message{}, sessions: map[string]Session{},
	}
}

var _ Store = (*fakeStore)(nil)

func (f *fakeStore) id() int64 { f.nextID++; return f.nextID }

// Turn runs fn under the store's lock; a failed fn leaves the conversation as it was (the
// other writes of a fake turn are not rolled back).
func (f *fakeStore) Turn(ctx context.Context, channel, address string, fn func(ctx context.Context, tx dialog.Tx) error) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := channel + "\x00" + address
	c, ok := f.convs[k]
	if !ok {
		c = &dialog.Conversation{ID: f.id(), Channel: channel, Address: address, State: dialog.StateIdle, CreatedAt: f.now()}
		f.convs[k] = c
	}
	cp := *c
	return fn(ctx, &fakeTx{f: f, c: &cp})
}

// addInbound stores a citizen message as the engine would.
func (f *fakeStore) addInbound(convID int64, text string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.messages[convID] = append(f.messages[convID], dialog.Message{ID: f.id(), Direction: "in", Kind: "text", Text: text, CreatedAt: f.now()})
}

type fakeTx struct {
	f *fakeStore
	c *dialog.Conversation
}

func (t *fakeTx) Conversation() *dialog.Conversation { return t.c }
func (t *fakeTx) SaveConversation(_ context.Context, c *dialog.Conversation) error {
	cp := *c
	t.f.convs[c.Channel+"\x00"+c.Address] = &cp
	return nil
}
func (t *fakeTx) AddInbound(_ context.Context, id int64, in dialog.Inbound) (int64, error) {
	m := dialog.Message{ID: t.f.id(), Direction: "in", Kind: string(in.Kind), Text: in.Text, CreatedAt: t.f.now()}
	t.f.messages[id] = append(t.f.messages[id], m)
	return m.ID, nil
}
func (t *fakeTx) AddOutbound(_ context.Context, o *dialog.Outbound) error {
	o.ID = t.f.id()
	r := o.Reply
	t.f.messages[o.ConversationID] = append(t.f.messages[o.ConversationID], dialog.Message{ID: o.ID, Direction: "out", Kind: "reply", Reply: &r, Status: dialog.DeliveryQueued, CreatedAt: t.f.now()})
	return nil
}
func (t *fakeTx) Lockout(context.Context, string) (dialog.Lockout, error) {
	return dialog.Lockout{}, nil
}
func (t *fakeTx) SaveLockout(context.Context, dialog.Lockout) error { return nil }
func (t *fakeTx) EraseTranscripts(context.Context, string) (int64, error) {
	return 0, nil
}
func (t *fakeTx) FindCitizenByID(ctx context.Context, id string) (*records.Citizen, error) {
	return t.f.findCitizen(id)
}
func (t *fakeTx) FindCitizenByPhone(context.Context, string) (*records.Citizen, error) {
	return nil, records.Errorf(records.ENOTFOUND, "no citizen")
}
func (t *fakeTx) FindApplicationsByCitizen(_ context.Context, id string) ([]records.Application, error) {
	return t.f.apps[id], nil
}
func (t *fakeTx) FindApplicationsWithLastChange(ctx context.Context, id string) ([]records.Application, error) {
	apps := slices.Clone(t.f.apps[id])
	for i, a := range apps {
		if n := len(a.History); n > 1 {
			apps[i].History = a.History[n-1:]
		}
	}
	return apps, nil
}
func (t *fakeTx) FindHoldingsByCitizen(context.Context, string) ([]records.DataHolding, error) {
	return nil, nil
}
func (t *fakeTx) FindAccessEventsByCitizen(context.Context, string, int) ([]records.AccessEvent, error) {
	return nil, nil
}
func (t *fakeTx) FindAdministration(context.Context, string) (*records.Administration, error) {
	return nil, records.Errorf(records.ENOTFOUND, "no administration")
}
func (t *fakeTx) FindAdministrations(context.Context, []string) ([]records.Administration, error) {
	return nil, nil
}
func (t *fakeTx) ListBenefits(context.Context) ([]records.Benefit, error) { return nil, nil }
func (t *fakeTx) RecordAccess(_ context.Context, e *records.AccessEvent) error {
	t.f.access = append(t.f.access, *e)
	return nil
}

func (f *fakeStore) findCitizen(id string) (*records.Citizen, error) {
	if c, ok := f.citizens[id]; ok {
		return c, nil
	}
	return nil, records.Errorf(records.ENOTFOUND, "no citizen %s", id)
}

func (f *fakeStore) FindCitizenByID(_ context.Context, id string) (*records.Citizen, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.findCitizen(id)
}
func (f *fakeStore) FindCitizenByPhone(context.Context, string) (*records.Citizen, error) {
	return nil, records.Errorf(records.ENOTFOUND, "no citizen")
}
func (f *fakeStore) FindApplicationsByCitizen(_ context.Context, id string) ([]records.Application, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.apps[id], nil
}
func (f *fakeStore) FindHoldingsByCitizen(context.Context, string) ([]records.DataHolding, error) {
	return nil, nil
}
func (f *fakeStore) FindAccessEventsByCitizen(context.Context, string, int) ([]records.AccessEvent, error) {
	return nil, nil
}
func (f *fakeStore) FindAdministration(context.Context, string) (*records.Administration, error) {
	return nil, records.Errorf(records.ENOTFOUND, "no administration")
}
func (f *fakeStore) FindAdministrations(context.Context, []string) ([]records.Administration, error) {
	return nil, nil
}
func (f *fakeStore) ListBenefits(context.Context) ([]records.Benefit, error) { return nil, nil }
func (f *fakeStore) RecordAccess(_ context.Context, e *records.AccessEvent) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.access = append(f.access, *e)
	return nil
}

func (f *fakeStore) AddStaff(_ context.Context, s *Staff) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, o := range f.staff {
		if o.Email == s.Email {
			return records.Errorf(records.ECONFLICT, "email taken")
		}
	}
	s.ID = f.id()
	f.staff = append(f.staff, *s)
	return nil
}
func (f *fakeStore) findStaff(match func(Staff) bool) (*Staff, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.staff {
		if match(s) {
			return &s, nil
		}
	}
	return nil, records.Errorf(records.ENOTFOUND, "no staff")
}
func (f *fakeStore) FindStaffByEmail(_ context.Context, email string) (*Staff, error) {
	return f.findStaff(func(s Staff) bool { return s.Email == email })
}
func (f *fakeStore) FindStaffByID(_ context.Context, id int64) (*Staff, error) {
	return f.findStaff(func(s Staff) bool { return s.ID == id })
}
func (f *fakeStore) ListStaff(context.Context) ([]Staff, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.staff), nil
}
func (f *fakeStore) SetStaffDisabled(_ context.Context, email string, disabled bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.staff {
		if f.staff[i].Email == email {
			f.staff[i].Disabled = disabled
			for k, s := range f.sessions {
				if s.StaffID == f.staff[i].ID && disabled {
					delete(f.sessions, k)
				}
			}
			return nil
		}
	}
	return records.Errorf(records.ENOTFOUND, "no staff")
}

func (f *fakeStore) AddSession(_ context.Context, s *Session) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sessions[s.TokenHash] = *s
	return nil
}
func (f *fakeStore) FindSession(_ context.Context, hash string, now time.Time) (*Session, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.sessions[hash]
	if !ok || !now.Before(s.ExpiresAt) {
		return nil, records.Errorf(records.ENOTFOUND, "no session")
	}
	return &s, nil
}
func (f *fakeStore) DeleteSession(_ context.Context, hash string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.sessions, hash)
	return nil
}

func (f *fakeStore) AddCase(_ context.Context, _ dialog.Tx, c *Case) error {
	c.ID = f.id()
	f.cases = append(f.cases, *c)
	return nil
}
func (f *fakeStore) FindOpenCase(_ context.Context, _ dialog.Tx, convID int64) (*Case, error) {
	for _, c := range f.cases {
		if c.ConversationID == convID && c.Open() {
			return &c, nil
		}
	}
	return nil, records.Errorf(records.ENOTFOUND, "no open case")
}
func (f *fakeStore) FindCase(_ context.Context, id int64) (*Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.cases {
		if c.ID == id {
			return &c, nil
		}
	}
	return nil, records.Errorf(records.ENOTFOUND, "no case")
}
func (f *fakeStore) ListOpenCases(_ context.Context, muni string) ([]Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Case
	for _, c := range f.cases {
		if c.Open() && c.Municipality == muni {
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(a, b Case) int {
		return cmp.Or(cmp.Compare(b.Priority, a.Priority), a.OpenedAt.Compare(b.OpenedAt))
	})
	return out, nil
}
func (f *fakeStore) ListUnclaimedCases(_ context.Context, before time.Time) ([]Case, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Case
	for _, c := range f.cases {
		if c.Open() && c.AssignedTo == 0 && c.WarnedAt.IsZero() && c.OpenedAt.Before(before) {
			out = append(out, c)
		}
	}
	return out, nil
}
func (f *fakeStore) AssignCase(_ context.Context, id, from, to int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.cases {
		c := &f.cases[i]
		if c.ID == id && c.Open() && c.AssignedTo == from {
			c.AssignedTo, c.UpdatedAt = to, f.now()
			return nil
		}
	}
	return records.Errorf(records.ECONFLICT, "case %d moved", id)
}
func (f *fakeStore) SaveCase(_ context.Context, _ dialog.Tx, c *Case) error {
	for i := range f.cases {
		if f.cases[i].ID == c.ID {
			f.cases[i] = *c
			return nil
		}
	}
	return records.Errorf(records.ENOTFOUND, "no case")
}
func (f *fakeStore) AddNote(_ context.Context, n *Note) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	n.ID = f.id()
	f.notes = append(f.notes, *n)
	return nil
}
func (f *fakeStore) ListNotes(_ context.Context, caseID int64) ([]Note, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Note
	for _, n := range f.notes {
		if n.CaseID == caseID {
			for _, s := range f.staff {
				if s.ID == n.StaffID {
					n.Author = s.Name
				}
			}
			out = append(out, n)
		}
	}
	return out, nil
}
func (f *fakeStore) ConversationMessages(_ context.Context, convID int64) ([]dialog.Message, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.messages[convID]), nil
}
func (f *fakeStore) CaseVersions(_ context.Context, muni string) ([]CaseVersion, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []CaseVersion
	for _, c := range f.cases {
		if !c.Open() || c.Municipality != muni {
			continue
		}
		v := CaseVersion{CaseID: c.ID, Team: c.Team, UpdatedAt: c.UpdatedAt}
		for _, m := range f.messages[c.ConversationID] {
			v.LastMessageID = max(v.LastMessageID, m.ID)
		}
		out = append(out, v)
	}
	return out, nil
}

// conversation returns the stored conversation on (channel, address).
func (f *fakeStore) conversation(channel, address string) *dialog.Conversation {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := *f.convs[channel+"\x00"+address]
	return &c
}

// outTexts returns the catalog keys of the replies stored for a conversation.
func (f *fakeStore) outKeys(convID int64) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var keys []string
	for _, m := range f.messages[convID] {
		if m.Reply != nil {
			for _, l := range m.Reply.Lines {
				keys = append(keys, l.Key)
			}
		}
	}
	return keys
}
