//go:build ignore

// gen_model trains the shipped model: every data/*.jsonl file, partition train, dev for the
// temperature, seed 1, default options. Run it with go generate in the intents directory.
// `mygov train --data data/ca.jsonl,data/es.jsonl --out model/intents.bin` does the same.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/catalonia/mygov/intents"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gen_model:", err)
		os.Exit(1)
	}
}

func run() error {
	files, err := filepath.Glob("data/*.jsonl")
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no data/*.jsonl")
	}
	var all []intents.Example
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		ex, err := intents.ReadExamples(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		fmt.Printf("%s: %d examples\n", p, len(ex))
		all = append(all, ex...)
	}
	m, rep, err := intents.Train(all, intents.TrainOptions{Seed: 1})
	if err != nil {
		return err
	}
	rep.Format(os.Stdout)
	if err := os.MkdirAll("model", 0o755); err != nil {
		return err
	}
	return m.SaveFile(filepath.Join("model", "intents.bin"))
}
