// Package intents understands citizens' messages: it implements dialog.Classifier with a
// small neural classifier trained with spago, a Catalan/Spanish language identifier and
// entity scanners.
//
// # Pipeline
//
// Classify reads at most MaxRunes runes of a message and:
//
//  1. normalizes it (Normalize): lower case, accents folded, "l·l" joined, repeated letters
//     squeezed, SMS abbreviations expanded, punctuation dropped except inside numbers and
//     references; every word keeps its span in the original text;
//  2. finds entities in the normalized words, reporting the original text: application
//     references, DNI/NIE (check letter verified by records.ParseNationalID), dates (ParseDate), Spanish
//     phone numbers, a requested language, and the procedures of the catalog given with
//     WithProcedures;
//  3. identifies the language: a naive Bayes model over character n-grams trained on the
//     lang field of the data, plus a lexicon of words only one language uses; "" when the
//     message fits both ("hola", "ok", a reference);
//  4. hashes word unigrams, word bigrams, character n-grams (with word boundaries) and the
//     kinds of the entities into buckets, averages their vectors (words and characters as
//     two groups), applies an optional tanh layer and a softmax over the labels, divided by
//     a temperature fitted on the dev split so that the confidence is calibrated.
//
// A message with no word learned from an intent other than "other" and no entity is noise:
// "other" with at most NoiseConfidence. The engine should ask a clarifying question below
// DefaultThreshold.
//
// # Training
//
// Train fits the network with spago (github.com/nlpodyssey/spago): the first layer is a
// custom autograd operator summing embedding rows of an embedding.Model, the loss a custom
// weighted softmax cross-entropy, and Adam updates every parameter synchronously after each
// mini-batch. Every operator runs synchronously, so the same examples and seed give the same
// model bytes. The label set is whatever the data holds; it is stored in the model file.
// Inference does not use spago: the trained weights are copied into plain slices, which is
// faster for one message at a time and safe for concurrent use.
//
// The shipped model, embedded from model/intents.bin, is trained on data/*.jsonl by
// `go generate` (gen_model.go), or equivalently:
//
//	mygov train --data intents/data/ca.jsonl,intents/data/es.jsonl --out intents/model/intents.bin
//
// README-figures.md has the measured figures and how to add an intent.
//
// # Model file
//
// A model file is little-endian binary: a magic string, the labels, the feature settings,
// the embedding rows that are not zero (8-bit, one scale per row), the dense layers (32-bit
// floats), the set of known words, the language tables (8-bit), and a CRC-32. Load rejects
// any other file with an error wrapping ErrBadModel.
package intents
