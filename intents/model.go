package intents

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"
	"sync"

	"github.com/catalonia/mygov/dialog"
)

// Model is a trained intent classifier: hashed word and character n-gram features summed
// into a dense vector ("bag of hashed features"), an optional tanh hidden layer, and a
// softmax over the labels, calibrated by a temperature. A sparse model (TrainOptions.Sparse)
// has one vector value per label and the identity as output layer: a linear model over the
// hashed features. It also carries the character
// n-gram tables of the language identifier.
//
// A Model is read-only once trained or loaded, and safe for concurrent use.
type Model struct {
	labels      []string
	feat        featureConfig
	dim         int
	hidden      int
	emb         []float32 // buckets × dim
	w1, b1      []float32 // hidden × dim, hidden
	w2, b2      []float32 // labels × in, labels; in is hidden, or dim without a hidden layer
	temperature float64
	known       []uint64 // bit set of the words seen in training examples not labelled other
	lang        langModel
	other       int // index of dialog.IntentOther in labels, or -1

	pool sync.Pool // *scratch
}

// knownBits is the size of the seen-words bit set.
const knownBits = 1 << 16

// Labels returns the labels the model predicts, in the order of its outputs.
func (m *Model) Labels() []string { return append([]string(nil), m.labels...) }

// Temperature returns the softmax temperature fitted on the dev split (1 without one).
func (m *Model) Temperature() float64 { return m.temperature }

// Languages returns the languages the language identifier was trained on.
func (m *Model) Languages() []string { return append([]string(nil), m.lang.langs...) }

// scratch is the per-call working memory of a prediction.
type scratch struct {
	norm   normalizer
	feats  []uint32
	x      []float32
	h      []float32
	logits []float32
	probs  []float64
	ents   []entityHit
	kinds  []string
	lang   langScratch
	lex    lexScratch
	warm   uint32 // warmRows' result, unused
}

func (m *Model) getScratch() *scratch {
	if s, ok := m.pool.Get().(*scratch); ok {
		return s
	}
	s := &scratch{
		x:      make([]float32, m.dim),
		h:      make([]float32, m.hidden),
		logits: make([]float32, len(m.labels)),
		probs:  make([]float64, len(m.labels)),
	}
	return s
}

func (m *Model) putScratch(s *scratch) {
	if cap(s.feats) > 1<<14 {
		s.feats = nil
	}
	m.pool.Put(s)
}

// Prediction is the model's reading of one text.
type Prediction struct {
	Label      string
	Confidence float64 // calibrated probability of Label
	Known      int     // words seen in training examples not labelled other
	Words      int     // words after normalization
}

// NoiseConfidence caps the confidence of dialog.IntentOther for a message that has no word
// the model learned from an example of another intent, and no entity (empty text, emoji,
// keyboard mashing), unless the model reads another intent in its letters with at least
// DefaultThreshold ("holis", "desapuntame"). Models without an "other" label keep their answer.
const NoiseConfidence = 0.2

// Predict returns the most probable label of text and its calibrated probability.
func (m *Model) Predict(text string) Prediction {
	s := m.getScratch()
	defer m.putScratch(s)
	s.norm.run(text)
	s.ents = findEntities(s.ents[:0], text, &s.norm, nil, fixedNow)
	return m.predictScratch(s)
}

// predictScratch classifies the normalized text and entities in s (see NoiseConfidence).
func (m *Model) predictScratch(s *scratch) Prediction {
	s.kinds = entityFeatureKinds(s.kinds[:0], s.ents)
	var nWord int
	s.feats, nWord = m.feat.appendFeatures(s.feats[:0], &s.norm, s.kinds)
	s.warm = m.warmRows(s.feats)
	m.logitsOf(s.feats, nWord, s.x, s.h, s.logits)
	softmaxT(s.logits, m.temperature, s.probs)
	best := 0
	for i, p := range s.probs {
		if p > s.probs[best] {
			best = i
		}
	}
	pred := Prediction{Label: m.labels[best], Confidence: s.probs[best], Words: len(s.norm.toks)}
	for i := range s.norm.toks {
		if m.isKnown(hashWord(s.norm.text(i))) {
			pred.Known++
		}
	}
	if pred.Known == 0 && len(s.ents) == 0 && m.other >= 0 &&
		(pred.Label == dialog.IntentOther || pred.Confidence < DefaultThreshold) {
		pred.Label, pred.Confidence = dialog.IntentOther, min(s.probs[m.other], NoiseConfidence)
	}
	return pred
}

// maxAlternatives is how many runner-up intents Classify reports.
const maxAlternatives = 3

