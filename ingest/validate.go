package ingest

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/catalonia/mygov/records"
)

// Field limits of the API.
const (
	maxShort = 200  // names, codes, registers
	maxLong  = 2000 // notes and next steps
	maxList  = 20   // missing documents
)

// FieldError names one bad field of a request.
type FieldError struct {
	Field   string `json:"field"`
	Problem string `json:"problem"`
}

// ValidationError lists every bad field of a request; the API answers it with 422.
type ValidationError struct {
	Fields []FieldError `json:"fields"`
}

func (e *ValidationError) Error() string {
	names := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		names[i] = f.Field
	}
	return "invalid fields: " + strings.Join(names, ", ")
}

// checker collects field errors.
type checker struct{ fields []FieldError }

func (c *checker) add(field, format string, args ...any) {
	c.fields = append(c.fields, FieldError{Field: field, Problem: fmt.Sprintf(format, args...)})
}

func (c *checker) err() error {
	if len(c.fields) == 0 {
		return nil
	}
	return &ValidationError{Fields: c.fields}
}

// text checks a bilingual value: both languages, each within max characters. required
// says an empty value is an error.
func (c *checker) text(field string, t records.Localized, max int, required bool) {
	if len(t) == 0 {
		if required {
			c.add(field, "required, in ca and es")
		}
		return
	}
	for lang := range t {
		if lang != "ca" && lang != "es" {
			c.add(field+"."+lang, "unknown language, want ca and es")
		}
	}
	for _, lang := range []string{"ca", "es"} {
		s := strings.TrimSpace(t[lang])
		switch {
		case s == "":
			c.add(field+"."+lang, "required")
		case utf8.RuneCountInString(s) > max:
			c.add(field+"."+lang, "longer than %d characters", max)
		case !printable(s):
			c.add(field+"."+lang, "control characters")
		}
	}
}

// str checks a plain string.
func (c *checker) str(field, s string, max int, required bool) {
	switch {
	case s == "" && required:
		c.add(field, "required")
	case utf8.RuneCountInString(s) > max:
		c.add(field, "longer than %d characters", max)
	case !printable(s):
		c.add(field, "control characters")
	}
}

// printable reports whether s is valid UTF-8 without control characters other than newlines.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\n') || r == 0x7f {
			return false
		}
	}
	return true
}

// cleanText trims every value of t.
func cleanText(t records.Localized) records.Localized {
	if len(t) == 0 {
		return nil
	}
	out := make(records.Localized, len(t))
	for k, v := range t {
		out[k] = strings.TrimSpace(v)
	}
	return out
}
