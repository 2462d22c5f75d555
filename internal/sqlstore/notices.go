package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/records"
)

var (
	_ notices.Store          = (*Store)(nil)
	_ notices.Queuer         = (*Store)(nil)
	_ notices.SweepStore     = (*Store)(nil)
	_ notices.Applications   = (*Store)(nil)
	_ notices.SweepScheduler = (*Store)(nil)
)

// queueNotice inserts the item unless the citizen has one with the same cause, and then
// enqueues its job, in the transaction of c.
func (c conn) queueNotice(ctx context.Context, it notices.Item) (bool, error) {
	if it.CreatedAt.IsZero() {
		it.CreatedAt = c.s.now()
	}
	var j jsonArgs
	data := j.of(it)
	if j.err != nil {
		return false, j.err
	}
	var id int64
	err := c.queryRow(ctx, `INSERT INTO notice_items (citizen_id, cause, kind, item, created_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (citizen_id, cause) DO NOTHING RETURNING id`,
		it.CitizenID, it.Cause, it.Kind, data, c.ts(it.CreatedAt)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil // told before, or queued already
	}
	if err != nil {
		return false, err
	}
	job := notices.Job{CitizenID: it.CitizenID, Cause: it.Cause}
	return true, c.insertJob(ctx, job, &river.InsertOpts{Queue: notices.Queue, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}})
}

// QueueNotice queues the item and its job in a transaction of its own.
func (s *Store) QueueNotice(ctx context.Context, it notices.Item) (bool, error) {
	var ok bool
	err := s.write(ctx, "", func(q conn) (err error) {
		ok, err = q.queueNotice(ctx, it)
		return err
	})
	return ok, s.errorf("queue notice", err)
}

// ClaimNotices returns the citizen's untried items not claimed since now-ClaimLease, oldest
// first, and claims them, under the citizen's notice lock.
func (s *Store) ClaimNotices(ctx context.Context, citizenID string, now time.Time) ([]notices.Item, error) {
	var items []notices.Item
	err := s.write(ctx, lockName("notices", citizenID), func(q conn) error {
		var err error
		items, err = scanAll(ctx, q, func(row *sql.Rows, it *notices.Item) error {
			var id int64
			if err := row.Scan(&id, jsonCol{it}); err != nil {
				return err
			}
			it.ID = id
			return nil
		}, `SELECT id, item FROM notice_items WHERE citizen_id = ? AND outcome IS NULL
			AND (claimed_at IS NULL OR claimed_at <= ?) ORDER BY id`, citizenID, q.ts(now.Add(-notices.ClaimLease)))
		if err != nil || len(items) == 0 {
			return err
		}
		_, err = q.exec(ctx, `UPDATE notice_items SET claimed_at = ? WHERE citizen_id = ? AND outcome IS NULL
			AND id BETWEEN ? AND ? AND (claimed_at IS NULL OR claimed_at <= ?)`,
			q.ts(now), citizenID, items[0].ID, items[len(items)-1].ID, q.ts(now.Add(-notices.ClaimLease)))
		return err
	})
	if err != nil {
		return nil, s.errorf("claim notices", err)
	}
	return items, nil
}

// LastNoticeAt returns when the citizen was last sent a notice, zero when never.
func (s *Store) LastNoticeAt(ctx context.Context, citizenID string) (time.Time, error) {
	var t time.Time
	err := s.conn(s.db).queryRow(ctx, `SELECT max(tried_at) FROM notice_items WHERE citizen_id = ? AND outcome = ?`,
		citizenID, notices.OutcomeSent).Scan(timeCol{&t})
	return t, s.errorf("last notice", err)
}

// MarkNotices records the outcome of the items at t.
func (s *Store) MarkNotices(ctx context.Context, ids []int64, outcome string, t time.Time) error {
	err := s.write(ctx, "", func(q conn) error {
		for _, id := range ids {
			if _, err := q.exec(ctx, `UPDATE notice_items SET outcome = ?, tried_at = ? WHERE id = ?`, outcome, q.ts(t), id); err != nil {
				return err
			}
		}
		return nil
	})
	return s.errorf("mark notices", err)
}

