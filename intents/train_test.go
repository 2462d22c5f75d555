package intents

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"log/slog"
	"strings"
	"testing"
)

// tinyExamples is a small synthetic data set: three labels, two languages, train and dev.
func tinyExamples() []Example {
	var out []Example
	add := func(label, lang string, texts ...string) {
		for i, t := range texts {
			part := "train"
			if i%4 == 3 {
				part = "dev"
			}
			out = append(out, Example{Text: t, Label: label, Lang: lang, Partition: part})
		}
	}
	add("status", "ca", "com va el meu expedient", "estat de la sol·licitud", "ja m'han aprovat la beca?", "com està la meva ajuda", "quan cobraré la renda", "expedient EXP-2026-000101")
	add("status", "es", "cómo va mi expediente", "estado de la solicitud", "ya me han aprobado la beca?", "cómo está mi ayuda", "cuándo cobraré la renta", "expediente EXP-2026-000101")
	add("greeting", "ca", "hola bon dia", "bona tarda", "bon dia!", "ei hola", "bones", "hola, què tal?")
	add("greeting", "es", "hola buenos días", "buenas tardes", "buenos días!", "hey hola", "buenas", "hola, qué tal?")
	add("stop", "ca", "no m'envieu més missatges", "para de escriure'm", "deixa d'enviar", "baixa dels avisos", "prou missatges", "no vull més avisos")
	add("stop", "es", "no me enviéis más mensajes", "deja de escribirme", "deja de enviar", "baja de los avisos", "basta de mensajes", "no quiero más avisos")
	return out
}

var tinyOptions = TrainOptions{Seed: 7, Epochs: 8, Dim: 8, Bits: 12, CharMax: 4}

// tinySparse trains the linear SVM-like variant: sparse layer, squared hinge, weight decay,
// square-root scaling, averaged weights.
var tinySparse = TrainOptions{Seed: 7, Epochs: 8, Bits: 12, CharMax: 4, Sparse: true, Loss: "hinge",
	L2: 0.01, SqrtNorm: true, Average: true, LearningRate: 0.03}

func modelBytes(t *testing.T, m *Model) []byte {
	t.Helper()
	var b bytes.Buffer
	if _, err := m.WriteTo(&b); err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	return b.Bytes()
}

func TestTrainDeterministic(t *testing.T) {
	t.Run("Dense", func(t *testing.T) { testTrainDeterministic(t, tinyOptions) })
	t.Run("Sparse", func(t *testing.T) { testTrainDeterministic(t, tinySparse) })
}

func testTrainDeterministic(t *testing.T, tinyOptions TrainOptions) {
	ex := tinyExamples()
	m1, _, err := Train(ex, tinyOptions)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	m2, _, err := Train(ex, tinyOptions)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	if !bytes.Equal(modelBytes(t, m1), modelBytes(t, m2)) {
		t.Errorf("two trainings with seed %d gave different model bytes", tinyOptions.Seed)
	}
	for _, e := range ex {
		if p1, p2 := m1.Predict(e.Text), m2.Predict(e.Text); p1 != p2 {
			t.Errorf("Predict(%q) = %+v and %+v", e.Text, p1, p2)
		}
	}
	opts := tinyOptions
	opts.Seed++
	m3, _, err := Train(ex, opts)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	if bytes.Equal(modelBytes(t, m1), modelBytes(t, m3)) {
		t.Errorf("seeds %d and %d gave the same model bytes", tinyOptions.Seed, opts.Seed)
	}
}

func TestTrainLearns(t *testing.T) {
	t.Run("Dense", func(t *testing.T) { testTrainLearns(t, tinyOptions) })
	t.Run("Sparse", func(t *testing.T) { testTrainLearns(t, tinySparse) })
}

func testTrainLearns(t *testing.T, tinyOptions TrainOptions) {
	ex := tinyExamples()
	m, rep, err := Train(ex, tinyOptions)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	if got, want := m.Labels(), []string{"greeting", "status", "stop"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Labels() = %v, want %v", got, want)
	}
	if rep.Train+rep.Dev != len(ex) || rep.DevMetrics == nil {
		t.Errorf("report: %d train + %d dev, dev metrics %v; want %d examples and metrics", rep.Train, rep.Dev, rep.DevMetrics, len(ex))
	}
	if rep.Temperature <= 0 {
		t.Errorf("Temperature = %v, want > 0", rep.Temperature)
	}
	var train []Example
	for _, e := range ex {
		if e.Partition == "train" {
			train = append(train, e)
		}
	}
	if got := Evaluate(m, train).Accuracy; got < 0.9 {
		t.Errorf("training accuracy = %.3f, want ≥ 0.9", got)
	}
}

