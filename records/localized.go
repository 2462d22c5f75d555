package records

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"unicode/utf8"
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
	_, ok := readPlainObjectAt(b, skipSpace(b, 0), t, true)
	return ok
}

// readPlainObjectAt is readPlainObject for the object at b[i:], which ends b when whole,
// else is followed by anything: it returns the offset after the object.
func readPlainObjectAt(b []byte, i int, t *Localized, whole bool) (int, bool) {
	type pair struct{ k, v []byte }
	var buf [4]pair
	pairs := buf[:0]
	if i >= len(b) || b[i] != '{' {
		return i, false
	}
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			var k, v []byte
			var ok bool
			if k, i, ok = plainString(b, i); !ok {
				return i, false
			}
			if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
				return i, false
			}
			if v, i, ok = plainString(b, skipSpace(b, i+1)); !ok {
				return i, false
			}
			pairs = append(pairs, pair{k, v})
			if i = skipSpace(b, i); i >= len(b) {
				return i, false
			}
			if b[i] == '}' {
				i++
				break
			}
			if b[i] != ',' {
				return i, false
			}
			i = skipSpace(b, i+1)
		}
	}
	if whole && skipSpace(b, i) != len(b) {
		return i, false
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
	return i, true
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
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return false
	}
	out := []Localized{} // encoding/json reads [] as an empty slice, not nil
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		*l = out
		return skipSpace(b, i+1) == len(b)
	}
	for {
		var t Localized
		var ok bool
		if i, ok = readPlainObjectAt(b, i, &t, false); !ok {
			return false
		}
		out = append(out, t)
		if i = skipSpace(b, i); i >= len(b) {
			return false
		}
		if b[i] == ']' {
			*l = out
			return skipSpace(b, i+1) == len(b)
		}
		if b[i] != ',' {
			return false
		}
		i = skipSpace(b, i+1)
	}
}

// plainString returns the content of the JSON string at b[i:] and the offset after it, if
// it has no escape and no control character and is valid UTF-8.
func plainString(b []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			s = b[i+1 : j]
			return s, j + 1, utf8.Valid(s)
		case c == '\\' || c < 0x20:
			return nil, i, false
		}
	}
	return nil, i, false
}

// skipSpace returns the offset of the first byte of b[i:] that is not JSON white space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
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
