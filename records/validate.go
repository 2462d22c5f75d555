package records

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// refPattern is the form of an application reference: "EXP-2026-000101".
var refPattern = regexp.MustCompile(`^EXP-\d{4}-\d{6}$`)

// maxProblems bounds how many problems Validate lists in its error.
const maxProblems = 20

// Validate checks that the dataset is consistent: national ids valid and normalized,
// phones E.164 and unique, application references well formed and unique, every
// referenced administration and citizen present, statuses valid, each application's
// history non-empty, in time order and ending at its status and UpdatedAt, every Localized in
// both Catalan and Spanish, and every benefit rule compiling. It returns nil or an
// EINVALID error listing the first problems found; the messages name records by their
// IDs and never quote personal data.
func (d *Dataset) Validate() error {
	v := &validator{admins: map[string]bool{}, citizens: map[string]bool{}}
	v.administrations(d.Administrations)
	v.citizenRecords(d.Citizens)
	v.applications(d.Applications)
	v.holdings(d.Holdings)
	v.accessEvents(d.AccessEvents)
	v.benefits(d.Benefits)
	return v.err()
}

// administrations checks ids present and unique, and names in both languages.
func (v *validator) administrations(as []Administration) {
	for i, a := range as {
		where := fmt.Sprintf("administration %q", a.ID)
		switch {
		case a.ID == "":
			v.addf("administration #%d: empty id", i)
		case v.admins[a.ID]:
			v.addf("%s: duplicate id", where)
		}
		v.admins[a.ID] = true
		v.text(where+": name", a.Name)
	}
}

// citizenRecords checks ids, national ids and phones present, valid and unique, and
// each citizen's language, name, birth date, municipality and profile.
func (v *validator) citizenRecords(cs []Citizen) {
	ids := map[string]string{}
	phones := map[string]string{}
	for i, c := range cs {
		where := fmt.Sprintf("citizen %q", c.ID)
		switch {
		case c.ID == "":
			v.addf("citizen #%d: empty id", i)
		case v.citizens[c.ID]:
			v.addf("%s: duplicate id", where)
		}
		v.citizens[c.ID] = true
		if !ValidNationalID(c.NationalID) {
			v.addf("%s: national id is not a valid, normalized DNI or NIE", where)
		} else if other, ok := ids[c.NationalID]; ok {
			v.addf("%s: same national id as citizen %q", where, other)
		} else {
			ids[c.NationalID] = c.ID
		}
		if !ValidPhone(c.Phone) {
			v.addf("%s: phone is not E.164", where)
		} else if other, ok := phones[c.Phone]; ok {
			v.addf("%s: same phone as citizen %q", where, other)
		} else {
			phones[c.Phone] = c.ID
		}
		if c.Lang != "ca" && c.Lang != "es" {
			v.addf("%s: lang %q, want ca or es", where, c.Lang)
		}
		if strings.TrimSpace(c.GivenName) == "" {
			v.addf("%s: empty given name", where)
		}
		if c.BirthDate.IsZero() {
			v.addf("%s: no birth date", where)
		}
		if c.Municipality == "" {
			v.addf("%s: no municipality", where)
		}
		v.profile(where, c.Profile)
	}
}

// profile checks the employment is known and no number is negative or impossible.
func (v *validator) profile(where string, p Profile) {
	switch p.Employment {
	case "", EmploymentEmployed, EmploymentUnemployed, EmploymentRetired, EmploymentStudent, EmploymentSelf:
	default:
		v.addf("%s: unknown employment %q", where, p.Employment)
	}
	if p.HouseholdSize < 0 || p.MonthlyIncome < 0 || p.MonthlyRent < 0 || p.DisabilityPercent < 0 || p.DisabilityPercent > 100 {
		v.addf("%s: profile has a negative or impossible number", where)
	}
	for _, a := range p.ChildrenAges {
		if a < 0 {
			v.addf("%s: negative child age", where)
		}
	}
}

// applications checks references well formed and unique, the citizen and administration
// present, the status valid, the texts bilingual and the history (see history).
func (v *validator) applications(as []Application) {
	refs := map[string]bool{}
	for i, a := range as {
		where := fmt.Sprintf("application %q", a.Ref)
		switch {
		case !refPattern.MatchString(a.Ref):
			v.addf("application #%d: reference %q does not match EXP-YYYY-NNNNNN", i, a.Ref)
		case refs[a.Ref]:
			v.addf("%s: duplicate reference", where)
		}
		refs[a.Ref] = true
		if !v.citizens[a.CitizenID] {
			v.addf("%s: unknown citizen %q", where, a.CitizenID)
		}
		if !v.admins[a.AdministrationID] {
			v.addf("%s: unknown administration %q", where, a.AdministrationID)
		}
		if a.ProcedureID == "" {
			v.addf("%s: empty procedure id", where)
		}
		v.text(where+": procedure", a.Procedure)
		v.text(where+": unit", a.Unit)
		if !a.Status.Valid() {
			v.addf("%s: unknown status %q", where, a.Status)
		}
		if a.Status == StatusNeedsDocuments && len(a.MissingDocuments) == 0 {
			v.addf("%s: needs documents but lists none", where)
		}
		for _, t := range a.MissingDocuments {
			v.text(where+": missing document", t)
		}
		if a.NextStep != nil {
			v.text(where+": next step", a.NextStep)
		}
		v.history(where, a)
	}
}

