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

// benchFeatures returns the encoded features of benchTexts under m.
func benchFeatures(m *Model) []encoded {
	data, _ := m.encode(func() []Example {
		var ex []Example
		for _, t := range benchTexts {
			ex = append(ex, Example{Text: t, Label: m.labels[0]})
		}
		return ex
	}(), map[string]int{m.labels[0]: 0})
	return data
}

// BenchmarkForwardPlain measures the forward pass of the shipped weights in plain Go, the
// way Classify runs it, from features already hashed.
func BenchmarkForwardPlain(b *testing.B) {
	m, err := DefaultModel()
	if err != nil {
		b.Fatal(err)
	}
	data := benchFeatures(m)
	x, h := make([]float32, m.dim), make([]float32, m.hidden)
	logits, probs := make([]float32, len(m.labels)), make([]float64, len(m.labels))
	// Weighted rows, as logitsOf sums them.
	d := m.dim
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e := data[i%len(data)]
		clear(x)
		for k, f := range e.feats {
			w := e.weights[k]
			for j, v := range m.emb[f*d : f*d+d] {
				x[j] += w * v
			}
		}
		n := len(x)
		for c := range logits {
			sum := m.b2[c]
			for j, v := range m.w2[c*n : c*n+n] {
				sum += v * x[j]
			}
			logits[c] = sum
		}
		_ = h
		softmaxT(logits, m.temperature, probs)
		i++
	}
}

// BenchmarkForwardSpago measures the same forward pass as a spago graph (the training
// network, synchronous operators), to compare with BenchmarkForwardPlain.
func BenchmarkForwardSpago(b *testing.B) {
	m, err := DefaultModel()
	if err != nil {
		b.Fatal(err)
	}
	data := benchFeatures(m)
	net := newNetwork(m, 1, false)
	for r, p := range net.Emb.Weights {
		copy(p.Value().Data().F32(), m.emb[r*m.dim:(r+1)*m.dim])
	}
	copy(net.W2.Value().Data().F32(), m.w2)
	copy(net.B2.Value().Data().F32(), m.b2)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		e := data[i%len(data)]
		l := net.loss(e, 1)
		_ = l.Value()
		i++
	}
}

// BenchmarkClassifyColdCache measures Classify on a message arriving at an idle server, the
// model's tables out of the processor's caches (evicted outside the timed part). Each
// operation streams 64 MB, so give it a count: -benchtime 400x.
func BenchmarkClassifyColdCache(b *testing.B) {
	c := defaultClassifier(b)
	ctx := context.Background()
	evict := make([]byte, 64<<20) // larger than the caches: a 32 MB L3 on the benchmark machine
	i := 0
	for b.Loop() {
		b.StopTimer()
		for j := 0; j < len(evict); j += 64 {
			evict[j]++
		}
		b.StartTimer()
		c.Classify(ctx, benchTexts[i%len(benchTexts)])
		i++
	}
}
