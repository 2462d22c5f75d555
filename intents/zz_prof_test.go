package intents

import (
	"os"
	"strconv"
	"strings"
	"testing"
)

func envInt(k string, d int) int {
	if v, err := strconv.Atoi(os.Getenv(k)); err == nil {
		return v
	}
	return d
}
func envF(k string, d float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(k), 64); err == nil {
		return v
	}
	return d
}

func TestExp(t *testing.T) {
	path := os.Getenv("EXP_DATA")
	if path == "" {
		t.Skip()
	}
	var ex []Example
	for _, p := range strings.Split(path, ",") {
		f, _ := os.Open(p)
		e, _ := ReadExamples(f)
		ex = append(ex, e...)
	}
	opts := TrainOptions{Epochs: envInt("EP", 0), Dim: envInt("DIM", 0), Hidden: envInt("HID", 0), Bits: envInt("BITS", 0),
		CharMin: envInt("CMIN", 0), CharMax: envInt("CMAX", 0), LearningRate: envF("LR", 0), BatchSize: envInt("BS", 0),
		ClassWeight: envF("CW", 0), WordShare: envInt("WS", 0), WeightDecay: envF("WD", 0), Seed: uint64(envInt("SEED", 1)), SqrtPool: os.Getenv("SQRT") != "", Epsilon: envF("EPS", 0)}
	m, rep, err := Train(ex, opts)
	if err != nil {
		t.Fatal(err)
	}
	var test []Example
	for _, e := range ex {
		if e.Partition == "test" {
			test = append(test, e)
		}
	}
	if hp := os.Getenv("HOLD"); hp != "" {
		for _, p := range strings.Split(hp, ",") {
			f, _ := os.Open(p)
			e, _ := ReadExamples(f)
			test = append(test, e...)
		}
	}
	mt := rep.DevMetrics
	t.Logf("dur %s  dev acc %.4f f1 %.4f  T %.2f", rep.Duration, mt.Accuracy, mt.MacroF1, rep.Temperature)
	if os.Getenv("TEST") != "" && len(test) > 0 {
		tm := Evaluate(m, test)
		t.Logf("TEST acc %.4f f1 %.4f", tm.Accuracy, tm.MacroF1)
	}
}

func TestLangErrors(t *testing.T) {
	m, err := LoadFile("/tmp/gov.bin")
	if err != nil {
		t.Skip()
	}
	for _, p := range []string{"testdata/holdout-ca.jsonl", "testdata/holdout-es.jsonl", "data/ca.jsonl", "data/es.jsonl"} {
		f, _ := os.Open(p)
		ex, _ := ReadExamples(f)
		for _, e := range ex {
			if p[0] == 'd' && e.Partition != "dev" {
				continue
			}
			got := m.Language(e.Text)
			if got != e.Lang && len(strings.Fields(e.Text)) >= envInt("MINW", 3) {
				t.Logf("%s %s→%q %q", p[:5], e.Lang, got, e.Text)
			}
		}
	}
}

func TestLangDebug(t *testing.T) {
	m, err := LoadFile("/tmp/gov.bin")
	if err != nil {
		t.Skip()
	}
	for _, txt := range []string{"mañana llueve en girona?", "el barça juega hoy?", "que hora es", "què sabeu de mi", "mostra el menú"} {
		var n normalizer
		n.run(txt)
		var s langScratch
		lm := m.lang
		got := lm.identify(txt, &n, &s)
		t.Logf("%q → %q scores %v langs %v nfeat %d", txt, got, s.scores[:2], lm.langs, len(s.feats))
	}
}

func TestLangTable(t *testing.T) {
	m, err := LoadFile("/tmp/gov.bin")
	if err != nil {
		t.Skip()
	}
	nz := 0
	var mx float32
	for _, v := range m.lang.table {
		if v != 0 {
			nz++
		}
		mx = max(mx, v)
	}
	t.Logf("bits %d len %d nz %d max %v", m.lang.bits, len(m.lang.table), nz, mx)
	var n normalizer
	txt := "mañana llueve"
	n.run(txt)
	var s langScratch
	feats := appendLangFeatures(nil, txt, &n, &s, nil)
	b := 1 << m.lang.bits
	for _, f := range feats {
		t.Logf("%d %v %v", f, m.lang.table[int(f)], m.lang.table[b+int(f)])
	}
}

