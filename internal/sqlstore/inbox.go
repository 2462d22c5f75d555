package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/inbox"
	"github.com/catalonia/mygov/records"
)

// The social workers' inbox: staff, sessions, cases and notes (see package inbox).

var _ inbox.Store = (*Store)(nil)

// connOf returns the connection of a turn's transaction, or the database's outside one.
func (s *Store) connOf(dtx dialog.Tx) conn {
	if t, ok := dtx.(*tx); ok {
		return t.reader.conn
	}
	return s.conn(s.db)
}

const staffColumns = `id, email, name, municipality, team, role, administration, password_hash, disabled, created_at`

func scanStaff(row interface{ Scan(...any) error }) (inbox.Staff, error) {
	var s inbox.Staff
	err := row.Scan(&s.ID, &s.Email, &s.Name, &s.Municipality, &s.Team, &s.Role, &s.Administration, &s.PasswordHash, &s.Disabled, timeCol{&s.CreatedAt})
	return s, err
}

// AddStaff stores a new staff member and sets s.ID; an e-mail taken returns ECONFLICT.
func (s *Store) AddStaff(ctx context.Context, st *inbox.Staff) error {
	err := s.write(ctx, "", func(q conn) error {
		return q.queryRow(ctx, `INSERT INTO staff (email, name, municipality, team, role, administration, password_hash, disabled, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			st.Email, st.Name, st.Municipality, st.Team, st.Role, st.Administration, st.PasswordHash, st.Disabled, q.ts(st.CreatedAt)).Scan(&st.ID)
	})
	return s.errorf("add staff", s.conn(s.db).mapConstraint(err))
}

func (s *Store) findStaff(ctx context.Context, op, where string, arg any) (*inbox.Staff, error) {
	st, err := scanStaff(s.conn(s.db).queryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, records.Errorf(records.ENOTFOUND, "%s: no such staff member", op)
	}
	if err != nil {
		return nil, s.errorf(op, err)
	}
	return &st, nil
}

// FindStaffByEmail returns the staff member with the e-mail, or ENOTFOUND.
func (s *Store) FindStaffByEmail(ctx context.Context, email string) (*inbox.Staff, error) {
	return s.findStaff(ctx, "find staff by email", `email = ?`, email)
}

// FindStaffByID returns the staff member with the id, or ENOTFOUND.
func (s *Store) FindStaffByID(ctx context.Context, id int64) (*inbox.Staff, error) {
	return s.findStaff(ctx, "find staff", `id = ?`, id)
}

// ListStaff returns every staff member by municipality, team and e-mail.
func (s *Store) ListStaff(ctx context.Context) ([]inbox.Staff, error) {
	out, err := scanAll(ctx, s.conn(s.db), func(row *sql.Rows, st *inbox.Staff) error {
		var err error
		*st, err = scanStaff(row)
		return err
	}, `SELECT `+staffColumns+` FROM staff ORDER BY municipality, team, email`)
	return out, s.errorf("list staff", err)
}

// SetStaffDisabled disables or enables an account; disabling deletes its sessions.
func (s *Store) SetStaffDisabled(ctx context.Context, email string, disabled bool) error {
	err := s.write(ctx, "", func(q conn) error {
		res, err := q.exec(ctx, `UPDATE staff SET disabled = ? WHERE email = ?`, disabled, email)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(records.Errorf(records.ENOTFOUND, "no staff member %s", email), err)
		}
		if disabled {
			_, err = q.exec(ctx, `DELETE FROM staff_sessions WHERE staff_id = (SELECT id FROM staff WHERE email = ?)`, email)
		}
		return err
	})
	return s.errorf("set staff disabled", err)
}

// AddSession stores a session.
func (s *Store) AddSession(ctx context.Context, ss *inbox.Session) error {
	err := s.write(ctx, "", func(q conn) error {
		_, err := q.exec(ctx, `INSERT INTO staff_sessions (token_hash, staff_id, csrf, lang, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)`, ss.TokenHash, ss.StaffID, ss.CSRF, ss.Lang, q.ts(ss.CreatedAt), q.ts(ss.ExpiresAt))
		if err != nil {
			return err
		}
		// Expired sessions of anyone go with each login.
		_, err = q.exec(ctx, `DELETE FROM staff_sessions WHERE expires_at < ?`, q.ts(ss.CreatedAt))
		return err
	})
	return s.errorf("add session", s.conn(s.db).mapConstraint(err))
}

// FindSession returns the session with the token hash, unless it expired at now.
func (s *Store) FindSession(ctx context.Context, tokenHash string, now time.Time) (*inbox.Session, error) {
	q := s.conn(s.db)
	var ss inbox.Session
	err := q.queryRow(ctx, `SELECT token_hash, staff_id, csrf, lang, created_at, expires_at FROM staff_sessions
		WHERE token_hash = ? AND expires_at > ?`, tokenHash, q.ts(now)).
		Scan(&ss.TokenHash, &ss.StaffID, &ss.CSRF, &ss.Lang, timeCol{&ss.CreatedAt}, timeCol{&ss.ExpiresAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, records.Errorf(records.ENOTFOUND, "no session")
	}
	if err != nil {
		return nil, s.errorf("find session", err)
	}
	return &ss, nil
}

// DeleteSession removes a session.
func (s *Store) DeleteSession(ctx context.Context, tokenHash string) error {
	err := s.write(ctx, "", func(q conn) error {
		_, err := q.exec(ctx, `DELETE FROM staff_sessions WHERE token_hash = ?`, tokenHash)
		return err
	})
	return s.errorf("delete session", err)
}

const caseColumns = `id, conversation_id, channel, address, citizen_id, lang, municipality, team, reason, distress,
	priority, coalesce(assigned_to, 0), opened_at, warned_at, closed_at, close_reason, updated_at`

func scanCase(row interface{ Scan(...any) error }) (*inbox.Case, error) {
	var c inbox.Case
	err := row.Scan(&c.ID, &c.ConversationID, &c.Channel, &c.Address, &c.CitizenID, &c.Lang, &c.Municipality, &c.Team,
		&c.Reason, &c.Distress, &c.Priority, &c.AssignedTo, timeCol{&c.OpenedAt}, timeCol{&c.WarnedAt},
		timeCol{&c.ClosedAt}, &c.CloseReason, timeCol{&c.UpdatedAt})
	return &c, err
}

func (s *Store) listCases(ctx context.Context, op, where string, args ...any) ([]inbox.Case, error) {
	out, err := scanAll(ctx, s.conn(s.db), func(row *sql.Rows, c *inbox.Case) error {
		cs, err := scanCase(row)
		*c = *cs
		return err
	}, `SELECT `+caseColumns+` FROM inbox_cases WHERE `+where+` ORDER BY priority DESC, opened_at, id`, args...)
	return out, s.errorf(op, err)
}

// AddCase opens a case inside the turn's transaction and sets c.ID. A conversation has
// one open case at most (ECONFLICT).
func (s *Store) AddCase(ctx context.Context, tx dialog.Tx, c *inbox.Case) error {
	q := s.connOf(tx)
	err := q.queryRow(ctx, `INSERT INTO inbox_cases (conversation_id, channel, address, citizen_id, lang, municipality, team,
		reason, distress, priority, opened_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		c.ConversationID, c.Channel, c.Address, c.CitizenID, c.Lang, c.Municipality, c.Team, c.Reason, c.Distress,
		c.Priority, q.ts(c.OpenedAt), q.ts(c.UpdatedAt)).Scan(&c.ID)
	return s.errorf("add case", q.mapConstraint(err))
}

// FindOpenCase returns the open case of a conversation, inside tx, or ENOTFOUND.
func (s *Store) FindOpenCase(ctx context.Context, tx dialog.Tx, conversationID int64) (*inbox.Case, error) {
	c, err := scanCase(s.connOf(tx).queryRow(ctx, `SELECT `+caseColumns+` FROM inbox_cases
		WHERE conversation_id = ? AND closed_at IS NULL`, conversationID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, records.Errorf(records.ENOTFOUND, "no open case of conversation %d", conversationID)
	}
	return c, s.errorf("find open case", err)
}

// FindCase returns a case by id, or ENOTFOUND.
func (s *Store) FindCase(ctx context.Context, id int64) (*inbox.Case, error) {
	c, err := scanCase(s.conn(s.db).queryRow(ctx, `SELECT `+caseColumns+` FROM inbox_cases WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, records.Errorf(records.ENOTFOUND, "no case %d", id)
	}
	return c, s.errorf("find case", err)
}

// ListOpenCases returns the open cases of a municipality, urgent first, then the longest
// waiting.
func (s *Store) ListOpenCases(ctx context.Context, municipality string) ([]inbox.Case, error) {
	return s.listCases(ctx, "list open cases", `municipality = ? AND closed_at IS NULL`, municipality)
}

// ListUnclaimedCases returns the open, unclaimed, unwarned cases opened before t.
func (s *Store) ListUnclaimedCases(ctx context.Context, openedBefore time.Time) ([]inbox.Case, error) {
	return s.listCases(ctx, "list unclaimed cases",
		`closed_at IS NULL AND assigned_to IS NULL AND warned_at IS NULL AND opened_at < ?`, s.conn(s.db).ts(openedBefore))
}

// AssignCase moves an open case from one staff member (0: nobody) to another (0: back to
// the queue); ECONFLICT when it is no longer assigned to from or is closed.
func (s *Store) AssignCase(ctx context.Context, id, from, to int64) error {
	err := s.write(ctx, "", func(q conn) error {
		res, err := q.exec(ctx, `UPDATE inbox_cases SET assigned_to = ?, updated_at = ?
			WHERE id = ? AND closed_at IS NULL AND coalesce(assigned_to, 0) = ?`, nullID(to), q.ts(s.now()), id, from)
		if err != nil {
			return q.mapConstraint(err)
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return errors.Join(records.Errorf(records.ECONFLICT, "case %d moved meanwhile", id), err)
		}
		return nil
	})
	return s.errorf("assign case", err)
}

// SaveCase writes a case's priority, warning and closing, inside tx when it is not nil.
func (s *Store) SaveCase(ctx context.Context, tx dialog.Tx, c *inbox.Case) error {
	save := func(q conn) error {
		c.UpdatedAt = s.now()
		_, err := q.exec(ctx, `UPDATE inbox_cases SET reason = ?, distress = ?, priority = ?, warned_at = ?, closed_at = ?,
			close_reason = ?, updated_at = ? WHERE id = ?`, c.Reason, c.Distress, c.Priority, q.nullTS(c.WarnedAt),
			q.nullTS(c.ClosedAt), c.CloseReason, q.ts(c.UpdatedAt), c.ID)
		return err
	}
	if tx != nil {
		return s.errorf("save case", save(s.connOf(tx)))
	}
	return s.errorf("save case", s.write(ctx, "", save))
}

// AddNote stores an internal note and sets n.ID.
func (s *Store) AddNote(ctx context.Context, n *inbox.Note) error {
	err := s.write(ctx, "", func(q conn) error {
		return q.queryRow(ctx, `INSERT INTO inbox_notes (case_id, staff_id, text, created_at) VALUES (?, ?, ?, ?) RETURNING id`,
			n.CaseID, n.StaffID, n.Text, q.ts(n.CreatedAt)).Scan(&n.ID)
	})
	return s.errorf("add note", s.conn(s.db).mapConstraint(err))
}

// ListNotes returns a case's notes, oldest first, with their authors' names.
func (s *Store) ListNotes(ctx context.Context, caseID int64) ([]inbox.Note, error) {
	out, err := scanAll(ctx, s.conn(s.db), func(row *sql.Rows, n *inbox.Note) error {
		return row.Scan(&n.ID, &n.CaseID, &n.StaffID, &n.Author, &n.Text, timeCol{&n.CreatedAt})
	}, `SELECT n.id, n.case_id, n.staff_id, s.name, n.text, n.created_at FROM inbox_notes n
		JOIN staff s ON s.id = n.staff_id WHERE n.case_id = ? ORDER BY n.id`, caseID)
	return out, s.errorf("list notes", err)
}

// ConversationMessages returns the messages of a conversation, oldest first.
func (s *Store) ConversationMessages(ctx context.Context, conversationID int64) ([]dialog.Message, error) {
	out, err := s.conn(s.db).messages(ctx, conversationID)
	return out, s.errorf("conversation messages", err)
}

// CaseVersions returns the digests of the open cases of a municipality.
func (s *Store) CaseVersions(ctx context.Context, municipality string) ([]inbox.CaseVersion, error) {
	out, err := scanAll(ctx, s.conn(s.db), func(row *sql.Rows, v *inbox.CaseVersion) error {
		return row.Scan(&v.CaseID, &v.Team, timeCol{&v.UpdatedAt}, &v.LastMessageID, timeCol{&v.MessagesUpdated})
	}, `SELECT c.id, c.team, c.updated_at,
			coalesce((SELECT max(m.id) FROM messages m WHERE m.conversation_id = c.conversation_id), 0),
			(SELECT max(m.updated_at) FROM messages m WHERE m.conversation_id = c.conversation_id)
		FROM inbox_cases c WHERE c.municipality = ? AND c.closed_at IS NULL ORDER BY c.id`, municipality)
	return out, s.errorf("case versions", err)
}

// nullID is id, or NULL for 0.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
