package inbox

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
	"github.com/catalonia/mygov/records"
)

// page is what every template gets: the language, the caller and the page's own data.
type page struct {
	Lang  string
	Staff *Staff
	CSRF  string
	Data  any
	cat   *locales.Catalog
}

// T renders a catalog key in the page's language.
func (p page) T(key string) string { return p.cat.Text(p.Lang, "", key) }

func (s *Server) page(lang string, c caller, data any) page {
	p := page{Lang: lang, Staff: c.staff, Data: data, cat: s.catalog}
	if c.session != nil {
		p.CSRF = c.session.CSRF
	}
	return p
}

// queueRow is one case of the queue as shown.
type queueRow struct {
	ID        int64
	Who       string
	Channel   string
	Team      string
	ReasonKey string
	Urgent    bool
	Waiting   string
	Assigned  string
}

type queueData struct {
	Rows []queueRow
}

// queue returns the open cases the caller may see, urgent first, then the longest waiting.
func (s *Server) queue(ctx context.Context, c caller) (*queueData, error) {
	cases, err := s.store.ListOpenCases(ctx, c.staff.Municipality)
	if err != nil {
		return nil, err
	}
	cases = slices.DeleteFunc(cases, func(cs Case) bool { return !c.staff.Sees(&cs) })
	slices.SortStableFunc(cases, func(a, b Case) int {
		if a.Priority != b.Priority {
			return int(b.Priority - a.Priority)
		}
		return a.OpenedAt.Compare(b.OpenedAt)
	})
	now := s.now()
	names := map[int64]string{}
	q := &queueData{Rows: make([]queueRow, 0, len(cases))}
	for _, cs := range cases {
		row := queueRow{
			ID: cs.ID, Channel: cs.Channel, Team: cs.Team, ReasonKey: "ui.reason." + cs.Reason,
			Urgent: cs.Priority >= dialog.PriorityUrgent, Waiting: waiting(now.Sub(cs.OpenedAt)),
		}
		row.Who, err = s.who(ctx, &cs)
		if err != nil {
			return nil, err
		}
		if cs.AssignedTo != 0 {
			if _, ok := names[cs.AssignedTo]; !ok {
				if st, err := s.store.FindStaffByID(ctx, cs.AssignedTo); err == nil {
					names[cs.AssignedTo] = st.Name
				}
			}
			row.Assigned = names[cs.AssignedTo]
		}
		q.Rows = append(q.Rows, row)
	}
	return q, nil
}

// who names the citizen of a case for the queue: the name when identified, the masked
// address otherwise.
func (s *Server) who(ctx context.Context, cs *Case) (string, error) {
	if cs.CitizenID == "" {
		return mask(cs.Address), nil
	}
	cit, err := s.store.FindCitizenByID(ctx, cs.CitizenID)
	if records.ErrorCode(err) == records.ENOTFOUND {
		return mask(cs.Address), nil
	}
	if err != nil {
		return "", fmt.Errorf("find citizen: %w", err)
	}
	return cit.GivenName + " " + cit.Surnames, nil
}

// mask keeps the last three characters of an address.
func mask(addr string) string {
	r := []rune(addr)
	if len(r) <= 3 {
		return "***"
	}
	return "***" + string(r[len(r)-3:])
}

// waiting shows a duration as "4 min", "2 h 05 min", "3 d".
func waiting(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "<1 min"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + " min"
	case d < 48*time.Hour:
		return fmt.Sprintf("%d h %02d min", int(d/time.Hour), int(d%time.Hour/time.Minute))
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + " d"
}

// line is one message of the transcript as shown.
type line struct {
	From   string // "citizen", "bot", "worker"
	Text   string
	At     string
	Status string
}

type application struct {
	Ref, Procedure, Status string
}

type caseData struct {
	Case      *Case
	Who       string
	Urgent    bool
	ReasonKey string
	Lines     []line
	Notes     []Note
	Apps      []application
	Benefits  []string
	Citizen   bool
	Mine      bool
	Assigned  string
	Staff     []Staff // whom a coordinator may assign to
	OptedOut  bool
	SMS       bool
	Canned    []string
	Error     string
	Back      string
}

