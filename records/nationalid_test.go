package records

import (
	"strings"
	"testing"
)

func TestParseNationalID(t *testing.T) {
	tests := []struct {
		name, in string
		want     string
		ok       bool
	}{
		{"DNI", "12345678Z", "12345678Z", true},
		{"DNIDotsHyphenLower", "12.345.678-z", "12345678Z", true},
		{"DNISpaceLower", "12345678 z", "12345678Z", true},
		{"DNISurroundingSpace", "  12345678Z\t", "12345678Z", true},
		{"DNINoBreakSpace", "12345678\u00a0Z", "12345678Z", true},
		{"DNILeadingZeros", "00000000T", "00000000T", true},
		{"NIEX", "X1234567L", "X1234567L", true},
		{"NIELower", "x1234567l", "X1234567L", true},
		{"NIEHyphens", "X-1234567-L", "X1234567L", true},
		{"NIEY", "Y2345678Z", "Y2345678Z", true},
		{"NIEZ", "Z3456789D", "Z3456789D", true},
		{"WrongLetter", "12345678A", "", false},
		{"WrongLetterNIE", "X1234567M", "", false},
		{"NIELetterOfDNI", "X1234567Z", "", false},
		{"NoLetter", "12345678", "", false},
		{"DigitAsLetter", "123456789", "", false},
		{"SevenDigits", "1234567L", "", false},
		{"NineDigits", "123456789Z", "", false},
		{"NIESixDigits", "X123456L", "", false},
		{"NIEEightDigits", "X12345678L", "", false},
		{"BadNIEPrefix", "W1234567L", "", false},
		{"TwoPrefixes", "XY234567L", "", false},
		{"LetterInside", "1234S678Z", "", false},
		{"Empty", "", "", false},
		{"OnlySeparators", " .-. ", "", false},
		{"WithWords", "DNI 12345678Z", "", false},
		{"OtherPunctuation", "12345678/Z", "", false},
		{"FullwidthDigits", "１２３４５６７８Z", "", false},
		{"InvalidUTF8", "12345678\xffZ", "", false},
		{"InvalidUTF8Only", "\xff\xfe", "", false},
		{"Long", strings.Repeat("1", 9999) + "Z", "", false},
		{"LongSeparators", strings.Repeat(" ", 9991) + "12345678Z", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseNationalID(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Errorf("ParseNationalID(%q) = %q, %v, want %q, %v", trunc(tt.in), got, ok, tt.want, tt.ok)
			}
		})
	}
}

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func TestValidNationalID(t *testing.T) {
	for in, want := range map[string]bool{
		"12345678Z": true, "X1234567L": true,
		"12345678z": false, "12.345.678-Z": false, "12345678A": false, "": false,
	} {
		if got := ValidNationalID(in); got != want {
			t.Errorf("ValidNationalID(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestMaskNationalID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"12345678Z", "****5678Z"},
		{"12.345.678-z", "****5678Z"},
		{"X1234567L", "****4567L"},
		{"12345678A", "*********"},
		{"", "*********"},
		{"hello", "*********"},
	}
	for _, tt := range tests {
		if got := MaskNationalID(tt.in); got != tt.want {
			t.Errorf("MaskNationalID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestValidPhone(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"+34600000001", true},
		{"+442071838750", true},
		{"+12025550123", true},
		{"+123456789012345", true},
		{"+1234567", false},          // 7 digits
		{"+1234567890123456", false}, // 16 digits
		{"34600000001", false},
		{"+034600000001", false},
		{"+34 600 000 001", false},
		{"+34600000001\n", false},
		{"", false},
		{"+", false},
	}
	for _, tt := range tests {
		if got := ValidPhone(tt.in); got != tt.want {
			t.Errorf("ValidPhone(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestMaskPhone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"+34600000001", "+34 6** *** 001"},
		{"+34931234567", "+34 9** *** 567"},
		{"+442071838750", "+*********750"},
		{"600000001", "***"},
		{"", "***"},
	}
	for _, tt := range tests {
		if got := MaskPhone(tt.in); got != tt.want {
			t.Errorf("MaskPhone(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskAddress(t *testing.T) {
	tests := []struct {
		name, street, muni, want string
	}{
		{"Number", "Carrer de Francesc Layret 23", "Badalona", "Carrer de Francesc Layret, Badalona"},
		{"CommaNumber", "Carrer de Mar, 23", "Badalona", "Carrer de Mar, Badalona"},
		{"Range", "Rambla Nova 54-56", "Tarragona", "Rambla Nova, Tarragona"},
		{"LetterSuffix", "Carrer Major 12B", "Vic", "Carrer Major, Vic"},
		{"Bis", "Carrer Major 12 bis", "Vic", "Carrer Major, Vic"},
		{"Num", "Passeig de Gràcia, núm. 45", "Barcelona", "Passeig de Gràcia, Barcelona"},
		{"SN", "Camí Ral s/n", "Mataró", "Camí Ral, Mataró"},
		{"NumberInName", "Avinguda del 11 de Setembre 5", "Reus", "Avinguda del 11 de Setembre, Reus"},
		{"NoNumber", "Plaça de la Vila", "Sabadell", "Plaça de la Vila, Sabadell"},
		{"NoStreet", "", "Girona", "Girona"},
		{"NoMunicipality", "Carrer Nou 3", "", "Carrer Nou"},
		{"Nothing", "", "", ""},
		{"OnlyNumber", "23", "Badalona", "Badalona"},
		{"OnlyNumberAndWords", "núm. 23", "Badalona", "Badalona"},
		{"ExtraSpaces", "  Carrer   Nou   3  ", " Lleida ", "Carrer Nou, Lleida"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MaskAddress(Citizen{Street: tt.street, Municipality: tt.muni})
			if got != tt.want {
				t.Errorf("MaskAddress(%q, %q) = %q, want %q", tt.street, tt.muni, got, tt.want)
			}
		})
	}
}

func FuzzParseNationalID(f *testing.F) {
	for _, s := range []string{"12345678Z", "12.345.678-z", "x1234567l", "X-1234567-L", "", "\xff", "12345678A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, ok := ParseNationalID(s)
		if !ok {
			if id != "" {
				t.Fatalf("ParseNationalID(%q) = %q, false", s, id)
			}
			return
		}
		if len(id) != 9 || !ValidNationalID(id) {
			t.Fatalf("ParseNationalID(%q) = %q, not normalized", s, id)
		}
		if again, ok := ParseNationalID(id); !ok || again != id {
			t.Fatalf("ParseNationalID(%q) = %q, %v, want itself", id, again, ok)
		}
		if m := MaskNationalID(s); m != "****"+id[4:] {
			t.Fatalf("MaskNationalID(%q) = %q", s, m)
		}
	})
}
