package dialog

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/records"
)

// Catalog keys of the benefits answer (locales/benefits.*.toml and active.*.toml).
const (
	KeyForMeItemHead     = "forme.item.head"      // Name, Administration
	KeyForMeWhy          = "forme.why"            // Why: the benefit's own reason line
	KeyForMeWhyLabel     = "forme.why.label"      // "Per què:", before the reasons
	KeyForMeHow          = "forme.how"            // Link, Phone, Documents
	KeyForMeApplied      = "forme.applied"        // Ref, Status (a key), Date
	KeyForMeNotLikely    = "forme.not_likely"     // Name, Summary: the benefit asked about does not fit
	KeyForMeNotLikelyWhy = "forme.not_likely.why" // "Ara no hi encaixes perquè:"
	KeyForMeNotLikelyEnd = "forme.not_likely.end" // Link, Phone: what to do if it has changed
	KeyForMeOthers       = "forme.others"         // Count: the other benefits that fit
	KeyForMeVerifyFacts  = "forme.verify_facts"   // at level 1: verify to see the figures
	KeyForMeSomeone      = "forme.someone.header" // about someone else
	KeyForMeSomeoneItem  = "forme.someone.item"   // Name, Summary, Link, Phone
	KeyForMeSomeoneEnd   = "forme.someone.end"    // who applies, and the number to call
	PrefixWhy            = "why."                 // why.FACT.SHAPE: a reason with the citizen's value
	PrefixRule           = "rule."                // rule.FACT.SHAPE: the same condition without it
	PrefixConfirm        = "confirm."             // confirm.NAME: a condition to confirm
)

// forMePage lists the benefits the citizen may be entitled to, each with the citizen's
// facts that made it match (from level 2; the benefit's own reason line before), what the
// data cannot check, and the status of an application already made. The benefit the
// question named comes first, or, when it does not fit, why not. A question about someone
// else gets general information for that situation; someone not identified, the catalog.
func (t *turn) forMePage(offset, size int) ([]Text, int, error) {
	if about, ok := strings.CutPrefix(t.c.PendingRef, refAbout); ok {
		return t.someonePage(about, offset, size)
	}
	asked, _ := strings.CutPrefix(t.c.PendingRef, "proc:")
	if t.citizen == nil || t.trust() < TrustPossession {
		return t.catalogPage(asked, offset, size)
	}
	if offset == 0 {
		if err := t.recordAccess(records.CategoryIncome, IntentForMe); err != nil {
			return nil, 0, err
		}
	}
	items, notLikely, err := t.benefitItems(asked)
	if err != nil {
		return nil, 0, err
	}
	var lines []Text
	if offset == 0 {
		if notLikely != nil {
			lines = append(lines, notLikely...)
			if len(items) > 0 {
				lines = append(lines, T(KeyForMeOthers, "Count", strconv.Itoa(len(items))))
			}
		} else if len(items) > 0 {
			lines = append(lines, T(KeyForMeHeader, "Count", strconv.Itoa(len(items))))
		}
	}
	if len(items) == 0 {
		if notLikely == nil {
			return []Text{T(KeyForMeNone)}, 0, nil
		}
		return lines, 0, nil
	}
	for _, it := range page(items, offset, size) {
		lines = append(lines, it...)
	}
	if offset+size >= len(items) {
		if t.trust() < TrustVerified {
			lines = append(lines, T(KeyForMeVerifyFacts))
		}
		lines = append(lines, T(KeyForMeIllustrative))
	}
	return lines, len(items), nil
}

// benefitItems returns the lines of each likely benefit, the one asked about first, and,
// when the benefit asked about is not likely, the lines that say why not.
func (t *turn) benefitItems(asked string) (items [][]Text, notLikely []Text, err error) {
	if t.e.Matcher == nil {
		return nil, nil, nil
	}
	apps, err := t.applications()
	if err != nil {
		return nil, nil, fmt.Errorf("find applications: %w", err)
	}
	open := map[string]records.Application{}
	for _, a := range apps {
		if a.Status != records.StatusDenied && a.Status != records.StatusClosed {
			open[a.ProcedureID] = a
		}
	}
	xs := t.e.Matcher.Explain(*t.citizen, t.now)
	// The benefit asked about first; then the new ones; then those already applied for.
	slices.SortStableFunc(xs, func(a, b records.Explanation) int {
		rank := func(x records.Explanation) int {
			_, applied := open[x.Benefit.ID]
			switch {
			case x.Benefit.ID == asked:
				return 0
			case applied:
				return 2
			}
			return 1
		}
		return rank(a) - rank(b)
	})
	names := map[string]string{}
	for _, x := range xs {
		app, applied := open[x.Benefit.ID]
		if !x.Likely && !(applied && x.Benefit.ID == asked) {
			if x.Benefit.ID == asked {
				notLikely = t.whyNot(x)
			}
			continue
		}
		it, err := t.benefitItem(x, app, applied, names)
		if err != nil {
			return nil, nil, err
		}
		items = append(items, it)
	}
	return items, notLikely, nil
}

