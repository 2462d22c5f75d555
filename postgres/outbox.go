package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// MarkOutbound records the delivery status of a stored reply and, when providerID is not
// empty, the provider's id for it. A receipt for that provider id that arrived first (a
// fast "delivered" callback) is applied when it is further along. A reply that does not
// exist is ENOTFOUND.
func (s *Store) MarkOutbound(ctx context.Context, id int64, status, providerID string) error {
	if status == "" {
		return fmt.Errorf("postgres: mark outbound: %w", records.Errorf(records.EINVALID, "empty status"))
	}
	status, providerID = clean(status), clean(providerID)
	err := pgx.BeginFunc(ctx, s.pool, func(t pgx.Tx) error {
		if providerID != "" {
			if _, err := t.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.lockKey("receipt", providerID)); err != nil {
				return err
			}
			var err error
			if status, err = earlyReceipt(ctx, t, providerID, status); err != nil {
				return err
			}
		}
		tag, err := t.Exec(ctx, `UPDATE messages
			SET status = $1, provider_id = coalesce($2, provider_id), updated_at = $3
			WHERE id = $4 AND direction = 'out'`, status, nullString(providerID), ts(s.now()), id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return records.Errorf(records.ENOTFOUND, "outbound message %d not found", id)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("postgres: mark outbound: %w", err)
	}
	return nil
}

// earlyReceipt returns the status of the receipts of providerID that is furthest along,
// or status when none is further.
func earlyReceipt(ctx context.Context, q querier, providerID, status string) (string, error) {
	rows, err := q.Query(ctx, `SELECT status FROM receipts WHERE provider_id = $1 ORDER BY id`, providerID)
	if err != nil {
		return "", err
	}
	statuses, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	best := status
	for _, r := range statuses {
		if rank, ok := dialog.ReceiptRank(r); ok && rank > dialog.DeliveryRank(best) {
			best = r
		}
	}
	return best, nil
}

// RecordReceipt stores a provider's delivery receipt once per (providerID, status) and
// reports false when it was stored before. A new receipt with a delivery status moves the
// reply with that provider id forward to it (never back).
func (s *Store) RecordReceipt(ctx context.Context, providerID, status, errorCode string) (bool, error) {
	stored := false
	providerID = clean(providerID)
	err := pgx.BeginFunc(ctx, s.pool, func(t pgx.Tx) error {
		// The lock orders this receipt and MarkOutbound of the same provider id: whichever
		// commits second sees the other.
		if _, err := t.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, s.lockKey("receipt", providerID)); err != nil {
			return err
		}
		now := ts(s.now())
		var id int64
		err := t.QueryRow(ctx, `INSERT INTO receipts (provider_id, status, error_code, at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (provider_id, status) DO NOTHING RETURNING id`, cleanArgs([]any{providerID, status, errorCode, now})...).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		stored = true
		if rank, ok := dialog.ReceiptRank(status); ok && providerID != "" {
			_, err := t.Exec(ctx, `UPDATE messages SET status = $1, updated_at = $2
				WHERE provider_id = $3 AND direction = 'out' AND `+dialog.DeliveryRankSQL+` < $4`,
				cleanArgs([]any{status, now, providerID, rank})...)
			return err
		}
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("postgres: record receipt: %w", err)
	}
	return stored, nil
}

// OptedOut reports whether the address asked not to be messaged.
func (s *Store) OptedOut(ctx context.Context, channel, address string) (bool, error) {
	var out bool
	err := s.pool.QueryRow(ctx, `SELECT opted_out FROM conversations WHERE channel = $1 AND address = $2`,
		cleanArgs([]any{channel, address})...).Scan(&out)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return false, fmt.Errorf("postgres: opted out: %w", err)
	}
	return out, nil
}

// SetOptedOut marks or clears the opt-out of an address, creating its conversation when
// there is none, so that the next turn sees it. It takes the conversation's lock, so it
// waits for a running turn to finish and is never overwritten by it.
func (s *Store) SetOptedOut(ctx context.Context, channel, address string, optedOut bool) error {
	channel, address = clean(channel), clean(address)
	err := pgx.BeginFunc(ctx, s.pool, func(t pgx.Tx) error {
		now := ts(s.now())
		var b pgx.Batch
		b.Queue(`SELECT pg_advisory_xact_lock($1)`, s.lockKey("conversation", channel, address))
		b.Queue(`INSERT INTO conversations (channel, address, opted_out, state, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5)
			ON CONFLICT (channel, address) DO UPDATE SET opted_out = excluded.opted_out, updated_at = excluded.updated_at`,
			channel, address, optedOut, string(dialog.StateIdle), now)
		return t.SendBatch(ctx, &b).Close()
	})
	if err != nil {
		return fmt.Errorf("postgres: set opted out: %w", err)
	}
	return nil
}
