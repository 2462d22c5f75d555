package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/catalonia/mygov/records"
)

// querier is what *sql.DB, *sql.Tx and *sql.Conn (a direct transaction's, see DirectTx)
// share.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn runs the store's queries on the database or on a transaction. Every query is
// written once, with ? placeholders, and passes here: its SQL is rebound for the dialect
// (once per query text) and its string arguments are cleaned (see Clean).
type conn struct {
	s  *Store
	q  querier
	tx Tx // zero outside a transaction
	// pending holds a turn's writes that wait for its next statement (see later); nil
	// outside a turn.
	pending *[]write
}

func (s *Store) conn(q querier) conn { return conn{s: s, q: q} }
func (s *Store) txConn(t Tx) conn {
	if t.Tx == nil { // a direct transaction (DirectTx)
		return conn{s: s, q: t.Conn, tx: t}
	}
	return conn{s: s, q: t.Tx, tx: t}
}

// turnConn is txConn whose writes may wait (see later).
func (s *Store) turnConn(t Tx) conn {
	c := s.txConn(t)
	c.pending = new([]write)
	return c
}

// waiting runs the writes that wait in the transaction before a statement that reads
// what they wrote.
func (c conn) waiting(ctx context.Context) error {
	if c.pending == nil || len(*c.pending) == 0 {
		return nil
	}
	return c.flush(ctx)
}

// insertJob enqueues a River job in the transaction: the job exists, and runs, only if
// the transaction commits (a transactional outbox).
func (c conn) insertJob(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	if c.tx.Conn == nil {
		return fmt.Errorf("enqueue %s: outside a transaction", args.Kind())
	}
	if err := c.waiting(ctx); err != nil { // River's insert runs on the connection itself
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	if err := c.s.d.InsertJob(ctx, c.tx, args, opts); err != nil {
		return fmt.Errorf("enqueue %s: %w", args.Kind(), err)
	}
	return nil
}

// sql returns query in the dialect's form.
func (s *Store) sql(query string) string {
	if v, ok := s.queries.Load(query); ok {
		return v.(string)
	}
	v, _ := s.queries.LoadOrStore(query, s.d.Rebind(query))
	return v.(string)
}

func (c conn) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := c.waiting(ctx); err != nil {
		return nil, err
	}
	return c.q.ExecContext(ctx, c.s.sql(query), CleanArgs(args)...)
}

func (c conn) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := c.waiting(ctx); err != nil {
		return nil, err
	}
	return c.q.QueryContext(ctx, c.s.sql(query), CleanArgs(args)...)
}

func (c conn) queryRow(ctx context.Context, query string, args ...any) row {
	if err := c.waiting(ctx); err != nil {
		return row{err: err}
	}
	return row{r: c.q.QueryRowContext(ctx, c.s.sql(query), CleanArgs(args)...)}
}

// row is the row of queryRow, or the error of the writes that ran before it.
type row struct {
	r   *sql.Row
	err error
}

func (r row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.r.Scan(dest...)
}

// NumberedPlaceholders rewrites the ? placeholders of query outside quotes as $1, $2, …
// (PostgreSQL's form).
func NumberedPlaceholders(query string) string {
	var b strings.Builder
	n, quoted := 0, false
	for _, r := range query {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// TimeLayout is the text form of a time where a database keeps times as text: UTC, to the
// microsecond, fixed width so that it sorts as text. DateLayout is the text form of a date.
const (
	TimeLayout = "2006-01-02T15:04:05.000000Z"
	DateLayout = time.DateOnly
)

// ts returns the argument of a time column: UTC, to the microsecond (timestamptz's
// precision), in the dialect's form.
func (c conn) ts(t time.Time) any { return c.s.d.Time(t.UTC().Truncate(time.Microsecond)) }

// nullTS is ts, or NULL for the zero time.
func (c conn) nullTS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return c.ts(t)
}

// nullDate is the date of t, or NULL for the zero time.
func (c conn) nullDate(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return c.s.d.Date(time.Date(u.Year(), u.Month(), u.Day(), 0, 0, 0, 0, time.UTC))
}

// nullString is s, or NULL when empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// timeCol scans a time or date column, as a driver's time or as text in TimeLayout or
// DateLayout, into UTC; NULL is the zero time.
type timeCol struct{ t *time.Time }

func (c timeCol) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case nil:
		*c.t = time.Time{}
		return nil
	case time.Time:
		*c.t = v.UTC()
		return nil
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("time column: unexpected %T", src)
	}
	var t time.Time
	var err error
	if len(s) == len(DateLayout) {
		t, err = time.Parse(DateLayout, s)
	} else {
		t, err = parseTime(s)
	}
	if err != nil {
		return fmt.Errorf("time column: %w", err)
	}
	*c.t = t
	return nil
}

