package postgres

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// querier is what *pgxpool.Pool and pgx.Tx share.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// Turn runs fn in one transaction that holds the advisory lock of (channel, address): no
// other turn of that conversation, in any process, runs until this one commits or rolls
// back. The conversation is created, idle, when it does not exist. fn's error or panic
// rolls back. fn must not start another turn on the same conversation.
func (s *Store) Turn(ctx context.Context, channel, address string, fn func(ctx context.Context, tx dialog.Tx) error) (err error) {
	channel, address = clean(channel), clean(address)
	pgTx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("postgres: turn: begin: %w", err)
	}
	done := false
	defer func() {
		if done {
			return
		}
		p := recover()
		if rerr := pgTx.Rollback(context.WithoutCancel(ctx)); rerr != nil && !errors.Is(rerr, pgx.ErrTxClosed) && err != nil {
			err = errors.Join(err, fmt.Errorf("postgres: turn: rollback: %w", rerr))
		}
		if p != nil {
			panic(p)
		}
	}()

	conv, err := s.lockConversation(ctx, pgTx, channel, address)
	if err != nil {
		return fmt.Errorf("postgres: turn: %w", err)
	}
	t := &tx{reader: reader{q: pgTx}, s: s, tx: pgTx, conv: conv}
	if err := fn(ctx, t); err != nil {
		return fmt.Errorf("postgres: turn: %w", err)
	}
	done = true
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: turn: commit: %w", err)
	}
	return nil
}

// lockConversation takes the conversation's advisory lock and returns it, created when
// missing, in one round trip.
func (s *Store) lockConversation(ctx context.Context, t pgx.Tx, channel, address string) (*dialog.Conversation, error) {
	now := ts(s.now())
	var b pgx.Batch
	b.Queue(`SELECT pg_advisory_xact_lock($1)`, s.lockKey("conversation", channel, address))
	// Under the lock no one else inserts the row: the CTE returns either the new row or,
	// when it existed, the stored one.
	b.Queue(`WITH ins AS (
			INSERT INTO conversations (channel, address, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4)
			ON CONFLICT (channel, address) DO NOTHING
			RETURNING `+conversationColumns+`)
		SELECT * FROM ins
		UNION ALL
		SELECT `+conversationColumns+` FROM conversations WHERE channel = $1 AND address = $2`,
		channel, address, string(dialog.StateIdle), now)
	br := t.SendBatch(ctx, &b)
	if _, err := br.Exec(); err != nil {
		br.Close()
		return nil, fmt.Errorf("lock conversation: %w", err)
	}
	conv, err := scanConversation(br.QueryRow())
	if cerr := br.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("conversation: %w", err)
	}
	return conv, nil
}

// tx is a turn's view of the store, bound to its transaction. It is not safe for
// concurrent use.
type tx struct {
	reader
	s    *Store
	tx   pgx.Tx
	conv *dialog.Conversation
}

// Conversation returns the locked conversation of the turn.
func (t *tx) Conversation() *dialog.Conversation { return t.conv }

