package sqlstore

import (
	"encoding/json"
	"testing"
)

func TestClean(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"hola, què tal? 🙂", "hola, què tal? 🙂"},
		{"a\x00b", "a\uFFFDb"},
		{"\xff\xfe", "\uFFFD\uFFFD"},
		{"\xe2\x82", "\uFFFD\uFFFD"}, // a truncated €: one U+FFFD a byte, as encoding/json does
		{"\uFFFD", "\uFFFD"},
	} {
		if got := Clean(c.in); got != c.want {
			t.Errorf("clean(%q) = %q, want %q", c.in, got, c.want)
		}
		// JSON text ends up the same as a column.
		b, err := marshal(c.in)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if err := json.Unmarshal([]byte(b), &got); err != nil {
			t.Fatalf("marshal(%q) = %s: %v", c.in, b, err)
		}
		if got != c.want {
			t.Errorf("marshal(%q) decodes to %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanJSONKeepsEscapedBackslashes(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`"a\\u0000"`, `"a\\u0000"`},   // a backslash, then the text u0000
		{`"a\\\u0000"`, `"a\\\ufffd"`}, // a backslash, then NUL
		{`{"\u0000":"\u0000x"}`, `{"\ufffd":"\ufffdx"}`},
		{`"\\"`, `"\\"`},
	} {
		if got := string(CleanJSON([]byte(c.in))); got != c.want {
			t.Errorf("cleanJSON(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
