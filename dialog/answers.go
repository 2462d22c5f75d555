package dialog

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/records"
)

// The answers to the four questions. Each reads the citizen's records inside the turn and
// records that read in the citizen's own access log, so data_usage shows it.

const dateLayout = "02/01/2006"

func (e *Engine) location() *time.Location {
	if e.loc != nil {
		return e.loc
	}
	return time.Local
}

func (t *turn) date(d time.Time) string { return d.In(t.e.location()).Format(dateLayout) }

func (t *turn) lang() string { return langOr(t.c.Lang) }

// recordAccess writes MyGov's own read of the citizen's data to the access log.
func (t *turn) recordAccess(category, reason string) error {
	if t.recorded[category+"/"+reason] {
		return nil
	}
	ev := &records.AccessEvent{
		CitizenID:        t.citizen.ID,
		At:               t.now,
		AdministrationID: records.AccessorAssistant,
		Category:         category,
		Channel:          t.in.Channel,
		Reason:           reason,
	}
	if err := t.tx.RecordAccess(t.ctx, ev); err != nil {
		return fmt.Errorf("record access: %w", err)
	}
	if t.recorded == nil {
		t.recorded = map[string]bool{}
	}
	t.recorded[category+"/"+reason] = true
	return nil
}

// administration returns the name of an administration in the conversation's language,
// the id itself for an unknown one. The first name a turn needs is read with those of every
// administration its reads so far name (see names), in one query.
func (t *turn) administration(id string, cache map[string]string) (string, error) {
	if name, ok := cache[id]; ok {
		return name, nil
	}
	if _, ok := t.reads.names[id]; !ok {
		if err := t.readNames(id); err != nil {
			return "", err
		}
	}
	cache[id] = t.reads.names[id]
	return cache[id], nil
}

// readNames reads the names of administration id (none when "") and of those the turn's
// reads name that are not read yet.
func (t *turn) readNames(id string) error {
	if t.reads.names == nil {
		t.reads.names = map[string]string{}
	}
	var ids []string // each id not read yet, once; nil (nothing allocated) when all are read
	add := func(w string) {
		if _, ok := t.reads.names[w]; !ok && w != "" && !slices.Contains(ids, w) {
			ids = append(ids, w)
		}
	}
	add(id)
	for _, a := range t.reads.apps {
		add(a.AdministrationID)
	}
	for _, h := range t.reads.holdings {
		add(h.AdministrationID)
	}
	for _, ev := range t.reads.events {
		add(ev.AdministrationID)
	}
	if len(ids) == 0 {
		return nil
	}
	sort.Strings(ids) // one statement text for one set of ids
	as, err := t.tx.FindAdministrations(t.ctx, ids)
	if err != nil {
		return fmt.Errorf("find administrations: %w", err)
	}
	for _, w := range ids {
		t.reads.names[w] = w // unknown: its id
	}
	for _, a := range as {
		t.reads.names[a.ID] = a.Name.In(t.lang())
	}
	return nil
}

func (t *turn) statusPage(offset, size int) ([]Text, int, error) {
	apps, err := t.applications()
	if err != nil {
		return nil, 0, fmt.Errorf("find applications: %w", err)
	}
	if err := t.readNames(""); err != nil { // before the access is recorded, which then waits for the turn's tail
		return nil, 0, err
	}
	if offset == 0 {
		if err := t.recordAccess(records.CategoryApplications, IntentStatus); err != nil {
			return nil, 0, err
		}
	}
	lines := make([]Text, 0, 2+5*min(size, len(apps))) // a header or two, then at most five lines an item
	header := KeyStatusHeader
	if ref := t.c.PendingRef; ref != "" {
		var picked []records.Application
		for _, a := range apps {
			if a.Ref == ref || "proc:"+a.ProcedureID == ref {
				picked = append(picked, a)
			}
		}
		if len(picked) > 0 {
			apps, header = picked, KeyStatusFound
		} else if offset == 0 {
			lines = append(lines, T(KeyStatusNotFound))
		}
	}
	if len(apps) == 0 {
		return []Text{T(KeyStatusNone)}, 0, nil
	}
	if offset == 0 {
		lines = append(lines, T(header, "Count", strconv.Itoa(len(apps))))
	}
	names := map[string]string{}
	lang := t.lang()
	var shown []string
	for _, a := range page(apps, offset, size) {
		shown = append(shown, a.Ref)
		adm, err := t.administration(a.AdministrationID, names)
		if err != nil {
			return nil, 0, err
		}
		item := T(KeyStatusItem, "Ref", a.Ref, "Procedure", a.Procedure.In(lang), "Administration", adm, "Date", t.date(a.UpdatedAt)).
			WithKey("Status", PrefixStatus+string(a.Status))
		lines = append(lines, item)
		if note := lastNote(a, lang); note != "" {
			lines = append(lines, T(KeyAppNote, "Note", note))
		}
		if len(a.MissingDocuments) > 0 {
			lines = append(lines, T(KeyStatusMissing, "Documents", joinTexts(a.MissingDocuments, lang)))
		}
		if !a.Deadline.IsZero() && a.Deadline.After(t.now) {
			lines = append(lines, T(KeyStatusDeadline, "Deadline", t.date(a.Deadline)).AsAction())
		}
		if next := a.NextStep.In(lang); next != "" {
			lines = append(lines, T(KeyStatusNext, "Next", next).AsAction())
		}
	}
	t.setFocus(shown)
	return lines, len(apps), nil
}

// myDataPage lists who holds which category of the citizen's data, from which register and
// on which legal basis.
func (t *turn) myDataPage(offset, size int) ([]Text, int, error) {
	hs, err := t.holdings()
	if err != nil {
		return nil, 0, fmt.Errorf("find holdings: %w", err)
	}
	if err := t.readNames(""); err != nil {
		return nil, 0, err
	}
	var lines []Text
	if offset == 0 {
		if err := t.recordAccess(records.CategoryInventory, IntentMyData); err != nil {
			return nil, 0, err
		}
		c := t.citizen
		address := records.MaskAddress(*c)
		name := strings.TrimSpace(c.GivenName + " " + c.Surnames)
		if t.in.Caps.Compact { // stricter on SMS: a phone screen is easily seen
			address, name = c.Municipality, c.GivenName
		}
		lines = append(lines, T(KeyMyDataIdentity, "Name", name, "ID", records.MaskNationalID(c.NationalID),
			"Phone", records.MaskPhone(c.Phone), "Address", address))
		lines = append(lines, T(KeyMyDataHeader, "Count", strconv.Itoa(len(hs))))
	}
	names := map[string]string{}
	lang := t.lang()
	for _, h := range page(hs, offset, size) {
		adm, err := t.administration(h.AdministrationID, names)
		if err != nil {
			return nil, 0, err
		}
		lines = append(lines, T(KeyMyDataItem, "Administration", adm, "Register", h.Register.In(lang), "Basis", h.LegalBasis.In(lang)).
			WithKey("Category", PrefixCategory+h.Category))
	}
	return lines, len(hs), nil
}

func page[S ~[]E, E any](s S, offset, size int) S {
	if offset >= len(s) {
		return nil
	}
	return s[offset:min(offset+size, len(s))]
}

func joinTexts(ts []records.Localized, lang string) string {
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, t.In(lang))
	}
	return strings.Join(parts, ", ")
}
