package intents

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/nlpodyssey/spago/ag"
	"github.com/nlpodyssey/spago/mat"
	"github.com/nlpodyssey/spago/mat/gradfn"
	"github.com/nlpodyssey/spago/nn"
	"github.com/nlpodyssey/spago/nn/embedding"
	"github.com/nlpodyssey/spago/optimizers/adam"
)

// Example is one labelled utterance.
type Example struct {
	Text      string
	Label     string
	Lang      string // "ca", "es", or "" when unknown
	Partition string // "train", "dev", "test", or ""
}

// LogValue logs the example without its text, which may come from a citizen.
func (e Example) LogValue() slog.Value {
	return slog.GroupValue(slog.String("label", e.Label), slog.String("lang", e.Lang),
		slog.String("partition", e.Partition), slog.Int("text_bytes", len(e.Text)))
}

// ReadExamples reads JSON Lines rows with an "intent" and a "text" (or "utt"), and optional
// "lang" and "partition". Blank lines are skipped; any other malformed line is an error that
// names its line number.
func ReadExamples(r io.Reader) ([]Example, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	var out []Example
	line := 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var row struct {
			Text      *string `json:"text"`
			Utt       *string `json:"utt"`
			Intent    *string `json:"intent"`
			Lang      string  `json:"lang"`
			Partition string  `json:"partition"`
		}
		if err := json.Unmarshal(b, &row); err != nil {
			return nil, fmt.Errorf("intents: read examples line %d: %w", line, err)
		}
		text := row.Text
		if text == nil {
			text = row.Utt
		}
		switch {
		case text == nil:
			return nil, fmt.Errorf("intents: read examples line %d: no \"text\" or \"utt\"", line)
		case row.Intent == nil || strings.TrimSpace(*row.Intent) == "":
			return nil, fmt.Errorf("intents: read examples line %d: no \"intent\"", line)
		}
		out = append(out, Example{Text: *text, Label: strings.TrimSpace(*row.Intent), Lang: row.Lang, Partition: row.Partition})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("intents: read examples line %d: %w", line+1, err)
	}
	return out, nil
}

// TrainOptions tunes Train. The zero value trains the shipped configuration.
type TrainOptions struct {
	Seed         uint64  // random seed: same examples and seed, same model bytes
	Epochs       int     // passes over the training examples (default 20)
	Dim          int     // size of the feature vectors (default 64)
	Hidden       int     // units of the tanh hidden layer; 0 for none (default 0)
	Bits         int     // log2 of the hashed feature buckets (default 16)
	CharMin      int     // shortest character n-gram, markers included (default 2)
	CharMax      int     // longest character n-gram (default 5)
	NoBigrams    bool    // leave out word bigrams
	WordShare    int     // weight in percent of the word features against the character n-grams (default 50; -1: all alike)
	LearningRate float64 // Adam step size (default 0.01)
	BatchSize    int     // examples per optimizer step (default 16)
	// ClassWeight is the power of the inverse class frequency that weights the loss of each
	// example: 1 balances the classes fully (default 0.5; negative: no weighting).
	ClassWeight float64
	// Sparse trains a linear layer straight over the hashed features (one weight per
	// bucket and label, Dim ignored, no hidden layer) instead of the bag of Dim-sized vectors.
	Sparse bool
	// Loss is "softmax" (cross-entropy, the default) or "hinge" (one-vs-rest squared hinge,
	// the loss of a linear SVM).
	Loss string
	// L2 is the decoupled weight decay of Adam (AdamW), applied to the parameters of each
	// step (default 0: none).
	L2 float64
	// Average exports the mean of the weights at the end of each epoch of the second half
	// of training (Polyak averaging) instead of the last weights.
	Average bool
	// SqrtNorm scales each feature group by the square root of its size instead of the size
	// (l2-normalized rows when no feature repeats).
	SqrtNorm bool
	// TrainPartition and DevPartition select the examples by Partition (defaults "train" and
	// "dev"). Examples with an empty Partition are training examples.
	TrainPartition string
	DevPartition   string
	// Progress, when not nil, receives one line per epoch.
	Progress io.Writer
}