// history checks an application's history is non-empty, valid, in time order and ends at
// the application's status and UpdatedAt.
func (v *validator) history(where string, a Application) {
	if len(a.History) == 0 {
		v.addf("%s: empty history", where)
		return
	}
	for j, h := range a.History {
		if !h.Status.Valid() {
			v.addf("%s: history step %d: unknown status %q", where, j, h.Status)
		}
		if j > 0 && h.At.Before(a.History[j-1].At) {
			v.addf("%s: history step %d is earlier than the one before", where, j)
		}
		if h.Note != nil {
			v.text(fmt.Sprintf("%s: history step %d: note", where, j), h.Note)
		}
	}
	last := a.History[len(a.History)-1]
	if last.Status != a.Status {
		v.addf("%s: history ends at %q, status is %q", where, last.Status, a.Status)
	}
	if !last.At.Equal(a.UpdatedAt) {
		v.addf("%s: updated at differs from the last history step", where)
	}
}

// holdings checks the citizen, administration and category exist and the texts are
// bilingual.
func (v *validator) holdings(hs []DataHolding) {
	for i, h := range hs {
		where := fmt.Sprintf("holding #%d of citizen %q", i, h.CitizenID)
		if !v.citizens[h.CitizenID] {
			v.addf("%s: unknown citizen", where)
		}
		if !v.admins[h.AdministrationID] {
			v.addf("%s: unknown administration %q", where, h.AdministrationID)
		}
		if !slices.Contains(Categories, h.Category) {
			v.addf("%s: unknown category %q", where, h.Category)
		}
		v.text(where+": register", h.Register)
		v.text(where+": legal basis", h.LegalBasis)
	}
}

// accessEvents checks ids unique, the citizen and accessor (an administration or the
// assistant) exist, the category is known, time and channel are set and the texts are
// bilingual.
func (v *validator) accessEvents(es []AccessEvent) {
	events := map[int64]bool{}
	for i, e := range es {
		where := fmt.Sprintf("access event #%d (id %d)", i, e.ID)
		if e.ID != 0 {
			if events[e.ID] {
				v.addf("%s: duplicate id", where)
			}
			events[e.ID] = true
		}
		if !v.citizens[e.CitizenID] {
			v.addf("%s: unknown citizen %q", where, e.CitizenID)
		}
		if e.AdministrationID != AccessorAssistant && !v.admins[e.AdministrationID] {
			v.addf("%s: unknown administration %q", where, e.AdministrationID)
		}
		if !slices.Contains(Categories, e.Category) && !slices.Contains(RecordCategories, e.Category) {
			v.addf("%s: unknown category %q", where, e.Category)
		}
		if e.At.IsZero() {
			v.addf("%s: no time", where)
		}
		if e.Channel == "" {
			v.addf("%s: no channel", where)
		}
		v.text(where+": unit", e.Unit)
		v.text(where+": purpose", e.Purpose)
		v.text(where+": legal basis", e.LegalBasis)
	}
}

// benefits checks ids present, the administration exists, the texts are bilingual and
// every rule compiles.
func (v *validator) benefits(bs []Benefit) {
	for i, b := range bs {
		where := fmt.Sprintf("benefit %q", b.ID)
		if b.ID == "" {
			v.addf("benefit #%d: empty id", i)
		}
		if !v.admins[b.AdministrationID] {
			v.addf("%s: unknown administration %q", where, b.AdministrationID)
		}
		v.text(where+": name", b.Name)
		v.text(where+": summary", b.Summary)
		v.text(where+": why", b.Why)
		for _, t := range b.Documents {
			v.text(where+": document", t)
		}
	}
	if _, err := NewEligibility(bs); err != nil {
		var e *Error
		if errors.As(err, &e) {
			v.addf("%s", e.Message)
		} else {
			v.addf("%v", err)
		}
	}
}

// validator collects the problems of a dataset.
type validator struct {
	admins, citizens map[string]bool // the ids seen, for the references
	problems         []string
	more             int
}

func (v *validator) addf(format string, args ...any) {
	if len(v.problems) == maxProblems {
		v.more++
		return
	}
	v.problems = append(v.problems, fmt.Sprintf(format, args...))
}

// text checks that t has a non-empty Catalan and Spanish value.
func (v *validator) text(where string, t Localized) {
	for _, lang := range []string{"ca", "es"} {
		if strings.TrimSpace(t[lang]) == "" {
			v.addf("%s: no %s text", where, lang)
		}
	}
}

func (v *validator) err() error {
	if len(v.problems) == 0 {
		return nil
	}
	msg := strings.Join(v.problems, "; ")
	if v.more > 0 {
		msg += fmt.Sprintf("; and %d more", v.more)
	}
	return Errorf(EINVALID, "dataset: %s", msg)
}