// alternatives returns the most probable labels after best, most probable first.
func (m *Model) alternatives(probs []float64, best string) []dialog.Alternative {
	out := make([]dialog.Alternative, 0, maxAlternatives+1)
	for i, p := range probs {
		if m.labels[i] == best {
			continue
		}
		a := dialog.Alternative{Intent: m.labels[i], Confidence: p}
		j := len(out)
		for j > 0 && out[j-1].Confidence < p {
			j--
		}
		if j >= maxAlternatives {
			continue
		}
		out = slices.Insert(out, j, a)
		if len(out) > maxAlternatives {
			out = out[:maxAlternatives]
		}
	}
	return out
}

// findOther sets m.other.
func (m *Model) findOther() {
	m.other = -1
	for i, l := range m.labels {
		if l == dialog.IntentOther {
			m.other = i
		}
	}
}

func (m *Model) isKnown(h uint32) bool {
	if len(m.known) == 0 {
		return true
	}
	b := fmix32(h) % knownBits
	return m.known[b/64]&(1<<(b%64)) != 0
}

// warmRows reads one value in each cache line of the embedding rows of feats and returns
// their bits xored, which only keeps the reads from being optimized away. The rows are scattered
// over the whole table (16 MB for the shipped model), which a turn's other work pushes out
// of the processor's caches: logitsOf, adding them up row after row, waits for one row at a
// time, whereas these reads do not depend on each other, so the processor waits for all of
// them at once. It does not change what logitsOf computes.
func (m *Model) warmRows(feats []uint32) uint32 {
	const line = 16 // float32 values in a 64-byte cache line
	d := m.dim
	var sum uint32 // bits xored: a float sum would chain the reads' adds, 4 cycles each
	for _, f := range feats {
		row := m.emb[int(f)*d : int(f)*d+d]
		for j := 0; j < len(row); j += line {
			sum ^= math.Float32bits(row[j])
		}
	}
	return sum
}

// logitsOf computes the raw logits of the features, the first nWord of them word-level.
func (m *Model) logitsOf(feats []uint32, nWord int, x, h, logits []float32) {
	d := m.dim
	clear(x)
	ww, wc := m.feat.weights(nWord, len(feats)-nWord)
	for i, f := range feats {
		w := wc
		if i < nWord {
			w = ww
		}
		row := m.emb[int(f)*d : int(f)*d+d]
		for j, v := range row {
			x[j] += w * v
		}
	}
	in := x
	if m.hidden > 0 {
		for i := 0; i < m.hidden; i++ {
			w := m.w1[i*d : i*d+d]
			sum := m.b1[i]
			for j, v := range w {
				sum += v * x[j]
			}
			h[i] = float32(math.Tanh(float64(sum)))
		}
		in = h
	}
	n := len(in)
	for i := range logits {
		w := m.w2[i*n : i*n+n]
		sum := m.b2[i]
		for j, v := range w {
			sum += v * in[j]
		}
		logits[i] = sum
	}
}

// softmaxT writes softmax(logits / t) into probs.
func softmaxT(logits []float32, t float64, probs []float64) {
	if t <= 0 {
		t = 1
	}
	maxv := math.Inf(-1)
	for _, v := range logits {
		maxv = math.Max(maxv, float64(v)/t)
	}
	var sum float64
	for i, v := range logits {
		e := math.Exp(float64(v)/t - maxv)
		probs[i] = e
		sum += e
	}
	for i := range probs {
		probs[i] /= sum
	}
}

// File format: magic, then sections, then the CRC-32 (IEEE) of everything before it.
// All numbers are little endian.
// Version 2 added the byte of featureConfig.Norm; version 1 files are read with normMean.
const (
	modelMagic   = "MYGOVIC\x02"
	modelMagicV1 = "MYGOVIC\x01"
)

// Model size limits, checked on load so that a corrupt file cannot ask for absurd memory.
const (
	maxLabels   = 1 << 12
	maxLabelLen = 1 << 10
	maxDim      = 1 << 10
	maxBits     = 22
	maxFileSize = 64 << 20
)

