package intents

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"Empty", "", ""},
		{"Spaces", "  \t\n ", ""},
		{"LowerAndAccents", "Àvia ÉS Ñandú Ça", "avia es nandu ca"},
		{"CatalanGeminateDot", "col·legi COL.LEGI col•legi coŀlegi", "collegi collegi collegi collegi"},
		{"SqueezeVowels", "holaaa siiiii graciiiias", "hola si gracias"},
		{"SqueezeKeepsDoubles", "carrrrer passssar", "carrer passar"},
		{"DoubleLettersKept", "holaa llarg", "holaa llarg"},
		{"SingleLetterNoise", "kkkkk hola xxxxxx zzz", "hola"},
		{"AbbrevQue", "q tal? k dius", "que tal que dius"},
		{"AbbrevPerque", "xq no pq si", "perque no porque si"},
		{"AbbrevTambe", "tb tmb", "tambe tambe"},
		{"AbbrevPerStandalone", "x favor, x1234567l", "per favor x1234567l"},
		{"AbbrevPolite", "xfa porfa sisplau", "por favor por favor si us plau"},
		{"AbbrevMessage", "msg msj", "missatge mensaje"},
		{"AbbrevDe", "15 d març", "15 de marc"},
		{"AbbrevBye", "dw", "adeu"},
		{"Elision", "l'expedient d’abril", "l' expedient d' abril"},
		{"ApostropheNotElision", "it's rock'n", "it s rock n"},
		{"Reference", "EXP-2026-000101!", "exp-2026-000101"},
		{"Dates", "15/03/1984, 15-3-84 i 1984-03-15.", "15/03/1984 15-3-84 i 1984-03-15"},
		{"NationalID", "12.345.678-Z", "12.345.678-z"},
		{"Phone", "+34 600 00 00 01", "34 600 00 00 01"},
		{"Time", "a les 10:30, 1,5", "a les 10:30 1,5"},
		{"DanglingPunct", "-1- 1--2 a-b", "1 1 2 a b"},
		{"Emoji", "hola 👋😀 adéu 🇪🇸", "hola adeu"},
		{"EmojiOnly", "😂😂😂", ""},
		{"InvalidUTF8", "ho\xffla \xfe\xfe", "ho la"},
		{"CombiningAccent", "que\u0300 cafe\u0301", "que cafe"},
		{"Ordinals", "nº 1º", "n 1"},
		{"Sharp", "Straße", "strasse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Normalize(tt.in); got != tt.want {
				t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeSpans(t *testing.T) {
	text := "Vull l'EXP-2026-000101 xfa"
	var n normalizer
	n.run(text)
	var got []string
	for _, s := range n.toks {
		got = append(got, string(n.out[s.ns:s.ne])+"="+text[s.os:s.oe])
	}
	want := []string{"vull=Vull", "l'=l'", "exp-2026-000101=EXP-2026-000101", "por=xfa", "favor=xfa"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("spans = %q, want %q", got, want)
	}
}

func TestNormalizeLong(t *testing.T) {
	long := strings.Repeat("hola ", 10_000)
	got := Normalize(long)
	if n := utf8.RuneCountInString(got); n > MaxRunes {
		t.Errorf("Normalize(50,000 runes) has %d runes, want at most %d", n, MaxRunes)
	}
	if !strings.HasPrefix(got, "hola hola") {
		t.Errorf("Normalize(50,000 runes) = %.20q…, want hola hola…", got)
	}
	expanding := strings.Repeat("x ", 5000) // each "x" becomes "per"
	if n := utf8.RuneCountInString(Normalize(expanding)); n > MaxRunes {
		t.Errorf("Normalize(expanding) has %d runes, want at most %d", n, MaxRunes)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{
		"", "hola", "Holaaa!!! Vull l'EXP-2026-000101 xfa", "col·legi", "l·ll", "ßß", "\xff\xfe",
		"15/03/1984", "x-1234567-l", "d'", "l' x", "q k x d t", "😀", strings.Repeat("æ", 600),
		"a-1.b/2:3,4", "ŀl", "İstanbul", "ǅemal", "\u0301abc",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Normalize(s)
		if !utf8.ValidString(got) {
			t.Fatalf("Normalize(%q) = %q: invalid UTF-8", s, got)
		}
		if n := utf8.RuneCountInString(got); n > MaxRunes {
			t.Fatalf("Normalize(%q) has %d runes", s, n)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("Normalize(%q) = %q: stray spaces", s, got)
		}
		if again := Normalize(got); again != got {
			t.Fatalf("Normalize not idempotent: %q → %q → %q", s, got, again)
		}
	})
}