func (o *TrainOptions) defaults() {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.Epochs, 20)
	def(&o.Dim, 64)
	def(&o.Bits, 16)
	def(&o.CharMin, 2)
	def(&o.CharMax, 5)
	def(&o.BatchSize, 16)
	def(&o.WordShare, 50)
	if o.WordShare < 0 {
		o.WordShare = 0
	}
	if o.LearningRate == 0 {
		o.LearningRate = 0.01
	}
	if o.ClassWeight == 0 {
		o.ClassWeight = 0.5
	}
	if o.ClassWeight < 0 {
		o.ClassWeight = 0
	}
	if o.Loss == "" {
		o.Loss = "softmax"
	}
	if o.TrainPartition == "" {
		o.TrainPartition = "train"
	}
	if o.DevPartition == "" {
		o.DevPartition = "dev"
	}
}

// TrainReport describes a training run.
type TrainReport struct {
	Train, Dev    int           // examples used
	Labels        int           // labels of the model
	Epochs        int           // passes done
	Duration      time.Duration // wall time of Train
	Temperature   float64       // fitted on dev; 1 without dev examples
	DevNLL        float64       // mean negative log-likelihood on dev, before calibration
	DevNLLCalib   float64       // the same after calibration
	DevECE        float64       // expected calibration error on dev (10 bins), before calibration
	DevECECalib   float64       // the same after calibration
	DevMetrics    *Metrics      // dev metrics of the trained model, nil without dev examples
	DevCoverage   float64       // share of dev predictions at or above DefaultThreshold
	DevAccCovered float64       // accuracy of those predictions
}

// Format writes the report for people.
func (r TrainReport) Format(w io.Writer) {
	fmt.Fprintf(w, "trained on %d examples (%d labels), %d epochs, in %s\n", r.Train, r.Labels, r.Epochs, r.Duration.Round(time.Millisecond))
	if r.DevMetrics == nil {
		fmt.Fprintln(w, "no dev examples: temperature 1, no dev metrics")
		return
	}
	fmt.Fprintf(w, "dev: %d examples; temperature %.3f; NLL %.4f → %.4f; ECE %.4f → %.4f\n",
		r.Dev, r.Temperature, r.DevNLL, r.DevNLLCalib, r.DevECE, r.DevECECalib)
	fmt.Fprintf(w, "dev at threshold %.2f: coverage %.4f, accuracy of covered %.4f\n", DefaultThreshold, r.DevCoverage, r.DevAccCovered)
	r.DevMetrics.Format(w)
}

// ErrNoExamples is returned (wrapped) by Train when no example is in the training partition.
var ErrNoExamples = errors.New("no training examples")

// encoded is an example turned into deduplicated feature buckets.
type encoded struct {
	feats   []int
	weights []float32
	label   int
}

