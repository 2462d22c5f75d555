package ingest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/notices"
	"github.com/catalonia/mygov/records"
)

// dateField decodes a date field, naming it in the error.
func dateField(c *checker, field string, raw *string) time.Time {
	if raw == nil || *raw == "" {
		return time.Time{}
	}
	t, err := time.Parse(time.DateOnly, *raw)
	if err != nil {
		c.add(field, "want a date YYYY-MM-DD")
	}
	return t
}

// citizenBody is the body of PUT /citizens/{id}. Absent fields keep their value on an update.
type citizenBody struct {
	NationalID   *string          `json:"national_id"`
	GivenName    *string          `json:"given_name"`
	Surnames     *string          `json:"surnames"`
	BirthDate    *string          `json:"birth_date"`
	Phone        *string          `json:"phone"`
	Lang         *string          `json:"lang"`
	Street       *string          `json:"street"`
	Municipality *string          `json:"municipality"`
	Profile      *records.Profile `json:"profile"`
}

var idChars = func(r rune) bool {
	return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.')
}

func validID(s string) bool { return s != "" && len(s) <= 64 && !strings.ContainsFunc(s, idChars) }

func (a *API) putCitizen(admin string, params map[string]string, body []byte) (txFunc, error) {
	var b citizenBody
	if err := decode(body, &b); err != nil {
		return nil, err
	}
	c := &checker{}
	id := params["id"]
	if !validID(id) {
		c.add("id", "1 to 64 letters, digits, '-', '_' or '.'")
	}
	set := func(field string, dst *string, v *string, max int) {
		if v == nil {
			return
		}
		c.str(field, strings.TrimSpace(*v), max, true)
		*dst = strings.TrimSpace(*v)
	}
	var in records.Citizen
	set("national_id", &in.NationalID, b.NationalID, 20)
	set("given_name", &in.GivenName, b.GivenName, maxShort)
	set("surnames", &in.Surnames, b.Surnames, maxShort)
	set("phone", &in.Phone, b.Phone, 20)
	set("lang", &in.Lang, b.Lang, 2)
	set("street", &in.Street, b.Street, maxShort)
	set("municipality", &in.Municipality, b.Municipality, maxShort)
	in.BirthDate = dateField(c, "birth_date", b.BirthDate)
	if b.NationalID != nil && !records.ValidNationalID(in.NationalID) {
		c.add("national_id", "not a valid DNI or NIE (with its check letter, no spaces)")
	}
	if b.Phone != nil && !records.ValidPhone(in.Phone) {
		c.add("phone", "not an E.164 number")
	}
	if b.Lang != nil && in.Lang != "ca" && in.Lang != "es" {
		c.add("lang", "want ca or es")
	}
	if b.BirthDate != nil && !in.BirthDate.IsZero() && (in.BirthDate.After(a.now()) || in.BirthDate.Year() < 1900) {
		c.add("birth_date", "not a plausible birth date")
	}
	if p := b.Profile; p != nil {
		profile(c, *p)
	}
	if err := c.err(); err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx Tx) (Response, error) {
		now := a.now()
		old, err := tx.FindCitizenByID(ctx, id)
		created := records.ErrorCode(err) == records.ENOTFOUND
		if err != nil && !created {
			return Response{}, fmt.Errorf("find citizen: %w", err)
		}
		next := records.Citizen{ID: id}
		if !created {
			next = *old
		}
		apply := func(dst *string, v *string, src string) {
			if v != nil {
				*dst = src
			}
		}
		apply(&next.NationalID, b.NationalID, in.NationalID)
		apply(&next.GivenName, b.GivenName, in.GivenName)
		apply(&next.Surnames, b.Surnames, in.Surnames)
		apply(&next.Phone, b.Phone, in.Phone)
		apply(&next.Lang, b.Lang, in.Lang)
		apply(&next.Street, b.Street, in.Street)
		apply(&next.Municipality, b.Municipality, in.Municipality)
		if b.BirthDate != nil {
			next.BirthDate = in.BirthDate
		}
		if b.Profile != nil {
			next.Profile = *b.Profile
		}
		if created {
			c := &checker{}
			for field, v := range map[string]string{"national_id": next.NationalID, "given_name": next.GivenName, "phone": next.Phone, "lang": next.Lang, "municipality": next.Municipality} {
				if v == "" {
					c.add(field, "required for a new citizen")
				}
			}
			if next.BirthDate.IsZero() {
				c.add("birth_date", "required for a new citizen")
			}
			if err := c.err(); err != nil {
				return Response{}, err
			}
		}
		if err := tx.SaveCitizen(ctx, &next); err != nil {
			return Response{}, fmt.Errorf("save citizen: %w", err)
		}
		queued := 0
		if !created && a.Matcher != nil {
			if queued, err = a.newBenefits(ctx, tx, *old, next, now); err != nil {
				return Response{}, err
			}
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return answer(status, map[string]any{"id": id, "created": created, "notices": queued})
	}, nil
}

