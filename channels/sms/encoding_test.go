package sms

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf16"
)

func TestSegments(t *testing.T) {
	rep := strings.Repeat
	tests := []struct {
		name     string
		s        string
		enc      Encoding
		segments int
		units    int
	}{
		{"Empty", "", EncodingGSM7, 0, 0},
		{"ASCII", "Hola", EncodingGSM7, 1, 4},
		{"CatalanGSM", "El teu expedient EXP-2026-000101 està en tràmit.", EncodingGSM7, 1, 48},
		{"CatalanGraves", "Què és això? Sí, l'he rebut.", EncodingUCS2, 1, 28}, // í
		{"CatalanAllGSM", "Què és això? Ho he rebut.", EncodingGSM7, 1, 25},
		{"CatalanMiddleDot", "com va la meva sol·licitud?", EncodingUCS2, 1, 27},
		{"CatalanCedilla", "Adreça", EncodingUCS2, 1, 6},
		{"CapitalCedillaIsGSM", "ÇA", EncodingGSM7, 1, 2},
		{"SpanishAcute", "¿Cómo va mi solicitud?", EncodingUCS2, 1, 22},
		{"SpanishGSM", "¡Señor! ¿Qué pasa? Año, pingüino, Ñandú.", EncodingUCS2, 1, 40}, // ú
		{"SpanishAllGSM", "¡Señor! ¿Qué pasa? Año, pingüino.", EncodingGSM7, 1, 33},
		{"GSMLatin", "@£$¥èéùìòÇ\nØø\rÅå_ÆæßÉ ¤ÄÖÑÜ§¿äöñüà", EncodingGSM7, 1, 34},
		{"Greek", "ΔΦΓΛΩΠΨΣΘΞ", EncodingGSM7, 1, 10},
		{"Euro", "€", EncodingGSM7, 1, 2},
		{"Caret", "^", EncodingGSM7, 1, 2},
		{"BraceOpen", "{", EncodingGSM7, 1, 2},
		{"BraceClose", "}", EncodingGSM7, 1, 2},
		{"Backslash", `\`, EncodingGSM7, 1, 2},
		{"BracketOpen", "[", EncodingGSM7, 1, 2},
		{"Tilde", "~", EncodingGSM7, 1, 2},
		{"BracketClose", "]", EncodingGSM7, 1, 2},
		{"Pipe", "|", EncodingGSM7, 1, 2},
		{"FormFeed", "\f", EncodingGSM7, 1, 2},
		{"AllExtension", "€[]{}~|\\^\f", EncodingGSM7, 1, 20},
		{"PriceInEuros", "Ajut de 500 € al mes", EncodingGSM7, 1, 21},
		{"Backtick", "`", EncodingUCS2, 1, 1},
		{"Tab", "a\tb", EncodingUCS2, 1, 3},
		{"Emoji", "👍", EncodingUCS2, 1, 2},
		{"EmojiInText", "Gràcies 👍", EncodingUCS2, 1, 10},
		{"InvalidUTF8", "a\xffb", EncodingUCS2, 1, 3},
		{"GSM160", rep("a", 160), EncodingGSM7, 1, 160},
		{"GSM161", rep("a", 161), EncodingGSM7, 2, 161},
		{"GSM153x2", rep("a", 306), EncodingGSM7, 2, 306},
		{"GSM153x2+1", rep("a", 307), EncodingGSM7, 3, 307},
		{"GSM158+Euro", rep("a", 158) + "€", EncodingGSM7, 1, 160},
		{"GSM159+Euro", rep("a", 159) + "€", EncodingGSM7, 2, 161},
		// The escape pair of "€" does not fit in the first segment's last septet.
		{"GSMEscapeNotSplit", rep("a", 152) + "€" + rep("a", 152), EncodingGSM7, 3, 306},
		{"GSMEscapeFits", rep("a", 151) + "€" + rep("a", 153), EncodingGSM7, 2, 306},
		{"UCS70", rep("á", 70), EncodingUCS2, 1, 70},
		{"UCS71", rep("á", 71), EncodingUCS2, 2, 71},
		{"UCS67x2", rep("á", 134), EncodingUCS2, 2, 134},
		{"UCS67x2+1", rep("á", 135), EncodingUCS2, 3, 135},
		{"UCS68+Emoji", rep("á", 68) + "😀", EncodingUCS2, 1, 70},
		{"UCS69+Emoji", rep("á", 69) + "😀", EncodingUCS2, 2, 71},
		// The surrogate pair does not fit in the first segment's last unit.
		{"UCSSurrogateNotSplit", rep("á", 66) + "😀" + rep("á", 66), EncodingUCS2, 3, 134},
		{"UCSSurrogateFits", rep("á", 65) + "😀" + rep("á", 67), EncodingUCS2, 2, 134},
		{"OneUCSCharMakesAllUCS", rep("a", 100) + "ó", EncodingUCS2, 2, 101},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			enc, segs, units := Segments(tt.s)
			if enc != tt.enc || segs != tt.segments || units != tt.units {
				t.Errorf("Segments(%q) = %v, %d, %d; want %v, %d, %d", tt.s, enc, segs, units, tt.enc, tt.segments, tt.units)
			}
		})
	}
}

