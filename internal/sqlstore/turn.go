package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// lockName names a lock of Dialect.Begin: its kind and the parts of its key.
func lockName(kind string, parts ...string) string {
	return kind + "\x00" + strings.Join(parts, "\x00")
}

// Turn runs fn in one transaction holding the lock of the conversation on (channel,
// address): no other turn of that conversation, in any process, runs until this one
// commits or rolls back. The lock is the conversation's row, which the turn's first
// statement writes (creating the conversation, idle, when it does not exist): a second
// turn's same statement waits for the first to end, then reads what it saved. On SQLite,
// the database's write lock (see Dialect.Begin) holds every turn anyway. fn's error or
// panic rolls back. fn must not call the Store's own methods that write (they may wait for
// the turn to end); it has the Tx for that.
func (s *Store) Turn(ctx context.Context, channel, address string, fn func(ctx context.Context, tx dialog.Tx) error) error {
	_, err := s.turn(ctx, channel, address, nil, fn)
	return err
}

var _ dialog.InboundTurner = (*Store)(nil) // storetest's TurnInbound case skips a store without it

// TurnInbound is Turn on in's conversation whose first write stores in (AddInbound): on
// PostgreSQL in the batch of the conversation's upsert, one round trip fewer. fn runs only
// when in was not stored before; dup reports when it was.
func (s *Store) TurnInbound(ctx context.Context, in dialog.Inbound, fn func(ctx context.Context, tx dialog.Tx) error) (dup bool, err error) {
	return s.turn(ctx, in.Channel, in.Address, &in, fn)
}

// turn is Turn, storing in first when it is not nil.
func (s *Store) turn(ctx context.Context, channel, address string, in *dialog.Inbound, fn func(ctx context.Context, tx dialog.Tx) error) (dup bool, err error) {
	channel, address = Clean(channel), Clean(address)
	var sqlTx Tx
	if d, ok := s.d.(DirectBeginner); ok {
		sqlTx, err = d.BeginDirect(ctx, s.db)
	} else {
		sqlTx, err = s.d.Begin(ctx, s.db, "") // the row is the lock: one round trip fewer than an advisory lock
	}
	if err != nil {
		return false, s.errorf("turn: begin", err)
	}
	defer sqlTx.End()
	done := false
	defer func() {
		if done {
			return
		}
		p := recover()
		if rerr := sqlTx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) && err != nil {
			err = errors.Join(err, s.errorf("turn: rollback", rerr))
		}
		if p != nil {
			panic(p)
		}
	}()
	q := s.turnConn(sqlTx)
	if sqlTx.begin != "" { // a lazy transaction: the BEGIN goes with the first statement
		*q.pending = append(*q.pending, write{what: "begin", query: sqlTx.begin})
	}
	t := &tx{reader: reader{q}}
	if dup, err = t.lock(ctx, channel, address, in); err != nil {
		return false, s.errorf("turn", err)
	}
	if !dup {
		if err := fn(ctx, t); err != nil {
			return false, s.errorf("turn", err)
		}
	}
	if q.commitsWithWrites() {
		// The COMMIT goes with the writes still waiting: a failed write leaves it unrun.
		if err := q.flush(ctx, write{what: "commit", query: "COMMIT"}); err != nil {
			return false, s.errorf("turn: commit", err)
		}
		*sqlTx.open, done = false, true
		return dup, nil
	}
	if err := q.flush(ctx); err != nil { // the writes still waiting
		return false, s.errorf("turn", err)
	}
	done = true
	return dup, s.errorf("turn: commit", sqlTx.Commit())
}

// lock locks the turn's conversation (lockConversation), then stores in when it is not nil
// (AddInbound), reporting whether it was stored before. Where the lock is an upsert
// (PostgreSQL), the message's insert names the conversation by its address and goes in the
// upsert's batch.
func (t *tx) lock(ctx context.Context, channel, address string, in *dialog.Inbound) (dup bool, err error) {
	if in != nil && t.s.d.ForUpdate() != "" {
		ws, err := t.inboundWrites(ctx, 0, in, new(int64))
		if err != nil {
			return false, err
		}
		t.conv, err = t.lockConversation(ctx, channel, address, ws...)
		if t.conv != nil {
			t.savedCitizen = t.conv.CitizenID
		}
		return inboundDup(err)
	}
	if t.conv, err = t.lockConversation(ctx, channel, address); err != nil {
		return false, err
	}
	t.savedCitizen = t.conv.CitizenID
	if in == nil {
		return false, nil
	}
	_, err = t.AddInbound(ctx, t.conv.ID, *in)
	if records.ErrorCode(err) == records.ECONFLICT {
		return true, nil
	}
	return false, err
}

