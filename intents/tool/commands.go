package tool

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/catalonia/mygov/intents"
	"github.com/catalonia/mygov/internal/cli"
)

// ClassifyCommand is "mygov classify": it classifies one message per line of stdin and
// writes one result per line: "intent<TAB>confidence<TAB>lang", or a JSON object with
// --json. procedures returns the gazetteer of procedure names (the store's benefits, so
// "com va la renda garantida?" names its procedure here as it does in a conversation). It
// returns the exit code.
func ClassifyCommand(ctx context.Context, args []string, procedures func(context.Context) ([]intents.Procedure, error), stdin io.Reader, stdout, stderr io.Writer) int {
	fs := cli.Flags("classify", stderr)
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
	m, err := LoadModel(*modelPath)
	if err == nil {
		var procs []intents.Procedure
		if procs, err = procedures(ctx); err == nil {
			err = Classify(ctx, intents.NewClassifier(m, intents.WithProcedures(procs)), stdin, stdout, *asJSON)
		}
	}
	if err != nil {
		fmt.Fprintf(stderr, "mygov classify: %v\n", err)
		return 1
	}
	return 0
}

// TrainCommand is "mygov train": it trains a model on JSON Lines examples and writes it.
// It returns the exit code.
func TrainCommand(args []string, stdout, stderr io.Writer) int {
	fs := cli.Flags("train", stderr)
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
	opts := intents.TrainOptions{
		Seed: *seed, Epochs: *epochs, Dim: *dim, Hidden: *hidden, Bits: *bits, LearningRate: *lr,
		ClassWeight: *classWeight, TrainPartition: *partition, DevPartition: *dev,
		Sparse: *sparse, Loss: *loss, L2: *l2, SqrtNorm: *sqrtNorm, WordShare: *wordShare, BatchSize: *batch, Average: *average,
	}
	if *verbose {
		opts.Progress = stderr
	}
	examples, err := ReadExampleFiles(data)
	if err != nil {
		fmt.Fprintf(stderr, "mygov train: %v\n", err)
		return 1
	}
	m, rep, err := intents.Train(examples, opts)
	if err == nil {
		err = m.SaveFile(*out)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mygov train: %v\n", err)
		return 1
	}
	rep.Format(stdout)
	if st, err := os.Stat(*out); err == nil {
		fmt.Fprintf(stdout, "wrote %s (%d bytes)\n", *out, st.Size())
	}
	return 0
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

// EvalCommand is "mygov eval": it scores a model on a partition of JSON Lines examples.
// It returns the exit code.
func EvalCommand(args []string, stdout, stderr io.Writer) int {
	fs := cli.Flags("eval", stderr)
	modelPath := fs.String("model", "", "model file (default: the embedded model)")
	var data stringList
	fs.Var(&data, "data", "JSON Lines examples (repeat the flag or separate files with commas)")
	partition := fs.String("partition", "", "partition to score (default: every example)")
	var o EvalOptions
	fs.BoolVar(&o.Lang, "lang", false, "also report language identification on examples with a lang")
	fs.IntVar(&o.Errors, "errors", 0, "print up to N misclassified examples")
	fs.BoolVar(&o.Thresholds, "thresholds", false, "print coverage and accuracy above confidence thresholds")
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
	m, err := LoadModel(*modelPath)
	if err != nil {
		fmt.Fprintf(stderr, "mygov eval: %v\n", err)
		return 1
	}
	examples, err := ReadExampleFiles(data)
	if err != nil {
		fmt.Fprintf(stderr, "mygov eval: %v\n", err)
		return 1
	}
	examples = Partition(examples, *partition)
	if len(examples) == 0 {
		fmt.Fprintf(stderr, "mygov eval: no examples in partition %q\n", *partition)
		return 1
	}
	if err := Evaluate(m, examples, o, stdout); err != nil {
		fmt.Fprintf(stderr, "mygov eval: %v\n", err)
		return 1
	}
	return 0
}