// Train fits a model to the examples of the training partition with Adam, calibrates its
// temperature on the dev partition, and trains the language identifier on the examples of
// both partitions that have a Lang (it has nothing to calibrate). Other partitions are left
// out.
func Train(examples []Example, opts TrainOptions) (*Model, TrainReport, error) {
	start := time.Now()
	opts.defaults()
	var rep TrainReport
	if opts.Dim < 1 || opts.Dim > maxDim || opts.Hidden < 0 || opts.Hidden > maxDim || opts.Bits < 8 ||
		opts.Bits > 20 || opts.CharMin < 1 || opts.CharMax > 8 || opts.CharMin > opts.CharMax ||
		opts.Epochs < 1 || opts.BatchSize < 1 || !(opts.LearningRate > 0) || !(opts.L2 >= 0) ||
		(opts.Loss != "softmax" && opts.Loss != "hinge") || (opts.Sparse && opts.Hidden > 0) {
		return nil, rep, fmt.Errorf("intents: train: options out of range: %+v", opts)
	}
	var train, dev []Example
	for _, ex := range examples {
		switch ex.Partition {
		case opts.TrainPartition, "":
			train = append(train, ex)
		case opts.DevPartition:
			dev = append(dev, ex)
		}
	}
	if len(train) == 0 {
		return nil, rep, fmt.Errorf("intents: train: %w (partition %q)", ErrNoExamples, opts.TrainPartition)
	}
	for _, ex := range train {
		if len(ex.Label) > maxLabelLen {
			return nil, rep, fmt.Errorf("intents: train: label of %d bytes, more than %d", len(ex.Label), maxLabelLen)
		}
	}
	m := &Model{
		feat: featureConfig{
			Bits: uint8(opts.Bits), CharMin: uint8(opts.CharMin), CharMax: uint8(opts.CharMax),
			Bigrams: !opts.NoBigrams, WordShare: uint8(min(opts.WordShare, 100)),
		},
		dim:         opts.Dim,
		hidden:      opts.Hidden,
		temperature: 1,
	}
	// Labels in sorted order, so the model does not depend on the order of the examples.
	index := map[string]int{}
	for _, ex := range train {
		if _, ok := index[ex.Label]; !ok {
			index[ex.Label] = 0
			m.labels = append(m.labels, ex.Label)
		}
	}
	if len(m.labels) > maxLabels {
		return nil, rep, fmt.Errorf("intents: train: %d labels, more than %d", len(m.labels), maxLabels)
	}
	sortStrings(m.labels)
	for i, l := range m.labels {
		index[l] = i
	}
	m.findOther()
	if opts.SqrtNorm {
		m.feat.Norm = normSqrt
	}
	if opts.Sparse {
		m.dim = len(m.labels)
	}
	m.lang = trainLangModel(append(train[:len(train):len(train)], dev...))
	m.lang.quantize()

	data, known := m.encode(train, index)
	m.known = known
	counts := make([]float64, len(m.labels))
	for _, e := range data {
		counts[e.label]++
	}
	classW := make([]float64, len(m.labels))
	var wsum float64
	for i, c := range counts {
		classW[i] = math.Pow(float64(len(data))/(float64(len(m.labels))*c), opts.ClassWeight)
		wsum += classW[i] * c
	}
	for i := range classW {
		classW[i] *= float64(len(data)) / wsum // mean example weight 1
	}

	net := newNetwork(m, opts.Seed, opts.Sparse)
	net.hinge = opts.Loss == "hinge"
	strategy := &rowAdam{Adam: adam.New(adam.NewAdamWConfig(opts.LearningRate, 0.9, 0.999, 1e-8, opts.L2))}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))
	order := make([]int, len(data))
	for i := range order {
		order[i] = i
	}
	var avg paramAverage
	for epoch := 1; epoch <= opts.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var loss float64
		for b := 0; b < len(order); b += opts.BatchSize {
			for _, k := range order[b:min(b+opts.BatchSize, len(order))] {
				e := data[k]
				l := net.loss(e, classW[e.label])
				if err := ag.Backward(l); err != nil {
					return nil, rep, fmt.Errorf("intents: train: backward: %w", err)
				}
				loss += l.Value().Item().F64()
			}
			var stepErr error
			nn.ForEachParam(net, func(p *nn.Param) {
				if stepErr == nil && p.HasGrad() {
					stepErr = strategy.OptimizeParams(p)
				}
			})
			if stepErr != nil {
				return nil, rep, fmt.Errorf("intents: train: optimize: %w", stepErr)
			}
			net.Emb.ZeroGrad()
			strategy.IncExample()
		}
		if opts.Average && 2*epoch > opts.Epochs {
			avg.add(net)
		}
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, "epoch %d/%d: loss %.4f (%s)\n", epoch, opts.Epochs, loss/float64(len(data)), time.Since(start).Round(time.Millisecond))
		}
	}
	avg.apply(net)
	net.export(m)
	quantizeRows(m.emb, m.dim)

	rep.Train, rep.Dev, rep.Labels, rep.Epochs = len(data), len(dev), len(m.labels), opts.Epochs
	if len(dev) > 0 {
		m.calibrate(dev, &rep)
	}
	rep.Duration = time.Since(start)
	return m, rep, nil
}

