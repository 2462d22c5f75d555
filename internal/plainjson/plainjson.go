// Package plainjson reads the plain JSON that MyGov's stores write — objects, arrays,
// strings without escapes or control characters in valid UTF-8, integers, booleans, null
// and times as encoding/json writes them — into the values encoding/json would read, and
// reports false for anything else, which the caller then hands to encoding/json. A turn
// reads a dozen such texts, and encoding/json's pass over the text and its reflection
// measured more than the reading itself.
package plainjson

import (
	"strconv"
	"time"
	"unicode/utf8"
)

// Reader reads plain values from b, one after the other; each method reports false for
// a value that is not plain, leaving the Reader where it stopped.
type Reader struct {
	b []byte
	i int
}

// NewReader returns a Reader of b from its start.
func NewReader(b []byte) Reader { return Reader{b: b} }

// Space skips JSON white space.
func (r *Reader) Space() {
	for r.i < len(r.b) && (r.b[r.i] == ' ' || r.b[r.i] == '\t' || r.b[r.i] == '\n' || r.b[r.i] == '\r') {
		r.i++
	}
}

// Byte consumes c, after white space, if it comes next.
func (r *Reader) Byte(c byte) bool {
	r.Space()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// End reports whether nothing but white space is left.
func (r *Reader) End() bool {
	r.Space()
	return r.i == len(r.b)
}

// Object reads an object, each of whose members member reads after its key; member
// reports false for a key or a value it does not read.
func (r *Reader) Object(member func(key []byte) bool) bool {
	if !r.Byte('{') {
		return false
	}
	if r.Byte('}') {
		return true
	}
	for {
		k, ok := r.Str()
		if !ok || !r.Byte(':') || !member(k) {
			return false
		}
		if r.Byte('}') {
			return true
		}
		if !r.Byte(',') {
			return false
		}
	}
}

// Str returns the content of a string without escapes or control characters, in valid
// UTF-8.
func (r *Reader) Str() ([]byte, bool) {
	if !r.Byte('"') {
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

// Text returns a string as Str does, as a Go string.
func (r *Reader) Text() (string, bool) {
	s, ok := r.Str()
	return string(s), ok
}

// Texts reads an array of strings.
func (r *Reader) Texts() ([]string, bool) { return List(r, r.Text) }

// Ints reads an array of integers, or null (nil, as encoding/json reads it).
func (r *Reader) Ints() ([]int, bool) {
	if r.Null() {
		return nil, true
	}
	return List(r, r.Int)
}

// List reads an array of the values elem reads: empty, not nil, for [], as encoding/json
// reads it.
func List[T any](r *Reader, elem func() (T, bool)) ([]T, bool) {
	if !r.Byte('[') {
		return nil, false
	}
	out := []T{} // encoding/json reads [] as an empty slice, not nil
	if r.Byte(']') {
		return out, true
	}
	for {
		v, ok := elem()
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if r.Byte(']') {
			return out, true
		}
		if !r.Byte(',') {
			return nil, false
		}
	}
}

// Null consumes null if it comes next.
func (r *Reader) Null() bool {
	r.Space()
	if len(r.b)-r.i >= 4 && string(r.b[r.i:r.i+4]) == "null" {
		r.i += 4
		return true
	}
	return false
}

// Bool reads true or false.
func (r *Reader) Bool() (bool, bool) {
	r.Space()
	for _, v := range [...]bool{true, false} {
		lit := strconv.FormatBool(v)
		if len(r.b)-r.i >= len(lit) && string(r.b[r.i:r.i+len(lit)]) == lit {
			r.i += len(lit)
			return v, true
		}
	}
	return false, false
}

// Int reads an integer written without fraction or exponent, in int's range.
func (r *Reader) Int() (int, bool) {
	r.Space()
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

// Time reads a time as encoding/json does, with time.Time's own UnmarshalJSON.
func (r *Reader) Time() (time.Time, bool) {
	r.Space()
	start := r.i
	if _, ok := r.Str(); !ok {
		return time.Time{}, false
	}
	var t time.Time
	return t, t.UnmarshalJSON(r.b[start:r.i]) == nil
}
