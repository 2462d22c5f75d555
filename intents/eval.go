package intents

import (
	"fmt"
	"io"
	"math"
	"sort"
)

// DefaultThreshold is the calibrated confidence below which the engine should ask a
// clarifying question instead of acting on the intent. Chosen on the dev split of the
// shipped data (see README-figures.md).
const DefaultThreshold = 0.6

// Metrics are the scores of a model on labelled examples.
type Metrics struct {
	N          int
	Correct    int
	Accuracy   float64
	MacroF1    float64 // over the labels present in the gold set
	Labels     []LabelMetrics
	Confusions []Confusion // most frequent errors first
}

// LabelMetrics are the scores of one label.
type LabelMetrics struct {
	Label     string
	Precision float64
	Recall    float64
	F1        float64
	Support   int // gold examples
	Predicted int // predictions of the label
}

// Confusion counts the examples of one gold label predicted as another.
type Confusion struct {
	Gold, Predicted string
	Count           int
}

// Evaluate predicts every example with m and scores the predictions.
func Evaluate(m *Model, examples []Example) Metrics {
	gold := make([]string, len(examples))
	pred := make([]string, len(examples))
	for i, ex := range examples {
		gold[i] = ex.Label
		pred[i] = m.Predict(ex.Text).Label
	}
	return Score(gold, pred)
}

