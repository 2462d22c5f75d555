package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
)

var _ delivery.Ledger = (*Store)(nil)

// PendingOutbound returns the conversation's replies still queued with ids up to upTo,
// oldest first.
func (s *Store) PendingOutbound(ctx context.Context, conversationID, upTo int64) ([]dialog.Outbound, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT m.id, m.channel, c.address, m.lang, m.seq, m.reply
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.conversation_id = ? AND m.status = 'queued' AND m.direction = 'out' AND m.id <= ?
		ORDER BY m.id`, conversationID, upTo)
	if err != nil {
		return nil, fmt.Errorf("sqlite: pending outbound: %w", err)
	}
	defer rows.Close()
	var out []dialog.Outbound
	for rows.Next() {
		o := dialog.Outbound{ConversationID: conversationID}
		var reply sql.NullString
		if err := rows.Scan(&o.ID, &o.Channel, &o.Address, &o.Lang, &o.Seq, &reply); err != nil {
			return nil, fmt.Errorf("sqlite: pending outbound: %w", err)
		}
		if reply.Valid {
			if err := json.Unmarshal([]byte(reply.String), &o.Reply); err != nil {
				return nil, fmt.Errorf("sqlite: pending outbound %d: %w", o.ID, err)
			}
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: pending outbound: %w", err)
	}
	return out, nil
}

// ClaimOutbound takes the send of a queued reply for lease (see delivery.Ledger).
func (s *Store) ClaimOutbound(ctx context.Context, id int64, lease time.Duration) (delivery.Claim, error) {
	now := s.now()
	var (
		c     delivery.Claim
		tries int
	)
	err := s.db.QueryRowContext(ctx, `UPDATE messages
		SET send_lease = ?, send_tries = send_tries + 1,
			send_started_at = CASE WHEN send_tries = 0 THEN ? ELSE send_started_at END
		WHERE id = ? AND direction = 'out' AND status = 'queued' AND (send_lease IS NULL OR send_lease < ?)
		RETURNING send_tries, send_started_at`, ts(now.Add(lease)), ts(now), id, ts(now)).Scan(&tries, timeCol{&c.Since})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		var status string
		err := s.db.QueryRowContext(ctx, `SELECT status FROM messages WHERE id = ? AND direction = 'out'`, id).Scan(&status)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return c, fmt.Errorf("sqlite: claim outbound %d: %w", id, err)
		}
		c.Held = status == dialog.DeliveryQueued
		return c, nil
	case err != nil:
		return c, fmt.Errorf("sqlite: claim outbound %d: %w", id, err)
	}
	c.OK, c.Unsure = true, tries > 1
	return c, nil
}

// ReleaseOutbound gives a claimed reply back to the queue (see delivery.Ledger).
func (s *Store) ReleaseOutbound(ctx context.Context, id int64, unsure bool) error {
	_, err := s.db.ExecContext(ctx, `UPDATE messages
		SET send_lease = NULL,
			send_tries = CASE WHEN ? THEN send_tries ELSE 0 END,
			send_started_at = CASE WHEN ? THEN send_started_at ELSE NULL END
		WHERE id = ? AND direction = 'out' AND status = 'queued'`, unsure, unsure, id)
	if err != nil {
		return fmt.Errorf("sqlite: release outbound %d: %w", id, err)
	}
	return nil
}

// ProviderIDRecorded reports whether a reply was recorded with the provider's id.
func (s *Store) ProviderIDRecorded(ctx context.Context, providerID string) (bool, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM messages WHERE provider_id = ? AND direction = 'out'`, providerID).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("sqlite: provider id recorded: %w", err)
	}
	return n > 0, nil
}