// SaveConversation writes c's state and sets its UpdatedAt.
func (t *tx) SaveConversation(ctx context.Context, c *dialog.Conversation) error {
	c.UpdatedAt = t.s.now()
	data, err := marshal(c)
	if err != nil {
		return fmt.Errorf("postgres: save conversation: %w", err)
	}
	tag, err := t.tx.Exec(ctx, `UPDATE conversations
		SET citizen_id = $1, opted_out = $2, state = $3, lang = $4, data = $5, updated_at = $6
		WHERE id = $7`, cleanArgs([]any{c.CitizenID, c.OptedOut, string(c.State), c.Lang, data, ts(c.UpdatedAt), c.ID})...)
	if err != nil {
		return fmt.Errorf("postgres: save conversation: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: save conversation: %w", records.Errorf(records.ENOTFOUND, "conversation %d not found", c.ID))
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
// and the transaction goes on (ON CONFLICT DO NOTHING raises nothing). An empty MessageID
// is never a duplicate.
func (t *tx) AddInbound(ctx context.Context, conversationID int64, in dialog.Inbound) (int64, error) {
	meta, err := marshal(inboundMeta{Command: in.Command, Payload: in.Payload, Contact: in.Contact, Phone: in.Phone, LangHint: in.LangHint})
	if err != nil {
		return 0, fmt.Errorf("postgres: add inbound: %w", err)
	}
	now := t.s.now()
	received := in.ReceivedAt
	if received.IsZero() {
		received = now
	}
	var id int64
	err = t.tx.QueryRow(ctx, `INSERT INTO messages
		(conversation_id, citizen_id, direction, channel, channel_message_id, kind, text, meta, received_at, created_at, updated_at)
		VALUES ($1, $2, 'in', $3, $4, $5, $6, $7, $8, $9, $9)
		ON CONFLICT (channel, channel_message_id) DO NOTHING
		RETURNING id`, cleanArgs([]any{conversationID, t.citizenOf(ctx, conversationID), in.Channel, nullString(in.MessageID),
		string(in.Kind), in.Text, meta, ts(received), ts(now)})...).Scan(&id)
	switch {
	case errors.Is(err, pgx.ErrNoRows), isUniqueViolation(err):
		return 0, fmt.Errorf("postgres: add inbound: %w", records.Errorf(records.ECONFLICT, "inbound message already stored"))
	case err != nil:
		return 0, fmt.Errorf("postgres: add inbound: %w", mapConstraint(err))
	}
	return id, nil
}

// citizenOf returns the citizen linked to the conversation, as the turn sees it.
func (t *tx) citizenOf(ctx context.Context, conversationID int64) string {
	if conversationID == t.conv.ID {
		return t.conv.CitizenID
	}
	var id string
	if err := t.tx.QueryRow(ctx, `SELECT citizen_id FROM conversations WHERE id = $1`, conversationID).Scan(&id); err != nil {
		return "" // the insert reports a missing conversation
	}
	return id
}

// AddOutbound stores a reply, queued, sets o.ID, and enqueues its delivery job in the same
// transaction. The stored reply and the job carry the cleaned text (see the package doc).
func (t *tx) AddOutbound(ctx context.Context, o *dialog.Outbound) error {
	args, reply, err := cleanOutbound(*o)
	if err != nil {
		return fmt.Errorf("postgres: add outbound: %w", err)
	}
	now := ts(t.s.now())
	var id int64
	err = t.tx.QueryRow(ctx, `INSERT INTO messages
		(conversation_id, citizen_id, direction, channel, kind, reply, lang, seq, status, created_at, updated_at)
		VALUES ($1, $2, 'out', $3, 'reply', $4, $5, $6, $7, $8, $8)
		RETURNING id`, cleanArgs([]any{o.ConversationID, t.citizenOf(ctx, o.ConversationID), o.Channel, reply, o.Lang, o.Seq,
		dialog.DeliveryQueued, now})...).Scan(&id)
	if err != nil {
		return fmt.Errorf("postgres: add outbound: %w", mapConstraint(err))
	}
	args.ID = id
	if _, err := t.s.river.InsertTx(ctx, t.tx, args, &river.InsertOpts{MaxAttempts: delivery.MaxAttempts, Queue: args.Channel}); err != nil {
		return fmt.Errorf("postgres: add outbound: enqueue: %w", err)
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
	err := t.tx.QueryRow(ctx, `SELECT failures, locks, locked_until FROM lockouts WHERE key = $1`, key).
		Scan(&l.Failures, &l.Locks, timeCol{&l.LockedUntil})
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return l, fmt.Errorf("postgres: lockout: %w", err)
	}
	return l, nil
}

// SaveLockout writes the lockout counter.
func (t *tx) SaveLockout(ctx context.Context, l dialog.Lockout) error {
	_, err := t.tx.Exec(ctx, `INSERT INTO lockouts (key, failures, locks, locked_until, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locks = excluded.locks,
			locked_until = excluded.locked_until, updated_at = excluded.updated_at`,
		cleanArgs([]any{l.Key, l.Failures, l.Locks, nullTS(l.LockedUntil), ts(t.s.now())})...)
	if err != nil {
		return fmt.Errorf("postgres: save lockout: %w", err)
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
func scanConversation(row pgx.Row) (*dialog.Conversation, error) {
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
	if err := row.Scan(&id, &ch, &addr, &cit, &opted, &state, &lang, &data, &cr, &up); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("conversation %d data: %w", id, err)
	}
	c.ID, c.Channel, c.Address, c.CitizenID, c.OptedOut = id, ch, addr, cit, opted
	c.State, c.Lang, c.CreatedAt, c.UpdatedAt = dialog.State(state), lang, cr.UTC(), up.UTC()
	return &c, nil
}