func TestLangTok(t *testing.T) {
	m, err := LoadFile("/tmp/gov.bin")
	if err != nil {
		t.Skip()
	}
	for _, txt := range []string{"mañana", "llueve", "girona"} {
		var n normalizer
		n.run(txt)
		var s langScratch
		feats := appendLangFeatures(nil, txt, &n, &s, nil)
		b := 1 << m.lang.bits
		var w, c float32
		for _, f := range feats {
			if f&langWordFlag != 0 {
				w += m.lang.table[int(f)]
			} else {
				c += m.lang.table[int(f)]
			}
		}
		_ = b
		t.Logf("%s word %.3f chars %.3f (n=%d)", txt, w, c, len(feats))
	}
}

func TestLangCount(t *testing.T) {
	var all []Example
	for _, p := range []string{"data/ca.jsonl", "data/es.jsonl"} {
		f, _ := os.Open(p)
		ex, _ := ReadExamples(f)
		all = append(all, ex...)
	}
	var n normalizer
	var s langScratch
	n.run("mañana")
	target := appendLangFeatures(nil, "mañana", &n, &s, nil)[0]
	for _, ex := range all {
		n.run(ex.Text)
		feats := appendLangFeatures(nil, ex.Text, &n, &s, nil)
		for _, f := range feats {
			if f == target {
				t.Logf("%s %q", ex.Lang, ex.Text)
			}
		}
	}
}

func TestLangDevErr(t *testing.T) {
	var all []Example
	for _, p := range []string{"data/ca.jsonl", "data/es.jsonl"} {
		f, _ := os.Open(p)
		ex, _ := ReadExamples(f)
		all = append(all, ex...)
	}
	var train, dev []Example
	for _, e := range all {
		if e.Partition == "dev" {
			dev = append(dev, e)
		} else {
			train = append(train, e)
		}
	}
	lm := trainLangModel(train)
	lm.quantize()
	m := &Model{lang: lm, labels: []string{"x"}}
	for _, e := range dev {
		got := m.Language(e.Text)
		if got != e.Lang && len(strings.Fields(e.Text)) >= envInt("MINW", 1) {
			t.Logf("%s→%q %q", e.Lang, got, e.Text)
		}
	}
}

func TestNoiseFlips(t *testing.T) {
	m, err := LoadFile("model/intents.bin")
	if err != nil {
		t.Skip()
	}
	for _, p := range []string{"data/ca.jsonl", "data/es.jsonl", "testdata/holdout-ca.jsonl", "testdata/holdout-es.jsonl"} {
		f, _ := os.Open(p)
		ex, _ := ReadExamples(f)
		for _, e := range ex {
			if e.Partition == "train" {
				continue
			}
			pr := m.Predict(e.Text)
			if pr.Known == 0 {
				t.Logf("%s gold %s pred %s %.2f %q", p[:5], e.Label, pr.Label, pr.Confidence, e.Text)
			}
		}
	}
}

func TestEnsemble(t *testing.T) {
	path := os.Getenv("ENS_DATA")
	if path == "" {
		t.Skip()
	}
	var ex []Example
	for _, p := range strings.Split(path, ",") {
		f, _ := os.Open(p)
		e, _ := ReadExamples(f)
		ex = append(ex, e...)
	}
	var dev, test []Example
	for _, e := range ex {
		switch e.Partition {
		case "dev":
			dev = append(dev, e)
		case "test":
			test = append(test, e)
		}
	}
	n := envInt("ENS", 3)
	var models []*Model
	for seed := 1; seed <= n; seed++ {
		m, _, err := Train(ex, TrainOptions{Seed: uint64(seed), LearningRate: envF("LR", 0), Epochs: envInt("EP", 0), ClassWeight: envF("CW", 0)})
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, m)
		for _, set := range []struct {
			name string
			ex   []Example
		}{{"dev", dev}, {"test", test}} {
			if len(set.ex) == 0 {
				continue
			}
			var gold, pred []string
			for _, e := range set.ex {
				sum := make([]float64, len(models[0].labels))
				for _, m := range models {
					s := m.getScratch()
					s.norm.run(e.Text)
					s.ents = findEntities(s.ents[:0], e.Text, &s.norm, nil, fixedNow)
					m.predictScratch(s)
					for i, p := range s.probs {
						sum[i] += p
					}
					m.putScratch(s)
				}
				best := 0
				for i := range sum {
					if sum[i] > sum[best] {
						best = i
					}
				}
				gold = append(gold, e.Label)
				pred = append(pred, models[0].labels[best])
			}
			mt := Score(gold, pred)
			t.Logf("ensemble of %d: %s acc %.4f f1 %.4f", len(models), set.name, mt.Accuracy, mt.MacroF1)
		}
	}
}