// profile checks the fields of a profile.
func profile(c *checker, p records.Profile) {
	switch p.Employment {
	case "", records.EmploymentEmployed, records.EmploymentUnemployed, records.EmploymentRetired, records.EmploymentStudent, records.EmploymentSelf:
	default:
		c.add("profile.employment", "unknown employment situation")
	}
	if p.HouseholdSize < 0 || p.HouseholdSize > 30 {
		c.add("profile.household_size", "want 0 to 30")
	}
	if p.MonthlyIncome < 0 || p.MonthlyIncome > 10_000_000 {
		c.add("profile.monthly_income", "want 0 or more euros a month")
	}
	if p.MonthlyRent < 0 || p.MonthlyRent > 1_000_000 {
		c.add("profile.monthly_rent", "want 0 or more euros a month")
	}
	if p.DisabilityPercent < 0 || p.DisabilityPercent > 100 {
		c.add("profile.disability_percent", "want 0 to 100")
	}
	if len(p.ChildrenAges) > 30 {
		c.add("profile.children_ages", "too many children")
	}
	for _, age := range p.ChildrenAges {
		if age < 0 || age > 30 {
			c.add("profile.children_ages", "want ages 0 to 30")
			break
		}
	}
}

// newBenefits queues a notice for each benefit the new profile makes likely and the old
// one did not.
func (a *API) newBenefits(ctx context.Context, tx Tx, old, next records.Citizen, now time.Time) (int, error) {
	before := map[string]bool{}
	for _, b := range a.Matcher.Match(old, now) {
		before[b.ID] = true
	}
	n := 0
	for _, b := range a.Matcher.Match(next, now) {
		if before[b.ID] {
			continue
		}
		ok, err := tx.QueueNotice(ctx, notices.NewBenefitItem(next.ID, b, now))
		if err != nil {
			return 0, fmt.Errorf("queue notice: %w", err)
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// applicationBody is the body of PUT /applications/{reference}: the application and, as in
// a status change, its status and what the citizen must do.
type applicationBody struct {
	CitizenID   string            `json:"citizen_id"`
	ProcedureID string            `json:"procedure_id"`
	Procedure   records.Localized `json:"procedure"`
	Unit        records.Localized `json:"unit"`
	statusBody
}

func (a *API) putApplication(admin string, params map[string]string, body []byte) (txFunc, error) {
	var b applicationBody
	if err := decode(body, &b); err != nil {
		return nil, err
	}
	c := &checker{}
	ref := reference(c, params)
	if !validID(b.CitizenID) {
		c.add("citizen_id", "required: the citizen's id")
	}
	c.str("procedure_id", b.ProcedureID, 64, false)
	c.text("procedure", b.Procedure, maxShort, true)
	c.text("unit", b.Unit, maxShort, false)
	deadline := b.check(c)
	if err := c.err(); err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx Tx) (Response, error) {
		now := a.now()
		if _, err := tx.FindCitizenByID(ctx, b.CitizenID); err != nil {
			return Response{}, fmt.Errorf("find citizen: %w", err)
		}
		app, err := tx.FindApplication(ctx, ref)
		created := records.ErrorCode(err) == records.ENOTFOUND
		switch {
		case err != nil && !created:
			return Response{}, fmt.Errorf("find application: %w", err)
		case !created && app.AdministrationID != admin:
			return Response{}, errForbidden
		case !created && app.CitizenID != b.CitizenID:
			return Response{}, &ValidationError{Fields: []FieldError{{Field: "citizen_id", Problem: "the application belongs to another citizen"}}}
		case created:
			app = &records.Application{Ref: ref, CitizenID: b.CitizenID, AdministrationID: admin}
		}
		app.ProcedureID, app.Procedure, app.Unit = b.ProcedureID, cleanText(b.Procedure), cleanText(b.Unit)
		app.MissingDocuments, app.Deadline, app.NextStep = cleanTexts(b.MissingDocuments), deadline, cleanText(b.NextStep)
		changed := created || app.Status != b.Status
		if changed {
			app.Status, app.UpdatedAt = b.Status, now
			app.History = append(app.History, records.StatusChange{Status: b.Status, At: now, Note: cleanText(b.Note)})
		}
		if err := tx.SaveApplication(ctx, app); err != nil {
			return Response{}, fmt.Errorf("save application: %w", err)
		}
		queued, err := a.afterChange(ctx, tx, app, changed && !created, now)
		if err != nil {
			return Response{}, err
		}
		status := http.StatusOK
		if created {
			status = http.StatusCreated
		}
		return answer(status, map[string]any{"reference": ref, "status": app.Status, "created": created, "notices": queued})
	}, nil
}

// statusBody is the body of POST /applications/{reference}/status.
type statusBody struct {
	Status           records.Status      `json:"status"`
	Note             records.Localized   `json:"note"`
	NextStep         records.Localized   `json:"next_step"`
	MissingDocuments []records.Localized `json:"missing_documents"`
	Deadline         *string             `json:"deadline"`
}

// check checks the fields of a status and returns the deadline.
func (b statusBody) check(c *checker) time.Time {
	if !b.Status.Valid() {
		c.add("status", "want one of %s", statusList())
	}
	c.text("note", b.Note, maxLong, false)
	c.text("next_step", b.NextStep, maxLong, false)
	if len(b.MissingDocuments) > maxList {
		c.add("missing_documents", "at most %d", maxList)
	}
	for i, d := range b.MissingDocuments {
		c.text(fmt.Sprintf("missing_documents[%d]", i), d, maxShort, true)
	}
	return dateField(c, "deadline", b.Deadline)
}

// reference returns the application reference of the path, checked.
func reference(c *checker, params map[string]string) string {
	ref := params["reference"]
	if !records.ValidRef(ref) {
		c.add("reference", "want EXP-YYYY-NNNNNN")
	}
	return ref
}

func (a *API) postStatus(admin string, params map[string]string, body []byte) (txFunc, error) {
	var b statusBody
	if err := decode(body, &b); err != nil {
		return nil, err
	}
	c := &checker{}
	ref := reference(c, params)
	deadline := b.check(c)
	if err := c.err(); err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx Tx) (Response, error) {
		now := a.now()
		app, err := tx.FindApplication(ctx, ref)
		switch {
		case err != nil:
			return Response{}, fmt.Errorf("find application: %w", err)
		case app.AdministrationID != admin:
			return Response{}, errForbidden
		}
		note := cleanText(b.Note)
		changed := app.Status != b.Status || (len(note) > 0 && !equalText(note, lastNote(app)))
		if changed {
			app.Status, app.UpdatedAt = b.Status, now
			app.History = append(app.History, records.StatusChange{Status: b.Status, At: now, Note: note})
		}
		if changed || b.NextStep != nil {
			// What the citizen must do belongs to a status: a new status brings its own.
			app.NextStep = cleanText(b.NextStep)
		}
		if changed || b.MissingDocuments != nil {
			app.MissingDocuments = cleanTexts(b.MissingDocuments)
		}
		if changed || b.Deadline != nil {
			app.Deadline = deadline
		}
		if err := tx.SaveApplication(ctx, app); err != nil {
			return Response{}, fmt.Errorf("save application: %w", err)
		}
		queued, err := a.afterChange(ctx, tx, app, changed, now)
		if err != nil {
			return Response{}, err
		}
		return answer(http.StatusOK, map[string]any{"reference": ref, "status": app.Status, "changed": changed, "notices": queued})
	}, nil
}

// afterChange queues the notice of a status change and schedules the reminder of a deadline
// with a missing document.
func (a *API) afterChange(ctx context.Context, tx Tx, app *records.Application, changed bool, now time.Time) (int, error) {
	queued := 0
	if changed {
		last := app.History[len(app.History)-1]
		ok, err := tx.QueueNotice(ctx, notices.Item{
			CitizenID: app.CitizenID, Kind: dialog.NoticeStatusChange, Cause: notices.StatusCause(app.Ref, app.Status, last.At),
			Ref: app.Ref, Procedure: app.Procedure, Status: app.Status, Note: last.Note, NextStep: app.NextStep, CreatedAt: now,
		})
		if err != nil {
			return 0, fmt.Errorf("queue notice: %w", err)
		}
		if ok {
			queued++
		}
	}
	if len(app.MissingDocuments) > 0 && !app.Deadline.IsZero() {
		if at, ok := notices.ReminderAt(app.Deadline, now); ok {
			if err := tx.ScheduleReminder(ctx, notices.Reminder{Ref: app.Ref, Deadline: app.Deadline}, at); err != nil {
				return 0, fmt.Errorf("schedule reminder: %w", err)
			}
		}
	}
	return queued, nil
}

// holdingBody is the body of POST /citizens/{id}/holdings.
type holdingBody struct {
	Category   string            `json:"category"`
	Register   records.Localized `json:"register"`
	LegalBasis records.Localized `json:"legal_basis"`
}

func (a *API) postHolding(admin string, params map[string]string, body []byte) (txFunc, error) {
	var b holdingBody
	if err := decode(body, &b); err != nil {
		return nil, err
	}
	c := &checker{}
	id := params["id"]
	if !validID(id) {
		c.add("id", "not a citizen id")
	}
	if !slices.Contains(records.Categories, b.Category) {
		c.add("category", "want one of %s", strings.Join(records.Categories, ", "))
	}
	c.text("register", b.Register, maxShort, true)
	c.text("legal_basis", b.LegalBasis, maxShort, true)
	if err := c.err(); err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx Tx) (Response, error) {
		if _, err := tx.FindCitizenByID(ctx, id); err != nil {
			return Response{}, fmt.Errorf("find citizen: %w", err)
		}
		h := records.DataHolding{CitizenID: id, AdministrationID: admin, Category: b.Category, Register: cleanText(b.Register), LegalBasis: cleanText(b.LegalBasis)}
		if err := tx.SaveHolding(ctx, h); err != nil {
			return Response{}, fmt.Errorf("save holding: %w", err)
		}
		return answer(http.StatusOK, map[string]any{"citizen_id": id, "administration_id": admin, "category": b.Category})
	}, nil
}