// Score compares predicted labels with gold labels, pairwise.
func Score(gold, pred []string) Metrics {
	var mt Metrics
	type counts struct{ tp, support, predicted int }
	per := map[string]*counts{}
	get := func(l string) *counts {
		c, ok := per[l]
		if !ok {
			c = &counts{}
			per[l] = c
		}
		return c
	}
	conf := map[[2]string]int{}
	for i := range gold {
		g, p := gold[i], pred[i]
		mt.N++
		get(g).support++
		get(p).predicted++
		if g == p {
			mt.Correct++
			get(g).tp++
		} else {
			conf[[2]string{g, p}]++
		}
	}
	if mt.N > 0 {
		mt.Accuracy = float64(mt.Correct) / float64(mt.N)
	}
	labels := make([]string, 0, len(per))
	for l := range per {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	present := 0
	for _, l := range labels {
		c := per[l]
		lm := LabelMetrics{Label: l, Support: c.support, Predicted: c.predicted}
		if c.predicted > 0 {
			lm.Precision = float64(c.tp) / float64(c.predicted)
		}
		if c.support > 0 {
			lm.Recall = float64(c.tp) / float64(c.support)
		}
		if lm.Precision+lm.Recall > 0 {
			lm.F1 = 2 * lm.Precision * lm.Recall / (lm.Precision + lm.Recall)
		}
		if c.support > 0 {
			present++
			mt.MacroF1 += lm.F1
		}
		mt.Labels = append(mt.Labels, lm)
	}
	if present > 0 {
		mt.MacroF1 /= float64(present)
	}
	for k, n := range conf {
		mt.Confusions = append(mt.Confusions, Confusion{Gold: k[0], Predicted: k[1], Count: n})
	}
	sort.Slice(mt.Confusions, func(i, j int) bool {
		a, b := mt.Confusions[i], mt.Confusions[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.Gold != b.Gold {
			return a.Gold < b.Gold
		}
		return a.Predicted < b.Predicted
	})
	return mt
}

// Format writes the metrics for people: accuracy, macro-F1, a table of the labels and the
// ten most frequent confusions.
func (mt Metrics) Format(w io.Writer) {
	fmt.Fprintf(w, "examples %d  accuracy %.4f  macro-F1 %.4f\n", mt.N, mt.Accuracy, mt.MacroF1)
	width := len("label")
	for _, l := range mt.Labels {
		width = max(width, len(l.Label))
	}
	fmt.Fprintf(w, "%-*s  %9s  %6s  %6s  %7s\n", width, "label", "precision", "recall", "F1", "support")
	for _, l := range mt.Labels {
		fmt.Fprintf(w, "%-*s  %9.4f  %6.4f  %6.4f  %7d\n", width, l.Label, l.Precision, l.Recall, l.F1, l.Support)
	}
	if len(mt.Confusions) == 0 {
		return
	}
	fmt.Fprintln(w, "most frequent confusions (gold → predicted):")
	for _, c := range mt.Confusions[:min(10, len(mt.Confusions))] {
		fmt.Fprintf(w, "  %4d  %s → %s\n", c.Count, c.Gold, c.Predicted)
	}
}

// calibrate fits the temperature that minimizes the dev negative log-likelihood, and fills
// the dev part of the report.
func (m *Model) calibrate(dev []Example, rep *TrainReport) {
	index := map[string]int{}
	for i, l := range m.labels {
		index[l] = i
	}
	type row struct {
		logits []float32
		gold   int // -1 when the label is unknown to the model
	}
	rows := make([]row, len(dev))
	s := m.getScratch()
	for i, ex := range dev {
		s.norm.run(ex.Text)
		s.ents = findEntities(s.ents[:0], ex.Text, &s.norm, nil, fixedNow)
		s.kinds = entityFeatureKinds(s.kinds[:0], s.ents)
		var nWord int
		s.feats, nWord = m.feat.appendFeatures(s.feats[:0], &s.norm, s.kinds)
		lg := make([]float32, len(m.labels))
		m.logitsOf(s.feats, nWord, s.x, s.h, lg)
		g, ok := index[ex.Label]
		if !ok {
			g = -1
		}
		rows[i] = row{lg, g}
	}
	m.putScratch(s)
	probs := make([]float64, len(m.labels))
	nll := func(t float64) float64 {
		var sum float64
		for _, r := range rows {
			softmaxT(r.logits, t, probs)
			p := 1e-12
			if r.gold >= 0 {
				p = math.Max(probs[r.gold], 1e-12)
			}
			sum -= math.Log(p)
		}
		return sum / float64(len(rows))
	}
	ece := func(t float64) float64 {
		const bins = 10
		var conf, acc [bins]float64
		var n [bins]int
		for _, r := range rows {
			softmaxT(r.logits, t, probs)
			best := 0
			for i, p := range probs {
				if p > probs[best] {
					best = i
				}
			}
			b := min(int(probs[best]*bins), bins-1)
			n[b]++
			conf[b] += probs[best]
			if best == r.gold {
				acc[b]++
			}
		}
		var e float64
		for b := range n {
			if n[b] > 0 {
				e += math.Abs(conf[b]-acc[b]) / float64(len(rows))
			}
		}
		return e
	}
	// Golden-section search on log T.
	lo, hi := math.Log(0.05), math.Log(20.0)
	phi := (math.Sqrt(5) - 1) / 2
	a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
	fa, fb := nll(math.Exp(a)), nll(math.Exp(b))
	for range 60 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - phi*(hi-lo)
			fa = nll(math.Exp(a))
		} else {
			lo, a, fa = a, b, fb
			b = lo + phi*(hi-lo)
			fb = nll(math.Exp(b))
		}
	}
	t := math.Exp((lo + hi) / 2)
	rep.DevNLL, rep.DevECE = nll(1), ece(1)
	rep.DevNLLCalib, rep.DevECECalib = nll(t), ece(t)
	m.temperature = t
	rep.Temperature = t
	mt := Evaluate(m, dev)
	rep.DevMetrics = &mt
	covered, right := 0, 0
	for _, ex := range dev {
		p := m.Predict(ex.Text)
		if p.Confidence >= DefaultThreshold {
			covered++
			if p.Label == ex.Label {
				right++
			}
		}
	}
	rep.DevCoverage = float64(covered) / float64(len(dev))
	if covered > 0 {
		rep.DevAccCovered = float64(right) / float64(covered)
	}
}
