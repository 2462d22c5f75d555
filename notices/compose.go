package notices

import (
	"strconv"
	"time"

	"github.com/catalonia/mygov/dialog"
)

// Catalog keys of notices (locales/notices.*.toml).
const (
	KeyStatus     = "notice.status"
	KeyNote       = "notice.note"
	KeyNext       = "notice.next"
	KeyDeadline   = "notice.deadline"
	KeyNewBenefit = "notice.new_benefit"
	KeyMore       = "notice.more"
	KeyFooter     = "notice.footer"
)

// maxTold is how many items one notice tells; the rest are counted.
const maxTold = 2

// Compose returns the notice of items in lang: the newest status of each application, the
// reminders and the new benefits, at most maxTold of them in full (with the
// administration's note and next step when there is only one), then how many more, then
// how to stop notices. The notice is about the first application it tells of.
func Compose(citizenID string, items []Item, lang string, loc *time.Location) dialog.Notice {
	items = latestPerApplication(items)
	n := dialog.Notice{CitizenID: citizenID}
	for i, it := range items {
		if i == maxTold {
			n.Lines = append(n.Lines, dialog.T(KeyMore, "Count", strconv.Itoa(len(items)-maxTold)))
			break
		}
		if n.Ref == "" {
			n.Ref = it.Ref
		}
		if n.Kind == "" {
			n.Kind = it.Kind
		}
		switch it.Kind {
		case dialog.NoticeStatusChange:
			n.Lines = append(n.Lines, dialog.T(KeyStatus, "Ref", it.Ref, "Procedure", it.Procedure.In(lang)).
				WithKey("Status", dialog.PrefixStatus+string(it.Status)))
			if len(items) == 1 {
				if s := it.Note.In(lang); s != "" {
					n.Lines = append(n.Lines, dialog.T(KeyNote, "Note", s))
				}
				if s := it.NextStep.In(lang); s != "" {
					n.Lines = append(n.Lines, dialog.T(KeyNext, "Next", s))
				}
			}
		case dialog.NoticeDeadline:
			n.Lines = append(n.Lines, dialog.T(KeyDeadline, "Ref", it.Ref, "Procedure", it.Procedure.In(lang),
				"Document", it.Document.In(lang), "Date", it.Deadline.In(loc).Format("02/01/2006")))
		case dialog.NoticeNewBenefit:
			n.Lines = append(n.Lines, dialog.T(KeyNewBenefit, "Benefit", it.Benefit.In(lang), "Reason", it.Reason.In(lang)))
		}
	}
	n.Lines = append(n.Lines, dialog.T(KeyFooter))
	return n
}

// latestPerApplication keeps, of the status changes of one application, the newest; every
// other item stays, in order.
func latestPerApplication(items []Item) []Item {
	last := map[string]int{}
	for i, it := range items {
		if it.Kind == dialog.NoticeStatusChange {
			last[it.Ref] = i
		}
	}
	out := make([]Item, 0, len(items))
	for i, it := range items {
		if it.Kind != dialog.NoticeStatusChange || last[it.Ref] == i {
			out = append(out, it)
		}
	}
	return out
}
