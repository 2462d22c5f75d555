package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/catalonia/mygov/records"
)

// reader reads the records through a querier: the database outside a turn, the turn's
// transaction inside one.
type reader struct{ q querier }

const citizenColumns = `id, coalesce(national_id, ''), given_name, surnames, birth_date, phone, lang, street, municipality, profile`

func scanCitizen(row interface{ Scan(...any) error }) (*records.Citizen, error) {
	var c records.Citizen
	err := row.Scan(&c.ID, &c.NationalID, &c.GivenName, &c.Surnames, timeCol{&c.BirthDate}, &c.Phone, &c.Lang,
		&c.Street, &c.Municipality, &c.Profile)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// FindCitizenByID returns the citizen with the id, or ENOTFOUND.
func (r reader) FindCitizenByID(ctx context.Context, id string) (*records.Citizen, error) {
	c, err := scanCitizen(r.q.QueryRow(ctx, `SELECT `+citizenColumns+` FROM citizens WHERE id = $1`, clean(id)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: find citizen: %w", records.Errorf(records.ENOTFOUND, "citizen not found"))
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: find citizen: %w", err)
	}
	return c, nil
}

// FindCitizenByPhone returns the citizen with the phone number (E.164), or ENOTFOUND.
// When several citizens share a number, the one with the smallest id is returned.
func (r reader) FindCitizenByPhone(ctx context.Context, phone string) (*records.Citizen, error) {
	if phone == "" {
		return nil, fmt.Errorf("postgres: find citizen by phone: %w", records.Errorf(records.ENOTFOUND, "citizen not found"))
	}
	c, err := scanCitizen(r.q.QueryRow(ctx, `SELECT `+citizenColumns+` FROM citizens WHERE phone = $1 ORDER BY id LIMIT 1`, clean(phone)))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: find citizen by phone: %w", records.Errorf(records.ENOTFOUND, "citizen not found"))
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: find citizen by phone: %w", err)
	}
	return c, nil
}

// FindApplicationsByCitizen returns the citizen's applications, the most recently updated
// first, each with its history in order.
func (r reader) FindApplicationsByCitizen(ctx context.Context, citizenID string) ([]records.Application, error) {
	citizenID = clean(citizenID)
	rows, err := r.q.Query(ctx, `SELECT ref, citizen_id, procedure_id, procedure, administration_id, unit, status,
		updated_at, missing_documents, deadline, next_step
		FROM applications WHERE citizen_id = $1 ORDER BY updated_at DESC, ref`, citizenID)
	if err != nil {
		return nil, fmt.Errorf("postgres: find applications: %w", err)
	}
	var apps []records.Application
	index := map[string]int{}
	for rows.Next() {
		var a records.Application
		var status string
		if err := rows.Scan(&a.Ref, &a.CitizenID, &a.ProcedureID, &a.Procedure, &a.AdministrationID, &a.Unit,
			&status, timeCol{&a.UpdatedAt}, &a.MissingDocuments, timeCol{&a.Deadline}, &a.NextStep); err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: find applications: %w", err)
		}
		a.Status = records.Status(status)
		index[a.Ref] = len(apps)
		apps = append(apps, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find applications: %w", err)
	}
	if len(apps) == 0 {
		return nil, nil
	}
	rows, err = r.q.Query(ctx, `SELECT h.ref, h.status, h.at, h.note
		FROM application_history h JOIN applications a ON a.ref = h.ref
		WHERE a.citizen_id = $1 ORDER BY h.ref, h.seq`, citizenID)
	if err != nil {
		return nil, fmt.Errorf("postgres: find applications: history: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ref, status string
		var h records.StatusChange
		if err := rows.Scan(&ref, &status, timeCol{&h.At}, &h.Note); err != nil {
			return nil, fmt.Errorf("postgres: find applications: history: %w", err)
		}
		h.Status = records.Status(status)
		if i, ok := index[ref]; ok {
			apps[i].History = append(apps[i].History, h)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find applications: history: %w", err)
	}
	return apps, nil
}

// FindHoldingsByCitizen returns the data the administrations hold about the citizen, in the
// order they were seeded.
func (r reader) FindHoldingsByCitizen(ctx context.Context, citizenID string) ([]records.DataHolding, error) {
	rows, err := r.q.Query(ctx, `SELECT citizen_id, administration_id, category, register, legal_basis
		FROM data_holdings WHERE citizen_id = $1 ORDER BY id`, clean(citizenID))
	if err != nil {
		return nil, fmt.Errorf("postgres: find holdings: %w", err)
	}
	defer rows.Close()
	var hs []records.DataHolding
	for rows.Next() {
		var h records.DataHolding
		if err := rows.Scan(&h.CitizenID, &h.AdministrationID, &h.Category, &h.Register, &h.LegalBasis); err != nil {
			return nil, fmt.Errorf("postgres: find holdings: %w", err)
		}
		hs = append(hs, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find holdings: %w", err)
	}
	return hs, nil
}

// FindAccessEventsByCitizen returns the latest accesses to the citizen's data, newest
// first, at most limit of them (all when limit <= 0).
func (r reader) FindAccessEventsByCitizen(ctx context.Context, citizenID string, limit int) ([]records.AccessEvent, error) {
	var lim any = limit
	if limit <= 0 {
		lim = nil // LIMIT NULL: no limit
	}
	rows, err := r.q.Query(ctx, `SELECT id, citizen_id, at, administration_id, unit, category, purpose, legal_basis, channel, reason
		FROM access_events WHERE citizen_id = $1 ORDER BY at DESC, id DESC LIMIT $2`, clean(citizenID), lim)
	if err != nil {
		return nil, fmt.Errorf("postgres: find access events: %w", err)
	}
	defer rows.Close()
	var es []records.AccessEvent
	for rows.Next() {
		var e records.AccessEvent
		if err := rows.Scan(&e.ID, &e.CitizenID, timeCol{&e.At}, &e.AdministrationID, &e.Unit, &e.Category,
			&e.Purpose, &e.LegalBasis, &e.Channel, &e.Reason); err != nil {
			return nil, fmt.Errorf("postgres: find access events: %w", err)
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: find access events: %w", err)
	}
	return es, nil
}

// FindAdministration returns the administration with the id, or ENOTFOUND.
func (r reader) FindAdministration(ctx context.Context, id string) (*records.Administration, error) {
	var a records.Administration
	err := r.q.QueryRow(ctx, `SELECT id, name FROM administrations WHERE id = $1`, clean(id)).Scan(&a.ID, &a.Name)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: find administration: %w", records.Errorf(records.ENOTFOUND, "administration %q not found", clean(id)))
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: find administration: %w", err)
	}
	return &a, nil
}

// ListBenefits returns the benefits catalog in the order it was seeded.
func (r reader) ListBenefits(ctx context.Context) ([]records.Benefit, error) {
	rows, err := r.q.Query(ctx, `SELECT id, name, administration_id, summary, why, rule, link, phone, documents,
		illustrative, aliases FROM benefits ORDER BY position, id`)
	if err != nil {
		return nil, fmt.Errorf("postgres: list benefits: %w", err)
	}
	defer rows.Close()
	var bs []records.Benefit
	for rows.Next() {
		var b records.Benefit
		if err := rows.Scan(&b.ID, &b.Name, &b.AdministrationID, &b.Summary, &b.Why, &b.Rule,
			&b.Link, &b.Phone, &b.Documents, &b.Illustrative, &b.Aliases); err != nil {
			return nil, fmt.Errorf("postgres: list benefits: %w", err)
		}
		bs = append(bs, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list benefits: %w", err)
	}
	return bs, nil
}

// RecordAccess records that someone read a citizen's data, outside any turn (a social
// worker's read in the inbox). It sets e.ID, and e.At when it is zero.
func (s *Store) RecordAccess(ctx context.Context, e *records.AccessEvent) error {
	return recordAccess(ctx, s.pool, s.now, e)
}

func recordAccess(ctx context.Context, q querier, now func() time.Time, e *records.AccessEvent) error {
	if e.At.IsZero() {
		e.At = now()
	}
	id, err := insertAccessEvent(ctx, q, e, false)
	if err != nil {
		return fmt.Errorf("postgres: record access: %w", mapConstraint(err))
	}
	e.ID = id
	return nil
}

// insertAccessEvent inserts e, with its own id when withID (replacing the event with that
// id), and returns the id.
func insertAccessEvent(ctx context.Context, q querier, e *records.AccessEvent, withID bool) (int64, error) {
	var j jsonArgs
	unit, purpose, basis := j.of(e.Unit), j.of(e.Purpose), j.of(e.LegalBasis)
	if j.err != nil {
		return 0, j.err
	}
	args := cleanArgs([]any{e.CitizenID, ts(e.At), e.AdministrationID, unit, e.Category, purpose, basis, e.Channel, e.Reason})
	var got int64
	if !withID {
		err := q.QueryRow(ctx, `INSERT INTO access_events
			(citizen_id, at, administration_id, unit, category, purpose, legal_basis, channel, reason)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
			RETURNING id`, args...).Scan(&got)
		return got, err
	}
	err := q.QueryRow(ctx, `INSERT INTO access_events
		(citizen_id, at, administration_id, unit, category, purpose, legal_basis, channel, reason, id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
		ON CONFLICT (id) DO UPDATE SET citizen_id = excluded.citizen_id, at = excluded.at,
			administration_id = excluded.administration_id, unit = excluded.unit, category = excluded.category,
			purpose = excluded.purpose, legal_basis = excluded.legal_basis, channel = excluded.channel,
			reason = excluded.reason
		RETURNING id`, append(args, e.ID)...).Scan(&got)
	return got, err
}

// jsonArgs encodes JSON arguments, keeping the first error.
type jsonArgs struct{ err error }

func (j *jsonArgs) of(v any) string {
	s, err := marshal(v)
	if err != nil && j.err == nil {
		j.err = err
	}
	return s
}

// Empty reports whether no citizen has been seeded yet.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var empty bool
	if err := s.pool.QueryRow(ctx, `SELECT NOT EXISTS (SELECT 1 FROM citizens)`).Scan(&empty); err != nil {
		return false, fmt.Errorf("postgres: empty: %w", err)
	}
	return empty, nil
}

// Seed writes the records of d in one transaction. Administrations, citizens and benefits
// are upserted by id, applications by ref (their history replaced); the holdings of each
// citizen of d are replaced by d's; access events with an ID are upserted by it, the others
// inserted unless an event with the same citizen, time, accessor, category and channel
// exists, so that seeding the same dataset twice changes nothing. Records that d does not
// mention are kept, and so are the access events the assistant recorded.
func (s *Store) Seed(ctx context.Context, d *records.Dataset) error {
	err := pgx.BeginFunc(ctx, s.pool, func(t pgx.Tx) error { return seed(ctx, t, d) })
	if err != nil {
		return fmt.Errorf("postgres: seed: %w", mapConstraint(err))
	}
	return nil
}

func seed(ctx context.Context, t pgx.Tx, d *records.Dataset) error {
	var j jsonArgs
	js := j.of
	exec := func(query string, args ...any) error {
		if j.err != nil {
			return j.err
		}
		_, err := t.Exec(ctx, query, cleanArgs(args)...)
		return err
	}
	for _, a := range d.Administrations {
		if err := exec(`INSERT INTO administrations (id, name) VALUES ($1, $2)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name`, a.ID, js(a.Name)); err != nil {
			return fmt.Errorf("administration %q: %w", a.ID, err)
		}
	}
	for _, c := range d.Citizens {
		if err := exec(`INSERT INTO citizens (id, national_id, given_name, surnames, birth_date, phone, lang, street, municipality, profile)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
			ON CONFLICT (id) DO UPDATE SET national_id = excluded.national_id, given_name = excluded.given_name,
				surnames = excluded.surnames, birth_date = excluded.birth_date, phone = excluded.phone, lang = excluded.lang,
				street = excluded.street, municipality = excluded.municipality, profile = excluded.profile`,
			c.ID, nullString(c.NationalID), c.GivenName, c.Surnames, nullDate(c.BirthDate), c.Phone, c.Lang, c.Street,
			c.Municipality, js(c.Profile)); err != nil {
			return fmt.Errorf("citizen %q: %w", c.ID, err)
		}
	}
	for _, a := range d.Applications {
		if err := exec(`INSERT INTO applications (ref, citizen_id, procedure_id, procedure, administration_id, unit, status,
				updated_at, missing_documents, deadline, next_step)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
			ON CONFLICT (ref) DO UPDATE SET citizen_id = excluded.citizen_id, procedure_id = excluded.procedure_id,
				procedure = excluded.procedure, administration_id = excluded.administration_id, unit = excluded.unit,
				status = excluded.status, updated_at = excluded.updated_at, missing_documents = excluded.missing_documents,
				deadline = excluded.deadline, next_step = excluded.next_step`,
			a.Ref, a.CitizenID, a.ProcedureID, js(a.Procedure), a.AdministrationID, js(a.Unit), string(a.Status),
			ts(a.UpdatedAt), js(a.MissingDocuments), nullTS(a.Deadline), js(a.NextStep)); err != nil {
			return fmt.Errorf("application %q: %w", a.Ref, err)
		}
		if err := exec(`DELETE FROM application_history WHERE ref = $1`, a.Ref); err != nil {
			return fmt.Errorf("application %q: %w", a.Ref, err)
		}
		for i, h := range a.History {
			if err := exec(`INSERT INTO application_history (ref, seq, status, at, note) VALUES ($1, $2, $3, $4, $5)`,
				a.Ref, i, string(h.Status), ts(h.At), js(h.Note)); err != nil {
				return fmt.Errorf("application %q history: %w", a.Ref, err)
			}
		}
	}
	cleared := map[string]bool{}
	for _, c := range d.Citizens {
		cleared[c.ID] = true
		if err := exec(`DELETE FROM data_holdings WHERE citizen_id = $1`, c.ID); err != nil {
			return fmt.Errorf("holdings of citizen %q: %w", c.ID, err)
		}
	}
	for _, h := range d.Holdings {
		if !cleared[h.CitizenID] {
			cleared[h.CitizenID] = true
			if err := exec(`DELETE FROM data_holdings WHERE citizen_id = $1`, h.CitizenID); err != nil {
				return fmt.Errorf("holdings of citizen %q: %w", h.CitizenID, err)
			}
		}
		if err := exec(`INSERT INTO data_holdings (citizen_id, administration_id, category, register, legal_basis)
			VALUES ($1, $2, $3, $4, $5)`, h.CitizenID, h.AdministrationID, h.Category, js(h.Register), js(h.LegalBasis)); err != nil {
			return fmt.Errorf("holding of citizen %q: %w", h.CitizenID, err)
		}
	}
	for i := range d.AccessEvents {
		e := d.AccessEvents[i]
		if e.ID == 0 {
			var n int
			if err := t.QueryRow(ctx, `SELECT count(*) FROM access_events WHERE citizen_id = $1 AND at = $2
				AND administration_id = $3 AND category = $4 AND channel = $5`,
				cleanArgs([]any{e.CitizenID, ts(e.At), e.AdministrationID, e.Category, e.Channel})...).Scan(&n); err != nil {
				return fmt.Errorf("access event of citizen %q: %w", e.CitizenID, err)
			}
			if n > 0 {
				continue
			}
		}
		if _, err := insertAccessEvent(ctx, t, &e, e.ID != 0); err != nil {
			return fmt.Errorf("access event of citizen %q: %w", e.CitizenID, err)
		}
	}
	// Events seeded with their own ids must not collide with the next recorded ones.
	if _, err := t.Exec(ctx, `SELECT setval(seq, greatest(nextval(seq), coalesce((SELECT max(id) FROM access_events), 0) + 1), false)
		FROM pg_get_serial_sequence('access_events', 'id') AS seq`); err != nil {
		return fmt.Errorf("access events: %w", err)
	}
	for i, b := range d.Benefits {
		if err := exec(`INSERT INTO benefits (id, position, name, administration_id, summary, why, rule, link, phone,
				documents, illustrative, aliases)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
			ON CONFLICT (id) DO UPDATE SET position = excluded.position, name = excluded.name,
				administration_id = excluded.administration_id, summary = excluded.summary, why = excluded.why,
				rule = excluded.rule, link = excluded.link, phone = excluded.phone, documents = excluded.documents,
				illustrative = excluded.illustrative, aliases = excluded.aliases`,
			b.ID, i, js(b.Name), b.AdministrationID, js(b.Summary), js(b.Why), b.Rule, b.Link, b.Phone,
			js(b.Documents), b.Illustrative, js(b.Aliases)); err != nil {
			return fmt.Errorf("benefit %q: %w", b.ID, err)
		}
	}
	return nil
}
