package intents

import (
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

var testNow = time.Date(2026, time.November, 27, 12, 0, 0, 0, time.UTC)

var testProcedures = []Procedure{
	{ID: "rgc", Names: []string{"renda garantida", "renda garantida de ciutadania", "renta garantizada", "renta garantizada de ciudadanía", "RGC"}},
	{ID: "menjador", Names: []string{"beca menjador", "beca de comedor"}},
	{ID: "collegi", Names: []string{"col·legi"}},
}

// entitiesOf runs the entity scanners over text.
func entitiesOf(text string) []dialog.Entity {
	var n normalizer
	n.run(text)
	var out []dialog.Entity
	for _, h := range findEntities(nil, text, &n, newGazetteer(testProcedures), testNow) {
		out = append(out, dialog.Entity{Kind: h.kind, Value: h.value, Text: text[h.os:h.oe]})
	}
	return out
}

func TestEntities(t *testing.T) {
	ref := func(v, text string) dialog.Entity {
		return dialog.Entity{Kind: dialog.EntityApplicationRef, Value: v, Text: text}
	}
	id := func(v, text string) dialog.Entity {
		return dialog.Entity{Kind: dialog.EntityNationalID, Value: v, Text: text}
	}
	date := func(v, text string) dialog.Entity {
		return dialog.Entity{Kind: dialog.EntityDate, Value: v, Text: text}
	}
	phone := func(v, text string) dialog.Entity {
		return dialog.Entity{Kind: dialog.EntityPhone, Value: v, Text: text}
	}
	lang := func(v, text string) dialog.Entity {
		return dialog.Entity{Kind: dialog.EntityLanguage, Value: v, Text: text}
	}
	proc := func(v, text string) dialog.Entity {
		return dialog.Entity{Kind: dialog.EntityProcedure, Value: v, Text: text}
	}
	tests := []struct {
		name string
		in   string
		want []dialog.Entity
	}{
		{"RefCanonical", "estat de l'EXP-2026-000101?", []dialog.Entity{ref("EXP-2026-000101", "EXP-2026-000101")}},
		{"RefSpaced", "exp 2026 101", []dialog.Entity{ref("EXP-2026-000101", "exp 2026 101")}},
		{"RefGlued", "EXP2026000101", []dialog.Entity{ref("EXP-2026-000101", "EXP2026000101")}},
		{"RefShortNumber", "exp-2026-101", []dialog.Entity{ref("EXP-2026-000101", "exp-2026-101")}},
		{"RefWord", "expediente nº 2026/000123", []dialog.Entity{ref("EXP-2026-000123", "expediente nº 2026/000123")}},
		{"RefBare", "el 2026-000777", []dialog.Entity{ref("EXP-2026-000777", "2026-000777")}},
		{"RefTooLong", "exp 2026 1234567", nil},
		{"DNI", "el meu dni és 12345678Z", []dialog.Entity{id("12345678Z", "12345678Z")}},
		{"DNIDotted", "12.345.678-z", []dialog.Entity{id("12345678Z", "12.345.678-z")}},
		{"DNISpacedLetter", "dni 12345678 z", []dialog.Entity{id("12345678Z", "12345678 z")}},
		{"NIE", "NIE x1234567l", []dialog.Entity{id("X1234567L", "x1234567l")}},
		{"NIESpaced", "X 1234567 L", []dialog.Entity{id("X1234567L", "X 1234567 L")}},
		{"NIEHyphens", "Y-1234567-X", []dialog.Entity{id("Y1234567X", "Y-1234567-X")}},
		{"DNIBadLetter", "dni 12345678A", nil},
		{"DateSlashes", "vaig néixer el 15/03/1984", []dialog.Entity{date("1984-03-15", "15/03/1984")}},
		{"DateShortYear", "15-3-84", []dialog.Entity{date("1984-03-15", "15-3-84")}},
		{"DateShortYearThisCentury", "1.2.26", []dialog.Entity{date("2026-02-01", "1.2.26")}},
		{"DateISO", "1984-03-15", []dialog.Entity{date("1984-03-15", "1984-03-15")}},
		{"DateCatalan", "el 15 de març de 1984", []dialog.Entity{date("1984-03-15", "15 de març de 1984")}},
		{"DateCatalanElision", "15 d'abril del 84", []dialog.Entity{date("1984-04-15", "15 d'abril del 84")}},
		{"DateSpanish", "15 de marzo de 1984", []dialog.Entity{date("1984-03-15", "15 de marzo de 1984")}},
		{"DateNoDe", "15 març 1984", []dialog.Entity{date("1984-03-15", "15 març 1984")}},
		{"DateImpossible", "31/02/1990", nil},
		{"Phone", "el meu mòbil és +34 600 00 00 01", []dialog.Entity{phone("+34600000001", "+34 600 00 00 01")}},
		{"Phone0034", "0034 612345678", []dialog.Entity{phone("+34612345678", "0034 612345678")}},
		{"PhoneGroups", "612-345-678", []dialog.Entity{phone("+34612345678", "612-345-678")}},
		{"PhoneLandline", "truqueu al 93 123 45 67", []dialog.Entity{phone("+34931234567", "93 123 45 67")}},
		{"PhoneTooShort", "612 345", nil},
		{"PhoneForeign", "+44 7911 123456", nil},
		{"LanguageCastella", "parla'm en castellà", []dialog.Entity{lang("es", "castellà")}},
		{"LanguageCatalan", "en catalán por favor", []dialog.Entity{lang("ca", "catalán")}},
		{"LanguageEspanol", "Español", []dialog.Entity{lang("es", "Español")}},
		{"LanguageValencia", "en valencià", []dialog.Entity{lang("ca", "valencià")}},
		{"ValenciaCity", "visc a València", nil},
		{"Procedure", "com va la renda garantida?", []dialog.Entity{proc("rgc", "renda garantida")}},
		{"ProcedureLongest", "la renta garantizada de ciudadania", []dialog.Entity{proc("rgc", "renta garantizada de ciudadania")}},
		{"ProcedureNoAccents", "Renda Garantída", []dialog.Entity{proc("rgc", "Renda Garantída")}},
		{"ProcedureAcronym", "i la RGC?", []dialog.Entity{proc("rgc", "RGC")}},
		{"ProcedureGeminate", "el col.legi", []dialog.Entity{proc("collegi", "col.legi")}},
		{"Several", "EXP-2026-000101, DNI 12345678Z, 15/03/1984, 600000001",
			[]dialog.Entity{ref("EXP-2026-000101", "EXP-2026-000101"), id("12345678Z", "12345678Z"), date("1984-03-15", "15/03/1984"), phone("+34600000001", "600000001")}},
		{"Empty", "", nil},
		{"EmojiOnly", "😂😂👋", nil},
		{"InvalidUTF8", "\xff\xfeEXP-2026-000101\xff", []dialog.Entity{ref("EXP-2026-000101", "EXP-2026-000101")}},
		{"Long", "EXP-2026-000101 " + strings.Repeat("bla ", 10_000) + "12345678Z", []dialog.Entity{ref("EXP-2026-000101", "EXP-2026-000101")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := entitiesOf(tt.in)
			if !equalEntities(got, tt.want) {
				t.Errorf("entities(%.60q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func equalEntities(a, b []dialog.Entity) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestValidNationalID(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"12345678Z", "12345678Z", true},
		{"12.345.678-z", "12345678Z", true},
		{" 12345678 z ", "12345678Z", true},
		{"x1234567l", "X1234567L", true},
		{"Y1234567X", "Y1234567X", true},
		{"Z-1234567-R", "Z1234567R", true},
		{"00000000T", "00000000T", true},
		{"12345678A", "", false},
		{"X1234567A", "", false},
		{"1234567Z", "", false},
		{"123456789", "", false},
		{"12345678ZZ", "", false},
		{"A1234567L", "", false},
		{"", "", false},
		{"12345678Ž", "", false},
		{"\xff12345678Z", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := records.ParseNationalID(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("records.ParseNationalID(%q) = %q, %v, want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string // "" for no date
	}{
		{"15/03/1984", "1984-03-15"},
		{"15-3-84", "1984-03-15"},
		{"1/1/26", "2026-01-01"},
		{"1/1/27", "1927-01-01"},
		{"1984-03-15", "1984-03-15"},
		{"15 de març de 1984", "1984-03-15"},
		{"15 de marzo de 1984", "1984-03-15"},
		{"15 març 1984", "1984-03-15"},
		{"1 de setembre del 2001", "2001-09-01"},
		{"vaig néixer el 29/02/2000", "2000-02-29"},
		{"29/02/1999", ""},
		{"32/01/1990", ""},
		{"15/13/1990", ""},
		{"15 de març", ""},
		{"demà", ""},
		{"", ""},
		{"\xff\xfe", ""},
		{strings.Repeat("9", 10_000), ""},
	}
	for _, tt := range tests {
		t.Run(tt.in[:min(len(tt.in), 30)], func(t *testing.T) {
			d, ok := ParseDate(tt.in, testNow)
			got := ""
			if ok {
				got = d.Format(time.DateOnly)
			}
			if got != tt.want {
				t.Errorf("ParseDate(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