// jsonCol scans a JSON column (text or bytes) into v; NULL leaves it untouched.
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
	switch v := j.v.(type) {
	case *[]records.Localized: // an application's missing documents
		return records.UnmarshalLocalizedList(b, v)
	case *records.Profile: // a citizen's: as encoding/json reads it, plain ones directly
		if p := *v; readProfile(b, &p) {
			*v = p
			return nil
		}
	}
	if u, ok := j.v.(json.Unmarshaler); ok {
		// What encoding/json would call, without its pass over b first: a record's texts
		// (records.Localized) read plain objects themselves and hand the rest to
		// encoding/json, which checks them.
		return u.UnmarshalJSON(b)
	}
	return json.Unmarshal(b, j.v)
}

// jsonArgs encodes JSON arguments, keeping the first error.
type jsonArgs struct{ err error }

func (j *jsonArgs) of(v any) string {
	s, err := marshal(v)
	if err != nil && j.err == nil {
		j.err = err
	}
	return s
}

// FormatTime is t.Format(TimeLayout), written digit by digit for the years of four digits:
// a turn writes a dozen times, and Format reads its layout each time.
func FormatTime(t time.Time) string {
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.Format(TimeLayout)
	}
	hour, minute, sec := t.Clock()
	b := make([]byte, len(TimeLayout))
	put := func(i, v, digits int) {
		for j := i + digits - 1; j >= i; j-- {
			b[j] = byte('0' + v%10)
			v /= 10
		}
	}
	put(0, year, 4)
	b[4] = '-'
	put(5, int(month), 2)
	b[7] = '-'
	put(8, day, 2)
	b[10] = 'T'
	put(11, hour, 2)
	b[13] = ':'
	put(14, minute, 2)
	b[16] = ':'
	put(17, sec, 2)
	b[19] = '.'
	put(20, t.Nanosecond()/1000, 6)
	b[26] = 'Z'
	return string(b)
}

// parseTime is time.Parse(TimeLayout, s), read digit by digit when s has the layout's
// shape and its values their ranges; anything else goes to time.Parse, for its error.
func parseTime(s string) (time.Time, error) {
	if len(s) != len(TimeLayout) {
		return time.Parse(TimeLayout, s)
	}
	v := [7]int{}
	for i, f := range [7]struct{ at, n int }{{0, 4}, {5, 2}, {8, 2}, {11, 2}, {14, 2}, {17, 2}, {20, 6}} {
		for j := f.at; j < f.at+f.n; j++ {
			c := s[j]
			if c < '0' || c > '9' {
				return time.Parse(TimeLayout, s)
			}
			v[i] = v[i]*10 + int(c-'0')
		}
	}
	year, month, day, hour, minute, sec, micro := v[0], v[1], v[2], v[3], v[4], v[5], v[6]
	if s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' ||
		month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || sec > 59 {
		return time.Parse(TimeLayout, s)
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, micro*1000, time.UTC)
	if t.Day() != day { // past the month's end: time.Parse refuses it
		return time.Parse(TimeLayout, s)
	}
	return t, nil
}
