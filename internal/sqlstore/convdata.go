package sqlstore

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/plainjson"
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
	r := plainjson.NewReader(data)
	return r.Object(func(k []byte) (ok bool) {
		switch string(k) {
		case "pending":
			c.Pending, ok = r.Text()
		case "pending_ref":
			c.PendingRef, ok = r.Text()
		case "menu":
			c.Menu, ok = r.Texts()
		case "list":
			c.List, ok = r.Text()
		case "offset":
			c.Offset, ok = r.Int()
		case "confirming":
			c.Confirming, ok = r.Text()
		case "verify_step":
			c.VerifyStep, ok = r.Text()
		case "verify_id_matched":
			c.VerifyIDMatched, ok = r.Bool()
		case "verified_at":
			c.VerifiedAt, ok = r.Time()
		case "last_seen":
			c.LastSeen, ok = r.Time()
		case "notices":
			c.Notices, ok = r.Bool()
		case "notices_asked":
			c.NoticesAsked, ok = r.Bool()
		case "urgent":
			c.Urgent, ok = r.Bool()
		case "distress":
			c.Distress, ok = r.Text()
		case "distress_at":
			c.DistressAt, ok = r.Time()
		case "focus":
			c.Focus, ok = r.Texts()
		case "focus_until":
			c.FocusUntil, ok = r.Time()
		case "misses":
			c.Misses, ok = r.Int()
		}
		return ok
	}) && r.End()
}

// readProfile reads data, a citizen's profile, into p as encoding/json does, and reports
// true, when data is an object of Profile's keys in any order, with values of their types
// (an array of integers may be null); it reports false for anything else, leaving p in
// any state.
func readProfile(data []byte, p *records.Profile) bool {
	r := plainjson.NewReader(data)
	return r.Object(func(k []byte) (ok bool) {
		switch string(k) {
		case "household_size":
			p.HouseholdSize, ok = r.Int()
		case "children_ages":
			p.ChildrenAges, ok = r.Ints()
		case "single_parent":
			p.SingleParent, ok = r.Bool()
		case "lives_alone":
			p.LivesAlone, ok = r.Bool()
		case "employment":
			p.Employment, ok = r.Text()
		case "monthly_income":
			p.MonthlyIncome, ok = r.Int()
		case "renting":
			p.Renting, ok = r.Bool()
		case "monthly_rent":
			p.MonthlyRent, ok = r.Int()
		case "disability_percent":
			p.DisabilityPercent, ok = r.Int()
		case "dependency":
			p.Dependency, ok = r.Bool()
		}
		return ok
	}) && r.End()
}
