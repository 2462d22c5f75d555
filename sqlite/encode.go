package sqlite

import (
	"bytes"
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// clean returns s with every NUL byte and every byte that is not part of valid UTF-8
// replaced by U+FFFD, exactly as package postgres does, so that both stores keep the same
// text. PostgreSQL rejects both in text and JSON; SQLite would keep them, but the stores
// must agree.
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == 0 || (r == utf8.RuneError && n == 1) {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// cleanArgs cleans the string arguments of a query.
func cleanArgs(args []any) []any {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = clean(s)
		}
	}
	return args
}

// cleanJSON replaces the escaped NUL characters (\u0000) of encoded JSON with U+FFFD.
// encoding/json already replaced invalid UTF-8 with U+FFFD, byte by byte, as clean does.
func cleanJSON(b []byte) []byte {
	const nul = `\u0000`
	if !bytes.Contains(b, []byte(nul)) {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '\\' || i+1 >= len(b) {
			out = append(out, b[i])
			continue
		}
		// Every backslash in JSON starts a two-character escape (or \uXXXX).
		if bytes.HasPrefix(b[i:], []byte(nul)) {
			out = append(out, `\ufffd`...)
			i += len(nul) - 1
			continue
		}
		out = append(out, b[i], b[i+1])
		i++
	}
	return out
}

// marshal encodes v as JSON text for a column, cleaned.
func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(cleanJSON(b)), nil
}

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
