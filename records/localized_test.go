package records

import (
	"encoding/json"
	"errors"
	"maps"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// TestLocalizedUnmarshalIsEncodingJSON: Localized reads every JSON text as encoding/json
// reads a map[string]string, into a nil map and into one holding a pair already: the same
// pairs, the same nil, an error for the same texts. The texts are generated objects of
// plain and escaped strings, with white space, invalid UTF-8, control characters, other
// values and broken syntax; the stores' own rows are plain, and read directly.
func TestLocalizedUnmarshalIsEncodingJSON(t *testing.T) {
	strs := []string{`"ca"`, `"es"`, `"Renda Garantida de Ciutadania"`, `"Demana el certificat (a l'oficina)"`,
		`"sol·licitud"`, `"\u00e0"`, `"a\"b"`, `"\ud83d\ude02"`, "\"\xff\"", "\"a\tb\"", `""`, `"`, `null`, `1`, `[]`, `{}`}
	seps := []string{`:`, ` : `, "\n:", ` `, `,`}
	rng := rand.New(rand.NewPCG(9, 10))
	pick := func(vs []string) string { return vs[rng.IntN(len(vs))] }
	texts := []string{`{"ca":"Generalitat de Catalunya","es":"Generalitat de Cataluña"}`, `null`, `{}`, ` { "ca" : "x" } `, ``, `{"ca":"x"} {}`,
		`5`, `"ca"`, `true`, `[]`, `[{"ca":"x"}]`} // not objects
	for range 30000 {
		var b strings.Builder
		b.WriteString(pick([]string{`{`, `{`, `{`, ` {`, `[`, ``}))
		for i := range rng.IntN(4) {
			if i > 0 {
				b.WriteString(pick([]string{`,`, `,`, `, `, ``}))
			}
			b.WriteString(pick(strs[:11])) // a key, mostly a string
			b.WriteString(pick(seps))
			b.WriteString(pick(strs))
		}
		b.WriteString(pick([]string{`}`, `}`, `}`, "}\n", `,}`, ``}))
		texts = append(texts, b.String())
	}
	var direct, viaJSON, typeErrors int
	for _, s := range texts {
		for _, start := range []Localized{nil, {"xx": "before"}} {
			var want map[string]string = maps.Clone(start)
			wantErr := json.Unmarshal([]byte(s), &want)
			got := maps.Clone(start)
			gotErr := got.UnmarshalJSON([]byte(s))
			if (gotErr != nil) != (wantErr != nil) || !maps.Equal(got, Localized(want)) || (got == nil) != (want == nil) {
				t.Errorf("%q into %v: got %#v, %v; encoding/json %#v, %v", s, start, got, gotErr, want, wantErr)
			}
		}
		// Inside an object, as the ingestion API decodes it: the same type errors, for
		// the same field, naming Localized where encoding/json named the map's type.
		var got struct {
			P Localized `json:"p"`
		}
		var want struct {
			P map[string]string `json:"p"`
		}
		in := []byte(`{"p":` + s + `}`)
		gotErr, wantErr := json.Unmarshal(in, &got), json.Unmarshal(in, &want)
		var gotType, wantType *json.UnmarshalTypeError
		if (gotErr != nil) != (wantErr != nil) || errors.As(gotErr, &gotType) != errors.As(wantErr, &wantType) {
			t.Errorf("%s: error %v, encoding/json's %v", in, gotErr, wantErr)
		} else if gotType != nil {
			typeErrors++
			named := wantType.Type
			if named == reflect.TypeFor[map[string]string]() {
				named = reflect.TypeFor[Localized]()
			}
			if gotType.Value != wantType.Value || gotType.Field != wantType.Field || gotType.Struct != wantType.Struct || gotType.Type != named {
				t.Errorf("%s: type error %+v, encoding/json's %+v", in, gotType, wantType)
			}
		}
		var m Localized
		if readPlainObject([]byte(s), &m) {
			direct++
		} else {
			viaJSON++
		}
	}
	if direct < 1000 || viaJSON < 1000 || typeErrors < 100 {
		t.Errorf("%d texts read directly, %d through encoding/json, %d type errors: each must be tried", direct, viaJSON, typeErrors)
	}
}

// TestApplicationRowsRead: an application as the stores wrote it before Localized read
// itself reads back the same.
func TestApplicationRowsRead(t *testing.T) {
	a := Application{Ref: "EXP-2026-000101", Procedure: Localized{"ca": "Renda Garantida de Ciutadania", "es": "Renta Garantizada de Ciudadanía"},
		MissingDocuments: []Localized{{"ca": "certificat de convivència", "es": "certificado de convivencia"}},
		NextStep:         Localized{"ca": "Demana \"el\" certificat <ara>", "es": "Pide el certificado\n"}}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var got Application
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(got.Procedure, a.Procedure) || !maps.Equal(got.NextStep, a.NextStep) ||
		len(got.MissingDocuments) != 1 || !maps.Equal(got.MissingDocuments[0], a.MissingDocuments[0]) {
		t.Errorf("read back %+v, wrote %+v", got, a)
	}
}

// BenchmarkLocalizedUnmarshal measures reading an administration's name, as every
// application read does for its localized columns.
func BenchmarkLocalizedUnmarshal(b *testing.B) {
	data := []byte(`{"ca":"Consell Comarcal del Barcelonès","es":"Consejo Comarcal del Barcelonès"}`)
	b.ReportAllocs()
	for b.Loop() {
		var l Localized
		if err := json.Unmarshal(data, &l); err != nil {
			b.Fatal(err)
		}
	}
}

// TestLocalizedListIsEncodingJSON: UnmarshalLocalizedList reads every JSON text as
// encoding/json reads a []Localized: arrays of generated objects (plain, escaped, broken),
// empty, null, with white space and trailing text; the same values (nil and empty told
// apart), an error for the same texts, and the plain arrays read directly.
func TestLocalizedListIsEncodingJSON(t *testing.T) {
	objs := []string{`{"ca":"certificat de convivència","es":"certificado de convivencia"}`, `{}`, ` { "ca" : "x" } `,
		`{"ca":"a\"b"}`, "{\"ca\":\"\xff\"}", `{"ca":1}`, `null`, `{"ca":"x"`, `{"ca":"x",}`, `[]`, `"x"`}
	rng := rand.New(rand.NewPCG(30, 11))
	pick := func(vs []string) string { return vs[rng.IntN(len(vs))] }
	texts := []string{`[]`, ` [ ] `, `null`, ``, `[`, `]`, `{}`, `[{}]x`, `[{}] `, `[{},]`, `[,{}]`}
	for range 20000 {
		var b strings.Builder
		b.WriteString(pick([]string{`[`, `[`, ` [`, ``}))
		for i := range rng.IntN(4) {
			if i > 0 {
				b.WriteString(pick([]string{`,`, `,`, ` , `, ``}))
			}
			b.WriteString(pick(objs))
		}
		b.WriteString(pick([]string{`]`, `]`, "]\n", `,]`, ``}))
		texts = append(texts, b.String())
	}
	direct := 0
	for _, s := range texts {
		var want, got []Localized
		wantErr := json.Unmarshal([]byte(s), &want)
		gotErr := UnmarshalLocalizedList([]byte(s), &got)
		if (gotErr != nil) != (wantErr != nil) || (wantErr == nil && (!reflect.DeepEqual(got, want) || (got == nil) != (want == nil))) {
			t.Errorf("%q: got %#v, %v; encoding/json %#v, %v", s, got, gotErr, want, wantErr)
		}
		var l []Localized
		if readPlainList([]byte(s), &l) && len(l) > 1 {
			direct++
		}
	}
	if direct < 100 {
		t.Errorf("%d lists of two texts or more read directly: the plain ones must be", direct)
	}
}
