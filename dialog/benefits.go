package dialog

import (
	"fmt"
	"strconv"

	"github.com/catalonia/mygov/records"
)

// forMePage lists the benefits the citizen may be entitled to, or the general catalog for
// someone not identified.
func (t *turn) forMePage(offset, size int) ([]Text, int, error) {
	lang := t.lang()
	names := map[string]string{}
	var lines []Text
	if t.citizen == nil || t.trust() < TrustPossession {
		bs, err := t.tx.ListBenefits(t.ctx)
		if err != nil {
			return nil, 0, fmt.Errorf("list benefits: %w", err)
		}
		if offset == 0 {
			lines = append(lines, T(KeyForMeGeneralHeader))
		}
		for _, b := range page(bs, offset, size) {
			lines = append(lines, T(KeyForMeGeneralItem, "Name", b.Name.In(lang), "Summary", b.Summary.In(lang), "Link", b.Link, "Phone", b.Phone))
		}
		if offset+size >= len(bs) {
			lines = append(lines, T(KeyForMeIllustrative))
		}
		return lines, len(bs), nil
	}
	if offset == 0 {
		if err := t.recordAccess(records.CategoryIncome, IntentForMe); err != nil {
			return nil, 0, err
		}
	}
	bs, err := t.newBenefits()
	if err != nil {
		return nil, 0, err
	}
	if len(bs) == 0 {
		return []Text{T(KeyForMeNone)}, 0, nil
	}
	if offset == 0 {
		lines = append(lines, T(KeyForMeHeader, "Count", strconv.Itoa(len(bs))))
	}
	for _, b := range page(bs, offset, size) {
		adm, err := t.administration(b.AdministrationID, names)
		if err != nil {
			return nil, 0, err
		}
		lines = append(lines, T(KeyForMeItem, "Name", b.Name.In(lang), "Administration", adm, "Why", b.Why.In(lang),
			"Link", b.Link, "Phone", b.Phone, "Documents", joinTexts(b.Documents, lang)))
	}
	if offset+size >= len(bs) {
		lines = append(lines, T(KeyForMeIllustrative))
	}
	return lines, len(bs), nil
}

// newBenefits returns the benefits the citizen's profile meets, leaving out those the
// citizen has already applied for and that are not denied or closed: status covers them.
func (t *turn) newBenefits() ([]records.Benefit, error) {
	if t.e.Matcher == nil {
		return nil, nil
	}
	apps, err := t.tx.FindApplicationsByCitizen(t.ctx, t.citizen.ID)
	if err != nil {
		return nil, fmt.Errorf("find applications: %w", err)
	}
	open := map[string]bool{}
	for _, a := range apps {
		if a.Status != records.StatusDenied && a.Status != records.StatusClosed {
			open[a.ProcedureID] = true
		}
	}
	var out []records.Benefit
	for _, b := range t.e.Matcher.Match(*t.citizen, t.now) {
		if !open[b.ID] {
			out = append(out, b)
		}
	}
	return out, nil
}