// accessBody is the body of POST /citizens/{id}/access-events.
type accessBody struct {
	AdministrationID string            `json:"administration_id"` // optional; must be the caller's
	At               string            `json:"at"`
	Unit             records.Localized `json:"unit"`
	Category         string            `json:"category"`
	Purpose          records.Localized `json:"purpose"`
	LegalBasis       records.Localized `json:"legal_basis"`
}

func (a *API) postAccessEvent(admin string, params map[string]string, body []byte) (txFunc, error) {
	var b accessBody
	if err := decode(body, &b); err != nil {
		return nil, err
	}
	if b.AdministrationID != "" && b.AdministrationID != admin {
		return nil, errForbidden
	}
	c := &checker{}
	id := params["id"]
	if !validID(id) {
		c.add("id", "not a citizen id")
	}
	at, err := time.Parse(time.RFC3339, b.At)
	if err != nil {
		c.add("at", "want an RFC 3339 time")
	} else if at.After(a.now().Add(5 * time.Minute)) {
		c.add("at", "in the future")
	}
	if !slices.Contains(records.Categories, b.Category) {
		c.add("category", "want one of %s", strings.Join(records.Categories, ", "))
	}
	c.text("unit", b.Unit, maxShort, true)
	c.text("purpose", b.Purpose, maxShort, true)
	c.text("legal_basis", b.LegalBasis, maxShort, true)
	if err := c.err(); err != nil {
		return nil, err
	}
	return func(ctx context.Context, tx Tx) (Response, error) {
		if _, err := tx.FindCitizenByID(ctx, id); err != nil {
			return Response{}, fmt.Errorf("find citizen: %w", err)
		}
		e := &records.AccessEvent{CitizenID: id, At: at.UTC(), AdministrationID: admin, Unit: cleanText(b.Unit), Category: b.Category,
			Purpose: cleanText(b.Purpose), LegalBasis: cleanText(b.LegalBasis), Channel: records.AccessChannelInternal}
		if err := tx.RecordAccess(ctx, e); err != nil {
			return Response{}, fmt.Errorf("record access: %w", err)
		}
		return answer(http.StatusCreated, map[string]any{"id": e.ID, "citizen_id": id})
	}, nil
}

func statusList() string {
	s := make([]string, len(records.Statuses))
	for i, st := range records.Statuses {
		s[i] = string(st)
	}
	return strings.Join(s, ", ")
}

func cleanTexts(ts []records.Localized) []records.Localized {
	if len(ts) == 0 {
		return nil
	}
	out := make([]records.Localized, len(ts))
	for i, t := range ts {
		out[i] = cleanText(t)
	}
	return out
}

func lastNote(app *records.Application) records.Localized {
	if len(app.History) == 0 {
		return nil
	}
	return app.History[len(app.History)-1].Note
}

func equalText(a, b records.Localized) bool { return a["ca"] == b["ca"] && a["es"] == b["es"] }
