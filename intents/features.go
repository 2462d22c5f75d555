package intents

import (
	"math"
	"unicode/utf8"
)

// featureConfig says which hashed features a model reads; it is stored in the model file.
type featureConfig struct {
	Bits    uint8 // log2 of the number of buckets
	CharMin uint8 // shortest character n-gram, boundary markers included
	CharMax uint8 // longest character n-gram
	Bigrams bool  // word bigrams
	// WordShare is the weight, in percent, of the mean of the word-level features (words,
	// bigrams, entity kinds) against the mean of the character n-grams; 0 weighs every
	// feature alike.
	WordShare uint8
	// Norm says how each group is scaled: normMean divides by the number of its features,
	// normSqrt by its square root (the l2 norm of the group when no feature repeats), as
	// the rows of a TF-IDF matrix are l2-normalized.
	Norm uint8
}

// Feature group scalings (featureConfig.Norm).
const (
	normMean = 0
	normSqrt = 1
)

func (c featureConfig) buckets() int { return 1 << c.Bits }

const (
	fnvOffset = 2166136261
	fnvPrime  = 16777619
)

// Feature kinds, mixed into the hashes so that equal strings of different kinds differ.
const (
	kindWord   = 'w'
	kindBigram = 'b'
	kindChar   = 'c'
	kindEntity = 'e'
)

// fmix32 is MurmurHash3's finalizer: it spreads FNV's low bits before masking.
func fmix32(h uint32) uint32 {
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// hashWord hashes a normalized word, with every digit replaced by '0' so that numbers
// generalize by shape.
func hashWord(w []byte) uint32 {
	h := uint32(fnvOffset)
	h = (h ^ kindWord) * fnvPrime
	for _, c := range w {
		if c >= '0' && c <= '9' {
			c = '0'
		}
		h = (h ^ uint32(c)) * fnvPrime
	}
	return h
}

func hashString(kind byte, s string) uint32 {
	h := uint32(fnvOffset)
	h = (h ^ uint32(kind)) * fnvPrime
	for i := 0; i < len(s); i++ {
		h = (h ^ uint32(s[i])) * fnvPrime
	}
	return h
}

// Word boundary hashes for bigrams at the start and end of a message.
var (
	hashBOS = hashString(kindWord, "<s>")
	hashEOS = hashString(kindWord, "</s>")
)

func hashBigram(a, b uint32) uint32 {
	return (a*0x9E3779B1 ^ b) + kindBigram
}

// appendFeatures appends the bucket of every feature of the normalized tokens and entity
// kinds to dst and returns it, with the number of word-level features, which come first.
// Repeated features repeat.
func (c featureConfig) appendFeatures(dst []uint32, n *normalizer, entityKinds []string) ([]uint32, int) {
	mask := uint32(c.buckets() - 1)
	base := len(dst)
	prev := hashBOS
	for i := range n.toks {
		hw := hashWord(n.text(i))
		dst = append(dst, fmix32(hw)&mask)
		if c.Bigrams {
			dst = append(dst, fmix32(hashBigram(prev, hw))&mask)
		}
		prev = hw
	}
	if c.Bigrams && len(n.toks) > 0 {
		dst = append(dst, fmix32(hashBigram(prev, hashEOS))&mask)
	}
	for _, k := range entityKinds {
		dst = append(dst, fmix32(hashString(kindEntity, k))&mask)
	}
	nWord := len(dst) - base
	var off [maxTokenRunes + 1]int
	for i := range n.toks {
		dst = c.appendCharGrams(dst, n.text(i), off[:0], mask)
	}
	return dst, nWord
}

// maxTokenRunes bounds the length of a word for character n-grams; longer words are read
// up to it.
const maxTokenRunes = 40

// appendCharGrams appends the character n-grams of "<w>" (digits as '0'); off is scratch
// space for rune offsets.
func (c featureConfig) appendCharGrams(dst []uint32, w []byte, off []int, mask uint32) []uint32 {
	if c.CharMax == 0 {
		return dst
	}
	off = off[:0]
	i := 0
	for i < len(w) && len(off) < maxTokenRunes {
		off = append(off, i)
		if w[i] < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRune(w[i:])
			i += size
		}
	}
	off = append(off, i)
	k := len(off) - 1 // runes read
	// Symbols: position 0 is '<', 1..k the runes, k+1 the '>' unless the word was cut.
	total := k + 1
	if i == len(w) {
		total++
	}
	for start := 0; start < total; start++ {
		h := uint32(fnvOffset)
		h = (h ^ kindChar) * fnvPrime
		for p := start; p < total && p-start < int(c.CharMax); p++ {
			switch {
			case p == 0:
				h = (h ^ '<') * fnvPrime
			case p <= k:
				for _, b := range w[off[p-1]:off[p]] {
					if b >= '0' && b <= '9' {
						b = '0'
					}
					h = (h ^ uint32(b)) * fnvPrime
				}
			default:
				h = (h ^ '>') * fnvPrime
			}
			if p-start+1 >= int(c.CharMin) {
				dst = append(dst, fmix32(h)&mask)
			}
		}
	}
	return dst
}

// weights returns the weight of each word-level and each character feature in the bag:
// the mean of each group, the groups mixed by WordShare.
func (c featureConfig) weights(nWord, nChar int) (float32, float32) {
	if c.Norm == normSqrt {
		return c.sqrtWeights(nWord, nChar)
	}
	if c.WordShare == 0 || nWord == 0 || nChar == 0 {
		n := float32(max(1, nWord+nChar))
		return 1 / n, 1 / n
	}
	a := float32(c.WordShare) / 100
	return a / float32(nWord), (1 - a) / float32(nChar)
}

// sqrtWeights is weights with normSqrt: each group divided by the square root of its size.
// It is apart, and not inlined, so that weights stays small enough to be inlined in
// logitsOf (which otherwise runs about 30 % slower).
//
//go:noinline
func (c featureConfig) sqrtWeights(nWord, nChar int) (float32, float32) {
	if c.WordShare == 0 || nWord == 0 || nChar == 0 {
		n := float32(math.Sqrt(float64(max(1, nWord+nChar))))
		return 1 / n, 1 / n
	}
	a := float32(c.WordShare) / 100
	return a / float32(math.Sqrt(float64(nWord))), (1 - a) / float32(math.Sqrt(float64(nChar)))
}