// benefitItem returns the lines of one benefit: its name, then its status when applied
// for, else why it fits, what to confirm and how to apply.
func (t *turn) benefitItem(x records.Explanation, app records.Application, applied bool, names map[string]string) ([]Text, error) {
	b, lang := x.Benefit, t.lang()
	adm, err := t.administration(b.AdministrationID, names)
	if err != nil {
		return nil, err
	}
	lines := []Text{T(KeyForMeItemHead, "Name", b.Name.In(lang), "Administration", adm)}
	if applied {
		return append(lines, T(KeyForMeApplied, "Ref", app.Ref, "Date", t.date(app.UpdatedAt)).
			WithKey("Status", PrefixStatus+string(app.Status)).AsAction()), nil
	}
	reasons := t.reasonTexts(x.Reasons, PrefixWhy)
	if len(reasons) == 0 || t.trust() < TrustVerified {
		lines = append(lines, T(KeyForMeWhy, "Why", b.Why.In(lang)))
	} else {
		lines = append(lines, T(KeyForMeWhyLabel))
		lines = append(lines, reasons...)
	}
	for _, c := range x.Confirm {
		if slices.Contains(confirmKeys, c) {
			lines = append(lines, T(PrefixConfirm+c))
		}
	}
	return append(lines, T(KeyForMeHow, "Link", b.Link, "Phone", b.Phone, "Documents", joinTexts(b.Documents, lang)).AsAction()), nil
}

// whyNot returns the lines that say why the benefit asked about does not fit: the
// conditions that failed, with the citizen's values from level 2.
func (t *turn) whyNot(x records.Explanation) []Text {
	b, lang := x.Benefit, t.lang()
	prefix := PrefixRule
	if t.trust() >= TrustVerified {
		prefix = PrefixWhy
	}
	lines := []Text{T(KeyForMeNotLikely, "Name", b.Name.In(lang), "Summary", b.Summary.In(lang))}
	if reasons := t.reasonTexts(x.Reasons, prefix); len(reasons) > 0 {
		lines = append(lines, T(KeyForMeNotLikelyWhy))
		lines = append(lines, reasons...)
	}
	return append(lines, T(KeyForMeNotLikelyEnd, "Link", b.Link, "Phone", b.Phone).AsAction())
}

// catalogPage lists the benefits catalog, the one asked about first, for someone not
// identified.
func (t *turn) catalogPage(asked string, offset, size int) ([]Text, int, error) {
	bs, err := t.tx.ListBenefits(t.ctx)
	if err != nil {
		return nil, 0, fmt.Errorf("list benefits: %w", err)
	}
	slices.SortStableFunc(bs, func(a, b records.Benefit) int { return askedFirst(a.ID == asked, b.ID == asked) })
	var lines []Text
	if offset == 0 {
		lines = append(lines, T(KeyForMeGeneralHeader))
	}
	lang := t.lang()
	for _, b := range page(bs, offset, size) {
		lines = append(lines, T(KeyForMeGeneralItem, "Name", b.Name.In(lang), "Summary", b.Summary.In(lang), "Link", b.Link, "Phone", b.Phone))
	}
	if offset+size >= len(bs) {
		lines = append(lines, T(KeyForMeIllustrative))
	}
	return lines, len(bs), nil
}

func askedFirst(a, b bool) int {
	switch {
	case a && !b:
		return -1
	case b && !a:
		return 1
	}
	return 0
}

// someonePage answers a question about someone else ("la meva mare és gran i viu sola"):
// the benefits for a person in the situations named, from a profile made of those
// situations alone, never from the asker's records.
func (t *turn) someonePage(about string, offset, size int) ([]Text, int, error) {
	var bs []records.Benefit
	if about != "" && t.e.Matcher != nil {
		bs = t.e.Matcher.Match(situationProfile(strings.Split(about, ","), t.now), t.now)
	}
	if len(bs) == 0 {
		var err error
		if bs, err = t.tx.ListBenefits(t.ctx); err != nil {
			return nil, 0, fmt.Errorf("list benefits: %w", err)
		}
	}
	var lines []Text
	if offset == 0 {
		lines = append(lines, T(KeyForMeSomeone))
	}
	lang := t.lang()
	for _, b := range page(bs, offset, size) {
		lines = append(lines, T(KeyForMeSomeoneItem, "Name", b.Name.In(lang), "Summary", b.Summary.In(lang), "Link", b.Link, "Phone", b.Phone))
	}
	if offset+size >= len(bs) {
		lines = append(lines, T(KeyForMeSomeoneEnd), T(KeyForMeIllustrative))
	}
	return lines, len(bs), nil
}

// situationProfile returns a made-up person in the situations named: an adult of 45 in a
// household of two, on a low income (the answer says it depends on it), changed by each
// situation.
func situationProfile(situations []string, now time.Time) records.Citizen {
	age := 45
	p := records.Profile{HouseholdSize: 2, MonthlyIncome: 600, Employment: records.EmploymentEmployed}
	for _, s := range situations {
		switch s {
		case "older":
			age, p.Employment = 80, records.EmploymentRetired
		case "alone":
			p.HouseholdSize, p.LivesAlone = 1, true
		case "disability":
			p.DisabilityPercent = 65
		case "dependency":
			p.Dependency = true
		case "unemployed":
			p.Employment = records.EmploymentUnemployed
		case "renting":
			p.Renting, p.MonthlyRent = true, 500
		case "children":
			p.ChildrenAges = []int{8}
			p.HouseholdSize = max(p.HouseholdSize, 2)
		}
	}
	return records.Citizen{BirthDate: now.AddDate(-age, 0, -1), Profile: p}
}
