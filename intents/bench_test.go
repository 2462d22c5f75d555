package intents

import (
	"bytes"
	"context"
	"testing"
)

// benchTexts are typical messages: short and long, Catalan and Spanish, with entities.
var benchTexts = []string{
	"hola",
	"com va el meu expedient EXP-2026-000101?",
	"quiero hablar con una persona, por favor",
	"Bon dia, voldria saber en quin estat es troba el meu expedient de la Renda Garantida",
	"el meu DNI és 12345678Z i vaig néixer el 15/03/1984",
	"q dades teniu de mi? xfa",
	"no me enviéis más mensajes",
	"😂😂",
	"mi teléfono es +34 600 00 00 01 y quiero saber qué hacéis con mis datos",
	"adéu, gràcies!!",
}

// BenchmarkClassify measures one Classify call (normalization, entities, language,
// features, forward pass) per operation, cycling through benchTexts.
func BenchmarkClassify(b *testing.B) {
	c := defaultClassifier(b)
	ctx := context.Background()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.Classify(ctx, benchTexts[i%len(benchTexts)])
		i++
	}
}

// BenchmarkClassifyParallel measures Classify from many goroutines.
func BenchmarkClassifyParallel(b *testing.B) {
	c := defaultClassifier(b)
	ctx := context.Background()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			c.Classify(ctx, benchTexts[i%len(benchTexts)])
			i++
		}
	})
}

// BenchmarkPredict measures the intent model alone (Model.Predict).
func BenchmarkPredict(b *testing.B) {
	m, err := DefaultModel()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Predict(benchTexts[i%len(benchTexts)])
		i++
	}
}

func BenchmarkNormalize(b *testing.B) {
	var n normalizer
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		n.run(benchTexts[i%len(benchTexts)])
		i++
	}
}

// BenchmarkNormalizeString measures the exported Normalize, which allocates its result.
func BenchmarkNormalizeString(b *testing.B) {
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		Normalize(benchTexts[i%len(benchTexts)])
		i++
	}
}

// BenchmarkLoadDefault measures decoding the embedded model.
func BenchmarkLoadDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(bytes.NewReader(defaultModel)); err != nil {
			b.Fatal(err)
		}
	}
}