// WriteTo writes the model in its binary format. The same model always gives the same bytes.
func (m *Model) WriteTo(w io.Writer) (int64, error) {
	var b bytes.Buffer
	b.WriteString(modelMagic)
	putU32(&b, uint32(len(m.labels)))
	for _, l := range m.labels {
		putString(&b, l)
	}
	b.WriteByte(m.feat.Bits)
	b.WriteByte(m.feat.CharMin)
	b.WriteByte(m.feat.CharMax)
	b.WriteByte(boolByte(m.feat.Bigrams))
	b.WriteByte(m.feat.WordShare)
	b.WriteByte(m.feat.Norm)
	putU32(&b, uint32(m.dim))
	putU32(&b, uint32(m.hidden))
	putF64(&b, m.temperature)
	writeQuantizedRows(&b, m.emb, m.dim)
	putFloats(&b, m.w1)
	putFloats(&b, m.b1)
	putFloats(&b, m.w2)
	putFloats(&b, m.b2)
	putU32(&b, uint32(len(m.known)))
	for _, k := range m.known {
		putU64(&b, k)
	}
	m.lang.write(&b)
	putU32(&b, crc32.ChecksumIEEE(b.Bytes()))
	n, err := w.Write(b.Bytes())
	if err != nil {
		return int64(n), fmt.Errorf("intents: write model: %w", err)
	}
	return int64(n), nil
}

// SaveFile writes the model to path.
func (m *Model) SaveFile(path string) error {
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("intents: save model %s: %w", path, err)
	}
	return nil
}

// ErrBadModel is returned (wrapped) when a model file is corrupt or of another format.
var ErrBadModel = errors.New("bad model file")

// Load reads a model written by WriteTo.
func Load(r io.Reader) (*Model, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("intents: load model: %w", err)
	}
	m, err := decodeModel(data)
	if err != nil {
		return nil, fmt.Errorf("intents: load model: %w", err)
	}
	return m, nil
}

// LoadFile reads a model file written by SaveFile.
func LoadFile(path string) (*Model, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("intents: load model: %w", err)
	}
	defer f.Close()
	m, err := Load(f)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return m, nil
}

func decodeModel(data []byte) (*Model, error) {
	if len(data) > maxFileSize {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrBadModel, maxFileSize)
	}
	if len(data) < len(modelMagic)+4 || (string(data[:len(modelMagic)]) != modelMagic && string(data[:len(modelMagic)]) != modelMagicV1) {
		return nil, fmt.Errorf("%w: not a MyGov intents model", ErrBadModel)
	}
	body := data[:len(data)-4]
	if crc32.ChecksumIEEE(body) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrBadModel)
	}
	d := &decoder{b: body[len(modelMagic):]}
	m := &Model{}
	nl := d.u32()
	if nl == 0 || nl > maxLabels {
		return nil, fmt.Errorf("%w: %d labels", ErrBadModel, nl)
	}
	for i := uint32(0); i < nl && d.err == nil; i++ {
		m.labels = append(m.labels, d.str())
	}
	m.feat.Bits = d.u8()
	m.feat.CharMin = d.u8()
	m.feat.CharMax = d.u8()
	m.feat.Bigrams = d.u8() != 0
	m.feat.WordShare = d.u8()
	if string(data[:len(modelMagic)]) == modelMagic {
		m.feat.Norm = d.u8()
	}
	m.dim = int(d.u32())
	m.hidden = int(d.u32())
	m.temperature = d.f64()
	if d.err != nil {
		return nil, d.err
	}
	if m.feat.Bits == 0 || m.feat.Bits > maxBits || m.dim == 0 || m.dim > maxDim || m.hidden > maxDim ||
		m.feat.CharMax > maxTokenRunes || m.feat.CharMin > m.feat.CharMax+1 ||
		m.feat.buckets()*m.dim > 1<<24 || m.feat.WordShare > 100 || m.feat.Norm > normSqrt || !(m.temperature > 0 && m.temperature < 1e6) {
		return nil, fmt.Errorf("%w: bad dimensions", ErrBadModel)
	}
	m.emb = d.quantizedRows(m.feat.buckets(), m.dim)
	in := m.dim
	if m.hidden > 0 {
		in = m.hidden
	}
	m.w1 = d.floats(m.hidden * m.dim)
	m.b1 = d.floats(m.hidden)
	m.w2 = d.floats(len(m.labels) * in)
	m.b2 = d.floats(len(m.labels))
	nk := d.u32()
	if nk != 0 && nk != knownBits/64 {
		return nil, fmt.Errorf("%w: bad word set", ErrBadModel)
	}
	for i := uint32(0); i < nk && d.err == nil; i++ {
		m.known = append(m.known, d.u64())
	}
	m.lang = d.langModel()
	if d.err != nil {
		return nil, d.err
	}
	m.findOther()
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrBadModel, len(d.b))
	}
	return m, nil
}

