package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/catalonia/mygov/delivery"
)

var _ delivery.Outbox = (*Store)(nil)

// WithQueue sets how StartWorkers works the delivery queues (see delivery.QueueConfig).
func WithQueue(q delivery.QueueConfig) Option { return func(c *Config) { c.Queue = q } }

// claimSQL claims the queued replies of a conversation up to an id, oldest first, up to
// the first one whose claim has not expired, in one statement: its rows are locked in id
// order (PostgreSQL: FOR UPDATE, which waits for another claim of the same rows and then
// reads them as that one left them; SQLite writes one at a time), so of two workers one
// gets a prefix and the other what follows, never a reply before one the first holds.
// The reply's address and opt-out come with it.
const claimSQL = `WITH q AS (
		SELECT id, send_lease FROM messages
		WHERE conversation_id = ? AND direction = 'out' AND status = 'queued' AND id <= ?
		ORDER BY id` + forUpdate + `),
	held AS (SELECT coalesce(min(id), ?) AS id FROM q WHERE send_lease IS NOT NULL AND send_lease >= ?)
	UPDATE messages
	SET send_lease = ?, send_tries = send_tries + 1,
		send_started_at = CASE WHEN send_tries = 0 THEN ? ELSE send_started_at END
	WHERE id IN (SELECT q.id FROM q, held WHERE q.id < held.id)
	RETURNING id, channel, lang, seq, reply, send_tries, send_started_at,
		(SELECT address FROM conversations c WHERE c.id = messages.conversation_id),
		(SELECT opted_out FROM conversations c WHERE c.id = messages.conversation_id)`

// forUpdate is replaced by the dialect's row lock clause (Dialect.ForUpdate).
const forUpdate = " /*FOR UPDATE*/"

// ClaimOutbound takes for lease the sends of the conversation's queued replies with ids
// up to upTo, oldest first, stopping before the first that another worker holds (see
// delivery.Outbox): one statement, so two workers, of one process or two, never both hold
// a reply, and never one a reply after another's.
func (s *Store) ClaimOutbound(ctx context.Context, conversationID, upTo int64, lease time.Duration) ([]delivery.Claim, error) {
	now := s.now()
	until := now.Add(lease).UTC().Truncate(time.Microsecond) // as the column keeps it
	var claims []delivery.Claim
	err := s.writeStatement(ctx, func(c conn) (err error) {
		claims, err = scanAll(ctx, c, func(row *sql.Rows, cl *delivery.Claim) error {
			var (
				reply   sql.NullString
				tries   int
				address sql.NullString
			)
			if err := row.Scan(&cl.ID, &cl.Channel, &cl.Lang, &cl.Seq, &reply, &tries, timeCol{&cl.Since}, &address, &cl.OptedOut); err != nil {
				return err
			}
			cl.ConversationID, cl.Address, cl.Unsure, cl.Lease = conversationID, address.String, tries > 1, until
			if reply.Valid {
				return json.Unmarshal([]byte(reply.String), &cl.Reply)
			}
			return nil
		}, strings.Replace(claimSQL, forUpdate, s.d.ForUpdate(), 1), conversationID, upTo, upTo+1, c.ts(now), c.ts(until), c.ts(now))
		return err
	})
	if err != nil {
		return nil, s.errorf("claim outbound", err)
	}
	slices.SortFunc(claims, func(a, b delivery.Claim) int { return cmp.Compare(a.ID, b.ID) })
	return claims, nil
}

// writeStatement runs fn, one statement of delivery's that writes, alone where the
// dialect locks rows (ForUpdate is not ""), else in a write transaction (deliveryWrite),
// which serializes it with the other writers.
func (s *Store) writeStatement(ctx context.Context, fn func(c conn) error) error {
	if s.d.ForUpdate() != "" {
		return fn(s.conn(s.ddb))
	}
	return s.deliveryWrite(ctx, "", fn)
}

// deliveryWrite is write for delivery: on delivery's connections, and urgent (see Urgent).
func (s *Store) deliveryWrite(ctx context.Context, lock string, fn func(q conn) error) error {
	return s.writeOn(Urgent(ctx), s.ddb, lock, fn)
}

type urgentKey struct{}