// encode turns examples into deduplicated weighted features, and collects the words seen in
// examples of labels other than dialog.IntentOther: the words that mean something.
func (m *Model) encode(examples []Example, index map[string]int) ([]encoded, []uint64) {
	known := make([]uint64, knownBits/64)
	s := m.getScratch()
	defer m.putScratch(s)
	out := make([]encoded, 0, len(examples))
	pos := map[uint32]int{}
	for _, ex := range examples {
		s.norm.run(ex.Text)
		s.ents = findEntities(s.ents[:0], ex.Text, &s.norm, nil, fixedNow)
		s.kinds = entityFeatureKinds(s.kinds[:0], s.ents)
		var nWord int
		s.feats, nWord = m.feat.appendFeatures(s.feats[:0], &s.norm, s.kinds)
		if ex.Label != dialog.IntentOther {
			for i := range s.norm.toks {
				b := fmix32(hashWord(s.norm.text(i))) % knownBits
				known[b/64] |= 1 << (b % 64)
			}
		}
		e := encoded{label: index[ex.Label]}
		clear(pos)
		ww, wc := m.feat.weights(nWord, len(s.feats)-nWord)
		for i, f := range s.feats {
			w := wc
			if i < nWord {
				w = ww
			}
			if j, ok := pos[f]; ok {
				e.weights[j] += w
				continue
			}
			pos[f] = len(e.feats)
			e.feats = append(e.feats, int(f))
			e.weights = append(e.weights, w)
		}
		out = append(out, e)
	}
	return out, known
}

// network is the spago model trained by Train.
type network struct {
	nn.Module
	Emb    *embedding.Model
	W1, B1 *nn.Param
	W2, B2 *nn.Param // W2 is nil in a sparse network: the bag is the logits, plus B2
	hinge  bool      // one-vs-rest squared hinge loss instead of softmax cross-entropy
}

func newNetwork(m *Model, seed uint64, sparse bool) *network {
	rng := rand.New(rand.NewPCG(seed^0x5eed, seed+1))
	xavier := func(rows, cols int) *nn.Param {
		a := math.Sqrt(6 / float64(rows+cols))
		v := make([]float32, rows*cols)
		for i := range v {
			v[i] = float32((rng.Float64()*2 - 1) * a)
		}
		return nn.NewParam(mat.NewDense[float32](mat.WithShape(rows, cols), mat.WithBacking(v)))
	}
	zeros := func(n int) *nn.Param {
		return nn.NewParam(mat.NewDense[float32](mat.WithShape(n, 1)))
	}
	net := &network{Emb: embedding.New[float32](m.feat.buckets(), m.dim)}
	in := m.dim
	if m.hidden > 0 {
		net.W1, net.B1 = xavier(m.hidden, m.dim), zeros(m.hidden)
		in = m.hidden
	}
	if sparse {
		net.B2 = zeros(len(m.labels))
		return net
	}
	net.W2, net.B2 = xavier(len(m.labels), in), zeros(len(m.labels))
	return net
}

// loss builds the graph of one example and returns its weighted cross-entropy node. Every
// operator runs synchronously, and every node feeds one other, so gradients accumulate in a
// fixed order and training is deterministic.
func (net *network) loss(e encoded, weight float64) mat.Tensor {
	rows := make([]mat.Tensor, len(e.feats))
	for i, f := range e.feats {
		emb, _ := net.Emb.Embedding(f) // f < buckets by construction
		rows[i] = emb
	}
	x := mat.Tensor(ag.NewOperator(&bagOp{rows: rows, weights: e.weights, dim: net.Emb.Dim}).Run())
	if net.W1 != nil {
		x = ag.NewOperator(gradfn.NewAffine[mat.Tensor](net.B1, net.W1, x)).Run()
		x = ag.NewOperator(gradfn.NewTanh(x)).Run()
	}
	var logits mat.Tensor
	if net.W2 == nil {
		logits = ag.NewOperator(gradfn.NewAdd[mat.Tensor](x, net.B2)).Run()
	} else {
		logits = ag.NewOperator(gradfn.NewAffine[mat.Tensor](net.B2, net.W2, x)).Run()
	}
	if net.hinge {
		return ag.NewOperator(&squaredHinge{x: logits, target: e.label, weight: weight}).Run()
	}
	return ag.NewOperator(&softmaxCrossEntropy{x: logits, target: e.label, weight: weight}).Run()
}