func TestTransliterate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"Hola", "Hola"},
		{"sol·licitud", "sol.licitud"},
		{"SOL·LICITUD", "SOL.LICITUD"},
		{"col·lŀegi Ŀ", "col.ll.egi L."},
		{"Adreça, Çà", "Adreca, Çà"},
		{"¿Cómo va mi solicitud? Sí, está aquí.", "¿Como va mi solicitud? Si, esta aqui."},
		{"Última acción, raíz, veïna, Ïa", "Ultima accion, raiz, veina, Ia"},
		{"ÁÍÓÚ áíóú", "AIOU aiou"},
		{"àèéìòù ñÑ üÜ É", "àèéìòù ñÑ üÜ É"},
		{"L’Ajuntament ‘diu’ “això”", `L'Ajuntament 'diu' "això"`},
		{"«Renda garantida»", `"Renda garantida"`},
		{"2026–2027 — ara", "2026-2027 - ara"},
		{"Espera…", "Espera..."},
		{"1º 2ª", "1o 2a"},
		{"a\tb\u00a0c", "a b c"},
		{"Gràcies 👍", "Gràcies 👍"},
		{"bad\xffbyte", "bad\xffbyte"},
	}
	for _, tt := range tests {
		if got := Transliterate(tt.in); got != tt.want {
			t.Errorf("Transliterate(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	// Everything in the table comes out as GSM-7.
	for r, s := range translit {
		if enc, _, _ := Segments(s); enc != EncodingGSM7 {
			t.Errorf("translit[%q] = %q is not GSM-7", r, s)
		}
		if enc, _, _ := Segments(string(r)); enc != EncodingUCS2 {
			t.Errorf("translit has %q, which GSM-7 already has", r)
		}
	}
}

func FuzzSegments(f *testing.F) {
	for _, s := range []string{"", "a", "€", "😀", "sol·licitud", "\xff", strings.Repeat("a", 161),
		strings.Repeat("á", 66) + "😀" + strings.Repeat("á", 66), "Què és això? 500 € [ok]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		enc, segs, units := Segments(s)
		if s != "" && segs < 1 {
			t.Fatalf("Segments(%q): %d segments", s, segs)
		}
		gsm, septets := true, 0
		for _, r := range s {
			w := gsmWidth(r)
			if w == 0 {
				gsm = false
			}
			septets += w
		}
		single, per := ucsSingle, ucsSegment
		want := len(utf16.Encode([]rune(s)))
		if gsm {
			single, per, want = gsmSingle, gsmSegment, septets
		}
		if (enc == EncodingGSM7) != gsm || units != want {
			t.Fatalf("Segments(%q) = %v, %d units; want GSM-7 %v, %d units", s, enc, units, gsm, want)
		}
		switch {
		case units == 0 && segs != 0, units > 0 && units <= single && segs != 1:
			t.Fatalf("Segments(%q): %d units in %d segments", s, units, segs)
		case units > single && (segs < (units+per-1)/per || segs > (units+per-2)/(per-1)):
			t.Fatalf("Segments(%q): %d units in %d segments of %d", s, units, segs, per)
		}
		tr := Transliterate(s)
		if Transliterate(tr) != tr {
			t.Fatalf("Transliterate(%q) is not idempotent", s)
		}
	})
}

// BenchmarkSegments measures the encoder on a mixed Catalan and Spanish text, in
// characters per second (target ≥ 1,000,000).
func BenchmarkSegments(b *testing.B) {
	texts := []string{
		"El teu expedient EXP-2026-000101 està en tràmit. Et falta el certificat d'empadronament.",
		"Com va la meva sol·licitud de la renda garantida de ciutadania? Gràcies 👍",
		"¿Cómo va mi solicitud? Tu expediente EXP-2026-000201 está en revisión desde el 3 de marzo.",
		"Ajut de 500 € al mes [revisat] {ok}",
	}
	chars := 0
	for _, s := range texts {
		chars += len([]rune(s))
	}
	for b.Loop() {
		for _, s := range texts {
			Segments(s)
		}
	}
	b.ReportMetric(float64(chars)*float64(b.N)/b.Elapsed().Seconds(), "chars/s")
}

// BenchmarkTransliterate measures transliteration, in characters per second.
func BenchmarkTransliterate(b *testing.B) {
	s := "Com va la meva sol·licitud? ¿Cómo va mi solicitud? Adreça: carrer Major, 1. Informació…"
	chars := len([]rune(s))
	for b.Loop() {
		Transliterate(s)
	}
	b.ReportMetric(float64(chars)*float64(b.N)/b.Elapsed().Seconds(), "chars/s")
}

// TestTranslitIndexIsTheMap: the array lookup answers as the map does, for every rune of
// the map and every rune below the array's end.
func TestTranslitIndexIsTheMap(t *testing.T) {
	if len(translitSpellings) > 255 {
		t.Fatalf("%d spellings do not fit translitIndex's uint8", len(translitSpellings))
	}
	for r := rune(0); r < 0x3000; r++ {
		want, wantOK := translit[r]
		if got, ok := translitOf(r); got != want || ok != wantOK {
			t.Errorf("translitOf(%U) = %q, %v; translit has %q, %v", r, got, ok, want, wantOK)
		}
	}
	for r, want := range translit {
		if got, ok := translitOf(r); !ok || got != want {
			t.Errorf("translitOf(%U) = %q, %v, want %q", r, got, ok, want)
		}
	}
}

// TestSpellGSMIsTransliterateUnaccented: spellGSM spells every text as unaccented.Replace
// of Transliterate does: texts of the characters translit and unaccented replace, the
// GSM-7 letters they keep, emoji and invalid UTF-8 (before and after the first character
// to transliterate), and every rune of translit's array.
func TestSpellGSMIsTransliterateUnaccented(t *testing.T) {
	pieces := []string{"Transició", "Ecològica", "ÀÈÉÌÒÙÇÑÜàèéìòùç", "sol·licitud", "l’ajut", "…", "\t", "`", "\u200b",
		"😂", "€", "\xff", "\xc3", "\xe2\x80", "a", " ", "É", "Ç"}
	texts := []string{"", "plain ASCII", "\xc3á", "à\xff", "\xffá\xff"}
	for r := rune(0); r < rune(len(translitIndex))+16; r++ {
		texts = append(texts, "x"+string(r)+"à\xff")
	}
	rng := rand.New(rand.NewPCG(14, 15))
	for range 20000 {
		var b strings.Builder
		for range rng.IntN(8) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		texts = append(texts, b.String())
	}
	for _, s := range texts {
		if got, want := spellGSM(s), unaccented.Replace(Transliterate(s)); got != want {
			t.Errorf("spellGSM(%q) = %q, want %q", s, got, want)
		}
	}
}

// FuzzSpellGSM checks spellGSM against unaccented.Replace of Transliterate.
func FuzzSpellGSM(f *testing.F) {
	for _, s := range []string{"Transició Ecològica", "sol·licitud …", "\xc3á\xff", "😂\t`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := spellGSM(s), unaccented.Replace(Transliterate(s)); got != want {
			t.Errorf("spellGSM(%q) = %q, want %q", s, got, want)
		}
	})
}
