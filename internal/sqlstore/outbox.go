package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// deliveryRankSQL ranks the stored status of a reply as dialog.DeliveryRank does, so a
// late receipt never moves a reply back.
const deliveryRankSQL = `CASE status WHEN 'queued' THEN 0 WHEN 'sent' THEN 1 WHEN 'read' THEN 3 ELSE 2 END`

// MarkOutbound records the delivery status of a stored reply and, when providerID is not
// empty, the provider's id for it. A receipt for that provider id that arrived first (a
// fast "delivered" callback) is applied when it is further along, in the same statement.
// A reply that does not exist is ENOTFOUND. The marks of concurrent callers are written
// together, in one transaction (see marks.go); MarkOutbound returns once its mark is
// committed.
func (s *Store) MarkOutbound(ctx context.Context, id int64, status, providerID string) error {
	if status == "" {
		return s.errorf("mark outbound", records.Errorf(records.EINVALID, "empty status"))
	}
	return s.errorf("mark outbound", s.marks.mark(ctx, mark{id: id, status: Clean(status), providerID: Clean(providerID)}))
}

// markOutbound writes one mark (see MarkOutbound) in the transaction of q, which holds the
// lock of the provider id's receipts.
func (q conn) markOutbound(ctx context.Context, now time.Time, m mark) error {
	var res sql.Result
	var err error
	if m.providerID == "" {
		res, err = q.exec(ctx, `UPDATE messages SET status = ?, updated_at = ? WHERE id = ? AND direction = 'out'`,
			m.status, q.ts(now), m.id)
	} else {
		// A receipt of the provider id stored first wins when it is further along: the
		// one furthest along, the earliest of those.
		res, err = q.exec(ctx, `UPDATE messages
			SET status = coalesce((SELECT r.status FROM receipts r
					WHERE r.provider_id = ? AND `+receiptRankSQL+` > ?
					ORDER BY `+receiptRankSQL+` DESC, r.id LIMIT 1), ?),
				provider_id = ?, updated_at = ?
			WHERE id = ? AND direction = 'out'`, m.providerID, dialog.DeliveryRank(m.status), m.status, m.providerID, q.ts(now), m.id)
	}
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return records.Errorf(records.ENOTFOUND, "outbound message %d not found", m.id)
	}
	return nil
}

// receiptRankSQL ranks the status of a receipt r as dialog.ReceiptRank does, 0 for the
// statuses that move no reply.
const receiptRankSQL = `CASE r.status WHEN 'sent' THEN 1 WHEN 'delivered' THEN 2 WHEN 'undelivered' THEN 2
	WHEN 'failed' THEN 2 WHEN 'read' THEN 3 ELSE 0 END`

// RecordReceipt stores a provider's delivery receipt once per (providerID, status) and
// reports false when it was stored before. A new receipt with a delivery status moves the
// reply with that provider id forward to it (never back). It holds the lock of the
// provider id's receipts, as MarkOutbound does, so whichever commits second sees the other.
func (s *Store) RecordReceipt(ctx context.Context, providerID, status, errorCode string) (bool, error) {
	stored := false
	providerID = Clean(providerID)
	err := s.write(ctx, lockName("receipt", providerID), func(q conn) error {
		now := q.ts(s.now())
		var id int64
		err := q.queryRow(ctx, `INSERT INTO receipts (provider_id, status, error_code, at) VALUES (?, ?, ?, ?)
			ON CONFLICT (provider_id, status) DO NOTHING RETURNING id`, providerID, status, errorCode, now).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		stored = true
		if rank, ok := dialog.ReceiptRank(status); ok && providerID != "" {
			_, err := q.exec(ctx, `UPDATE messages SET status = ?, updated_at = ?
				WHERE provider_id = ? AND direction = 'out' AND `+deliveryRankSQL+` < ?`, status, now, providerID, rank)
			return err
		}
		return nil
	})
	return stored, s.errorf("record receipt", err)
}

// OptedOut reports whether the address asked not to be messaged.
func (s *Store) OptedOut(ctx context.Context, channel, address string) (bool, error) {
	var out bool
	err := s.conn(s.db).queryRow(ctx, `SELECT opted_out FROM conversations WHERE channel = ? AND address = ?`,
		channel, address).Scan(&out)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return out, s.errorf("opted out", err)
}

// SetOptedOut marks or clears the opt-out of an address, creating its conversation when
// there is none, so that the next turn sees it. It takes the conversation's lock, so it
// waits for a running turn to finish and is never overwritten by it.
func (s *Store) SetOptedOut(ctx context.Context, channel, address string, optedOut bool) error {
	channel, address = Clean(channel), Clean(address)
	err := s.write(ctx, lockName("conversation", channel, address), func(q conn) error {
		now := q.ts(s.now())
		_, err := q.exec(ctx, `INSERT INTO conversations (channel, address, opted_out, state, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (channel, address) DO UPDATE SET opted_out = excluded.opted_out, updated_at = excluded.updated_at`,
			channel, address, optedOut, string(dialog.StateIdle), now, now)
		return err
	})
	return s.errorf("set opted out", err)
}