// caseView gathers what the conversation page shows.
func (s *Server) caseView(ctx context.Context, c caller, cs *Case, errKey string) (*caseData, error) {
	v := &caseData{
		Case: cs, Urgent: cs.Priority >= dialog.PriorityUrgent, ReasonKey: "ui.reason." + cs.Reason,
		Mine: cs.AssignedTo == c.staff.ID, SMS: cs.Channel == "sms",
		Back: Prefix + "c/" + strconv.FormatInt(cs.ID, 10),
	}
	if strings.HasPrefix(errKey, "ui.") && s.catalog.Has(c.lang(), errKey) {
		v.Error = errKey
	}
	var err error
	if v.Who, err = s.who(ctx, cs); err != nil {
		return nil, err
	}
	msgs, err := s.store.ConversationMessages(ctx, cs.ConversationID)
	if err != nil {
		return nil, fmt.Errorf("messages: %w", err)
	}
	lang := locales.Lang(cs.Lang)
	for _, m := range msgs {
		v.Lines = append(v.Lines, s.line(lang, c.lang(), m))
	}
	if v.Notes, err = s.store.ListNotes(ctx, cs.ID); err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	if cs.AssignedTo != 0 {
		if st, err := s.store.FindStaffByID(ctx, cs.AssignedTo); err == nil {
			v.Assigned = st.Name
		}
	}
	if c.staff.Role == RoleCoordinator {
		all, err := s.store.ListStaff(ctx)
		if err != nil {
			return nil, fmt.Errorf("staff: %w", err)
		}
		for _, st := range all {
			if st.Municipality == cs.Municipality && !st.Disabled {
				v.Staff = append(v.Staff, st)
			}
		}
	}
	for _, k := range []string{"ui.canned.1", "ui.canned.2", "ui.canned.3"} {
		v.Canned = append(v.Canned, s.catalog.Text(lang, "", k))
	}
	if err := s.summary(ctx, v, cs, c.lang()); err != nil {
		return nil, err
	}
	return v, nil
}

// summary adds the citizen's applications and the benefits they may be entitled to.
func (s *Server) summary(ctx context.Context, v *caseData, cs *Case, lang string) error {
	if cs.CitizenID == "" {
		return nil
	}
	cit, err := s.store.FindCitizenByID(ctx, cs.CitizenID)
	if records.ErrorCode(err) == records.ENOTFOUND {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find citizen: %w", err)
	}
	v.Citizen = true
	apps, err := s.store.FindApplicationsByCitizen(ctx, cit.ID)
	if err != nil {
		return fmt.Errorf("applications: %w", err)
	}
	for _, a := range apps {
		v.Apps = append(v.Apps, application{
			Ref: a.Ref, Procedure: a.Procedure.In(lang),
			Status: s.catalog.Text(lang, "", dialog.PrefixStatus+string(a.Status)),
		})
	}
	if s.matcher != nil {
		for _, b := range s.matcher.Match(*cit, s.now()) {
			v.Benefits = append(v.Benefits, b.Name.In(lang))
		}
	}
	return nil
}

// line renders one stored message: the citizen's text as written, the assistant's and the
// workers' replies through the catalog in the conversation's language, their delivery
// status in the worker's.
func (s *Server) line(lang, uiLang string, m dialog.Message) line {
	l := line{From: "citizen", Text: m.Text, At: m.CreatedAt.In(s.loc).Format("02/01 15:04")}
	if m.Direction != "out" {
		if l.Text == "" && m.Kind != string(dialog.KindText) {
			l.Text = "[" + m.Kind + "]"
		}
		return l
	}
	l.From = "bot"
	if m.Status != "" {
		l.Status = m.Status
		if k := "ui.status." + m.Status; s.catalog.Has(uiLang, k) {
			l.Status = s.catalog.Text(uiLang, "", k)
		}
	}
	if m.Reply == nil {
		return l
	}
	var parts []string
	for _, t := range m.Reply.Lines {
		if t.Key == KeyReply {
			l.From = "worker"
		}
		parts = append(parts, s.catalog.Render(lang, "", t))
	}
	for i, o := range m.Reply.Options {
		parts = append(parts, fmt.Sprintf("  %d. %s", i+1, s.catalog.Render(lang, "", o.Label)))
	}
	l.Text = strings.Join(parts, "\n")
	return l
}