func TestTrainErrors(t *testing.T) {
	t.Run("ErrNoExamples", func(t *testing.T) {
		_, _, err := Train([]Example{{Text: "hola", Label: "greeting", Partition: "dev"}}, tinyOptions)
		if !errors.Is(err, ErrNoExamples) {
			t.Errorf("Train(dev only) error = %v, want ErrNoExamples", err)
		}
	})
	for name, change := range map[string]func(*TrainOptions){
		"Bits":      func(o *TrainOptions) { o.Bits = 40 },
		"Dim":       func(o *TrainOptions) { o.Dim = -1 },
		"CharRange": func(o *TrainOptions) { o.CharMin, o.CharMax = 5, 3 },
		"Rate":      func(o *TrainOptions) { o.LearningRate = -1 },
		"Loss":      func(o *TrainOptions) { o.Loss = "logistic" },
		"L2":        func(o *TrainOptions) { o.L2 = -1 },
		"Sparse":    func(o *TrainOptions) { o.Sparse, o.Hidden = true, 4 },
	} {
		t.Run("BadOption"+name, func(t *testing.T) {
			opts := tinyOptions
			change(&opts)
			if _, _, err := Train(tinyExamples(), opts); err == nil {
				t.Errorf("Train(%+v) error = nil, want an error", opts)
			}
		})
	}
	t.Run("EmptyTexts", func(t *testing.T) {
		ex := append(tinyExamples(), Example{Text: "", Label: "other"}, Example{Text: "😂", Label: "other"})
		if _, _, err := Train(ex, tinyOptions); err != nil {
			t.Errorf("Train(with empty texts) error = %v", err)
		}
	})
}

func TestSaveLoadRoundTrip(t *testing.T) {
	hidden := tinyOptions
	hidden.Hidden = 4
	for name, opts := range map[string]TrainOptions{"Linear": tinyOptions, "Hidden": hidden, "Sparse": tinySparse} {
		t.Run(name, func(t *testing.T) { testSaveLoadRoundTrip(t, opts) })
	}
}

func testSaveLoadRoundTrip(t *testing.T, opts TrainOptions) {
	m, _, err := Train(tinyExamples(), opts)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	data := modelBytes(t, m)
	loaded, err := Load(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if !bytes.Equal(modelBytes(t, loaded), data) {
		t.Error("WriteTo(Load(b)) != b")
	}
	for _, e := range append(tinyExamples(), Example{Text: "què vols dir?"}) {
		if got, want := loaded.Predict(e.Text), m.Predict(e.Text); got != want {
			t.Errorf("loaded Predict(%q) = %+v, want %+v", e.Text, got, want)
		}
		if got, want := loaded.Language(e.Text), m.Language(e.Text); got != want {
			t.Errorf("loaded Language(%q) = %q, want %q", e.Text, got, want)
		}
	}
	path := t.TempDir() + "/m.bin"
	if err := m.SaveFile(path); err != nil {
		t.Fatalf("SaveFile: %v", err)
	}
	if _, err := LoadFile(path); err != nil {
		t.Errorf("LoadFile: %v", err)
	}
}

func TestLoadCorrupt(t *testing.T) {
	m, _, err := Train(tinyExamples(), tinyOptions)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	data := modelBytes(t, m)
	flipped := bytes.Clone(data)
	flipped[len(flipped)/2] ^= 0xff
	tests := []struct {
		name string
		in   []byte
	}{
		{"Empty", nil},
		{"OtherFormat", []byte("GIF89a...")},
		{"Truncated", data[:len(data)/2]},
		{"FlippedByte", flipped},
		{"MagicOnly", []byte(modelMagic)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := Load(bytes.NewReader(tt.in)); !errors.Is(err, ErrBadModel) {
				t.Errorf("Load(%s) error = %v, want ErrBadModel", tt.name, err)
			}
		})
	}
	t.Run("MissingFile", func(t *testing.T) {
		if _, err := LoadFile(t.TempDir() + "/none.bin"); err == nil {
			t.Error("LoadFile(missing) error = nil")
		}
	})
}