// commitsWithWrites reports whether the turn's COMMIT can go in the batch of its waiting
// writes: a direct transaction of a Batcher whose writes check nothing once run. A batch
// sends all its statements before it reads their results (PostgreSQL), so the COMMIT
// would run before a check could stop it; a statement that fails in the database stops
// those after it, COMMIT included.
func (c conn) commitsWithWrites() bool {
	if _, ok := c.s.d.(Batcher); !ok || c.tx.open == nil { // open: a direct transaction
		return false
	}
	for _, w := range *c.pending {
		if w.check != nil {
			return false
		}
	}
	return true
}

// lockConversation returns the conversation on (channel, address), created idle when it
// does not exist, holding its row's lock until the transaction ends: the upsert takes the
// row's lock (or the new row's) and returns the row as the last turn committed it. Where
// the transaction holds the database's write lock (ForUpdate is ""), reading the row is
// enough, and the upsert runs only for a new conversation. The writes with go in the
// upsert's batch, after it.
func (c conn) lockConversation(ctx context.Context, channel, address string, with ...write) (conv *dialog.Conversation, err error) {
	scan := func(r Row) (err error) {
		conv, err = scanConversation(r)
		return err
	}
	if c.s.d.ForUpdate() == "" && len(with) == 0 {
		err := c.flush(ctx, write{what: "conversation", query: `SELECT ` + conversationColumns + `
			FROM conversations WHERE channel = ? AND address = ?`, args: []any{channel, address}, scan: scan})
		if !errors.Is(err, sql.ErrNoRows) {
			return conv, err
		}
	}
	now := c.ts(c.s.now())
	upsert := write{what: "conversation", query: `INSERT INTO conversations (channel, address, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (channel, address) DO UPDATE SET channel = excluded.channel
		RETURNING ` + conversationColumns, args: []any{channel, address, string(dialog.StateIdle), now, now}, scan: scan}
	err = c.flush(ctx, append([]write{upsert}, with...)...)
	return conv, err
}

// tx is a turn's view of the store, bound to its transaction. It is not safe for
// concurrent use.
type tx struct {
	reader
	conv *dialog.Conversation
	// savedCitizen is conv's citizen as stored: as read, then as last saved.
	savedCitizen string
	byPhone      *byPhone                     // read ahead by AddInbound
	names        map[string]records.Localized // administrations' names read with the applications
}

// FindApplicationsByCitizen reads the applications with their administrations' names,
// which FindAdministrations then answers from.
func (t *tx) FindApplicationsByCitizen(ctx context.Context, citizenID string) ([]records.Application, error) {
	return t.turnApplications(ctx, citizenID, false)
}

// FindApplicationsWithLastChange is FindApplicationsByCitizen with the last change of
// each application only, in one statement.
func (t *tx) FindApplicationsWithLastChange(ctx context.Context, citizenID string) ([]records.Application, error) {
	return t.turnApplications(ctx, citizenID, true)
}

func (t *tx) turnApplications(ctx context.Context, citizenID string, lastOnly bool) ([]records.Application, error) {
	if t.names == nil {
		t.names = map[string]records.Localized{}
	}
	return t.applications(ctx, citizenID, t.names, lastOnly)
}

// FindAdministrations returns the administrations with the ids that exist: those whose
// names the turn read with its applications without a query.
func (t *tx) FindAdministrations(ctx context.Context, ids []string) ([]records.Administration, error) {
	var known []records.Administration
	rest := ids[:0:0]
	for _, id := range ids {
		if name, ok := t.names[id]; ok {
			known = append(known, records.Administration{ID: id, Name: name})
		} else {
			rest = append(rest, id)
		}
	}
	if len(rest) == 0 {
		return known, nil
	}
	more, err := t.reader.FindAdministrations(ctx, rest)
	return append(known, more...), err
}

// Conversation returns the locked conversation of the turn.
func (t *tx) Conversation() *dialog.Conversation { return t.conv }