// Urgent marks the writes of ctx as delivery's: where all writes take one lock (SQLite),
// they take it before the turns waiting for it. A reply's claim and mark are short and
// few, and only turns make replies, so turns still get the lock between them, while
// replies keep up with the turns instead of queueing behind them.
func Urgent(ctx context.Context) context.Context { return context.WithValue(ctx, urgentKey{}, true) }

// IsUrgent reports whether ctx's writes are urgent (see Urgent).
func IsUrgent(ctx context.Context) bool { v, _ := ctx.Value(urgentKey{}).(bool); return v }

// OutboundQueued reports whether reply id is still queued (not yet sent or settled).
func (s *Store) OutboundQueued(ctx context.Context, id int64) (bool, error) {
	var n int
	err := s.conn(s.ddb).queryRow(ctx, `SELECT count(*) FROM messages WHERE id = ? AND direction = 'out' AND status = 'queued'`, id).Scan(&n)
	return n > 0, s.errorf("outbound queued", err)
}

// UnclaimOutbound gives back claims taken and not used: each reply is as it was before
// its claim (an unsure one stays unsure). A claim is named by its lease: one that expired
// and was taken by another worker is left to that worker.
func (s *Store) UnclaimOutbound(ctx context.Context, claims ...delivery.Claim) error {
	if len(claims) == 0 {
		return nil
	}
	err := s.deliveryWrite(ctx, "", func(q conn) error {
		for _, c := range claims {
			if _, err := q.exec(ctx, `UPDATE messages
				SET send_lease = NULL, send_tries = send_tries - 1,
					send_started_at = CASE WHEN send_tries = 1 THEN NULL ELSE send_started_at END
				WHERE id = ? AND direction = 'out' AND status = 'queued' AND send_tries > 0 AND send_lease = ?`,
				c.ID, q.ts(c.Lease)); err != nil {
				return err
			}
		}
		return nil
	})
	return s.errorf("unclaim outbound", err)
}

// ReleaseOutbound gives a claimed reply back to the queue (see delivery.Outbox), if the
// claim is still the caller's.
func (s *Store) ReleaseOutbound(ctx context.Context, c delivery.Claim, unsure bool) error {
	err := s.deliveryWrite(ctx, "", func(q conn) error {
		_, err := q.exec(ctx, `UPDATE messages
			SET send_lease = NULL,
				send_tries = CASE WHEN ? THEN send_tries ELSE 0 END,
				send_started_at = CASE WHEN ? THEN send_started_at ELSE NULL END
			WHERE id = ? AND direction = 'out' AND status = 'queued' AND send_lease = ?`, unsure, unsure, c.ID, q.ts(c.Lease))
		return err
	})
	return s.errorf("release outbound", err)
}

// ProviderIDRecorded reports whether a reply was recorded with the provider's id.
func (s *Store) ProviderIDRecorded(ctx context.Context, providerID string) (bool, error) {
	var n int
	err := s.conn(s.ddb).queryRow(ctx, `SELECT count(*) FROM messages WHERE provider_id = ? AND direction = 'out'`, providerID).Scan(&n)
	return n > 0, s.errorf("provider id recorded", err)
}

// QueuedOutbound counts the replies stored and not yet sent, by channel.
func (s *Store) QueuedOutbound(ctx context.Context) (map[string]int64, error) {
	type count struct {
		channel string
		n       int64
	}
	rows, err := scanAll(ctx, s.reader.conn, func(row *sql.Rows, c *count) error { return row.Scan(&c.channel, &c.n) },
		`SELECT channel, count(*) FROM messages WHERE status = 'queued' AND direction = 'out' GROUP BY channel`)
	if err != nil {
		return nil, s.errorf("queued outbound", err)
	}
	out := make(map[string]int64, len(rows))
	for _, r := range rows {
		out[r.channel] = r.n
	}
	return out, nil
}

// Ready reports whether the database answers and holds every migration this build embeds.
func (s *Store) Ready(ctx context.Context) error {
	files, err := Migrations(s.d.Migrations())
	if err != nil || len(files) == 0 {
		return s.errorf("ready", errors.Join(err, errors.New("no migrations")))
	}
	var latest int
	if err := s.reader.conn.queryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return s.errorf("ready", err)
	}
	if want := files[len(files)-1].Version; latest < want {
		return s.errorf("ready", errors.New("the schema is behind this build: run mygov migrate"))
	}
	return nil
}
