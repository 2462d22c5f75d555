package inbox

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// Hours are a team's office hours: the same opening and closing time on the days listed.
type Hours struct {
	Days        []time.Weekday
	Open, Close time.Duration // since midnight, in Location
	Location    *time.Location
}

// DefaultHours are the office hours of a team nobody configured: Monday to Friday, 9:00 to
// 14:00, in Europe/Madrid (or UTC when the zone database is missing).
func DefaultHours() Hours {
	loc, err := time.LoadLocation("Europe/Madrid")
	if err != nil {
		loc = time.UTC
	}
	return Hours{
		Days:     []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		Open:     9 * time.Hour,
		Close:    14 * time.Hour,
		Location: loc,
	}
}

// At reports whether the office is open at t and, when it is not, when it opens next.
func (h Hours) At(t time.Time) (open bool, opens time.Time) {
	loc := h.Location
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	for d := 0; d <= 7; d++ {
		day := time.Date(t.Year(), t.Month(), t.Day()+d, 0, 0, 0, 0, loc)
		if !h.workday(day.Weekday()) {
			continue
		}
		from := day.Add(h.Open)
		to := day.Add(h.Close)
		if d == 0 && !t.Before(from) && t.Before(to) {
			return true, time.Time{}
		}
		if t.Before(from) {
			return false, from
		}
	}
	return false, time.Time{}
}

func (h Hours) workday(d time.Weekday) bool {
	for _, w := range h.Days {
		if w == d {
			return true
		}
	}
	return false
}

// Routing decides which team of which municipality gets an escalation.
type Routing struct {
	// Teams maps a municipality to the team that takes its escalations; DefaultTeam when
	// absent.
	Teams map[string]string
	// Hours maps a team to its office hours; DefaultHours when absent.
	Hours map[string]Hours
}

// Route returns the municipality and team of a citizen's escalation; a citizen nobody
// identified goes to the general queue.
func (r Routing) Route(c *records.Citizen) (municipality, team string) {
	if c == nil || c.Municipality == "" {
		return GeneralMunicipality, GeneralTeam
	}
	if t := r.Teams[c.Municipality]; t != "" {
		return c.Municipality, t
	}
	return c.Municipality, DefaultTeam
}

// HoursOf returns the office hours of team.
func (r Routing) HoursOf(team string) Hours {
	if h, ok := r.Hours[team]; ok {
		return h
	}
	return DefaultHours()
}

// Escalator opens a case in a team's queue when the dialog hands a conversation to a
// person. It is safe for concurrent use.
type Escalator struct {
	Store   Store
	Routing Routing
	Now     func() time.Time
}

var _ dialog.Escalator = (*Escalator)(nil)

// Escalate opens a case for the conversation inside the turn's transaction, or raises the
// priority of the case already open, and says when the team is expected to answer.
func (e *Escalator) Escalate(ctx context.Context, tx dialog.Tx, c *dialog.Conversation, esc dialog.Escalation) (dialog.Handoff, error) {
	now := e.now()
	cs, err := e.Store.FindOpenCase(ctx, tx, c.ID)
	switch {
	case err == nil:
		if esc.Priority > cs.Priority {
			cs.Priority, cs.Reason, cs.Distress = esc.Priority, esc.Reason, esc.Distress
			if err := e.Store.SaveCase(ctx, tx, cs); err != nil {
				return dialog.Handoff{}, fmt.Errorf("inbox: escalate: %w", err)
			}
		}
	case records.ErrorCode(err) == records.ENOTFOUND:
		var cit *records.Citizen
		if c.CitizenID != "" {
			cit, err = tx.FindCitizenByID(ctx, c.CitizenID)
			if err != nil && records.ErrorCode(err) != records.ENOTFOUND {
				return dialog.Handoff{}, fmt.Errorf("inbox: escalate: find citizen: %w", err)
			}
		}
		muni, team := e.Routing.Route(cit)
		cs = &Case{
			ConversationID: c.ID, Channel: c.Channel, Address: c.Address, CitizenID: c.CitizenID,
			Lang: c.Lang, Municipality: muni, Team: team,
			Reason: esc.Reason, Distress: esc.Distress, Priority: esc.Priority,
			OpenedAt: now, UpdatedAt: now,
		}
		if err := e.Store.AddCase(ctx, tx, cs); err != nil {
			return dialog.Handoff{}, fmt.Errorf("inbox: escalate: %w", err)
		}
	default:
		return dialog.Handoff{}, fmt.Errorf("inbox: escalate: %w", err)
	}
	open, opens := e.Routing.HoursOf(cs.Team).At(now)
	return dialog.Handoff{Team: cs.Team, Open: open, Opens: opens}, nil
}

func (e *Escalator) now() time.Time {
	if e.Now != nil {
		return e.Now()
	}
	return time.Now()
}

// ParseRouting reads the routing configuration: teams as "Badalona=serveis-socials,
// Lleida=atencio-social" and office hours as "serveis-socials=1-5/09:00-14:00,
// general=1-6/08:00-20:00" (days 0 Sunday to 6 Saturday, a range or a list "1,3,5"
// separated by "+": "1+3+5/09:00-13:00"), in loc. Empty strings give the defaults.
func ParseRouting(teams, hours string, loc *time.Location) (Routing, error) {
	r := Routing{Teams: map[string]string{}, Hours: map[string]Hours{}}
	for _, kv := range splitList(teams) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return Routing{}, fmt.Errorf("inbox: team route %q: want MUNICIPALITY=TEAM", kv)
		}
		r.Teams[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	for _, kv := range splitList(hours) {
		team, spec, ok := strings.Cut(kv, "=")
		days, span, ok2 := strings.Cut(spec, "/")
		from, to, ok3 := strings.Cut(span, "-")
		if !ok || !ok2 || !ok3 {
			return Routing{}, fmt.Errorf("inbox: office hours %q: want TEAM=DAYS/HH:MM-HH:MM", kv)
		}
		h := Hours{Location: loc}
		var err error
		if h.Days, err = parseDays(days); err != nil {
			return Routing{}, fmt.Errorf("inbox: office hours %q: %w", kv, err)
		}
		o, err1 := time.Parse("15:04", strings.TrimSpace(from))
		c, err2 := time.Parse("15:04", strings.TrimSpace(to))
		if err1 != nil || err2 != nil || !c.After(o) {
			return Routing{}, fmt.Errorf("inbox: office hours %q: want HH:MM-HH:MM, opening first", kv)
		}
		h.Open = time.Duration(o.Hour())*time.Hour + time.Duration(o.Minute())*time.Minute
		h.Close = time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute
		r.Hours[strings.TrimSpace(team)] = h
	}
	return r, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseDays(s string) ([]time.Weekday, error) {
	var days []time.Weekday
	for _, p := range strings.Split(s, "+") {
		a, b, isRange := strings.Cut(strings.TrimSpace(p), "-")
		from, err1 := strconv.Atoi(a)
		to := from
		var err2 error
		if isRange {
			to, err2 = strconv.Atoi(b)
		}
		if err1 != nil || err2 != nil || from < 0 || to > 6 || from > to {
			return nil, fmt.Errorf("days %q: want 0 (Sunday) to 6, as 1-5 or 1+3+5", s)
		}
		for d := from; d <= to; d++ {
			days = append(days, time.Weekday(d))
		}
	}
	return days, nil
}
