package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
)

var _ delivery.Outbox = (*Store)(nil)

// WithQueue sets how StartWorkers works the delivery queues (see delivery.QueueConfig).
func WithQueue(q delivery.QueueConfig) Option { return func(c *Config) { c.Queue = q } }

// PendingOutbound returns the conversation's replies still queued with ids up to upTo,
// oldest first.
func (s *Store) PendingOutbound(ctx context.Context, conversationID, upTo int64) ([]dialog.Outbound, error) {
	out, err := scanAll(ctx, s.reader.conn, func(row *sql.Rows, o *dialog.Outbound) error {
		var reply sql.NullString
		if err := row.Scan(&o.ID, &o.Channel, &o.Address, &o.Lang, &o.Seq, &reply); err != nil {
			return err
		}
		o.ConversationID = conversationID
		if reply.Valid {
			return json.Unmarshal([]byte(reply.String), &o.Reply)
		}
		return nil
	}, `SELECT m.id, m.channel, c.address, m.lang, m.seq, m.reply
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.conversation_id = ? AND m.status = 'queued' AND m.direction = 'out' AND m.id <= ?
		ORDER BY m.id`, conversationID, upTo)
	return out, s.errorf("pending outbound", err)
}

// ClaimOutbound takes the send of a queued reply for lease (see delivery.Outbox): one
// UPDATE, so two workers, of one process or two, never both hold it.
func (s *Store) ClaimOutbound(ctx context.Context, id int64, lease time.Duration) (delivery.Claim, error) {
	now := s.now()
	var (
		c     delivery.Claim
		tries int
	)
	err := s.write(ctx, "", func(q conn) error {
		err := q.queryRow(ctx, `UPDATE messages
		SET send_lease = ?, send_tries = send_tries + 1,
			send_started_at = CASE WHEN send_tries = 0 THEN ? ELSE send_started_at END
		WHERE id = ? AND direction = 'out' AND status = 'queued' AND (send_lease IS NULL OR send_lease < ?)
		RETURNING send_tries, send_started_at`, q.ts(now.Add(lease)), q.ts(now), id, q.ts(now)).Scan(&tries, timeCol{&c.Since})
		if !errors.Is(err, sql.ErrNoRows) {
			c.OK, c.Unsure = err == nil, tries > 1
			return err
		}
		var status sql.NullString
		err = q.queryRow(ctx, `SELECT status FROM messages WHERE id = ? AND direction = 'out'`, id).Scan(&status)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		c.Held = status.String == dialog.DeliveryQueued
		return nil
	})
	if err != nil {
		return delivery.Claim{}, s.errorf("claim outbound", err)
	}
	return c, nil
}

// ReleaseOutbound gives a claimed reply back to the queue (see delivery.Outbox).
func (s *Store) ReleaseOutbound(ctx context.Context, id int64, unsure bool) error {
	err := s.write(ctx, "", func(q conn) error {
		_, err := q.exec(ctx, `UPDATE messages
			SET send_lease = NULL,
				send_tries = CASE WHEN ? THEN send_tries ELSE 0 END,
				send_started_at = CASE WHEN ? THEN send_started_at ELSE NULL END
			WHERE id = ? AND direction = 'out' AND status = 'queued'`, unsure, unsure, id)
		return err
	})
	return s.errorf("release outbound", err)
}

// ProviderIDRecorded reports whether a reply was recorded with the provider's id.
func (s *Store) ProviderIDRecorded(ctx context.Context, providerID string) (bool, error) {
	var n int
	err := s.reader.conn.queryRow(ctx, `SELECT count(*) FROM messages WHERE provider_id = ? AND direction = 'out'`, providerID).Scan(&n)
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