func TestReadExamples(t *testing.T) {
	t.Run("Valid", func(t *testing.T) {
		in := `{"text": "hola", "lang": "ca", "intent": "greeting", "partition": "train"}

{"utt": "Poner alarma", "intent": "alarm/set_alarm", "partition": "test", "id": "x"}
{"text": "adéu", "intent": " goodbye "}
`
		got, err := ReadExamples(strings.NewReader(in))
		if err != nil {
			t.Fatalf("ReadExamples: %v", err)
		}
		want := []Example{
			{Text: "hola", Label: "greeting", Lang: "ca", Partition: "train"},
			{Text: "Poner alarma", Label: "alarm/set_alarm", Partition: "test"},
			{Text: "adéu", Label: "goodbye"},
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("ReadExamples = %+v, want %+v", got, want)
		}
	})
	tests := []struct {
		name, in, want string
	}{
		{"BadJSON", "{\"text\": \"hola\", \"intent\": \"greeting\"}\n{\"text\": \"adéu\", intent}\n", "line 2"},
		{"NoIntent", "\n\n{\"text\": \"hola\"}\n", "line 3: no \"intent\""},
		{"EmptyIntent", "{\"text\": \"hola\", \"intent\": \"\"}\n", "line 1: no \"intent\""},
		{"NoText", "{\"intent\": \"greeting\"}", "line 1: no \"text\" or \"utt\""},
		{"NotAnObject", "[1, 2]", "line 1"},
		{"TooLong", "{\"text\": \"" + strings.Repeat("a", 5<<20) + "\", \"intent\": \"x\"}", "line 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadExamples(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "intents: read examples") {
				t.Errorf("ReadExamples error = %v, want one with %q", err, tt.want)
			}
		})
	}
}

func TestScore(t *testing.T) {
	gold := []string{"a", "a", "a", "b", "b", "c"}
	pred := []string{"a", "a", "b", "b", "b", "x"}
	mt := Score(gold, pred)
	if mt.N != 6 || mt.Correct != 4 {
		t.Errorf("N, Correct = %d, %d, want 6, 4", mt.N, mt.Correct)
	}
	// F1: a = 0.8, b = 0.8, c = 0 (x is predicted only and left out of the macro average).
	if got, want := mt.MacroF1, (0.8+0.8+0.0)/3; fmt.Sprintf("%.6f", got) != fmt.Sprintf("%.6f", want) {
		t.Errorf("MacroF1 = %v, want %v", got, want)
	}
	if len(mt.Confusions) != 2 || mt.Confusions[0] != (Confusion{Gold: "a", Predicted: "b", Count: 1}) {
		t.Errorf("Confusions = %v, want a → b first", mt.Confusions)
	}
	var b strings.Builder
	mt.Format(&b)
	if !strings.Contains(b.String(), "accuracy 0.6667") || !strings.Contains(b.String(), "a → b") {
		t.Errorf("Format = %q", b.String())
	}
}

func TestExampleLogValue(t *testing.T) {
	var b bytes.Buffer
	slog.New(slog.NewTextHandler(&b, nil)).Info("example", "ex", Example{Text: "el meu DNI és 12345678Z", Label: "my_data", Lang: "ca"})
	if got := b.String(); strings.Contains(got, "12345678Z") || !strings.Contains(got, "ex.label=my_data") {
		t.Errorf("logged %q, want the label and no text", got)
	}
}

// TestLoadVersion1 reads a model in the format before featureConfig.Norm: version 1 magic,
// no Norm byte.
func TestLoadVersion1(t *testing.T) {
	m, _, err := Train(tinyExamples(), tinyOptions)
	if err != nil {
		t.Fatalf("Train: %v", err)
	}
	v2 := modelBytes(t, m)
	// The Norm byte follows the magic, the labels and five bytes of featureConfig.
	off := len(modelMagic) + 4
	for _, l := range m.labels {
		off += 4 + len(l)
	}
	off += 5
	if v2[off] != normMean {
		t.Fatalf("Norm byte = %d, want %d", v2[off], normMean)
	}
	var v1 []byte
	v1 = append(v1, modelMagicV1...)
	v1 = append(v1, v2[len(modelMagic):off]...)
	v1 = append(v1, v2[off+1:len(v2)-4]...)
	v1 = binary.LittleEndian.AppendUint32(v1, crc32.ChecksumIEEE(v1))
	loaded, err := Load(bytes.NewReader(v1))
	if err != nil {
		t.Fatalf("Load(version 1): %v", err)
	}
	if !bytes.Equal(modelBytes(t, loaded), v2) {
		t.Error("WriteTo(Load(version 1)) != the version 2 bytes")
	}
}