// SaveConversation writes c's state and sets its UpdatedAt. The write goes with the turn's
// next statement.
func (t *tx) SaveConversation(ctx context.Context, c *dialog.Conversation) error {
	c.UpdatedAt = t.s.now()
	data, err := marshalConversationData(c)
	if err != nil {
		return t.s.errorf("save conversation", err)
	}
	id := c.ID
	w := write{what: "save conversation", query: `UPDATE conversations
		SET citizen_id = ?, opted_out = ?, state = ?, lang = ?, data = ?, updated_at = ?
		WHERE id = ?`, args: []any{c.CitizenID, c.OptedOut, string(c.State), c.Lang, data, t.ts(c.UpdatedAt), id}}
	if id == t.conv.ID && c.CitizenID == t.savedCitizen {
		// Setting the citizen again would rewrite its index's entry (a page a turn, on SQLite).
		w.query, w.args = `UPDATE conversations
			SET opted_out = ?, state = ?, lang = ?, data = ?, updated_at = ?
			WHERE id = ?`, w.args[1:]
	}
	if id != t.conv.ID { // the turn's own is there: it holds its lock, and none is deleted
		w.check = func(n int64) error {
			if n == 0 {
				return records.Errorf(records.ENOTFOUND, "conversation %d not found", id)
			}
			return nil
		}
	}
	if err := t.later(ctx, w); err != nil {
		return t.s.errorf("save conversation", err)
	}
	if id == t.conv.ID {
		t.savedCitizen = c.CitizenID
		if c != t.conv {
			*t.conv = *c
		}
	}
	return nil
}

// inboundMeta is what an inbound message carries besides its text.
type inboundMeta struct {
	Command  string          `json:"command,omitempty"`
	Payload  string          `json:"payload,omitempty"`
	Contact  *dialog.Contact `json:"contact,omitempty"`
	Phone    string          `json:"phone,omitempty"`
	LangHint string          `json:"lang_hint,omitempty"`
}

// AddInbound stores an inbound message of the conversation. A message whose (Channel,
// MessageID) was stored before is not stored again: the error has code records.ECONFLICT
// and the transaction goes on (ON CONFLICT DO NOTHING raises nothing). An empty MessageID
// is never a duplicate.
func (t *tx) AddInbound(ctx context.Context, conversationID int64, in dialog.Inbound) (int64, error) {
	var id int64
	ws, err := t.inboundWrites(ctx, conversationID, &in, &id)
	if err != nil {
		return 0, err
	}
	switch dup, err := inboundDup(t.flush(ctx, ws...)); {
	case err != nil:
		return 0, t.s.errorf("add inbound", err)
	case dup:
		return 0, t.s.errorf("add inbound", records.Errorf(records.ECONFLICT, "inbound message already stored"))
	}
	return id, nil
}

// insertInbound and inboundConflict begin and end the insert of an inbound message: a
// message whose channel's id was stored before is not stored again and returns no id.
const (
	insertInbound = `INSERT INTO messages
		(conversation_id, citizen_id, direction, channel, channel_message_id, kind, text, meta, received_at, created_at, updated_at)
		`
	inboundConflict = `
		ON CONFLICT (channel, channel_message_id) WHERE channel_message_id IS NOT NULL DO NOTHING
		RETURNING id`
)

// inboundWrites returns the insert of in into the conversation (the turn's, named by its
// address, when conversationID is 0), which scans its id into id and returns none when in
// was stored before, and the read ahead of its phone's citizen.
func (t *tx) inboundWrites(ctx context.Context, conversationID int64, in *dialog.Inbound, id *int64) ([]write, error) {
	meta, err := marshal(inboundMeta{Command: in.Command, Payload: in.Payload, Contact: in.Contact, Phone: in.Phone, LangHint: in.LangHint})
	if err != nil {
		return nil, t.s.errorf("add inbound", err)
	}
	now := t.s.now()
	received := in.ReceivedAt
	if received.IsZero() {
		received = now
	}
	w := write{what: "add inbound", id: id, args: make([]any, 0, 10)}
	if conversationID != 0 {
		w.query = insertInbound + `VALUES (?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?)` + inboundConflict
		w.args = append(w.args, conversationID, t.citizenOf(ctx, conversationID))
	} else { // the turn's conversation, by its address (the store cleans the arguments)
		w.query = insertInbound + `SELECT id, citizen_id, 'in', ?, ?, ?, ?, ?, ?, ?, ?
		FROM conversations WHERE channel = ? AND address = ?` + inboundConflict
	}
	w.args = append(w.args, in.Channel, nullString(in.MessageID), string(in.Kind), in.Text, meta, t.ts(received), t.ts(now), t.ts(now))
	if conversationID == 0 {
		w.args = append(w.args, in.Channel, in.Address)
	}
	ws := []write{w}
	if _, ok := t.s.d.(Batcher); ok && in.Phone != "" {
		// The engine looks the proven phone up next: in the same round trip.
		ws = append(ws, t.prefetchByPhone(in.Phone))
	}
	return ws, nil
}

