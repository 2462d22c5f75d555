package inbox

import (
	"context"
	"log/slog"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// Roles of a staff member.
const (
	RoleWorker      = "worker"      // sees and answers the queue of their team
	RoleCoordinator = "coordinator" // sees every team of their municipality, assigns
)

// Teams and the queue of citizens who are not identified.
const (
	DefaultTeam         = "serveis-socials"
	GeneralTeam         = "general"
	GeneralMunicipality = "general"
)

// Staff is a social worker or coordinator with an inbox account.
type Staff struct {
	ID           int64
	Email        string // lower case; the login
	Name         string
	Municipality string // "Badalona"
	Team         string // "serveis-socials"
	Role         string // RoleWorker or RoleCoordinator
	// Administration is the administration the worker acts for, named in the citizen's
	// access log ("ajuntament-badalona").
	Administration string
	PasswordHash   string // argon2id, PHC string format
	Disabled       bool
	CreatedAt      time.Time
}

// LogValue keeps the e-mail, name and hash out of logs.
func (s Staff) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", s.ID), slog.String("role", s.Role), slog.String("team", s.Team))
}

// Sees reports whether s may see c: a case of their municipality, and of their team unless
// they coordinate.
func (s *Staff) Sees(c *Case) bool {
	if s == nil || c == nil || s.Disabled || s.Municipality != c.Municipality {
		return false
	}
	return s.Role == RoleCoordinator || s.Team == c.Team
}

// Session is a logged-in browser. Only the SHA-256 of its token is stored.
type Session struct {
	TokenHash string
	StaffID   int64
	CSRF      string
	Lang      string // the language the worker chose for the inbox
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Case is one escalation of a conversation to a team's queue, from when it is opened until
// it is closed and the conversation goes back to the assistant.
type Case struct {
	ID             int64
	ConversationID int64
	Channel        string
	Address        string
	CitizenID      string // "" when the sender is not identified
	Lang           string // the conversation's language when the case opened
	Municipality   string
	Team           string
	Reason         string // dialog.Reason*
	Distress       string
	Priority       dialog.Priority
	AssignedTo     int64 // staff id; 0 while unclaimed
	OpenedAt       time.Time
	// WarnedAt is when the citizen was told that nobody had claimed the case yet.
	WarnedAt    time.Time
	ClosedAt    time.Time
	CloseReason string
	UpdatedAt   time.Time
}

// LogValue keeps the address out of logs.
func (c Case) LogValue() slog.Value {
	return slog.GroupValue(slog.Int64("id", c.ID), slog.String("team", c.Team), slog.Int("priority", int(c.Priority)))
}

// Open reports whether the case is still with the social workers.
func (c *Case) Open() bool { return c.ClosedAt.IsZero() }

// Note is an internal note on a case. Notes are never sent to the citizen.
type Note struct {
	ID        int64
	CaseID    int64
	StaffID   int64
	Author    string // the staff member's name when read
	Text      string
	CreatedAt time.Time
}

// CaseVersion is the digest of one open case that live updates compare: when any field
// changes, the pages showing the case are refreshed.
type CaseVersion struct {
	CaseID          int64
	Team            string
	UpdatedAt       time.Time // the case's own changes: claim, assignment
	LastMessageID   int64     // the newest message of the conversation
	MessagesUpdated time.Time // the newest change of a message (a delivery receipt)
}

// Store is what the inbox needs of MyGov's store: the conversations' turns and the
// citizen's records it already has, and the inbox's own tables.
type Store interface {
	dialog.Store
	records.Reader
	records.Writer

	StaffStore
	// FindStaffByEmail and FindStaffByID return ENOTFOUND when there is none.
	FindStaffByEmail(ctx context.Context, email string) (*Staff, error)
	FindStaffByID(ctx context.Context, id int64) (*Staff, error)

	// AddSession stores a session; FindSession returns it by token hash (ENOTFOUND when
	// absent or expired at now); DeleteSession removes it.
	AddSession(ctx context.Context, s *Session) error
	FindSession(ctx context.Context, tokenHash string, now time.Time) (*Session, error)
	DeleteSession(ctx context.Context, tokenHash string) error

	// AddCase opens a case inside the turn's transaction tx and sets c.ID.
	AddCase(ctx context.Context, tx dialog.Tx, c *Case) error
	// FindOpenCase returns the open case of a conversation inside tx, or ENOTFOUND.
	FindOpenCase(ctx context.Context, tx dialog.Tx, conversationID int64) (*Case, error)
	// FindCase returns a case by id, open or closed, or ENOTFOUND.
	FindCase(ctx context.Context, id int64) (*Case, error)
	// ListOpenCases returns the open cases of a municipality, urgent first, then the
	// longest waiting.
	ListOpenCases(ctx context.Context, municipality string) ([]Case, error)
	// ListUnclaimedCases returns the open cases nobody claimed, opened before t, whose
	// citizen has not been warned yet.
	ListUnclaimedCases(ctx context.Context, openedBefore time.Time) ([]Case, error)
	// AssignCase moves an open case from the staff member from (0: nobody) to to (0: back
	// to the queue); ECONFLICT when it is no longer assigned to from or is closed.
	AssignCase(ctx context.Context, id, from, to int64) error
	// SaveCase writes the case's warning and closing, inside tx when it is not nil.
	SaveCase(ctx context.Context, tx dialog.Tx, c *Case) error

	// AddNote stores an internal note and sets n.ID; ListNotes returns a case's notes,
	// oldest first, with their authors' names.
	AddNote(ctx context.Context, n *Note) error
	ListNotes(ctx context.Context, caseID int64) ([]Note, error)

	// ConversationMessages returns the messages of a conversation, oldest first.
	ConversationMessages(ctx context.Context, conversationID int64) ([]dialog.Message, error)
	// CaseVersions returns the digests of the open cases of a municipality.
	CaseVersions(ctx context.Context, municipality string) ([]CaseVersion, error)
}
