package console

import (
	"io"
	"strings"
	"testing"
)

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		ok      bool
		address string
	}{
		{"Anonymous", nil, true, "anonymous"},
		{"As", []string{"--as", "+34600000001", "--lang", "es", "--db", "x.db", "--demo"}, true, "+34600000001"},
		{"BadLang", []string{"--lang", "fr"}, false, ""},
		{"BadPhone", []string{"--as", "600000001; DROP TABLE"}, false, ""},
		{"EmptyPhoneIsAnonymous", []string{"--as", ""}, true, "anonymous"},
		{"HugePhone", []string{"--as", "+" + strings.Repeat("3", 100000)}, false, ""},
		{"ControlInPhone", []string{"--as", "+34600\x00000001"}, false, ""},
		{"UnknownFlag", []string{"--verbose"}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := ParseFlags(tt.args, "mygov.db", io.Discard)
			if ok != tt.ok || (ok && o.Address() != tt.address) {
				t.Errorf("ParseFlags(%q) = %+v, %v; want ok %v, address %q", tt.args, o, ok, tt.ok, tt.address)
			}
		})
	}
	o, _ := ParseFlags([]string{"--as", "+34600000001", "--lang", "es", "--db", "x.db", "--demo"}, "mygov.db", io.Discard)
	if o.Lang != "es" || o.DB != "x.db" || !o.Demo {
		t.Errorf("options %+v", o)
	}
}
