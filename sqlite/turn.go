package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Turn runs fn in one transaction. BEGIN IMMEDIATE takes the database's write lock, so no
// other turn, of this process or another, runs until this one commits or rolls back. The
// conversation on (channel, address) is created, idle, when it does not exist. fn's error
// or panic rolls back. fn must not call the Store's own methods that write (they would
// wait for the turn to end); it has the Tx for that.
func (s *Store) Turn(ctx context.Context, channel, address string, fn func(ctx context.Context, tx dialog.Tx) error) (err error) {
	channel, address = clean(channel), clean(address)
	select {
	case s.turns <- struct{}{}:
		defer func() { <-s.turns }()
	case <-ctx.Done():
		return fmt.Errorf("sqlite: turn: %w", context.Cause(ctx))
	}
	sqlTx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: turn: begin: %w", err)
	}
	done := false
	defer func() {
		if done {
			return
		}
		p := recover()
		if rerr := sqlTx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) && err != nil {
			err = errors.Join(err, fmt.Errorf("sqlite: turn: rollback: %w", rerr))
		}
		if p != nil {
			panic(p)
		}
	}()

	now := ts(s.now())
	row := sqlTx.QueryRowContext(ctx, `INSERT INTO conversations (channel, address, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (channel, address) DO UPDATE SET channel = excluded.channel
		RETURNING `+conversationColumns, channel, address, string(dialog.StateIdle), now, now)
	conv, err := scanConversation(row)
	if err != nil {
		return fmt.Errorf("sqlite: turn: conversation: %w", err)
	}
	t := &tx{reader: reader{q: sqlTx}, s: s, tx: sqlTx, conv: conv}
	if err := fn(ctx, t); err != nil {
		return fmt.Errorf("sqlite: turn: %w", err)
	}
	done = true
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: turn: commit: %w", err)
	}
	return nil
}

// tx is a turn's view of the store, bound to its transaction. It is not safe for
// concurrent use.
type tx struct {
	reader
	s    *Store
	tx   *sql.Tx
	conv *dialog.Conversation
}

// Conversation returns the locked conversation of the turn.
func (t *tx) Conversation() *dialog.Conversation { return t.conv }

