package notices

import (
	"fmt"
	"strings"
	"time"
)

// QuietHours is the part of each day, in the citizens' time zone, when no notice is sent.
// The zero value is off.
type QuietHours struct {
	On         bool
	Start, End time.Duration // since local midnight; Start > End spans midnight
}

// DefaultQuietHours is 21:00–09:00.
var DefaultQuietHours = QuietHours{On: true, Start: 21 * time.Hour, End: 9 * time.Hour}

// ParseQuietHours reads "21:00-09:00" (or with "–"); "" is DefaultQuietHours and "off"
// turns them off.
func ParseQuietHours(s string) (QuietHours, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	switch s {
	case "":
		return DefaultQuietHours, nil
	case "off", "none", "no":
		return QuietHours{}, nil
	}
	from, to, ok := strings.Cut(strings.ReplaceAll(s, "–", "-"), "-")
	if !ok {
		return QuietHours{}, fmt.Errorf("quiet hours %q: want HH:MM-HH:MM or off", s)
	}
	start, err := clock(from)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: %w", s, err)
	}
	end, err := clock(to)
	if err != nil {
		return QuietHours{}, fmt.Errorf("quiet hours %q: %w", s, err)
	}
	if start == end {
		return QuietHours{}, fmt.Errorf("quiet hours %q: start and end are the same", s)
	}
	return QuietHours{On: true, Start: start, End: end}, nil
}

func clock(s string) (time.Duration, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("%q is not HH:MM", s)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, nil
}

// Release returns when a notice due at t may go out: t itself outside quiet hours, else
// the end of the quiet hours, in loc.
func (q QuietHours) Release(t time.Time, loc *time.Location) time.Time {
	if !q.On {
		return t
	}
	lt := t.In(loc)
	midnight := time.Date(lt.Year(), lt.Month(), lt.Day(), 0, 0, 0, 0, loc)
	since := lt.Sub(midnight)
	at := func(day int, d time.Duration) time.Time {
		m := midnight.AddDate(0, 0, day)
		return time.Date(m.Year(), m.Month(), m.Day(), int(d/time.Hour), int(d%time.Hour/time.Minute), 0, 0, loc)
	}
	if q.Start < q.End { // e.g. 01:00-06:00
		if since >= q.Start && since < q.End {
			return at(0, q.End)
		}
		return t
	}
	switch { // spans midnight, e.g. 21:00-09:00
	case since >= q.Start:
		return at(1, q.End)
	case since < q.End:
		return at(0, q.End)
	}
	return t
}

// nextDay returns the local midnight after t in loc.
func nextDay(t time.Time, loc *time.Location) time.Time {
	lt := t.In(loc)
	return time.Date(lt.Year(), lt.Month(), lt.Day()+1, 0, 0, 0, 0, loc)
}

func sameDay(a, b time.Time, loc *time.Location) bool {
	ay, am, ad := a.In(loc).Date()
	by, bm, bd := b.In(loc).Date()
	return ay == by && am == bm && ad == bd
}