// inboundDup maps the error of a batch that stored an inbound message: none, or whether
// the message was stored before (its insert returned no row, or hit the key).
func inboundDup(err error) (bool, error) {
	switch {
	case errors.Is(err, sql.ErrNoRows), records.ErrorCode(err) == records.ECONFLICT:
		return true, nil
	}
	return false, err
}

// byPhone is the citizen of a phone as a turn read it ahead, nil when none has it.
type byPhone struct {
	phone   string
	citizen *records.Citizen
}

// prefetchByPhone returns the read of FindCitizenByPhone(phone), kept in the turn.
func (t *tx) prefetchByPhone(phone string) write {
	return write{what: "find citizen by phone", query: citizenByPhoneSQL, args: []any{phone}, scan: func(r Row) error {
		c, err := scanCitizen(r)
		if errors.Is(err, sql.ErrNoRows) {
			err = nil
		}
		t.byPhone = &byPhone{phone: Clean(phone), citizen: c}
		return err
	}}
}

// FindCitizenByPhone returns the citizen of the phone, as read ahead with the turn's
// inbound message when it was.
func (t *tx) FindCitizenByPhone(ctx context.Context, phone string) (*records.Citizen, error) {
	if p := t.byPhone; p != nil && p.phone == Clean(phone) {
		if p.citizen == nil {
			return nil, t.s.errorf("find citizen by phone", records.Errorf(records.ENOTFOUND, "citizen not found"))
		}
		c := *p.citizen
		return &c, nil
	}
	return t.reader.FindCitizenByPhone(ctx, phone)
}

// citizenOf returns the citizen linked to the conversation, as the turn sees it.
func (t *tx) citizenOf(ctx context.Context, conversationID int64) string {
	if conversationID == t.conv.ID {
		return t.conv.CitizenID
	}
	var id string
	if err := t.queryRow(ctx, `SELECT citizen_id FROM conversations WHERE id = ?`, conversationID).Scan(&id); err != nil {
		return "" // the insert reports a missing conversation
	}
	return id
}

// AddOutbound stores a reply, queued, sets o.ID, and enqueues its delivery job (a
// delivery.Job, which names the reply) in the same transaction. The stored reply carries
// the cleaned text (see Clean).
func (t *tx) AddOutbound(ctx context.Context, o *dialog.Outbound) error {
	reply, err := marshal(o.Reply)
	if err != nil {
		return t.s.errorf("add outbound", err)
	}
	job := delivery.JobOf(*o)
	job.Channel = Clean(job.Channel)
	now := t.ts(t.s.now())
	var id int64
	insert := write{what: "add outbound", query: `INSERT INTO messages
		(conversation_id, citizen_id, direction, channel, kind, reply, lang, seq, status, created_at, updated_at)
		VALUES (?, ?, 'out', ?, 'reply', ?, ?, ?, ?, ?, ?)
		RETURNING id`, args: []any{o.ConversationID, t.citizenOf(ctx, o.ConversationID), o.Channel, reply, o.Lang, o.Seq,
		dialog.DeliveryQueued, now, now}, id: &id}
	opts := &river.InsertOpts{MaxAttempts: delivery.MaxAttempts, Queue: job.Channel}
	if ow, ok := t.s.d.(OutboxWriter); ok && ValidQueue(opts.Queue) {
		// The reply, its job and the writes waiting in the turn: one batch. The job's id is
		// set by its statement.
		raw, err := json.Marshal(job)
		if err != nil {
			return t.s.errorf("add outbound", err)
		}
		sts := ow.InsertWithJob(insert.query, insert.args, JobRow{Kind: job.Kind(), Queue: opts.Queue, Args: raw, MaxAttempts: opts.MaxAttempts})
		ws := make([]write, len(sts))
		for i, st := range sts {
			ws[i] = write{what: insert.what, query: st.Query, args: st.Args}
		}
		ws[0].id = &o.ID
		if q, args := ow.NotifyJob(opts.Queue); q != "" {
			ws = append(ws, write{what: "notify", query: q, args: args})
		}
		for _, w := range ws { // with the turn's next statement, or its commit
			if err := t.later(ctx, w); err != nil {
				return t.s.errorf("add outbound", err)
			}
		}
		return nil
	}
	if err := t.flush(ctx, insert); err != nil { // with the writes waiting in the turn
		return t.s.errorf("add outbound", err)
	}
	job.ID = id
	if err := t.insertJob(ctx, job, opts); err != nil {
		return t.s.errorf("add outbound", err)
	}
	o.ID = id
	return nil
}