// export copies the trained weights into the model's plain slices.
func (net *network) export(m *Model) {
	m.emb = make([]float32, m.feat.buckets()*m.dim)
	for i, p := range net.Emb.Weights {
		copy(m.emb[i*m.dim:], p.Value().Data().F32())
	}
	if net.W1 != nil {
		m.w1 = append([]float32(nil), net.W1.Value().Data().F32()...)
		m.b1 = append([]float32(nil), net.B1.Value().Data().F32()...)
	}
	if net.W2 == nil {
		// Sparse: the bag has one value per label; the output layer is the identity.
		m.w2 = make([]float32, m.dim*m.dim)
		for i := 0; i < m.dim; i++ {
			m.w2[i*m.dim+i] = 1
		}
	} else {
		m.w2 = append([]float32(nil), net.W2.Value().Data().F32()...)
	}
	m.b2 = append([]float32(nil), net.B2.Value().Data().F32()...)
}

// rowAdam is spago's Adam with an in-place update: the same equations, step size schedule
// (adam.Adam.IncExample) and decoupled weight decay, without the three matrices spago's
// OptimizeParams allocates per parameter and step — thousands of embedding rows per step.
type rowAdam struct {
	*adam.Adam
}

// rowAdamState holds the moments of one parameter.
type rowAdamState struct {
	v, m []float32
}

// OptimizeParams updates p from its gradient and zeroes the gradient.
func (o *rowAdam) OptimizeParams(p *nn.Param) error {
	w, ok := p.Value().(*mat.Dense[float32])
	if !ok {
		return o.Adam.OptimizeParams(p)
	}
	gt := p.Grad()
	if gt == nil {
		return nil
	}
	g := gt.Data().F32()
	data := w.Data().F32()
	st, ok := p.State.(*rowAdamState)
	if !ok {
		st = &rowAdamState{v: make([]float32, len(data)), m: make([]float32, len(data))}
		p.State = st
	}
	if len(g) != len(data) {
		return fmt.Errorf("adam: gradient of %d values for %d", len(g), len(data))
	}
	b1, b2 := float32(o.Beta1), float32(o.Beta2)
	alpha, eps, lambda := float32(o.Alpha), float32(o.Epsilon), float32(o.Lambda)
	for i, gi := range g {
		st.v[i] = b1*st.v[i] + (1-b1)*gi
		st.m[i] = b2*st.m[i] + (1-b2)*gi*gi
		d := st.v[i] / (float32(math.Sqrt(float64(st.m[i]))) + eps)
		if lambda != 0 {
			d += lambda * data[i]
		}
		data[i] -= alpha * d
	}
	p.ZeroGrad()
	return nil
}

// bagOp sums weighted embedding rows: the first layer as a sparse product.
type bagOp struct {
	rows    []mat.Tensor
	weights []float32
	dim     int
}

func (b *bagOp) Operands() []mat.Tensor { return b.rows }

func (b *bagOp) Forward() (mat.Tensor, error) {
	out := make([]float32, b.dim)
	for i, r := range b.rows {
		v := r.Value().Data().F32()
		if len(v) != len(out) {
			return nil, fmt.Errorf("bag: row %d has %d values, want %d", i, len(v), len(out))
		}
		w := b.weights[i]
		for j, x := range v {
			out[j] += w * x
		}
	}
	return mat.NewDense[float32](mat.WithBacking(out)), nil
}

func (b *bagOp) Backward(gy mat.Tensor) error {
	g := gy.Data().F32()
	// AccGrad copies or adds its argument, so one buffer serves every row.
	gr := make([]float32, len(g))
	buf := mat.NewDense[float32](mat.WithBacking(gr))
	for i, r := range b.rows {
		if !r.RequiresGrad() {
			continue
		}
		w := b.weights[i]
		for j, v := range g {
			gr[j] = w * v
		}
		r.AccGrad(buf)
	}
	return nil
}

