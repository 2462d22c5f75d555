// Package tool is the work behind the classifier's commands (mygov classify, train and
// eval): reading examples, classifying a stream of messages and reporting an evaluation.
// The commands parse their flags and call it.
package tool

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/intents"
	"github.com/catalonia/mygov/internal/lines"
)

// Classify classifies one message per line of r and writes one result per line to w:
// "intent<TAB>confidence<TAB>lang", or a JSON object when asJSON. A line longer than
// lines.Max is cut there (the classifier reads intents.MaxRunes runes anyway).
func Classify(ctx context.Context, c *intents.Classifier, r io.Reader, w io.Writer, asJSON bool) error {
	out := bufio.NewWriter(w)
	enc := json.NewEncoder(out)
	in := lines.NewReader(r)
	for {
		line, err := in.Next()
		if len(line) > 0 || err == nil {
			res := c.Classify(ctx, line)
			if asJSON {
				if res.Entities == nil {
					res.Entities = []dialog.Entity{}
				}
				if err := enc.Encode(res); err != nil {
					return fmt.Errorf("classify: write: %w", err)
				}
			} else {
				fmt.Fprintf(out, "%s\t%.4f\t%s\n", res.Intent, res.Confidence, res.Lang)
			}
		}
		if errors.Is(err, io.EOF) {
			if err := out.Flush(); err != nil {
				return fmt.Errorf("classify: write: %w", err)
			}
			return nil
		}
		if err != nil {
			return fmt.Errorf("classify: read: %w", err)
		}
	}
}

// ReadExampleFiles reads the JSON Lines examples of every file in paths, in order.
func ReadExampleFiles(paths []string) ([]intents.Example, error) {
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

// Partition returns the examples of the partition p, or all of them when p is "".
func Partition(examples []intents.Example, p string) []intents.Example {
	if p == "" {
		return examples
	}
	var kept []intents.Example
	for _, ex := range examples {
		if ex.Partition == p {
			kept = append(kept, ex)
		}
	}
	return kept
}

// EvalOptions says what an evaluation reports besides the metrics of the intents.
type EvalOptions struct {
	Lang       bool // language identification on the examples that have a lang
	Thresholds bool // coverage and accuracy above confidence thresholds
	Errors     int  // up to this many misclassified examples
}

// Evaluate scores m on examples and writes the report to w: accuracy, macro F1 and the
// confusions, the time per example, and what o asks for.
func Evaluate(m *intents.Model, examples []intents.Example, o EvalOptions, w io.Writer) error {
	if len(examples) == 0 {
		return errors.New("eval: no examples")
	}
	start := time.Now()
	mt := intents.Evaluate(m, examples)
	elapsed := time.Since(start)
	mt.Format(w)
	fmt.Fprintf(w, "%.1f µs per example (%d examples, one goroutine)\n",
		float64(elapsed.Microseconds())/float64(len(examples)), len(examples))
	if o.Lang {
		intents.EvaluateLanguage(m, examples).Format(w)
	}
	if o.Thresholds {
		thresholdTable(m, examples, w)
	}
	if o.Errors > 0 {
		n := 0
		for _, ex := range examples {
			if p := m.Predict(ex.Text); p.Label != ex.Label && n < o.Errors {
				fmt.Fprintf(w, "  %s → %s (%.2f)  %s\n", ex.Label, p.Label, p.Confidence, strconv.Quote(ex.Text))
				n++
			}
		}
	}
	return nil
}

// thresholdTable writes, for confidence thresholds from 0.3 to 0.9, the share of examples
// the model answers and how many of those it gets right.
func thresholdTable(m *intents.Model, examples []intents.Example, w io.Writer) {
	preds := make([]intents.Prediction, len(examples))
	for i, ex := range examples {
		preds[i] = m.Predict(ex.Text)
	}
	fmt.Fprintln(w, "threshold  coverage  accuracy of covered  wrong acted on")
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
		fmt.Fprintf(w, "%9.1f  %8.4f  %19.4f  %14d%s\n", t, float64(covered)/float64(len(examples)), acc, covered-right, mark)
	}
}

// LoadModel returns the model in the file at path, or the embedded model when path is "".
func LoadModel(path string) (*intents.Model, error) {
	if path == "" {
		return intents.DefaultModel()
	}
	return intents.LoadFile(path)
}