// SaveConversation writes c's state and sets its UpdatedAt.
func (t *tx) SaveConversation(ctx context.Context, c *dialog.Conversation) error {
	c.UpdatedAt = t.s.now()
	data, err := marshal(c)
	if err != nil {
		return fmt.Errorf("sqlite: save conversation: %w", err)
	}
	res, err := t.tx.ExecContext(ctx, `UPDATE conversations
		SET citizen_id = ?, opted_out = ?, state = ?, lang = ?, data = ?, updated_at = ?
		WHERE id = ?`, cleanArgs([]any{c.CitizenID, c.OptedOut, string(c.State), c.Lang, data, ts(c.UpdatedAt), c.ID})...)
	if err != nil {
		return fmt.Errorf("sqlite: save conversation: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: save conversation: %w", err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: save conversation: %w", records.Errorf(records.ENOTFOUND, "conversation %d not found", c.ID))
	}
	if c.ID == t.conv.ID && c != t.conv {
		*t.conv = *c
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
// and the transaction goes on. An empty MessageID is never a duplicate.
func (t *tx) AddInbound(ctx context.Context, conversationID int64, in dialog.Inbound) (int64, error) {
	meta, err := marshal(inboundMeta{Command: in.Command, Payload: in.Payload, Contact: in.Contact, Phone: in.Phone, LangHint: in.LangHint})
	if err != nil {
		return 0, fmt.Errorf("sqlite: add inbound: %w", err)
	}
	now := t.s.now()
	received := in.ReceivedAt
	if received.IsZero() {
		received = now
	}
	var id int64
	err = t.tx.QueryRowContext(ctx, `INSERT INTO messages
		(conversation_id, citizen_id, direction, channel, channel_message_id, kind, text, meta, received_at, created_at, updated_at)
		VALUES (?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (channel, channel_message_id) DO NOTHING
		RETURNING id`, cleanArgs([]any{conversationID, t.citizenOf(ctx, conversationID), in.Channel, nullString(in.MessageID),
		string(in.Kind), in.Text, meta, ts(received), ts(now), ts(now)})...).Scan(&id)
	switch {
	case errors.Is(err, sql.ErrNoRows), isUniqueViolation(err):
		return 0, fmt.Errorf("sqlite: add inbound: %w", records.Errorf(records.ECONFLICT, "inbound message already stored"))
	case err != nil:
		return 0, fmt.Errorf("sqlite: add inbound: %w", mapConstraint(err))
	}
	return id, nil
}

// citizenOf returns the citizen linked to the conversation, as the turn sees it.
func (t *tx) citizenOf(ctx context.Context, conversationID int64) string {
	if conversationID == t.conv.ID {
		return t.conv.CitizenID
	}
	var id string
	if err := t.tx.QueryRowContext(ctx, `SELECT citizen_id FROM conversations WHERE id = ?`, conversationID).Scan(&id); err != nil {
		return "" // the insert reports a missing conversation
	}
	return id
}

// AddOutbound stores a reply, queued, sets o.ID, and enqueues its delivery job in the same
// transaction. The stored reply and the job carry the cleaned text (see the package doc).
func (t *tx) AddOutbound(ctx context.Context, o *dialog.Outbound) error {
	args, reply, err := cleanOutbound(*o)
	if err != nil {
		return fmt.Errorf("sqlite: add outbound: %w", err)
	}
	now := ts(t.s.now())
	var id int64
	err = t.tx.QueryRowContext(ctx, `INSERT INTO messages
		(conversation_id, citizen_id, direction, channel, kind, reply, lang, seq, status, created_at, updated_at)
		VALUES (?, ?, 'out', ?, 'reply', ?, ?, ?, ?, ?, ?)
		RETURNING id`, cleanArgs([]any{o.ConversationID, t.citizenOf(ctx, o.ConversationID), o.Channel, reply, o.Lang, o.Seq,
		dialog.DeliveryQueued, now, now})...).Scan(&id)
	if err != nil {
		return fmt.Errorf("sqlite: add outbound: %w", mapConstraint(err))
	}
	args.ID = id
	if _, err := t.s.river.InsertTx(ctx, t.tx, args, &river.InsertOpts{MaxAttempts: delivery.MaxAttempts, Queue: args.Channel}); err != nil {
		return fmt.Errorf("sqlite: add outbound: enqueue: %w", err)
	}
	o.ID = id
	return nil
}

// cleanOutbound returns o as the job will carry it, with its NUL characters replaced
// (encoding/json replaces invalid UTF-8 itself), and its reply as JSON.
func cleanOutbound(o dialog.Outbound) (dialog.Outbound, string, error) {
	raw, err := json.Marshal(o)
	if err != nil {
		return o, "", err
	}
	if c := cleanJSON(raw); !bytes.Equal(c, raw) {
		var out dialog.Outbound
		if err := json.Unmarshal(c, &out); err != nil {
			return o, "", err
		}
		o = out
	}
	reply, err := marshal(o.Reply)
	return o, reply, err
}

// Lockout returns the lockout counter for key; a key never saved has a zero counter.
func (t *tx) Lockout(ctx context.Context, key string) (dialog.Lockout, error) {
	key = clean(key)
	l := dialog.Lockout{Key: key}
	err := t.tx.QueryRowContext(ctx, `SELECT failures, locks, locked_until FROM lockouts WHERE key = ?`, key).
		Scan(&l.Failures, &l.Locks, timeCol{&l.LockedUntil})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return l, fmt.Errorf("sqlite: lockout: %w", err)
	}
	return l, nil
}

// SaveLockout writes the lockout counter.
func (t *tx) SaveLockout(ctx context.Context, l dialog.Lockout) error {
	_, err := t.tx.ExecContext(ctx, `INSERT INTO lockouts (key, failures, locks, locked_until, updated_at)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locks = excluded.locks,
			locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
		cleanArgs([]any{l.Key, l.Failures, l.Locks, nullTS(l.LockedUntil), ts(t.s.now())})...)
	if err != nil {
		return fmt.Errorf("sqlite: save lockout: %w", err)
	}
	return nil
}

// RecordAccess records that someone read a citizen's data, inside the turn.
func (t *tx) RecordAccess(ctx context.Context, e *records.AccessEvent) error {
	return recordAccess(ctx, t.tx, t.s.now, e)
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
		data  string
		cr    time.Time
		up    time.Time
	)
	if err := row.Scan(&id, &ch, &addr, &cit, &opted, &state, &lang, &data, timeCol{&cr}, timeCol{&up}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return nil, fmt.Errorf("conversation %d data: %w", id, err)
	}
	c.ID, c.Channel, c.Address, c.CitizenID, c.OptedOut = id, ch, addr, cit, opted
	c.State, c.Lang, c.CreatedAt, c.UpdatedAt = dialog.State(state), lang, cr, up
	return &c, nil
}

// isUniqueViolation reports whether err is SQLite's unique or primary key constraint error.
func isUniqueViolation(err error) bool {
	var e interface{ Code() int }
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}
