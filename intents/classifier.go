package intents

import (
	"context"
	_ "embed"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/catalonia/mygov/dialog"
)

//go:generate go run gen_model.go

//go:embed model/intents.bin
var defaultModel []byte

// Classifier classifies citizens' messages with a Model: intent and calibrated confidence,
// language, and entities (application references, national ids, dates, phone numbers,
// requested language, procedures of the injected catalog).
//
// A Classifier is immutable and safe for concurrent use.
type Classifier struct {
	model *Model
	gaz   *gazetteer
	now   func() time.Time
}

var _ dialog.Classifier = (*Classifier)(nil)

// Option sets an optional setting of a Classifier.
type Option func(*Classifier)

// WithProcedures sets the catalog of procedures and benefits whose names Classify finds as
// entities of kind procedure.
func WithProcedures(procs []Procedure) Option {
	return func(c *Classifier) { c.gaz = newGazetteer(procs) }
}

// WithClock sets the clock that dates with two-digit years are read against.
func WithClock(now func() time.Time) Option {
	return func(c *Classifier) { c.now = now }
}

// NewClassifier returns a Classifier that uses m.
func NewClassifier(m *Model, opts ...Option) *Classifier {
	c := &Classifier{model: m, now: time.Now}
	for _, o := range opts {
		o(c)
	}
	return c
}

var loadDefault = sync.OnceValues(func() (*Model, error) {
	m, err := decodeModel(defaultModel)
	if err != nil {
		return nil, fmt.Errorf("intents: load embedded model: %w", err)
	}
	return m, nil
})

// DefaultModel returns the model embedded in the binary, trained on intents/data. It is
// loaded once.
func DefaultModel() (*Model, error) { return loadDefault() }

// Default returns a Classifier that uses the embedded model.
func Default(opts ...Option) (*Classifier, error) {
	m, err := DefaultModel()
	if err != nil {
		return nil, err
	}
	return NewClassifier(m, opts...), nil
}

// Model returns the classifier's model.
func (c *Classifier) Model() *Model { return c.model }

// Classify returns the intent of text with its calibrated confidence, the language of text
// ("" when it fits both or neither), and the entities found in it, in text order.
// Empty text, emoji only, or words the model never learned from another intent only give
// dialog.IntentOther with a confidence of at most NoiseConfidence.
func (c *Classifier) Classify(ctx context.Context, text string) dialog.Classification {
	m := c.model
	s := m.getScratch()
	defer m.putScratch(s)
	s.norm.run(text)
	s.ents = findEntities(s.ents[:0], text, &s.norm, c.gaz, c.now())
	res := dialog.Classification{Intent: dialog.IntentOther}
	if len(s.ents) > 0 {
		res.Entities = make([]dialog.Entity, len(s.ents))
		for i, e := range s.ents {
			res.Entities[i] = dialog.Entity{Kind: e.kind, Value: e.value, Text: strings.Clone(text[e.os:e.oe])}
		}
	}
	if len(s.norm.toks) == 0 {
		return res
	}
	// Distress first (the engine acts on it before any intent), then
	// the aspects, topics and status words of lexicon/*.txt.
	res.Entities = appendLexicon(res.Entities, lexicons, text, &s.norm, &s.lex)
	p := m.predictScratch(s)
	res.Intent, res.Confidence = p.Label, p.Confidence
	res.Alternatives = m.alternatives(s.probs, p.Label)
	if p.Known > 0 || len(s.ents) > 0 || p.Label != dialog.IntentOther {
		res.Lang = m.lang.identify(text, &s.norm, &s.lang) // noise has no language
	}
	return res
}

// Language returns the language of text, "ca" or "es" for the shipped model, or "" when
// text fits both or neither.
func (m *Model) Language(text string) string {
	s := m.getScratch()
	defer m.putScratch(s)
	s.norm.run(text)
	return m.lang.identify(text, &s.norm, &s.lang)
}

// LangMetrics score language identification on examples that have a Lang.
type LangMetrics struct {
	Long, LongRight, LongUnknown    int // messages of three words or more
	Short, ShortRight, ShortUnknown int // messages of one or two words
}

// EvaluateLanguage identifies the language of the examples that have one.
func EvaluateLanguage(m *Model, examples []Example) LangMetrics {
	var lm LangMetrics
	for _, ex := range examples {
		if ex.Lang == "" {
			continue
		}
		got := m.Language(ex.Text)
		if len(strings.Fields(ex.Text)) >= 3 {
			lm.Long++
			lm.LongRight += b2i(got == ex.Lang)
			lm.LongUnknown += b2i(got == "")
		} else {
			lm.Short++
			lm.ShortRight += b2i(got == ex.Lang)
			lm.ShortUnknown += b2i(got == "")
		}
	}
	return lm
}

// Format writes the language scores for people.
func (lm LangMetrics) Format(w io.Writer) {
	ratio := func(a, b int) float64 {
		if b == 0 {
			return 0
		}
		return float64(a) / float64(b)
	}
	fmt.Fprintf(w, "language, 3+ words: %d messages, right %.4f, unknown %.4f, wrong %.4f\n",
		lm.Long, ratio(lm.LongRight, lm.Long), ratio(lm.LongUnknown, lm.Long), ratio(lm.Long-lm.LongRight-lm.LongUnknown, lm.Long))
	fmt.Fprintf(w, "language, 1-2 words: %d messages, right %.4f, unknown %.4f, wrong %.4f\n",
		lm.Short, ratio(lm.ShortRight, lm.Short), ratio(lm.ShortUnknown, lm.Short), ratio(lm.Short-lm.ShortRight-lm.ShortUnknown, lm.Short))
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
