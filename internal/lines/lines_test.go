package lines

import (
	"errors"
	"io"
	"slices"
	"strings"
	"testing"
)

func TestNext(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"Empty", "", []string{""}},
		{"NoFinalNewline", "a\nb", []string{"a", "b"}},
		{"FinalNewline", "a\nb\n", []string{"a", "b", ""}},
		{"CRLF", "a\r\nb\r\n", []string{"a", "b", ""}},
		{"BlankLines", "\n\n", []string{"", "", ""}},
		{"Overlong", strings.Repeat("x", 3*Max) + "\nnext\n", []string{strings.Repeat("x", Max), "next", ""}},
		{"InvalidUTF8", "\xff\xfe\n", []string{"\xff\xfe", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewReader(strings.NewReader(tt.in))
			var got []string
			for {
				line, err := r.Next()
				got = append(got, line)
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("lines = %q, want %q", trim(got), trim(tt.want))
			}
		})
	}
}

// trim shortens long lines for the error message.
func trim(ls []string) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		if len(l) > 20 {
			l = l[:20] + "…"
		}
		out[i] = l
	}
	return out
}
