package intents

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
)

func defaultClassifier(t testing.TB) *Classifier {
	t.Helper()
	c, err := Default(WithProcedures(testProcedures), WithClock(func() time.Time { return testNow }))
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return c
}

func TestDefaultModel(t *testing.T) {
	m, err := DefaultModel()
	if err != nil {
		t.Fatalf("DefaultModel: %v", err)
	}
	for _, l := range m.Labels() {
		if !slices.Contains(dialog.Intents, l) {
			t.Errorf("label %q is not in dialog.Intents", l)
		}
	}
	if got := m.Languages(); !slices.Equal(got, []string{LangCatalan, LangSpanish}) {
		t.Errorf("Languages() = %v, want [ca es]", got)
	}
	if m.Temperature() <= 0 {
		t.Errorf("Temperature() = %v", m.Temperature())
	}
}

func TestClassify(t *testing.T) {
	c := defaultClassifier(t)
	tests := []struct {
		name, in   string
		intent     string
		lang       string
		entityKind string
	}{
		{"StatusCa", "vull saber com va el meu expedient EXP-2026-000101", dialog.IntentStatus, LangCatalan, dialog.EntityApplicationRef},
		{"StatusEs", "cómo va mi solicitud de la renta garantizada?", dialog.IntentStatus, LangSpanish, dialog.EntityProcedure},
		{"HumanEs", "quiero hablar con una persona", dialog.IntentHuman, LangSpanish, ""},
		{"HumanCa", "vull parlar amb una persona", dialog.IntentHuman, LangCatalan, ""},
		{"StopCa", "no m'envieu més missatges", dialog.IntentStop, LangCatalan, ""},
		{"GreetingNeutral", "hola", dialog.IntentGreeting, "", ""},
		{"GoodbyeEs", "muchas gracias, adiós", dialog.IntentGoodbye, LangSpanish, ""},
		{"LanguageEs", "parla'm en castellà, si us plau", dialog.IntentLanguage, LangCatalan, dialog.EntityLanguage},
		{"ReferenceOnly", "EXP-2026-000101", dialog.IntentStatus, "", dialog.EntityApplicationRef},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(context.Background(), tt.in)
			if got.Intent != tt.intent || got.Lang != tt.lang {
				t.Errorf("Classify(%q) = %s/%s (%.2f), want %s/%s", tt.in, got.Intent, got.Lang, got.Confidence, tt.intent, tt.lang)
			}
			if got.Confidence < 0 || got.Confidence > 1 {
				t.Errorf("Classify(%q) confidence = %v, want in [0, 1]", tt.in, got.Confidence)
			}
			if _, ok := got.Entity(tt.entityKind); tt.entityKind != "" && !ok {
				t.Errorf("Classify(%q) entities = %v, want one of kind %s", tt.in, got.Entities, tt.entityKind)
			}
		})
	}
}

func TestClassifyNoise(t *testing.T) {
	c := defaultClassifier(t)
	tests := []struct{ name, in string }{
		{"Empty", ""},
		{"Whitespace", " \t\r\n "},
		{"EmojiOnly", "😂😂😂"},
		{"Punctuation", "?!..."},
		{"InvalidUTF8", "\xff\xfe\xfd"},
		{"KeyboardMash", "asdfgh qwerty"},
		{"RepeatedLetter", "kkkkkkk"},
		{"Long", strings.Repeat("🍕", 20_000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := c.Classify(context.Background(), tt.in)
			if got.Intent != dialog.IntentOther || got.Confidence > NoiseConfidence || got.Lang != "" || len(got.Entities) != 0 {
				t.Errorf("Classify(%.30q) = %+v, want other with confidence ≤ %v, no language, no entities", tt.in, got, NoiseConfidence)
			}
		})
	}
	t.Run("LongText", func(t *testing.T) {
		in := "vull parlar amb una persona " + strings.Repeat("bla ", 10_000)
		got := c.Classify(context.Background(), in)
		if got.Intent == "" || got.Confidence < 0 || got.Confidence > 1 {
			t.Errorf("Classify(40,000 characters) = %+v", got)
		}
	})
}