// Lockout returns the lockout counter for key, a key never saved with a zero counter, and
// holds the counter's row until the turn ends: turns of other conversations that count
// failures on the same key (the citizen's, over SMS and Telegram at once) wait for this
// one, and then read what it saved.
func (t *tx) Lockout(ctx context.Context, key string) (dialog.Lockout, error) {
	l := dialog.Lockout{Key: Clean(key)}
	err := t.queryRow(ctx, `INSERT INTO lockouts (key, updated_at) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET updated_at = lockouts.updated_at
		RETURNING failures, locks, locked_until`, l.Key, t.ts(t.s.now())).
		Scan(&l.Failures, &l.Locks, timeCol{&l.LockedUntil})
	return l, t.s.errorf("lockout", err)
}

// SaveLockout writes the lockout counter.
func (t *tx) SaveLockout(ctx context.Context, l dialog.Lockout) error {
	err := t.later(ctx, write{what: "save lockout", query: `INSERT INTO lockouts (key, failures, locks, locked_until, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locks = excluded.locks,
			locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
		args: []any{l.Key, l.Failures, l.Locks, t.nullTS(l.LockedUntil), t.ts(t.s.now())}})
	return t.s.errorf("save lockout", err)
}

// RecordAccess records that someone read a citizen's data, inside the turn.
func (t *tx) RecordAccess(ctx context.Context, e *records.AccessEvent) error {
	return t.recordAccess(ctx, e)
}

// conversationData is the JSON of a conversation's data column: the conversation but for
// what its own columns hold. Each field here hides the promoted field of the same JSON
// name and, being left empty, is omitted; data written with them (before) still reads.
type conversationData struct {
	*dialog.Conversation
	ID        int64     `json:"id,omitempty"`
	Channel   string    `json:"channel,omitempty"`
	Address   string    `json:"address,omitempty"`
	CitizenID string    `json:"citizen_id,omitempty"`
	OptedOut  bool      `json:"opted_out,omitempty"`
	State     string    `json:"state,omitempty"`
	Lang      string    `json:"lang,omitempty"`
	CreatedAt time.Time `json:"created_at,omitzero"`
	UpdatedAt time.Time `json:"updated_at,omitzero"`
}

// conversationColumns are read by scanConversation.
const conversationColumns = `id, channel, address, citizen_id, opted_out, state, lang, data, created_at, updated_at`

// scanConversation reads a conversation: the columns win over the JSON data.
func scanConversation(row interface{ Scan(...any) error }) (*dialog.Conversation, error) {
	var (
		c     dialog.Conversation
		id    int64
		ch    string
		addr  string
		cit   string
		opted bool
		state string
		lang  string
		data  []byte
		cr    time.Time
		up    time.Time
	)
	if err := row.Scan(&id, &ch, &addr, &cit, &opted, &state, &lang, &data, timeCol{&cr}, timeCol{&up}); err != nil {
		return nil, err
	}
	if err := unmarshalConversationData(data, &c); err != nil {
		return nil, fmt.Errorf("conversation %d data: %w", id, err)
	}
	c.ID, c.Channel, c.Address, c.CitizenID, c.OptedOut = id, ch, addr, cit, opted
	c.State, c.Lang, c.CreatedAt, c.UpdatedAt = dialog.State(state), lang, cr, up
	return &c, nil
}
