package sqlite

import (
	"database/sql/driver"
	"encoding/json"
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

// jsonCol scans a JSON text column into V; NULL leaves it untouched.
type jsonCol struct{ v any }

func (j jsonCol) Scan(src any) error {
	var b []byte
	switch s := src.(type) {
	case nil:
		return nil
	case string:
		b = []byte(s)
	case []byte:
		b = s
	default:
		return fmt.Errorf("json column: unexpected %T", src)
	}
	return json.Unmarshal(b, j.v)
}

// timeLayout is the fixed-width text form of a time: it sorts as text.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// dateLayout is the text form of a date.
const dateLayout = "2006-01-02"

// ts returns the column value of t: UTC, microseconds (like PostgreSQL's timestamptz).
func ts(t time.Time) string { return t.UTC().Truncate(time.Microsecond).Format(timeLayout) }

// nullTS is ts, or NULL for the zero time.
func nullTS(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	return ts(t)
}

// nullDate is the date of t, or NULL for the zero time.
func nullDate(t time.Time) driver.Value {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(dateLayout)
}

// timeCol scans a time column written by ts, nullTS or nullDate; NULL is the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("time column: unexpected %T", src)
	}
	layout := timeLayout
	if len(s) == len(dateLayout) {
		layout = dateLayout
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return fmt.Errorf("time column: %w", err)
	}
	*c.t = t
	return nil
}

// nullString is s, or NULL when empty.
func nullString(s string) driver.Value {
	if s == "" {
		return nil
	}
	return s
}
