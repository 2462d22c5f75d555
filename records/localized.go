package records

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"

	"github.com/catalonia/mygov/internal/plainjson"
)

// UnmarshalJSON reads t from a JSON object of strings, as encoding/json reads a
// map[string]string: the pairs are added to t (a new map when t is nil), null makes t
// nil. An object of plain strings (no escapes), as the stores write every Localized, is
// read directly: a turn reads a dozen of them, and encoding/json's reflection took most of
// their cost. Anything else goes to encoding/json, whose type errors name Localized as they
// did before this method (the ingestion API answers with that name); their Offset counts
// from the start of b.
func (t *Localized) UnmarshalJSON(b []byte) error {
	if readPlainObject(b, t) {
		return nil
	}
	err := json.Unmarshal(b, (*map[string]string)(t))
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) && te.Type == reflect.TypeFor[map[string]string]() {
		te.Type = reflect.TypeFor[Localized]()
	}
	return err
}

// readPlainObject adds the pairs of b to *t and reports true when b is a JSON object whose
// keys and values are strings without escapes or control characters, in valid UTF-8; it
// changes nothing and reports false for any other b.
func readPlainObject(b []byte, t *Localized) bool {
	r := plainjson.NewReader(b)
	return readPlainObjectFrom(&r, t, true)
}

// readPlainObjectFrom is readPlainObject for the object r reads next, which ends r's text
// when whole, else is followed by anything.
func readPlainObjectFrom(r *plainjson.Reader, t *Localized, whole bool) bool {
	type pair struct{ k, v []byte }
	var buf [4]pair
	pairs := buf[:0]
	if !r.Object(func(k []byte) bool {
		v, ok := r.Str()
		pairs = append(pairs, pair{k, v})
		return ok
	}) || whole && !r.End() {
		return false
	}
	if *t == nil {
		*t = make(Localized, len(pairs))
	}
	size := 0
	for _, p := range pairs {
		size += len(p.v)
	}
	var all strings.Builder // the values in one allocation
	all.Grow(size)
	for _, p := range pairs {
		all.Write(p.v)
	}
	values := all.String()
	for _, p := range pairs {
		(*t)[langKey(p.k)], values = values[:len(p.v)], values[len(p.v):]
	}
	return true
}

// UnmarshalLocalizedList reads b, a JSON array of texts, into *l as encoding/json does: an
// array of plain objects (see UnmarshalJSON) directly, anything else through encoding/json.
// A store reads an application's missing documents with it.
func UnmarshalLocalizedList(b []byte, l *[]Localized) error {
	if readPlainList(b, l) {
		return nil
	}
	*l = nil
	return json.Unmarshal(b, l)
}

// readPlainList reads b into *l and reports true when b is a JSON array of plain objects;
// for any other b it reports false, leaving *l in any state.
func readPlainList(b []byte, l *[]Localized) bool {
	r := plainjson.NewReader(b)
	out, ok := plainjson.List(&r, func() (Localized, bool) {
		var t Localized
		return t, readPlainObjectFrom(&r, &t, false)
	})
	if !ok || !r.End() {
		return false
	}
	*l = out
	return true
}

// langKey returns k as a string, the language codes without allocating.
func langKey(k []byte) string {
	switch string(k) {
	case "ca":
		return "ca"
	case "es":
		return "es"
	}
	return string(k)
}
