package sqlstore

import (
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/catalonia/mygov/dialog"
)

// marshalReply is marshal(r) without reflection: a turn stores its reply, and
// encoding/json's reflection and its sorting of every line's arguments measured a fortieth
// of a turn's CPU. TestMarshalReply holds it to encoding/json's bytes, and fails when
// dialog.Reply, Text or Option gain a field this does not write.
func marshalReply(r dialog.Reply) string {
	b := make([]byte, 0, 1024)
	b = append(b, `{"lines":`...)
	if r.Lines == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, t := range r.Lines {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendText(b, t)
		}
		b = append(b, ']')
	}
	if len(r.Options) > 0 {
		b = append(b, `,"options":[`...)
		for i, o := range r.Options {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"label":`...)
			b = appendText(b, o.Label)
			b = append(b, `,"value":`...)
			b = appendJSONString(b, o.Value)
			b = append(b, `,"number":`...)
			b = strconv.AppendInt(b, int64(o.Number), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if r.AskContact {
		b = append(b, `,"ask_contact":true`...)
	}
	if r.Final {
		b = append(b, `,"final":true`...)
	}
	if r.Notice != "" {
		b = append(b, `,"notice":`...)
		b = appendJSONString(b, r.Notice)
	}
	return string(CleanJSON(append(b, '}')))
}

// appendText appends t as encoding/json writes a dialog.Text.
func appendText(b []byte, t dialog.Text) []byte {
	b = append(b, `{"key":`...)
	b = appendJSONString(b, t.Key)
	if len(t.Args) > 0 {
		b = append(b, `,"args":`...)
		b = appendStringMap(b, t.Args)
	}
	if len(t.Keys) > 0 {
		b = append(b, `,"keys":`...)
		b = appendStringMap(b, t.Keys)
	}
	if t.Action {
		b = append(b, `,"action":true`...)
	}
	return append(b, '}')
}

// appendStringMap appends m as a JSON object, its keys sorted, as encoding/json writes it.
func appendStringMap(b []byte, m map[string]string) []byte {
	var buf [8]string
	keys := buf[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, k)
		b = append(b, ':')
		b = appendJSONString(b, m[k])
	}
	return append(b, '}')
}

// appendJSONString appends s as a JSON string as encoding/json writes it: <, > and & escaped
// for HTML, U+2028 and U+2029 escaped, invalid UTF-8 replaced with U+FFFD byte by byte.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