// writeQuantizedRows writes a rows × dim matrix as a bit set of its non-zero rows followed
// by each such row as a float32 scale and dim signed bytes.
func writeQuantizedRows(b *bytes.Buffer, data []float32, dim int) {
	rows := len(data) / dim
	set := make([]uint64, (rows+63)/64)
	nz := 0
	for r := 0; r < rows; r++ {
		for _, v := range data[r*dim : r*dim+dim] {
			if v != 0 {
				set[r/64] |= 1 << (r % 64)
				nz++
				break
			}
		}
	}
	putU32(b, uint32(rows))
	putU32(b, uint32(nz))
	for _, s := range set {
		putU64(b, s)
	}
	q := make([]byte, dim)
	for r := 0; r < rows; r++ {
		if set[r/64]&(1<<(r%64)) == 0 {
			continue
		}
		row := data[r*dim : r*dim+dim]
		scale := rowScale(row)
		for j, v := range row {
			q[j] = byte(int8(quantize(v, scale)))
		}
		putF32(b, scale)
		b.Write(q)
	}
}

// rowScale is the quantization step of a row: its largest magnitude over 127.
func rowScale(row []float32) float32 {
	var mx float32
	for _, v := range row {
		mx = max(mx, float32(math.Abs(float64(v))))
	}
	return mx / 127
}

func quantize(v, scale float32) int {
	if scale == 0 {
		return 0
	}
	q := int(math.RoundToEven(float64(v / scale)))
	return max(-127, min(127, q))
}

// quantizeRows replaces every row by its quantized value, as writeQuantizedRows stores it,
// so that a trained model predicts exactly what its file will.
func quantizeRows(data []float32, dim int) {
	for r := 0; r+dim <= len(data); r += dim {
		row := data[r : r+dim]
		scale := rowScale(row)
		for j, v := range row {
			row[j] = float32(quantize(v, scale)) * scale
		}
	}
}

type decoder struct {
	b   []byte
	err error
}

func (d *decoder) take(n int) []byte {
	if d.err != nil {
		return nil
	}
	if n < 0 || n > len(d.b) {
		d.err = fmt.Errorf("%w: truncated", ErrBadModel)
		return nil
	}
	p := d.b[:n]
	d.b = d.b[n:]
	return p
}

func (d *decoder) u8() byte {
	p := d.take(1)
	if p == nil {
		return 0
	}
	return p[0]
}

func (d *decoder) u32() uint32 {
	p := d.take(4)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint32(p)
}

func (d *decoder) u64() uint64 {
	p := d.take(8)
	if p == nil {
		return 0
	}
	return binary.LittleEndian.Uint64(p)
}

func (d *decoder) f64() float64 { return math.Float64frombits(d.u64()) }

func (d *decoder) str() string {
	n := d.u32()
	if n > maxLabelLen {
		d.err = fmt.Errorf("%w: string of %d bytes", ErrBadModel, n)
		return ""
	}
	return string(d.take(int(n)))
}

func (d *decoder) floats(n int) []float32 {
	p := d.take(4 * n)
	if p == nil {
		return make([]float32, n)
	}
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(p[4*i:]))
	}
	return out
}

func (d *decoder) quantizedRows(rows, dim int) []float32 {
	if got := int(d.u32()); got != rows && d.err == nil {
		d.err = fmt.Errorf("%w: %d rows, want %d", ErrBadModel, got, rows)
	}
	nz := int(d.u32())
	words := (rows + 63) / 64
	set := make([]uint64, 0, words)
	for i := 0; i < words && d.err == nil; i++ {
		set = append(set, d.u64())
	}
	if d.err != nil {
		return nil
	}
	if nz > rows || nz*(4+dim) > len(d.b) {
		d.err = fmt.Errorf("%w: truncated rows", ErrBadModel)
		return nil
	}
	out := make([]float32, rows*dim)
	seen := 0
	for r := 0; r < rows && d.err == nil; r++ {
		if set[r/64]&(1<<(r%64)) == 0 {
			continue
		}
		seen++
		scale := math.Float32frombits(d.u32())
		q := d.take(dim)
		for j, v := range q {
			out[r*dim+j] = float32(int8(v)) * scale
		}
	}
	if seen != nz && d.err == nil {
		d.err = fmt.Errorf("%w: row count mismatch", ErrBadModel)
	}
	return out
}

func putU32(b *bytes.Buffer, v uint32)  { b.Write(binary.LittleEndian.AppendUint32(nil, v)) }
func putU64(b *bytes.Buffer, v uint64)  { b.Write(binary.LittleEndian.AppendUint64(nil, v)) }
func putF32(b *bytes.Buffer, v float32) { putU32(b, math.Float32bits(v)) }
func putF64(b *bytes.Buffer, v float64) { putU64(b, math.Float64bits(v)) }

func putString(b *bytes.Buffer, s string) {
	putU32(b, uint32(len(s)))
	b.WriteString(s)
}

func putFloats(b *bytes.Buffer, v []float32) {
	for _, f := range v {
		putF32(b, f)
	}
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
