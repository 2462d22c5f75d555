package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/catalonia/mygov/records"
)

// reader reads the records through a conn: the database outside a turn, the turn's
// transaction inside one.
type reader struct{ conn }

const citizenColumns = `id, coalesce(national_id, ''), given_name, surnames, birth_date, phone, lang, street, municipality, profile`

// scanCitizen scans the citizenColumns of row, then the columns that follow into extra.
func scanCitizen(row interface{ Scan(...any) error }, extra ...any) (*records.Citizen, error) {
	var c records.Citizen
	err := row.Scan(append([]any{&c.ID, &c.NationalID, &c.GivenName, &c.Surnames, timeCol{&c.BirthDate}, &c.Phone, &c.Lang,
		&c.Street, &c.Municipality, jsonCol{&c.Profile}}, extra...)...)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// findCitizen returns the citizen of a query's row, or ENOTFOUND.
func (r reader) findCitizen(ctx context.Context, op, query string, arg string) (*records.Citizen, error) {
	c, err := scanCitizen(r.queryRow(ctx, query, arg))
	if errors.Is(err, sql.ErrNoRows) {
		err = records.Errorf(records.ENOTFOUND, "citizen not found")
	}
	if err != nil {
		return nil, r.s.errorf(op, err)
	}
	return c, nil
}

// FindCitizenByID returns the citizen with the id, or ENOTFOUND.
func (r reader) FindCitizenByID(ctx context.Context, id string) (*records.Citizen, error) {
	return r.findCitizen(ctx, "find citizen", `SELECT `+citizenColumns+` FROM citizens WHERE id = ?`, id)
}

// FindCitizenByPhone returns the citizen with the phone number (E.164), or ENOTFOUND.
// When several citizens share a number, the one with the smallest id is returned.
func (r reader) FindCitizenByPhone(ctx context.Context, phone string) (*records.Citizen, error) {
	if phone == "" {
		return nil, r.s.errorf("find citizen by phone", records.Errorf(records.ENOTFOUND, "citizen not found"))
	}
	return r.findCitizen(ctx, "find citizen by phone", citizenByPhoneSQL, phone)
}

// citizenByPhoneSQL reads the citizen of a phone: of several, the smallest id.
const citizenByPhoneSQL = `SELECT ` + citizenColumns + ` FROM citizens WHERE phone = ? ORDER BY id LIMIT 1`

// scanAll runs a query and scans each row with scan.
func scanAll[T any](ctx context.Context, c conn, scan func(row *sql.Rows, v *T) error, query string, args ...any) ([]T, error) {
	rows, err := c.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// FindApplicationsByCitizen returns the citizen's applications, the most recently updated
// first, each with its history in order (see applications).
func (r reader) FindApplicationsByCitizen(ctx context.Context, citizenID string) ([]records.Application, error) {
	return r.applications(ctx, citizenID, nil, false)
}

// applicationsSQL reads a citizen's applications with their administrations' names;
// lastChangeSQL also the last change of each (its status, time and note), found by the
// history's primary key.
var (
	applicationsSQL = fmt.Sprintf(applicationsForm, "", "")
	lastChangeSQL   = fmt.Sprintf(applicationsForm, ", h.status, h.at, h.note", `
	LEFT JOIN application_history h ON h.ref = a.ref
		AND h.seq = (SELECT max(seq) FROM application_history WHERE ref = a.ref)`)
)

const applicationsForm = `SELECT a.ref, a.citizen_id, a.procedure_id, a.procedure, a.administration_id, a.unit,
	a.status, a.updated_at, a.missing_documents, a.deadline, a.next_step, ad.name%s
	FROM applications a LEFT JOIN administrations ad ON ad.id = a.administration_id%s
	WHERE a.citizen_id = ? ORDER BY a.updated_at DESC, a.ref`

// applications is FindApplicationsByCitizen, or, lastOnly, each application with its last
// change only, in the same statement; with names, it also keeps there the names of the
// applications' administrations, read with the applications. The applications and their
// whole histories are two statements of one batch: an application's columns come once,
// however long its history. The histories join the applications rather than read an IN
// list of them, which SQLite builds as a temporary table on every run.
func (r reader) applications(ctx context.Context, citizenID string, names map[string]records.Localized, lastOnly bool) ([]records.Application, error) {
	var (
		apps                      []records.Application
		a                         records.Application
		proc, unit, missing, next []byte
		admName                   []byte
		ref                       string
		change                    records.StatusChange
		last                      struct{ status, note []byte }
	)
	query, dest := applicationsSQL, []any{&a.Ref, &a.CitizenID, &a.ProcedureID, &proc, &a.AdministrationID, &unit,
		&a.Status, timeCol{&a.UpdatedAt}, &missing, timeCol{&a.Deadline}, &next, &admName}
	if lastOnly {
		query, dest = lastChangeSQL, append(dest, &last.status, timeCol{&change.At}, &last.note)
	}
	ws := []write{{what: "find applications", query: query, args: []any{citizenID}, each: func(row Row) error {
		if err := row.Scan(dest...); err != nil {
			return err
		}
		if _, known := names[a.AdministrationID]; names != nil && !known && admName != nil {
			var name records.Localized
			if err := (jsonCol{&name}).Scan(admName); err != nil {
				return fmt.Errorf("administration: %w", err)
			}
			names[a.AdministrationID] = name
		}
		app := records.Application{Ref: a.Ref, CitizenID: a.CitizenID, ProcedureID: a.ProcedureID,
			AdministrationID: a.AdministrationID, Status: a.Status, UpdatedAt: a.UpdatedAt, Deadline: a.Deadline}
		for _, c := range []struct {
			raw []byte
			v   any
		}{{proc, &app.Procedure}, {unit, &app.Unit}, {missing, &app.MissingDocuments}, {next, &app.NextStep}} {
			if err := (jsonCol{c.v}).Scan(c.raw); err != nil {
				return err
			}
		}
		if lastOnly && last.status != nil {
			change.Status, change.Note = records.Status(last.status), nil
			if err := (jsonCol{&change.Note}).Scan(last.note); err != nil {
				return err
			}
			app.History = []records.StatusChange{change}
		}
		apps = append(apps, app)
		return nil
	}}}
	if !lastOnly {
		ws = append(ws, write{what: "find applications", query: `SELECT h.ref, h.status, h.at, h.note
		FROM applications a JOIN application_history h ON h.ref = a.ref WHERE a.citizen_id = ?
		ORDER BY h.ref, h.seq`, args: []any{citizenID}, each: func(row Row) error {
			change = records.StatusChange{}
			if err := row.Scan(&ref, &change.Status, timeCol{&change.At}, jsonCol{&change.Note}); err != nil {
				return err
			}
			// Outside a transaction, an application may have come between the two statements.
			if i := slices.IndexFunc(apps, func(a records.Application) bool { return a.Ref == ref }); i >= 0 {
				apps[i].History = append(apps[i].History, change)
			}
			return nil
		}})
	}
	if err := r.flush(ctx, ws...); err != nil {
		return nil, r.s.errorf("find applications", err)
	}
	return apps, nil
}

// FindHoldingsByCitizen returns the data the administrations hold about the citizen, in the
// order they were seeded.
func (r reader) FindHoldingsByCitizen(ctx context.Context, citizenID string) ([]records.DataHolding, error) {
	hs, err := scanAll(ctx, r.conn, func(row *sql.Rows, h *records.DataHolding) error {
		return row.Scan(&h.CitizenID, &h.AdministrationID, &h.Category, jsonCol{&h.Register}, jsonCol{&h.LegalBasis})
	}, `SELECT citizen_id, administration_id, category, register, legal_basis
		FROM data_holdings WHERE citizen_id = ? ORDER BY id`, citizenID)
	return hs, r.s.errorf("find holdings", err)
}

// FindAccessEventsByCitizen returns the latest accesses to the citizen's data, newest
// first, at most limit of them (all when limit <= 0).
func (r reader) FindAccessEventsByCitizen(ctx context.Context, citizenID string, limit int) ([]records.AccessEvent, error) {
	var lim any = limit
	if limit <= 0 {
		lim = r.s.d.NoLimit()
	}
	es, err := scanAll(ctx, r.conn, func(row *sql.Rows, e *records.AccessEvent) error {
		return row.Scan(&e.ID, &e.CitizenID, timeCol{&e.At}, &e.AdministrationID, jsonCol{&e.Unit}, &e.Category,
			jsonCol{&e.Purpose}, jsonCol{&e.LegalBasis}, &e.Channel, &e.Reason)
	}, `SELECT id, citizen_id, at, administration_id, unit, category, purpose, legal_basis, channel, reason
		FROM access_events WHERE citizen_id = ? ORDER BY at DESC, id DESC LIMIT ?`, citizenID, lim)
	return es, r.s.errorf("find access events", err)
}

// FindAdministration returns the administration with the id, or ENOTFOUND.
func (r reader) FindAdministration(ctx context.Context, id string) (*records.Administration, error) {
	var a records.Administration
	err := r.queryRow(ctx, `SELECT id, name FROM administrations WHERE id = ?`, id).Scan(&a.ID, jsonCol{&a.Name})
	if errors.Is(err, sql.ErrNoRows) {
		err = records.Errorf(records.ENOTFOUND, "administration %q not found", Clean(id))
	}
	if err != nil {
		return nil, r.s.errorf("find administration", err)
	}
	return &a, nil
}

// FindAdministrations returns the administrations with the ids that exist.
func (r reader) FindAdministrations(ctx context.Context, ids []string) ([]records.Administration, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	as, err := scanAll(ctx, r.conn, func(row *sql.Rows, a *records.Administration) error {
		return row.Scan(&a.ID, jsonCol{&a.Name})
	}, `SELECT id, name FROM administrations WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, args...)
	return as, r.s.errorf("find administrations", err)
}

// ListBenefits returns the benefits catalog in the order it was seeded.
func (r reader) ListBenefits(ctx context.Context) ([]records.Benefit, error) {
	bs, err := scanAll(ctx, r.conn, func(row *sql.Rows, b *records.Benefit) error {
		return row.Scan(&b.ID, jsonCol{&b.Name}, &b.AdministrationID, jsonCol{&b.Summary}, jsonCol{&b.Why}, &b.Rule,
			&b.Link, &b.Phone, jsonCol{&b.Documents}, &b.Illustrative, jsonCol{&b.Aliases})
	}, `SELECT id, name, administration_id, summary, why, rule, link, phone, documents,
		illustrative, aliases FROM benefits ORDER BY position, id`)
	return bs, r.s.errorf("list benefits", err)
}

// RecordAccess records that someone read a citizen's data, outside any turn (a social
// worker's read in the inbox). It sets e.ID, and e.At when it is zero.
func (s *Store) RecordAccess(ctx context.Context, e *records.AccessEvent) error {
	return s.conn(s.db).recordAccess(ctx, e)
}

func (c conn) recordAccess(ctx context.Context, e *records.AccessEvent) error {
	if e.At.IsZero() {
		e.At = c.s.now()
	}
	args, err := c.accessArgs(e)
	if err != nil {
		return c.s.errorf("record access", err)
	}
	// In a turn, it goes with the turn's next statement; e.ID is set then.
	return c.s.errorf("record access", c.later(ctx, write{what: "record access", query: `INSERT INTO access_events
		(citizen_id, at, administration_id, unit, category, purpose, legal_basis, channel, reason)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		RETURNING id`, args: args, id: &e.ID}))
}

// accessArgs returns the column values of e, in the order of the access_events inserts.
func (c conn) accessArgs(e *records.AccessEvent) ([]any, error) {
	var j jsonArgs
	args := []any{e.CitizenID, c.ts(e.At), e.AdministrationID, j.of(e.Unit), e.Category, j.of(e.Purpose),
		j.of(e.LegalBasis), e.Channel, e.Reason}
	return args, j.err
}

// insertAccessEvent inserts e with its own id, replacing the event with that id.
func (c conn) insertAccessEvent(ctx context.Context, e *records.AccessEvent) error {
	args, err := c.accessArgs(e)
	if err != nil {
		return err
	}
	_, err = c.exec(ctx, `INSERT INTO access_events
		(citizen_id, at, administration_id, unit, category, purpose, legal_basis, channel, reason, id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET citizen_id = excluded.citizen_id, at = excluded.at,
			administration_id = excluded.administration_id, unit = excluded.unit, category = excluded.category,
			purpose = excluded.purpose, legal_basis = excluded.legal_basis, channel = excluded.channel,
			reason = excluded.reason`, append(args, e.ID)...)
	return err
}

// mapConstraint gives constraint errors their domain code.
func (c conn) mapConstraint(err error) error {
	switch c.s.d.ErrorCode(err) {
	case records.ECONFLICT:
		return errors.Join(records.Errorf(records.ECONFLICT, "already exists"), err)
	case records.EINVALID:
		return errors.Join(records.Errorf(records.EINVALID, "refers to a record that does not exist"), err)
	}
	return err
}

// Empty reports whether no citizen has been seeded yet.
func (s *Store) Empty(ctx context.Context) (bool, error) {
	var n int
	if err := s.conn(s.db).queryRow(ctx, `SELECT count(*) FROM (SELECT 1 FROM citizens LIMIT 1) AS c`).Scan(&n); err != nil {
		return false, s.errorf("empty", err)
	}
	return n == 0, nil
}

// Seed writes the records of d in one transaction. Administrations, citizens and benefits
// are upserted by id, applications by ref (their history replaced); the holdings of each
// citizen of d are replaced by d's; access events with an ID are upserted by it, the others
// inserted unless an event with the same citizen, time, accessor, category and channel
// exists, so that seeding the same dataset twice changes nothing. Records that d does not
// mention are kept, and so are the access events the assistant recorded.
func (s *Store) Seed(ctx context.Context, d *records.Dataset) error {
	err := s.write(ctx, "", func(q conn) error { return q.mapConstraint(q.seed(ctx, d)) })
	return s.errorf("seed", err)
}

func (c conn) seed(ctx context.Context, d *records.Dataset) error {
	var j jsonArgs
	js := j.of
	exec := func(query string, args ...any) error {
		if j.err != nil {
			return j.err
		}
		_, err := c.exec(ctx, query, args...)
		return err
	}
	for _, a := range d.Administrations {
		if err := exec(`INSERT INTO administrations (id, name) VALUES (?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name`, a.ID, js(a.Name)); err != nil {
			return fmt.Errorf("administration %q: %w", a.ID, err)
		}
	}
	for i := range d.Citizens {
		if err := c.upsertCitizen(ctx, &d.Citizens[i]); err != nil {
			return err
		}
	}
	for i := range d.Applications {
		if err := c.upsertApplication(ctx, &d.Applications[i], false); err != nil {
			return err
		}
	}
	cleared := map[string]bool{}
	clear := func(citizenID string) error {
		if cleared[citizenID] {
			return nil
		}
		cleared[citizenID] = true
		if err := exec(`DELETE FROM data_holdings WHERE citizen_id = ?`, citizenID); err != nil {
			return fmt.Errorf("holdings of citizen %q: %w", citizenID, err)
		}
		return nil
	}
	for _, ci := range d.Citizens {
		if err := clear(ci.ID); err != nil {
			return err
		}
	}
	for _, h := range d.Holdings {
		if err := clear(h.CitizenID); err != nil {
			return err
		}
		if err := exec(`INSERT INTO data_holdings (citizen_id, administration_id, category, register, legal_basis)
			VALUES (?, ?, ?, ?, ?)`, h.CitizenID, h.AdministrationID, h.Category, js(h.Register), js(h.LegalBasis)); err != nil {
			return fmt.Errorf("holding of citizen %q: %w", h.CitizenID, err)
		}
	}
	if err := c.seedAccessEvents(ctx, d.AccessEvents); err != nil {
		return err
	}
	for i, b := range d.Benefits {
		if err := exec(`INSERT INTO benefits (id, position, name, administration_id, summary, why, rule, link, phone,
				documents, illustrative, aliases)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
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

func (c conn) seedAccessEvents(ctx context.Context, events []records.AccessEvent) error {
	for i := range events {
		e := events[i]
		if e.ID == 0 {
			var n int
			if err := c.queryRow(ctx, `SELECT count(*) FROM access_events WHERE citizen_id = ? AND at = ?
				AND administration_id = ? AND category = ? AND channel = ?`,
				e.CitizenID, c.ts(e.At), e.AdministrationID, e.Category, e.Channel).Scan(&n); err != nil {
				return fmt.Errorf("access event of citizen %q: %w", e.CitizenID, err)
			}
			if n > 0 {
				continue
			}
		}
		insert := c.recordAccess
		if e.ID != 0 {
			insert = c.insertAccessEvent
		}
		if err := insert(ctx, &e); err != nil {
			return fmt.Errorf("access event of citizen %q: %w", e.CitizenID, err)
		}
	}
	// Events seeded with their own ids must not collide with the next recorded ones.
	if q := c.s.d.ResetIdentity("access_events"); q != "" {
		if _, err := c.exec(ctx, q); err != nil {
			return fmt.Errorf("access events: %w", err)
		}
	}
	return nil
}

// upsertCitizen inserts or updates the citizen by id.
func (c conn) upsertCitizen(ctx context.Context, ci *records.Citizen) error {
	var j jsonArgs
	profile := j.of(ci.Profile)
	if j.err != nil {
		return j.err
	}
	if _, err := c.exec(ctx, `INSERT INTO citizens (id, national_id, given_name, surnames, birth_date, phone, lang, street, municipality, profile)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET national_id = excluded.national_id, given_name = excluded.given_name,
			surnames = excluded.surnames, birth_date = excluded.birth_date, phone = excluded.phone, lang = excluded.lang,
			street = excluded.street, municipality = excluded.municipality, profile = excluded.profile`,
		ci.ID, nullString(ci.NationalID), ci.GivenName, ci.Surnames, c.nullDate(ci.BirthDate), ci.Phone, ci.Lang, ci.Street,
		ci.Municipality, profile); err != nil {
		return fmt.Errorf("citizen %q: %w", ci.ID, err)
	}
	return nil
}

// upsertApplication inserts or updates the application by ref and replaces its history, or
// with appendOnly adds only the steps after the stored ones.
func (c conn) upsertApplication(ctx context.Context, a *records.Application, appendOnly bool) error {
	var j jsonArgs
	js := j.of
	args := []any{a.Ref, a.CitizenID, a.ProcedureID, js(a.Procedure), a.AdministrationID, js(a.Unit), string(a.Status),
		c.ts(a.UpdatedAt), js(a.MissingDocuments), c.nullTS(a.Deadline), js(a.NextStep)}
	if j.err != nil {
		return j.err
	}
	if _, err := c.exec(ctx, `INSERT INTO applications (ref, citizen_id, procedure_id, procedure, administration_id, unit, status,
			updated_at, missing_documents, deadline, next_step)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ref) DO UPDATE SET citizen_id = excluded.citizen_id, procedure_id = excluded.procedure_id,
			procedure = excluded.procedure, administration_id = excluded.administration_id, unit = excluded.unit,
			status = excluded.status, updated_at = excluded.updated_at, missing_documents = excluded.missing_documents,
			deadline = excluded.deadline, next_step = excluded.next_step`, args...); err != nil {
		return fmt.Errorf("application %q: %w", a.Ref, err)
	}
	kept := 0
	if appendOnly {
		// The stored steps are a's first ones: only the new steps are written.
		if err := c.queryRow(ctx, `SELECT count(*) FROM application_history WHERE ref = ?`, a.Ref).Scan(&kept); err != nil {
			return fmt.Errorf("application %q: %w", a.Ref, err)
		}
	} else if _, err := c.exec(ctx, `DELETE FROM application_history WHERE ref = ?`, a.Ref); err != nil {
		return fmt.Errorf("application %q: %w", a.Ref, err)
	}
	for i, h := range a.History[min(kept, len(a.History)):] {
		i += kept
		note := js(h.Note)
		if j.err != nil {
			return j.err
		}
		if _, err := c.exec(ctx, `INSERT INTO application_history (ref, seq, status, at, note) VALUES (?, ?, ?, ?, ?)`,
			a.Ref, i, string(h.Status), c.ts(h.At), note); err != nil {
			return fmt.Errorf("application %q history: %w", a.Ref, err)
		}
	}
	return nil
}