// CitizenConversations returns the conversations linked to the citizen, the most recently
// active first.
func (s *Store) CitizenConversations(ctx context.Context, citizenID string) ([]dialog.Conversation, error) {
	out, err := scanAll(ctx, s.conn(s.db), func(row *sql.Rows, c *dialog.Conversation) error {
		conv, err := scanConversation(row)
		if err == nil {
			*c = *conv
		}
		return err
	}, `SELECT `+conversationColumns+` FROM conversations WHERE citizen_id = ? ORDER BY updated_at DESC, id DESC`, citizenID)
	return out, s.errorf("citizen conversations", err)
}

// sweepPage is how many citizens EachCitizen reads at a time: it pages by id, so memory
// stays flat and no read stays open while the sweep writes.
const sweepPage = 1000

// EachCitizen calls fn for every citizen in id order with the benefits the last sweep
// found likely for them.
func (s *Store) EachCitizen(ctx context.Context, fn func(c records.Citizen, known []string, swept bool) error) error {
	type row struct {
		c      records.Citizen
		known  []string
		swept  bool
		sweptT time.Time
	}
	after := ""
	for {
		page, err := scanAll(ctx, s.conn(s.db), func(r *sql.Rows, v *row) error {
			c, err := scanCitizen(r, jsonCol{&v.known}, timeCol{&v.sweptT})
			if err == nil {
				v.c, v.swept = *c, !v.sweptT.IsZero()
			}
			return err
		}, `SELECT `+citizenColumns+`, benefits, swept_at
			FROM citizens LEFT JOIN citizen_benefits ON citizen_benefits.citizen_id = citizens.id
			WHERE id > ? ORDER BY id LIMIT ?`, after, sweepPage)
		if err != nil {
			return s.errorf("each citizen", err)
		}
		for _, v := range page {
			if err := fn(v.c, v.known, v.swept); err != nil {
				return err
			}
		}
		if len(page) < sweepPage {
			return nil
		}
		after = page[len(page)-1].c.ID
	}
}

// SaveLikely stores each citizen's likely benefits and queues their items, in one
// transaction.
func (s *Store) SaveLikely(ctx context.Context, batch []notices.Likely) error {
	now := s.now()
	err := s.write(ctx, "", func(q conn) error {
		// One statement a batch: the first sweep writes every citizen.
		var (
			j      jsonArgs
			values []string
			args   []any
		)
		for _, l := range batch {
			values = append(values, "(?, ?, ?)")
			args = append(args, l.CitizenID, j.of(l.Benefits), q.ts(now))
		}
		if j.err != nil {
			return j.err
		}
		if len(values) > 0 {
			if _, err := q.exec(ctx, `INSERT INTO citizen_benefits (citizen_id, benefits, swept_at) VALUES `+strings.Join(values, ", ")+`
				ON CONFLICT (citizen_id) DO UPDATE SET benefits = excluded.benefits, swept_at = excluded.swept_at`, args...); err != nil {
				return err
			}
		}
		for _, l := range batch {
			for _, it := range l.Items {
				if _, err := q.queueNotice(ctx, it); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return s.errorf("save likely", err)
}

// ScheduleSweep enqueues the sweep of the night to run at at, once per night.
func (s *Store) ScheduleSweep(ctx context.Context, night string, at time.Time) error {
	err := s.write(ctx, "", func(q conn) error {
		return q.insertJob(ctx, notices.SweepJob{Night: night}, &river.InsertOpts{Queue: notices.Queue, ScheduledAt: at,
			MaxAttempts: 3, UniqueOpts: river.UniqueOpts{ByArgs: true}})
	})
	return s.errorf("schedule sweep", err)
}