// softmaxCrossEntropy is the weighted cross-entropy of the softmax of logits x.
type softmaxCrossEntropy struct {
	x      mat.Tensor
	target int
	weight float64
	probs  []float64
}

func (s *softmaxCrossEntropy) Operands() []mat.Tensor { return []mat.Tensor{s.x} }

func (s *softmaxCrossEntropy) Forward() (mat.Tensor, error) {
	v := s.x.Value().Data().F32()
	if s.target < 0 || s.target >= len(v) {
		return nil, fmt.Errorf("cross-entropy: target %d of %d logits", s.target, len(v))
	}
	s.probs = make([]float64, len(v))
	softmaxT(v, 1, s.probs)
	return mat.Scalar(float32(-s.weight * math.Log(math.Max(s.probs[s.target], 1e-30)))), nil
}

func (s *softmaxCrossEntropy) Backward(gy mat.Tensor) error {
	g := gy.Data().F32()[0] * float32(s.weight)
	gx := make([]float32, len(s.probs))
	for i, p := range s.probs {
		gx[i] = float32(p) * g
	}
	gx[s.target] -= g
	s.x.AccGrad(mat.NewDense[float32](mat.WithBacking(gx)))
	return nil
}

// squaredHinge is the weighted one-vs-rest squared hinge loss of scores x: the sum over the
// labels of max(0, 1 − t·x)², t = 1 for the target and −1 for the others.
type squaredHinge struct {
	x      mat.Tensor
	target int
	weight float64
	margin []float64 // max(0, 1 − t·x) per label
}

func (s *squaredHinge) Operands() []mat.Tensor { return []mat.Tensor{s.x} }

func (s *squaredHinge) Forward() (mat.Tensor, error) {
	v := s.x.Value().Data().F32()
	if s.target < 0 || s.target >= len(v) {
		return nil, fmt.Errorf("hinge: target %d of %d scores", s.target, len(v))
	}
	s.margin = make([]float64, len(v))
	var loss float64
	for i, x := range v {
		t := -1.0
		if i == s.target {
			t = 1
		}
		s.margin[i] = math.Max(0, 1-t*float64(x))
		loss += s.margin[i] * s.margin[i]
	}
	return mat.Scalar(float32(s.weight * loss)), nil
}

func (s *squaredHinge) Backward(gy mat.Tensor) error {
	g := float64(gy.Data().F32()[0]) * s.weight
	gx := make([]float32, len(s.margin))
	for i, mg := range s.margin {
		t := -1.0
		if i == s.target {
			t = 1
		}
		gx[i] = float32(-2 * t * mg * g)
	}
	s.x.AccGrad(mat.NewDense[float32](mat.WithBacking(gx)))
	return nil
}

// paramAverage accumulates snapshots of a network's parameters.
type paramAverage struct {
	sums [][]float64
	n    int
}

// params lists the parameters of net in a fixed order: embedding rows, then the layers.
func (net *network) params() []*nn.Param {
	ps := append([]*nn.Param(nil), net.Emb.Weights...)
	for _, p := range []*nn.Param{net.W1, net.B1, net.W2, net.B2} {
		if p != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

func (a *paramAverage) add(net *network) {
	ps := net.params()
	if a.sums == nil {
		a.sums = make([][]float64, len(ps))
	}
	for i, p := range ps {
		v := p.Value().Data().F32()
		if a.sums[i] == nil {
			a.sums[i] = make([]float64, len(v))
		}
		for j, x := range v {
			a.sums[i][j] += float64(x)
		}
	}
	a.n++
}

// apply replaces the parameters of net by their average, if any snapshot was taken.
func (a *paramAverage) apply(net *network) {
	if a.n == 0 {
		return
	}
	for i, p := range net.params() {
		v := p.Value().Data().F32()
		for j := range v {
			v[j] = float32(a.sums[i][j] / float64(a.n))
		}
	}
}