// TestClassifyConcurrent checks, under -race, that one Classifier serves many goroutines
// with the answers it gives one.
func TestClassifyConcurrent(t *testing.T) {
	c := defaultClassifier(t)
	texts := []string{
		"com va el meu expedient EXP-2026-000101?", "quiero hablar con una persona", "hola", "",
		"el meu DNI és 12345678Z i vaig néixer el 15/03/1984", "😂", "renda garantida", "\xff",
		"mi teléfono es +34 600 00 00 01", strings.Repeat("a b ", 2000),
	}
	want := make([]string, len(texts))
	for i, s := range texts {
		want[i] = fmt.Sprint(c.Classify(context.Background(), s))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8*len(texts))
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 50; k++ {
				i := (g + k) % len(texts)
				if got := fmt.Sprint(c.Classify(context.Background(), texts[i])); got != want[i] {
					errs <- fmt.Sprintf("Classify(%.20q) = %s, want %s", texts[i], got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// TestHoldoutFloor fails if the shipped model breaks: the floors are well under the figures
// of README-figures.md.
func TestHoldoutFloor(t *testing.T) {
	var ex []Example
	for _, p := range []string{"testdata/holdout-ca.jsonl", "testdata/holdout-es.jsonl"} {
		f, err := os.Open(p)
		if err != nil {
			t.Skipf("holdout set: %v", err)
		}
		rows, err := ReadExamples(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		ex = append(ex, rows...)
	}
	m, err := DefaultModel()
	if err != nil {
		t.Fatalf("DefaultModel: %v", err)
	}
	// The floors are the targets intents/README-figures.md publishes the model against.
	mt := Evaluate(m, ex)
	if mt.Accuracy < 0.95 || mt.MacroF1 < 0.93 {
		t.Errorf("holdout accuracy %.4f, macro-F1 %.4f; want ≥ 0.95 and ≥ 0.93", mt.Accuracy, mt.MacroF1)
	}
	lm := EvaluateLanguage(m, ex)
	if right := float64(lm.LongRight) / float64(max(1, lm.Long)); right < 0.97 {
		t.Errorf("holdout language of 3+ words right %.4f, want ≥ 0.97", right)
	}
}

func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"", "hola", "EXP-2026-000101 12345678Z 15/03/1984 +34 600 00 00 01 en castellà",
		"15 de març de 1984", "X 1234567 L", "renda garantida", "\xff", "0034 600",
	} {
		f.Add(s)
	}
	c, err := Default(WithProcedures(testProcedures))
	if err != nil {
		f.Fatalf("Default: %v", err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := c.Classify(context.Background(), s)
		if got.Intent == "" || !(got.Confidence >= 0 && got.Confidence <= 1) {
			t.Fatalf("Classify(%q) = %+v", s, got)
		}
		if got.Lang != "" && got.Lang != LangCatalan && got.Lang != LangSpanish {
			t.Fatalf("Classify(%q) lang %q", s, got.Lang)
		}
		for _, e := range got.Entities {
			if e.Value == "" || !strings.Contains(s, e.Text) {
				t.Fatalf("Classify(%q) entity %+v", s, e)
			}
		}
	})
}

// TestWarmRowsChangesNothing: the logits of a prediction, which reads the embedding rows
// ahead (warmRows), are bit for bit those logitsOf computes alone, for the examples of
// intents/data.
func TestWarmRowsChangesNothing(t *testing.T) {
	m := defaultClassifier(t).Model()
	exs := readExamples(t, "data/ca.jsonl", "data/es.jsonl")
	if len(exs) < 100 {
		t.Fatalf("%d examples", len(exs))
	}
	x, h, want := make([]float32, m.dim), make([]float32, m.hidden), make([]float32, len(m.labels))
	for _, ex := range exs {
		text := ex.Text
		s := m.getScratch()
		s.norm.run(text)
		s.ents = findEntities(s.ents[:0], text, &s.norm, nil, fixedNow)
		feats, nWord := m.feat.appendFeatures(nil, &s.norm, entityFeatureKinds(nil, s.ents))
		m.logitsOf(feats, nWord, x, h, want)
		m.predictScratch(s)
		for i := range want {
			if math.Float32bits(s.logits[i]) != math.Float32bits(want[i]) {
				t.Fatalf("%q: logit %d is %v, logitsOf alone %v", text, i, s.logits[i], want[i])
			}
		}
		m.putScratch(s)
	}
}

// readExamples reads the examples of the files at paths, one after the other.
func readExamples(t *testing.T, paths ...string) []Example {
	t.Helper()
	var out []Example
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		ex, err := ReadExamples(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out = append(out, ex...)
	}
	return out
}
