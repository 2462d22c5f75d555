// Package records holds the citizen's data as the administrations publish it: citizens,
// applications with their status history, data holdings, access events and the benefits
// catalog with its eligibility rules. It is a domain package: it imports no database,
// channel, HTTP or ML package.
package records

import (
	"context"
	"log/slog"
	"time"
)

// Localized is a value the administrations publish in both official languages, keyed by
// language code ("ca", "es").
type Localized map[string]string

// In returns the text in lang, falling back to Catalan, then Spanish, then any value.
func (t Localized) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	for _, l := range []string{"ca", "es"} {
		if s, ok := t[l]; ok && s != "" {
			return s
		}
	}
	for _, s := range t {
		return s
	}
	return ""
}

// Employment situations used by eligibility rules.
const (
	EmploymentEmployed   = "employed"
	EmploymentUnemployed = "unemployed"
	EmploymentRetired    = "retired"
	EmploymentStudent    = "student"
	EmploymentSelf       = "self_employed"
)

// Citizen is a person the administrations know. Its LogValue redacts every personal field.
type Citizen struct {
	ID           string    `json:"id"`
	NationalID   string    `json:"national_id"` // DNI or NIE, check letter valid
	GivenName    string    `json:"given_name"`
	Surnames     string    `json:"surnames"`
	BirthDate    time.Time `json:"birth_date"` // a date, UTC midnight
	Phone        string    `json:"phone"`      // E.164
	Lang         string    `json:"lang"`       // preferred language, "ca" or "es"
	Street       string    `json:"street"`     // street and number, without floor or door
	Municipality string    `json:"municipality"`
	Profile      Profile   `json:"profile"`
}

// LogValue keeps personal data out of logs: only the opaque ID is logged.
func (c Citizen) LogValue() slog.Value { return slog.StringValue("citizen:" + c.ID) }

// Age returns the citizen's age in whole years at t.
func (c Citizen) Age(t time.Time) int {
	y := t.Year() - c.BirthDate.Year()
	if t.Month() < c.BirthDate.Month() || (t.Month() == c.BirthDate.Month() && t.Day() < c.BirthDate.Day()) {
		y--
	}
	return y
}

// Profile is the household and income situation that eligibility rules read.
type Profile struct {
	HouseholdSize     int    `json:"household_size"`
	ChildrenAges      []int  `json:"children_ages"`
	SingleParent      bool   `json:"single_parent"`
	LivesAlone        bool   `json:"lives_alone"`
	Employment        string `json:"employment"`
	MonthlyIncome     int    `json:"monthly_income"` // household, euros a month
	Renting           bool   `json:"renting"`
	MonthlyRent       int    `json:"monthly_rent"`
	DisabilityPercent int    `json:"disability_percent"`
	Dependency        bool   `json:"dependency"` // recognised dependency degree
}

// Administration is a public body that holds or uses a citizen's data.
type Administration struct {
	ID   string    `json:"id"`
	Name Localized `json:"name"`
}

// Status is where an application stands.
type Status string

// Application statuses.
const (
	StatusSubmitted      Status = "submitted"
	StatusInReview       Status = "in_review"
	StatusNeedsDocuments Status = "needs_documents"
	StatusApproved       Status = "approved"
	StatusDenied         Status = "denied"
	StatusPaid           Status = "paid"
	StatusClosed         Status = "closed"
)

// Statuses lists every status, in the order an application usually goes through them.
var Statuses = []Status{StatusSubmitted, StatusInReview, StatusNeedsDocuments, StatusApproved, StatusDenied, StatusPaid, StatusClosed}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if v == s {
			return true
		}
	}
	return false
}

// StatusChange is one step of an application's history.
type StatusChange struct {
	Status Status    `json:"status"`
	At     time.Time `json:"at"`
	Note   Localized `json:"note,omitempty"`
}

// Application is a citizen's application (expedient) to a procedure.
type Application struct {
	Ref              string         `json:"ref"` // "EXP-2026-000101"
	CitizenID        string         `json:"citizen_id"`
	ProcedureID      string         `json:"procedure_id"` // a Benefit ID when the procedure is a benefit
	Procedure        Localized      `json:"procedure"`
	AdministrationID string         `json:"administration_id"`
	Unit             Localized      `json:"unit"`
	Status           Status         `json:"status"`
	UpdatedAt        time.Time      `json:"updated_at"`
	MissingDocuments []Localized    `json:"missing_documents,omitempty"`
	Deadline         time.Time      `json:"deadline,omitzero"`
	NextStep         Localized      `json:"next_step,omitempty"`
	History          []StatusChange `json:"history"`
}

