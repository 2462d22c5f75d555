package sqlstore

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// A turn reads its conversation's data column and writes it back: encoding/json's
// reflection took 2.6 µs to read it and 1.4 µs to write it, about a fiftieth of a turn.
// marshalConversationData and unmarshalConversationData do the same without reflection:
// the first writes encoding/json's bytes, the second reads what encoding/json reads into
// the same values and hands anything it does not expect (an escape, a null, a key of
// data written before, an unknown key) to encoding/json. TestConversationDataCodec holds
// both to encoding/json and fails when dialog.Conversation gains a field.

// marshalConversationData is marshal(conversationData{Conversation: c}).
func marshalConversationData(c *dialog.Conversation) (string, error) {
	w := objectWriter{b: make([]byte, 0, 256)}
	w.b = append(w.b, '{')
	w.str("pending", c.Pending)
	w.str("pending_ref", c.PendingRef)
	w.strs("menu", c.Menu)
	w.str("list", c.List)
	w.int("offset", c.Offset)
	w.str("confirming", c.Confirming)
	w.str("verify_step", c.VerifyStep)
	w.bool("verify_id_matched", c.VerifyIDMatched)
	w.time("verified_at", c.VerifiedAt)
	w.time("last_seen", c.LastSeen)
	w.bool("notices", c.Notices)
	w.bool("notices_asked", c.NoticesAsked)
	w.bool("urgent", c.Urgent)
	w.str("distress", c.Distress)
	w.time("distress_at", c.DistressAt)
	w.strs("focus", c.Focus)
	w.time("focus_until", c.FocusUntil)
	w.int("misses", c.Misses)
	if w.failed { // a time encoding/json refuses: its error
		return marshal(conversationData{Conversation: c})
	}
	return string(CleanJSON(append(w.b, '}'))), nil
}

// objectWriter writes the members of a JSON object that encoding/json writes for fields
// marked omitempty (strings, booleans, integers, slices) or omitzero (times).
type objectWriter struct {
	b      []byte
	n      int  // members written
	failed bool // a time did not encode
}

func (w *objectWriter) key(k string) {
	if w.n > 0 {
		w.b = append(w.b, ',')
	}
	w.n++
	w.b = append(w.b, '"')
	w.b = append(w.b, k...)
	w.b = append(w.b, '"', ':')
}

func (w *objectWriter) str(k, v string) {
	if v != "" {
		w.key(k)
		w.b = appendJSONString(w.b, v)
	}
}

func (w *objectWriter) strs(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	w.key(k)
	w.b = append(w.b, '[')
	for i, v := range vs {
		if i > 0 {
			w.b = append(w.b, ',')
		}
		w.b = appendJSONString(w.b, v)
	}
	w.b = append(w.b, ']')
}

func (w *objectWriter) int(k string, v int) {
	if v != 0 {
		w.key(k)
		w.b = strconv.AppendInt(w.b, int64(v), 10)
	}
}

func (w *objectWriter) bool(k string, v bool) {
	if v {
		w.key(k)
		w.b = append(w.b, "true"...)
	}
}

func (w *objectWriter) time(k string, t time.Time) {
	if t.IsZero() {
		return
	}
	b, err := t.MarshalJSON() // encoding/json's own call
	w.failed = w.failed || err != nil
	w.key(k)
	w.b = append(w.b, b...)
}

// unmarshalConversationData is json.Unmarshal(data, &conversationData{Conversation: c})
// for c, the zero Conversation.
func unmarshalConversationData(data []byte, c *dialog.Conversation) error {
	if readConversationData(data, c) {
		return nil
	}
	*c = dialog.Conversation{}
	return json.Unmarshal(data, &conversationData{Conversation: c})
}

// readConversationData reads data into c, zero, and reports true when data is an object
// of the keys marshalConversationData writes, in any order (a repeated key's last value
// wins, as with encoding/json), with values of their types, strings without escapes in
// valid UTF-8; it reports false for anything else, leaving c in any state.
func readConversationData(data []byte, c *dialog.Conversation) bool {
	r := objectReader{b: data}
	return r.object(func(k []byte) (ok bool) {
		switch string(k) {
		case "pending":
			c.Pending, ok = r.string()
		case "pending_ref":
			c.PendingRef, ok = r.string()
		case "menu":
			c.Menu, ok = r.strings()
		case "list":
			c.List, ok = r.string()
		case "offset":
			c.Offset, ok = r.int()
		case "confirming":
			c.Confirming, ok = r.string()
		case "verify_step":
			c.VerifyStep, ok = r.string()
		case "verify_id_matched":
			c.VerifyIDMatched, ok = r.bool()
		case "verified_at":
			c.VerifiedAt, ok = r.time()
		case "last_seen":
			c.LastSeen, ok = r.time()
		case "notices":
			c.Notices, ok = r.bool()
		case "notices_asked":
			c.NoticesAsked, ok = r.bool()
		case "urgent":
			c.Urgent, ok = r.bool()
		case "distress":
			c.Distress, ok = r.string()
		case "distress_at":
			c.DistressAt, ok = r.time()
		case "focus":
			c.Focus, ok = r.strings()
		case "focus_until":
			c.FocusUntil, ok = r.time()
		case "misses":
			c.Misses, ok = r.int()
		}
		return ok
	})
}

