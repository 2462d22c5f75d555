package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
)

var _ delivery.Ledger = (*Store)(nil)

// PendingOutbound returns the conversation's replies still queued with ids up to upTo,
// oldest first.
func (s *Store) PendingOutbound(ctx context.Context, conversationID, upTo int64) ([]dialog.Outbound, error) {
	rows, err := s.pool.Query(ctx, `SELECT m.id, m.channel, c.address, m.lang, m.seq, m.reply
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.conversation_id = $1 AND m.status = 'queued' AND m.direction = 'out' AND m.id <= $2
		ORDER BY m.id`, conversationID, upTo)
	if err != nil {
		return nil, fmt.Errorf("postgres: pending outbound: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (dialog.Outbound, error) {
		o := dialog.Outbound{ConversationID: conversationID}
		var reply *dialog.Reply
		if err := r.Scan(&o.ID, &o.Channel, &o.Address, &o.Lang, &o.Seq, &reply); err != nil {
			return o, err
		}
		if reply != nil {
			o.Reply = *reply
		}
		return o, nil
	})
	if err != nil {
		return nil, fmt.Errorf("postgres: pending outbound: %w", err)
	}
	return out, nil
}

// ClaimOutbound takes the send of a queued reply for lease (see delivery.Ledger).
func (s *Store) ClaimOutbound(ctx context.Context, id int64, lease time.Duration) (delivery.Claim, error) {
	now := ts(s.now())
	var (
		c     delivery.Claim
		tries int
		since *time.Time
	)
	err := s.pool.QueryRow(ctx, `UPDATE messages
		SET send_lease = $1, send_tries = send_tries + 1,
			send_started_at = CASE WHEN send_tries = 0 THEN $2 ELSE send_started_at END
		WHERE id = $3 AND direction = 'out' AND status = 'queued' AND (send_lease IS NULL OR send_lease < $2)
		RETURNING send_tries, send_started_at`, now.Add(lease), now, id).Scan(&tries, &since)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		var status *string
		err := s.pool.QueryRow(ctx, `SELECT status FROM messages WHERE id = $1 AND direction = 'out'`, id).Scan(&status)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return c, fmt.Errorf("postgres: claim outbound %d: %w", id, err)
		}
		c.Held = status != nil && *status == dialog.DeliveryQueued
		return c, nil
	case err != nil:
		return c, fmt.Errorf("postgres: claim outbound %d: %w", id, err)
	}
	if since != nil {
		c.Since = *since
	}
	c.OK, c.Unsure = true, tries > 1
	return c, nil
}

// ReleaseOutbound gives a claimed reply back to the queue (see delivery.Ledger).
func (s *Store) ReleaseOutbound(ctx context.Context, id int64, unsure bool) error {
	_, err := s.pool.Exec(ctx, `UPDATE messages
		SET send_lease = NULL,
			send_tries = CASE WHEN $1 THEN send_tries ELSE 0 END,
			send_started_at = CASE WHEN $1 THEN send_started_at ELSE NULL END
		WHERE id = $2 AND direction = 'out' AND status = 'queued'`, unsure, id)
	if err != nil {
		return fmt.Errorf("postgres: release outbound %d: %w", id, err)
	}
	return nil
}

// ProviderIDRecorded reports whether a reply was recorded with the provider's id.
func (s *Store) ProviderIDRecorded(ctx context.Context, providerID string) (bool, error) {
	var found bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE provider_id = $1 AND direction = 'out')`, providerID).Scan(&found)
	if err != nil {
		return false, fmt.Errorf("postgres: provider id recorded: %w", err)
	}
	return found, nil
}