// Data categories of holdings and access events.
const (
	CategoryIdentity       = "identity"
	CategoryAddress        = "address"
	CategoryIncome         = "income"
	CategorySocialServices = "social_services"
	CategoryEducation      = "education"
	CategoryHealth         = "health"
	CategoryEmployment     = "employment"
	CategoryHousing        = "housing"
	CategoryContact        = "contact"
)

// Categories lists every data category.
var Categories = []string{CategoryIdentity, CategoryAddress, CategoryIncome, CategorySocialServices, CategoryEducation, CategoryHealth, CategoryEmployment, CategoryHousing, CategoryContact}

// Categories of the records themselves, for the access events MyGov writes when it reads
// them at the citizen's request. They are not data categories: no DataHolding has them.
const (
	CategoryApplications = "applications" // the citizen's applications and their history
	CategoryInventory    = "inventory"    // the list of data holdings
	CategoryAccessLog    = "access_log"   // the access log itself
)

// RecordCategories lists the categories of the records themselves.
var RecordCategories = []string{CategoryApplications, CategoryInventory, CategoryAccessLog}

// DataHolding says that an administration holds one category of a citizen's data.
type DataHolding struct {
	CitizenID        string    `json:"citizen_id"`
	AdministrationID string    `json:"administration_id"`
	Category         string    `json:"category"`
	Register         Localized `json:"register"`    // the source register, e.g. "Padró municipal d'habitants"
	LegalBasis       Localized `json:"legal_basis"` // e.g. "Llei 7/1985, reguladora de les bases del règim local"
}

// Channels of an access event besides the administrations' own systems.
const (
	AccessChannelInternal = "internal" // the administration's own systems
)

// Accessors that are not an administration.
const (
	AccessorAssistant = "mygov" // MyGov itself, at the citizen's request
)

// AccessEvent records that someone read a citizen's data.
type AccessEvent struct {
	ID               int64     `json:"id"`
	CitizenID        string    `json:"citizen_id"`
	At               time.Time `json:"at"`
	AdministrationID string    `json:"administration_id"` // or AccessorAssistant
	Unit             Localized `json:"unit"`
	Category         string    `json:"category"`
	Purpose          Localized `json:"purpose"` // the procedure or reason
	LegalBasis       Localized `json:"legal_basis"`
	Channel          string    `json:"channel"` // "internal", "telegram", "sms", "console", "inbox"
	// Reason is a machine code for reads made by MyGov itself ("status", "my_data",
	// "data_usage", "for_me"); the assistant renders it from its catalogs.
	Reason string `json:"reason,omitempty"`
}

// Benefit is an entry of the benefits catalog. Rule is a CEL expression over the
// citizen's profile (see Eligibility); the rules of the demo catalog are illustrative.
type Benefit struct {
	ID               string      `json:"id"`
	Name             Localized   `json:"name"`
	AdministrationID string      `json:"administration_id"`
	Summary          Localized   `json:"summary"`
	Why              Localized   `json:"why"` // why the citizen may be entitled, shown when the rule matches
	Rule             string      `json:"rule"`
	Link             string      `json:"link"`
	Phone            string      `json:"phone"`
	Documents        []Localized `json:"documents"`
	Illustrative     bool        `json:"illustrative"`
	Aliases          []string    `json:"aliases"` // names citizens use, for entity matching
}

// Reader reads a citizen's records. Implementations return errors with codes from this
// package (ENOTFOUND when nothing matches a single lookup).
type Reader interface {
	FindCitizenByID(ctx context.Context, id string) (*Citizen, error)
	FindCitizenByPhone(ctx context.Context, phone string) (*Citizen, error)
	FindApplicationsByCitizen(ctx context.Context, citizenID string) ([]Application, error)
	FindHoldingsByCitizen(ctx context.Context, citizenID string) ([]DataHolding, error)
	FindAccessEventsByCitizen(ctx context.Context, citizenID string, limit int) ([]AccessEvent, error)
	FindAdministration(ctx context.Context, id string) (*Administration, error)
	// FindAdministrations returns those of the administrations with the ids that exist, in
	// no particular order: the names of a page of answers in one read.
	FindAdministrations(ctx context.Context, ids []string) ([]Administration, error)
	ListBenefits(ctx context.Context) ([]Benefit, error)
}

// Writer changes a citizen's records.
type Writer interface {
	// RecordAccess records e and sets its ID; inside a turn, the write (and the ID) may wait
	// for the turn's next statement, and is undone with the turn.
	RecordAccess(ctx context.Context, e *AccessEvent) error
}

// Dataset is a whole set of records, as loaded by "mygov seed".
type Dataset struct {
	Administrations []Administration `json:"administrations"`
	Citizens        []Citizen        `json:"citizens"`
	Applications    []Application    `json:"applications"`
	Holdings        []DataHolding    `json:"holdings"`
	AccessEvents    []AccessEvent    `json:"access_events"`
	Benefits        []Benefit        `json:"benefits"`
}
