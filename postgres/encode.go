package postgres

import (
	"fmt"
	"time"

	"github.com/catalonia/mygov/internal/storetext"
)

// The text cleaning both stores share (see package storetext).
var (
	clean     = storetext.Clean
	cleanArgs = storetext.CleanArgs
	cleanJSON = storetext.CleanJSON
	marshal   = storetext.Marshal
)

// ts returns the parameter of t: UTC, to the microsecond (timestamptz's precision).
func ts(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// nullTS is ts, or NULL for the zero time.
func nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// nullDate is the date of t, or NULL for the zero time.
func nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC)
}

// timeCol scans a timestamptz or date column into UTC; NULL is the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
	case time.Time:
		*c.t = v.UTC()
	default:
		return fmt.Errorf("time column: unexpected %T", src)
	}
	return nil
}

// nullString is s, or NULL when empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
