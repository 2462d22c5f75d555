package dialog

import (
	"fmt"
	"strconv"

	"github.com/catalonia/mygov/records"
)

// maxUsage is how many access events data_usage reads.
const maxUsage = 200

// usagePage lists who read the citizen's data, newest first, MyGov's own reads included.
func (t *turn) usagePage(offset, size int) ([]Text, int, error) {
	// The read is recorded first, so the citizen sees it at the top of the list.
	if offset == 0 {
		if err := t.recordAccess(records.CategoryAccessLog, IntentDataUsage); err != nil {
			return nil, 0, err
		}
	}
	evs, err := t.tx.FindAccessEventsByCitizen(t.ctx, t.citizen.ID, maxUsage)
	if err != nil {
		return nil, 0, fmt.Errorf("find access events: %w", err)
	}
	if len(evs) == 0 {
		return []Text{T(KeyUsageNone)}, 0, nil
	}
	var lines []Text
	if offset == 0 {
		lines = append(lines, T(KeyUsageHeader, "Count", strconv.Itoa(len(evs))))
	}
	names := map[string]string{}
	lang := t.lang()
	for _, ev := range page(evs, offset, size) {
		if ev.AdministrationID == records.AccessorAssistant {
			lines = append(lines, T(KeyUsageAssistant, "Date", t.date(ev.At)).
				WithKey("Category", PrefixCategory+ev.Category).
				WithKey("Channel", PrefixChannel+ev.Channel).
				WithKey("Reason", PrefixReason+ev.Reason))
			continue
		}
		adm, err := t.administration(ev.AdministrationID, names)
		if err != nil {
			return nil, 0, err
		}
		lines = append(lines, T(KeyUsageItem, "Date", t.date(ev.At), "Administration", adm, "Unit", ev.Unit.In(lang), "Purpose", ev.Purpose.In(lang)).
			WithKey("Category", PrefixCategory+ev.Category))
	}
	return lines, len(evs), nil
}