// readProfile reads data, a citizen's profile, into p as encoding/json does, and reports
// true, when data is an object of Profile's keys in any order, with values of their types
// (an array of integers may be null); it reports false for anything else, leaving p in
// any state.
func readProfile(data []byte, p *records.Profile) bool {
	r := objectReader{b: data}
	return r.object(func(k []byte) (ok bool) {
		switch string(k) {
		case "household_size":
			p.HouseholdSize, ok = r.int()
		case "children_ages":
			p.ChildrenAges, ok = r.ints()
		case "single_parent":
			p.SingleParent, ok = r.bool()
		case "lives_alone":
			p.LivesAlone, ok = r.bool()
		case "employment":
			p.Employment, ok = r.string()
		case "monthly_income":
			p.MonthlyIncome, ok = r.int()
		case "renting":
			p.Renting, ok = r.bool()
		case "monthly_rent":
			p.MonthlyRent, ok = r.int()
		case "disability_percent":
			p.DisabilityPercent, ok = r.int()
		case "dependency":
			p.Dependency, ok = r.bool()
		}
		return ok
	})
}

// objectReader reads the plain JSON values of readConversationData and readProfile from b.
type objectReader struct {
	b []byte
	i int
}

func (r *objectReader) space() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\t' || r.b[r.i] == '\n' || r.b[r.i] == '\r') {
		r.i++
	}
}

// byte consumes c, after white space, if it comes next.
func (r *objectReader) byte(c byte) bool {
	r.space()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// end reports whether nothing but white space is left.
func (r *objectReader) end() bool {
	r.space()
	return r.i == len(r.b)
}

// object reads an object, the whole of b, each of whose members member reads after its
// key; member reports false for a key or a value it does not read.
func (r *objectReader) object(member func(key []byte) bool) bool {
	if !r.byte('{') {
		return false
	}
	if r.byte('}') {
		return r.end()
	}
	for {
		k, ok := r.str()
		if !ok || !r.byte(':') || !member(k) {
			return false
		}
		if r.byte('}') {
			return r.end()
		}
		if !r.byte(',') {
			return false
		}
	}
}

// str returns the content of a string without escapes or control characters, in valid
// UTF-8.
func (r *objectReader) str() ([]byte, bool) {
	if !r.byte('"') {
		return nil, false
	}
	for j := r.i; j < len(r.b); j++ {
		switch c := r.b[j]; {
		case c == '"':
			s := r.b[r.i:j]
			r.i = j + 1
			return s, utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

func (r *objectReader) string() (string, bool) {
	s, ok := r.str()
	return string(s), ok
}

func (r *objectReader) strings() ([]string, bool) { return list(r, r.string) }

// ints reads an array of integers, or null (nil, as encoding/json reads it).
func (r *objectReader) ints() ([]int, bool) {
	if r.null() {
		return nil, true
	}
	return list(r, r.int)
}

// list reads an array of the values elem reads.
func list[T any](r *objectReader, elem func() (T, bool)) ([]T, bool) {
	if !r.byte('[') {
		return nil, false
	}
	out := []T{} // encoding/json reads [] as an empty slice, not nil
	if r.byte(']') {
		return out, true
	}
	for {
		v, ok := elem()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if r.byte(']') {
			return out, true
		}
		if !r.byte(',') {
			return nil, false
		}
	}
}

// null consumes null if it comes next.
func (r *objectReader) null() bool {
	r.space()
	if len(r.b)-r.i >= 4 && string(r.b[r.i:r.i+4]) == "null" {
		r.i += 4
		return true
	}
	return false
}

func (r *objectReader) bool() (bool, bool) {
	r.space()
	for _, v := range [...]bool{true, false} {
		lit := strconv.FormatBool(v)
		if len(r.b)-r.i >= len(lit) && string(r.b[r.i:r.i+len(lit)]) == lit {
			r.i += len(lit)
			return v, true
		}
	}
	return false, false
}

// int reads an integer written without fraction or exponent, in int's range.
func (r *objectReader) int() (int, bool) {
	r.space()
	j := r.i
	if j < len(r.b) && r.b[j] == '-' {
		j++
	}
	start := j
	for j < len(r.b) && r.b[j] >= '0' && r.b[j] <= '9' {
		j++
	}
	if j == start || (r.b[start] == '0' && j-start > 1) || (j < len(r.b) && (r.b[j] == '.' || r.b[j] == 'e' || r.b[j] == 'E')) {
		return 0, false
	}
	v, err := strconv.ParseInt(string(r.b[r.i:j]), 10, strconv.IntSize)
	r.i = j
	return int(v), err == nil
}

// time reads a time as encoding/json does, with time.Time's own UnmarshalJSON.
func (r *objectReader) time() (time.Time, bool) {
	r.space()
	start := r.i
	if _, ok := r.str(); !ok {
		return time.Time{}, false
	}
	var t time.Time
	return t, t.UnmarshalJSON(r.b[start:r.i]) == nil
}
