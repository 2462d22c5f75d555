package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// MarkOutbound records the delivery status of a stored reply and, when providerID is not
// empty, the provider's id for it. A receipt for that provider id that arrived first (a
// fast "delivered" callback) is applied when it is further along. A reply that does not
// exist is ENOTFOUND.
func (s *Store) MarkOutbound(ctx context.Context, id int64, status, providerID string) error {
	if status == "" {
		return fmt.Errorf("sqlite: mark outbound: %w", records.Errorf(records.EINVALID, "empty status"))
	}
	status, providerID = clean(status), clean(providerID)
	t, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: mark outbound: %w", err)
	}
	defer t.Rollback()
	if providerID != "" {
		status, err = earlyReceipt(ctx, t, providerID, status)
		if err != nil {
			return fmt.Errorf("sqlite: mark outbound: %w", err)
		}
	}
	res, err := t.ExecContext(ctx, `UPDATE messages
		SET status = ?, provider_id = coalesce(?, provider_id), updated_at = ?
		WHERE id = ? AND direction = 'out'`, status, nullString(providerID), ts(s.now()), id)
	if err != nil {
		return fmt.Errorf("sqlite: mark outbound: %w", err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: mark outbound: %w", err)
	} else if n == 0 {
		return fmt.Errorf("sqlite: mark outbound: %w", records.Errorf(records.ENOTFOUND, "outbound message %d not found", id))
	}
	if err := t.Commit(); err != nil {
		return fmt.Errorf("sqlite: mark outbound: %w", err)
	}
	return nil
}

// earlyReceipt returns the status of the receipts of providerID that is furthest along,
// or status when none is further.
func earlyReceipt(ctx context.Context, q querier, providerID, status string) (string, error) {
	rows, err := q.QueryContext(ctx, `SELECT status FROM receipts WHERE provider_id = ? ORDER BY id`, providerID)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	best := status
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return "", err
		}
		if rank, ok := dialog.ReceiptRank(r); ok && rank > dialog.DeliveryRank(best) {
			best = r
		}
	}
	return best, rows.Err()
}

// RecordReceipt stores a provider's delivery receipt once per (providerID, status) and
// reports false when it was stored before. A new receipt with a delivery status moves the
// reply with that provider id forward to it (never back).
func (s *Store) RecordReceipt(ctx context.Context, providerID, status, errorCode string) (bool, error) {
	t, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("sqlite: record receipt: %w", err)
	}
	defer t.Rollback()
	now := ts(s.now())
	var id int64
	err = t.QueryRowContext(ctx, `INSERT INTO receipts (provider_id, status, error_code, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (provider_id, status) DO NOTHING RETURNING id`, cleanArgs([]any{providerID, status, errorCode, now})...).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("sqlite: record receipt: %w", err)
	}
	if rank, ok := dialog.ReceiptRank(status); ok && providerID != "" {
		if _, err := t.ExecContext(ctx, `UPDATE messages SET status = ?, updated_at = ?
			WHERE provider_id = ? AND direction = 'out' AND `+dialog.DeliveryRankSQL+` < ?`,
			cleanArgs([]any{status, now, providerID, rank})...); err != nil {
			return false, fmt.Errorf("sqlite: record receipt: %w", err)
		}
	}
	if err := t.Commit(); err != nil {
		return false, fmt.Errorf("sqlite: record receipt: %w", err)
	}
	return true, nil
}

// OptedOut reports whether the address asked not to be messaged.
func (s *Store) OptedOut(ctx context.Context, channel, address string) (bool, error) {
	var out bool
	err := s.db.QueryRowContext(ctx, `SELECT opted_out FROM conversations WHERE channel = ? AND address = ?`,
		cleanArgs([]any{channel, address})...).Scan(&out)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("sqlite: opted out: %w", err)
	}
	return out, nil
}

// SetOptedOut marks or clears the opt-out of an address, creating its conversation when
// there is none, so that the next turn sees it. It waits for a running turn to finish.
func (s *Store) SetOptedOut(ctx context.Context, channel, address string, optedOut bool) error {
	now := ts(s.now())
	_, err := s.db.ExecContext(ctx, `INSERT INTO conversations (channel, address, opted_out, state, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (channel, address) DO UPDATE SET opted_out = excluded.opted_out, updated_at = excluded.updated_at`,
		cleanArgs([]any{channel, address, optedOut, string(dialog.StateIdle), now, now})...)
	if err != nil {
		return fmt.Errorf("sqlite: set opted out: %w", err)
	}
	return nil
}
