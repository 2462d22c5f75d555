package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/riverqueue/river"

	"github.com/catalonia/mygov/ingest"
	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/records"
)

var (
	_ ingest.Store = (*Store)(nil)
	_ ingest.Keys  = (*Store)(nil)
	_ ingest.Tx    = ingestTx{}
)

// AdministrationByKey returns the administration of the live API key with the hash, or
// ENOTFOUND.
func (s *Store) AdministrationByKey(ctx context.Context, hash []byte) (string, error) {
	var admin string
	err := s.conn(s.db).queryRow(ctx, `SELECT administration_id FROM api_keys WHERE hash = ? AND revoked_at IS NULL`, hash).Scan(&admin)
	if errors.Is(err, sql.ErrNoRows) {
		err = records.Errorf(records.ENOTFOUND, "no live API key with this hash")
	}
	return admin, s.errorf("administration by key", err)
}

// CreateAPIKey stores the hash of a new key of the administration and returns its id; an
// unknown administration is ENOTFOUND.
func (s *Store) CreateAPIKey(ctx context.Context, administrationID string, hash []byte, now time.Time) (int64, error) {
	if _, err := s.FindAdministration(ctx, administrationID); err != nil {
		return 0, err
	}
	var id int64
	err := s.write(ctx, "", func(q conn) error {
		return q.queryRow(ctx, `INSERT INTO api_keys (administration_id, hash, created_at) VALUES (?, ?, ?) RETURNING id`,
			administrationID, hash, q.ts(now)).Scan(&id)
	})
	return id, s.errorf("create API key", err)
}

// RevokeAPIKey revokes the live key with the id, or returns ENOTFOUND.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64, now time.Time) error {
	err := s.write(ctx, "", func(q conn) error {
		res, err := q.exec(ctx, `UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, q.ts(now), id)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(err, records.Errorf(records.ENOTFOUND, "no live API key %d", id))
		}
		return nil
	})
	return s.errorf("revoke API key", err)
}

// Write runs fn in one transaction under the administration's idempotency key (see
// ingest.Store). The key's lock serializes two requests with the same key.
func (s *Store) Write(ctx context.Context, admin, key string, requestHash []byte, fn func(context.Context, ingest.Tx) (ingest.Response, error)) (ingest.Response, error) {
	var res ingest.Response
	err := s.write(ctx, lockName("idempotency", admin, key), func(q conn) error {
		var stored []byte
		err := q.queryRow(ctx, `SELECT request_hash, status, body FROM idempotency_keys WHERE administration_id = ? AND key = ?`,
			admin, key).Scan(&stored, &res.Status, &res.Body)
		switch {
		case err == nil && bytes.Equal(stored, requestHash):
			return nil
		case err == nil:
			return records.Errorf(records.ECONFLICT, "idempotency key used with another request")
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		if res, err = fn(ctx, ingestTx{reader{q}}); err != nil {
			return err
		}
		_, err = q.exec(ctx, `INSERT INTO idempotency_keys (administration_id, key, request_hash, status, body, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, admin, key, requestHash, res.Status, res.Body, q.ts(s.now()))
		return err
	})
	if err != nil {
		return ingest.Response{}, s.errorf("write", err)
	}
	return res, nil
}

// ingestTx is a write of the administrations' API, bound to its transaction.
type ingestTx struct{ reader }

// FindApplication returns the application with its history, or ENOTFOUND.
func (r reader) FindApplication(ctx context.Context, ref string) (*records.Application, error) {
	var citizenID string
	err := r.queryRow(ctx, `SELECT citizen_id FROM applications WHERE ref = ?`, ref).Scan(&citizenID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, r.s.errorf("find application", records.Errorf(records.ENOTFOUND, "application %q not found", Clean(ref)))
	}
	if err != nil {
		return nil, r.s.errorf("find application", err)
	}
	apps, err := r.FindApplicationsByCitizen(ctx, citizenID)
	if err != nil {
		return nil, err
	}
	for i := range apps {
		if apps[i].Ref == ref {
			return &apps[i], nil
		}
	}
	return nil, r.s.errorf("find application", records.Errorf(records.ENOTFOUND, "application %q not found", Clean(ref)))
}

// SaveCitizen inserts or updates the citizen.
func (t ingestTx) SaveCitizen(ctx context.Context, c *records.Citizen) error {
	return t.s.errorf("save citizen", t.mapConstraint(t.upsertCitizen(ctx, c)))
}

// SaveApplication inserts or updates the application and adds the steps of its history
// after the stored ones (the API only appends to a history).
func (t ingestTx) SaveApplication(ctx context.Context, a *records.Application) error {
	return t.s.errorf("save application", t.mapConstraint(t.upsertApplication(ctx, a, true)))
}

// SaveHolding inserts the holding, or updates the one of the same citizen, administration
// and category.
func (t ingestTx) SaveHolding(ctx context.Context, h records.DataHolding) error {
	var j jsonArgs
	reg, basis := j.of(h.Register), j.of(h.LegalBasis)
	if j.err != nil {
		return t.s.errorf("save holding", j.err)
	}
	res, err := t.exec(ctx, `UPDATE data_holdings SET register = ?, legal_basis = ?
		WHERE citizen_id = ? AND administration_id = ? AND category = ?`, reg, basis, h.CitizenID, h.AdministrationID, h.Category)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			_, err = t.exec(ctx, `INSERT INTO data_holdings (citizen_id, administration_id, category, register, legal_basis)
				VALUES (?, ?, ?, ?, ?)`, h.CitizenID, h.AdministrationID, h.Category, reg, basis)
		}
	}
	return t.s.errorf("save holding", t.mapConstraint(err))
}

// RecordAccess appends an access event in the transaction.
func (t ingestTx) RecordAccess(ctx context.Context, e *records.AccessEvent) error {
	return t.recordAccess(ctx, e)
}

// QueueNotice queues the item and its job in the transaction (see notices.Queuer).
func (t ingestTx) QueueNotice(ctx context.Context, it notices.Item) (bool, error) {
	ok, err := t.queueNotice(ctx, it)
	return ok, t.s.errorf("queue notice", err)
}

// ScheduleReminder enqueues the deadline reminder to run at at, once per (ref, deadline).
func (t ingestTx) ScheduleReminder(ctx context.Context, job notices.Reminder, at time.Time) error {
	err := t.insertJob(ctx, job, &river.InsertOpts{Queue: notices.Queue, ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true}})
	return t.s.errorf("schedule reminder", err)
}
