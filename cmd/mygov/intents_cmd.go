package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/intents"
	"github.com/catalonia/mygov/records/demo"
)

// maxClassifyLine is the longest input line classify reads whole; the rest of a longer
// line is skipped (the classifier reads intents.MaxRunes runes anyway).
const maxClassifyLine = 64 << 10

// runClassify classifies one utterance per line of stdin and writes one result per line:
// "intent<TAB>confidence<TAB>lang", or a JSON object with --json.
func runClassify(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("classify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelPath := fs.String("model", "", "model file (default: the embedded model)")
	asJSON := fs.Bool("json", false, "write one JSON object per line")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mygov classify [--model PATH] [--json] < utterances.txt")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	// Procedure names come from the benefits catalog that ships with the demo data, so
	// "com va la renda garantida?" names its procedure here as it does in a conversation.
	gazetteer := intents.WithProcedures(procedures(demo.Dataset(time.Now()).Benefits))
	var c *intents.Classifier
	if *modelPath == "" {
		var err error
		if c, err = intents.Default(gazetteer); err != nil {
			fmt.Fprintf(stderr, "mygov classify: %v\n", err)
			return 1
		}
	} else {
		m, err := intents.LoadFile(*modelPath)
		if err != nil {
			fmt.Fprintf(stderr, "mygov classify: %v\n", err)
			return 1
		}
		c = intents.NewClassifier(m, gazetteer)
	}
	out := bufio.NewWriter(stdout)
	defer out.Flush()
	in := bufio.NewReaderSize(stdin, maxClassifyLine)
	enc := json.NewEncoder(out)
	ctx := context.Background()
	for {
		line, err := readLine(in)
		if len(line) > 0 || err == nil {
			res := c.Classify(ctx, line)
			if *asJSON {
				if res.Entities == nil {
					res.Entities = []dialog.Entity{}
				}
				if err := enc.Encode(res); err != nil {
					fmt.Fprintf(stderr, "mygov classify: %v\n", err)
					return 1
				}
			} else {
				fmt.Fprintf(out, "%s\t%.4f\t%s\n", res.Intent, res.Confidence, res.Lang)
			}
		}
		if errors.Is(err, io.EOF) {
			if err := out.Flush(); err != nil {
				fmt.Fprintf(stderr, "mygov classify: write: %v\n", err)
				return 1
			}
			return 0
		}
		if err != nil {
			fmt.Fprintf(stderr, "mygov classify: read: %v\n", err)
			return 1
		}
	}
}

// readLine returns the next line without its end of line: at most maxClassifyLine bytes
// of it; the rest of an overlong line is skipped.
func readLine(r *bufio.Reader) (string, error) {
	b, err := r.ReadSlice('\n')
	line := strings.TrimRight(string(b), "\r\n")
	for errors.Is(err, bufio.ErrBufferFull) {
		_, err = r.ReadSlice('\n')
	}
	return line, err
}

// runTrain trains a model on JSON Lines examples and writes it.
func runTrain(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("train", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var data stringList
	fs.Var(&data, "data", "JSON Lines examples (repeat the flag or separate files with commas)")
	partition := fs.String("partition", "train", "partition to train on")
	dev := fs.String("dev", "dev", "partition to calibrate on and report")
	seed := fs.Uint64("seed", 1, "random seed")
	epochs := fs.Int("epochs", 0, "passes over the data (0: default)")
	dim := fs.Int("dim", 0, "feature vector size (0: default)")
	hidden := fs.Int("hidden", 0, "tanh hidden units (0: none)")
	bits := fs.Int("bits", 0, "log2 of hashed feature buckets (0: default)")
	lr := fs.Float64("lr", 0, "Adam step size (0: default)")
	classWeight := fs.Float64("class-weight", 0, "class weight power, 0..1 (0: default; negative: none)")
	sparse := fs.Bool("sparse", false, "a linear layer straight over the hashed features (no vectors)")
	loss := fs.String("loss", "", "softmax or hinge (one-vs-rest squared hinge) (empty: default)")
	l2 := fs.Float64("l2", 0, "decoupled weight decay (AdamW)")
	sqrtNorm := fs.Bool("sqrt-norm", false, "scale feature groups by the square root of their size")
	wordShare := fs.Int("word-share", 0, "weight in percent of the word features (0: default; -1: all alike)")
	average := fs.Bool("average", false, "export the mean of the weights over the epochs of the second half")
	batch := fs.Int("batch", 0, "examples per optimizer step (0: default)")
	out := fs.String("out", "", "model file to write (required)")
	verbose := fs.Bool("v", false, "print the loss of each epoch")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mygov train --data FILE [--data FILE2 ...] [--partition train] [--seed N] [--epochs N] --out PATH")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if len(data) == 0 || *out == "" || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	examples, err := readExampleFiles(data)
	if err != nil {
		fmt.Fprintf(stderr, "mygov train: %v\n", err)
		return 1
	}
	opts := intents.TrainOptions{
		Seed: *seed, Epochs: *epochs, Dim: *dim, Hidden: *hidden, Bits: *bits, LearningRate: *lr,
		ClassWeight: *classWeight, TrainPartition: *partition, DevPartition: *dev,
		Sparse: *sparse, Loss: *loss, L2: *l2, SqrtNorm: *sqrtNorm, WordShare: *wordShare, BatchSize: *batch, Average: *average,
	}
	if *verbose {
		opts.Progress = stderr
	}
	m, rep, err := intents.Train(examples, opts)
	if err != nil {
		fmt.Fprintf(stderr, "mygov train: %v\n", err)
		return 1
	}
	if err := m.SaveFile(*out); err != nil {
		fmt.Fprintf(stderr, "mygov train: %v\n", err)
		return 1
	}
	rep.Format(stdout)
	if st, err := os.Stat(*out); err == nil {
		fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, st.Size())
	}
	return 0
}

// runEval scores a model on a partition of JSON Lines examples.
func runEval(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelPath := fs.String("model", "", "model file (default: the embedded model)")
	var data stringList
	fs.Var(&data, "data", "JSON Lines examples (repeat the flag or separate files with commas)")
	partition := fs.String("partition", "", "partition to score (default: every example)")
	lang := fs.Bool("lang", false, "also report language identification on examples with a lang")
	errorsN := fs.Int("errors", 0, "print up to N misclassified examples")
	thresholds := fs.Bool("thresholds", false, "print coverage and accuracy above confidence thresholds")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: mygov eval [--model PATH] --data FILE [--partition test] [--lang] [--thresholds] [--errors N]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if len(data) == 0 || fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	var m *intents.Model
	var err error
	if *modelPath == "" {
		m, err = intents.DefaultModel()
	} else {
		m, err = intents.LoadFile(*modelPath)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mygov eval: %v\n", err)
		return 1
	}
	examples, err := readExampleFiles(data)
	if err != nil {
		fmt.Fprintf(stderr, "mygov eval: %v\n", err)
		return 1
	}
	if *partition != "" {
		kept := examples[:0]
		for _, ex := range examples {
			if ex.Partition == *partition {
				kept = append(kept, ex)
			}
		}
		examples = kept
	}
	if len(examples) == 0 {
		fmt.Fprintf(stderr, "mygov eval: no examples in partition %q\n", *partition)
		return 1
	}
	start := time.Now()
	mt := intents.Evaluate(m, examples)
	elapsed := time.Since(start)
	mt.Format(stdout)
	fmt.Fprintf(stdout, "%.1f µs per example (%d examples, one goroutine)\n",
		float64(elapsed.Microseconds())/float64(len(examples)), len(examples))
	if *lang {
		intents.EvaluateLanguage(m, examples).Format(stdout)
	}
	if *thresholds {
		preds := make([]intents.Prediction, len(examples))
		for i, ex := range examples {
			preds[i] = m.Predict(ex.Text)
		}
		fmt.Fprintln(stdout, "threshold  coverage  accuracy of covered  wrong acted on")
		for _, t := range []float64{0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9} {
			covered, right := 0, 0
			for i, p := range preds {
				if p.Confidence >= t {
					covered++
					if p.Label == examples[i].Label {
						right++
					}
				}
			}
			acc := 0.0
			if covered > 0 {
				acc = float64(right) / float64(covered)
			}
			mark := ""
			if t == intents.DefaultThreshold {
				mark = "  (DefaultThreshold)"
			}
			fmt.Fprintf(stdout, "%9.1f  %8.4f  %19.4f  %14d%s\n", t, float64(covered)/float64(len(examples)), acc, covered-right, mark)
		}
	}
	if *errorsN > 0 {
		n := 0
		for _, ex := range examples {
			if p := m.Predict(ex.Text); p.Label != ex.Label && n < *errorsN {
				fmt.Fprintf(stdout, "  %s → %s (%.2f)  %s\n", ex.Label, p.Label, p.Confidence, strconv.Quote(ex.Text))
				n++
			}
		}
	}
	return 0
}

func readExampleFiles(paths []string) ([]intents.Example, error) {
	var all []intents.Example
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		ex, err := intents.ReadExamples(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		all = append(all, ex...)
	}
	return all, nil
}

// stringList is a repeatable flag whose values may also be comma-separated.
type stringList []string

func (s *stringList) String() string { return strings.Join(*s, ",") }

func (s *stringList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*s = append(*s, p)
		}
	}
	return nil
}
