package sqlstore

// The text every dialect writes is the same: NUL bytes and invalid UTF-8 become U+FFFD in
// columns, query arguments and JSON alike (PostgreSQL rejects both).

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// Clean returns s with every NUL byte and every byte that is not part of valid UTF-8
// replaced by U+FFFD. PostgreSQL rejects both in text and JSON; SQLite would keep them, but
// the two stores must keep the same text.
func Clean(s string) string {
	if clean(s) {
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

// CleanArgs cleans the string arguments of a query. An argument already clean is left as
// it is: putting the same string back would allocate it again.
func CleanArgs(args []any) []any {
	for i, a := range args {
		if s, ok := a.(string); ok && !clean(s) {
			args[i] = Clean(s)
		}
	}
	return args
}

// clean reports whether Clean(s) is s.
func clean(s string) bool { return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 }

// CleanJSON replaces the escaped NUL characters (\u0000) of encoded JSON with U+FFFD.
// encoding/json already replaced invalid UTF-8 with U+FFFD, byte by byte, as Clean does.
func CleanJSON(b []byte) []byte {
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

// marshal encodes v as JSON text for a column, cleaned: a reply and a Localized (the
// texts of a turn's writes) without reflection, as encoding/json would (see marshalReply).
func marshal(v any) (string, error) {
	switch v := v.(type) {
	case dialog.Reply:
		return marshalReply(v), nil
	case records.Localized:
		if v == nil {
			return "null", nil
		}
		return string(CleanJSON(appendStringMap(make([]byte, 0, 128), v))), nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return string(CleanJSON(b)), nil
}
