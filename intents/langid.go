package intents

import (
	"bytes"
	"fmt"
	"math"
	"unicode"
	"unicode/utf8"
)

// Language identification: a naive Bayes model over hashed character n-grams (1–4, with word
// boundaries) and words of the lower-case, accented text, trained on the lang field of the
// examples, plus a lexicon of function words and spellings that only one of Catalan and
// Spanish uses. Words both languages share ("hola", "ok", numbers, references) are skipped,
// so a message made only of them has no language.

// Language codes the lexicon knows.
const (
	LangCatalan = "ca"
	LangSpanish = "es"
)

// langModel is the trained part of the language identifier.
type langModel struct {
	langs []string
	bits  uint8
	table []float32 // len(langs) × buckets: log P(feature|lang), centered across languages
}

// Language identifier settings, chosen on the dev split of the shipped data.
const (
	langBits    = 17   // buckets of the n-gram table
	langMaxRune = 4    // longest character n-gram
	langAlpha   = 0.1  // additive smoothing of the counts
	langMargin  = 1.0  // score lead needed to name a language, in nats (twice for one word)
	langGramW   = 0.25 // weight of one character n-gram against a word
	langLexW    = 2.0  // weight of the lexicon's evidence
)

// langScratch is the working memory of one identification.
type langScratch struct {
	low    []rune // lower-case accented word
	folded []byte // folded word, for the lexicon and the neutral list
	feats  []uint32
	scores [8]float64
}

// trainLangModel counts the features of each language's examples.
func trainLangModel(examples []Example) langModel {
	var lm langModel
	index := map[string]int{}
	for _, ex := range examples {
		if ex.Lang == "" {
			continue
		}
		if _, ok := index[ex.Lang]; !ok && len(lm.langs) < len(langScratch{}.scores) {
			index[ex.Lang] = len(lm.langs)
			lm.langs = append(lm.langs, ex.Lang)
		}
	}
	if len(lm.langs) == 0 {
		return lm
	}
	// Languages in a fixed order, whatever the order of the examples.
	sortStrings(lm.langs)
	for i, l := range lm.langs {
		index[l] = i
	}
	lm.bits = langBits
	b := 1 << lm.bits
	counts := make([]float64, len(lm.langs)*b)
	totals := make([]float64, len(lm.langs))
	var n normalizer
	var s langScratch
	for _, ex := range examples {
		k, ok := index[ex.Lang]
		if !ok {
			continue
		}
		n.run(ex.Text)
		s.feats = appendLangFeatures(s.feats[:0], ex.Text, &n, &s, nil)
		for _, f := range s.feats {
			counts[k*b+int(f)]++
			totals[k]++
		}
	}
	lm.table = make([]float32, len(counts))
	for f := 0; f < b; f++ {
		var seen bool
		for k := range lm.langs {
			seen = seen || counts[k*b+f] > 0
		}
		if !seen {
			continue
		}
		var mean float64
		for k := range lm.langs {
			lp := math.Log((counts[k*b+f] + langAlpha) / (totals[k] + langAlpha*float64(b)))
			lm.table[k*b+f] = float32(lp)
			mean += lp
		}
		mean /= float64(len(lm.langs))
		for k := range lm.langs {
			lm.table[k*b+f] -= float32(mean)
		}
	}
	return lm
}

// quantize rounds the table as write stores it.
func (lm *langModel) quantize() {
	var mx float32
	for _, v := range lm.table {
		mx = max(mx, float32(math.Abs(float64(v))))
	}
	scale := mx / 127
	for i, v := range lm.table {
		lm.table[i] = float32(quantize(v, scale)) * scale
	}
}

// identify returns the language of the normalized text, or "" when the text fits more than
// one (or none).
func (lm *langModel) identify(text string, n *normalizer, s *langScratch) string {
	langs := lm.langs
	if len(langs) == 0 {
		langs = lexiconLangs
	}
	scores := s.scores[:len(langs)]
	clear(scores)
	evidence := 0 // lexicon hits and words seen in training
	lex := func(lang string, w float64) {
		for i, l := range langs {
			if l == lang {
				scores[i] += w * langLexW
				evidence++
			}
		}
	}
	s.feats = appendLangFeatures(s.feats[:0], text, n, s, lex)
	words := 0
	b := 1 << lm.bits
	for _, f := range s.feats {
		word := f&langWordFlag != 0
		if word {
			words++
		}
		if len(lm.langs) == 0 {
			continue
		}
		seen := false
		for k := range scores {
			w := lm.table[k*b+int(f)]
			seen = seen || w != 0
			if word {
				scores[k] += float64(w) / 2
			} else {
				scores[k] += langGramW * float64(w)
			}
		}
		if word && seen {
			evidence++
		}
	}
	words /= 2 // two buckets a word
	margin := langMargin
	if words == 1 {
		// One word: a name, "hi" or "qwerty" misleads; the word must be known and clear.
		if evidence == 0 {
			return ""
		}
		margin *= 2
	}
	best, second := -1, -1
	for k := range scores {
		switch {
		case best < 0 || scores[k] > scores[best]:
			best, second = k, best
		case second < 0 || scores[k] > scores[second]:
			second = k
		}
	}
	if best < 0 {
		return ""
	}
	lead := scores[best]
	if second >= 0 {
		lead -= scores[second]
	}
	if lead < margin {
		return ""
	}
	return langs[best]
}

// langWordFlag marks word features among the n-gram buckets: the top bucket bit.
const langWordFlag = 1 << (langBits - 1)

// appendLangFeatures appends the hashed language features of each informative word and
// calls lex for the lexicon's evidence (when lex is not nil).
func appendLangFeatures(dst []uint32, text string, n *normalizer, s *langScratch, lex func(lang string, w float64)) []uint32 {
	const mask = uint32(1)<<langBits - 1
	const wordBit = langWordFlag
	lastOS := int32(-1)
	for _, t := range n.toks {
		if t.os == lastOS {
			continue // the other words of an expanded abbreviation
		}
		lastOS = t.os
		if !s.readWord(text[t.os:t.oe]) {
			continue
		}
		if neutralWords[string(s.folded)] {
			continue
		}
		if lex != nil {
			s.lexicon(lex)
		}
		// The word itself, in two buckets so that one collision only halves its weight.
		h := uint32(fnvOffset)
		h = (h ^ 'W') * fnvPrime
		for _, r := range s.low {
			h = (h ^ uint32(r)) * fnvPrime
		}
		dst = append(dst, (fmix32(h)&mask)|wordBit, (fmix32(h^0x5bd1e995)&mask)|wordBit)
		// Its character n-grams, with boundary markers.
		nr := len(s.low) + 2
		at := func(i int) rune {
			switch i {
			case 0:
				return '<'
			case nr - 1:
				return '>'
			}
			return s.low[i-1]
		}
		for i := 0; i < nr; i++ {
			h := uint32(fnvOffset)
			h = (h ^ 'G') * fnvPrime
			for j := i; j < nr && j-i < langMaxRune; j++ {
				h = (h ^ uint32(at(j))) * fnvPrime
				if j == i && (i == 0 || i == nr-1) {
					continue // a lone boundary marker
				}
				dst = append(dst, fmix32(h)&mask&^wordBit)
			}
		}
	}
	return dst
}

// readWord loads the lower-case accented runes and the folded bytes of one original word;
// it reports false for words without letters and for words with digits (references, ids).
func (s *langScratch) readWord(w string) bool {
	s.low = s.low[:0]
	s.folded = s.folded[:0]
	letters := 0
	for i := 0; i < len(w) && len(s.low) < maxTokenRunes; {
		r, size := utf8.DecodeRuneInString(w[i:])
		next := i + size
		switch {
		case isApostrophe(r):
			r = '\''
		case isMiddleDot(r):
			r = '·'
		case r == utf8.RuneError && size <= 1:
			i = next
			continue
		case unicode.IsLetter(r):
			letters++
			r = unicode.ToLower(r)
		case r >= '0' && r <= '9':
			return false
		default:
			i = next
			continue
		}
		s.low = append(s.low, r)
		if r < utf8.RuneSelf {
			s.folded = append(s.folded, byte(r))
		} else if r != '·' {
			a, b := foldRune(r)
			s.folded = utf8.AppendRune(s.folded, a)
			if b != 0 {
				s.folded = utf8.AppendRune(s.folded, b)
			}
		}
		i = next
	}
	return letters > 0
}

// lexicon reports the lexicon's evidence for the word in s.
func (s *langScratch) lexicon(lex func(lang string, w float64)) {
	var buf [4 * maxTokenRunes]byte
	low := buf[:0]
	for _, r := range s.low {
		low = utf8.AppendRune(low, r)
	}
	if e, ok := lexiconAccented[string(low)]; ok {
		lex(e.lang, e.w)
	} else if e, ok := lexiconFolded[string(s.folded)]; ok {
		lex(e.lang, e.w)
	}
	// Spellings only one language has.
	for i, r := range s.low {
		switch r {
		case 'ñ', 'á':
			lex(LangSpanish, 1)
		case 'ç', 'à', 'è', 'ò', 'ï', '·':
			lex(LangCatalan, 1)
		case 'y':
			if i+1 < len(s.low) && i > 0 && s.low[i-1] == 'n' {
				lex(LangCatalan, 0.5) // "any", "Catalunya"
			}
		}
	}
	if bytes.HasSuffix(low, []byte("ción")) || bytes.HasSuffix(low, []byte("ciones")) {
		lex(LangSpanish, 1.5)
	}
	if bytes.HasSuffix(s.folded, []byte("cio")) && !bytes.HasSuffix(low, []byte("cio")) {
		lex(LangCatalan, 1.5) // "-ció"
	}
	// Verb endings of the second person plural: Catalan "teniu", "podeu"; Spanish "tenéis".
	if len(s.folded) >= 5 && (bytes.HasSuffix(s.folded, []byte("eu")) || bytes.HasSuffix(s.folded, []byte("iu"))) {
		lex(LangCatalan, 0.5)
	}
	if bytes.HasSuffix(low, []byte("áis")) || bytes.HasSuffix(low, []byte("éis")) {
		lex(LangSpanish, 1)
	}
}

type lexEntry struct {
	lang string
	w    float64
}

var lexiconLangs = []string{LangCatalan, LangSpanish}

// neutralWords are written the same in Catalan and Spanish and say nothing of the language.
var neutralWords = map[string]bool{
	"hola": true, "ok": true, "okey": true, "okay": true, "vale": true, "no": true, "si": true,
	"de": true, "la": true, "el": true, "en": true, "que": true, "me": true, "te": true, "se": true,
	"les": true, "un": true, "una": true, "a": true, "o": true, "es": true, "dni": true, "nie": true,
	"nif": true, "exp": true, "sms": true, "hey": true, "hello": true,
	"bye": true, "stop": true, "info": true, "help": true, "menu": true, "al": true, "del": true,
	"xd": true, "jaja": true, "jajaja": true, "haha": true, "lol": true, "eh": true,
	"ah": true, "oh": true, "mm": true, "persona": true, "telegram": true,
	"whatsapp": true, "email": true, "mail": true,
}

// lexiconAccented holds accented spellings; lexiconFolded holds words that keep their
// language without accents.
var lexiconAccented = map[string]lexEntry{
	"què": {LangCatalan, 2}, "qué": {LangSpanish, 2},
	"sóc": {LangCatalan, 2}, "gràcies": {LangCatalan, 2}, "també": {LangCatalan, 2},
	"perquè": {LangCatalan, 2}, "però": {LangCatalan, 2},
	"està": {LangCatalan, 2}, "está": {LangSpanish, 2}, "és": {LangCatalan, 2},
	"adéu": {LangCatalan, 2}, "adiós": {LangSpanish, 2},
	"cómo": {LangSpanish, 2}, "dónde": {LangSpanish, 2}, "todavía": {LangSpanish, 2},
	"también": {LangSpanish, 2}, "información": {LangSpanish, 2}, "informació": {LangCatalan, 2},
	"sol·licitud": {LangCatalan, 2}, "català": {LangCatalan, 1}, "catalán": {LangSpanish, 1},
	"castellà": {LangCatalan, 1}, "español": {LangSpanish, 1}, "espanyol": {LangCatalan, 1},
}

var lexiconFolded = map[string]lexEntry{
	// Catalan
	"ei": {LangCatalan, 1}, "mostra": {LangCatalan, 1}, "vols": {LangCatalan, 1}, "pots": {LangCatalan, 1},
	"meva": {LangCatalan, 2}, "meu": {LangCatalan, 2}, "meus": {LangCatalan, 2}, "meves": {LangCatalan, 2},
	"vull": {LangCatalan, 2}, "voldria": {LangCatalan, 2}, "soc": {LangCatalan, 1.5}, "tinc": {LangCatalan, 2},
	"amb": {LangCatalan, 2}, "dades": {LangCatalan, 2}, "gracies": {LangCatalan, 2}, "plau": {LangCatalan, 2},
	"l'": {LangCatalan, 2}, "d'": {LangCatalan, 2}, "m'": {LangCatalan, 1.5}, "n'": {LangCatalan, 1.5},
	"s'": {LangCatalan, 1.5}, "t'": {LangCatalan, 1.5}, "ho": {LangCatalan, 2}, "hi": {LangCatalan, 1},
	"per": {LangCatalan, 1.5}, "perque": {LangCatalan, 1}, "aixo": {LangCatalan, 2}, "molt": {LangCatalan, 2},
	"moltes": {LangCatalan, 2}, "sense": {LangCatalan, 2}, "puc": {LangCatalan, 2}, "estic": {LangCatalan, 2},
	"fer": {LangCatalan, 1.5}, "ara": {LangCatalan, 1}, "encara": {LangCatalan, 2}, "aquest": {LangCatalan, 2},
	"aquesta": {LangCatalan, 2}, "nit": {LangCatalan, 2}, "adeu": {LangCatalan, 2}, "ajuda": {LangCatalan, 2},
	"parlar": {LangCatalan, 2}, "els": {LangCatalan, 2}, "uns": {LangCatalan, 1.5}, "i": {LangCatalan, 1},
	"com": {LangCatalan, 1.5}, "on": {LangCatalan, 1}, "nom": {LangCatalan, 1.5}, "ja": {LangCatalan, 1},
	"bon": {LangCatalan, 1.5}, "bona": {LangCatalan, 1.5}, "estat": {LangCatalan, 2}, "expedient": {LangCatalan, 2},
	"sollicitud": {LangCatalan, 2}, "dir": {LangCatalan, 1}, "vostre": {LangCatalan, 1.5},
	"fins": {LangCatalan, 2}, "des": {LangCatalan, 1}, "llavors": {LangCatalan, 2}, "quin": {LangCatalan, 2},
	"quina": {LangCatalan, 2}, "quins": {LangCatalan, 2}, "quines": {LangCatalan, 2}, "quan": {LangCatalan, 1.5},
	"res": {LangCatalan, 1}, "ningu": {LangCatalan, 2}, "sempre": {LangCatalan, 1.5}, "mai": {LangCatalan, 1.5},
	"altre": {LangCatalan, 1.5}, "altra": {LangCatalan, 1.5}, "alguna": {LangCatalan, 0.5}, "cap": {LangCatalan, 1},
	"avui": {LangCatalan, 2}, "dema": {LangCatalan, 2}, "ahir": {LangCatalan, 2}, "doncs": {LangCatalan, 2},
	"nosaltres": {LangCatalan, 2}, "vosaltres": {LangCatalan, 2}, "jo": {LangCatalan, 1.5},
	// Spanish
	"mi": {LangSpanish, 1}, "mis": {LangSpanish, 2}, "quiero": {LangSpanish, 2}, "quisiera": {LangSpanish, 2},
	"soy": {LangSpanish, 2}, "tengo": {LangSpanish, 2}, "con": {LangSpanish, 2}, "datos": {LangSpanish, 2},
	"gracias": {LangSpanish, 2}, "por": {LangSpanish, 2}, "favor": {LangSpanish, 0.5}, "y": {LangSpanish, 1.5},
	"los": {LangSpanish, 2}, "las": {LangSpanish, 2}, "estoy": {LangSpanish, 2}, "hacer": {LangSpanish, 2},
	"ahora": {LangSpanish, 2}, "esto": {LangSpanish, 2}, "este": {LangSpanish, 1}, "esta": {LangSpanish, 1},
	"noche": {LangSpanish, 2}, "adios": {LangSpanish, 2}, "ayuda": {LangSpanish, 2}, "hablar": {LangSpanish, 2},
	"sin": {LangSpanish, 2}, "mucho": {LangSpanish, 2}, "muchas": {LangSpanish, 2}, "puedo": {LangSpanish, 2},
	"estado": {LangSpanish, 2}, "expediente": {LangSpanish, 2}, "solicitud": {LangSpanish, 1.5},
	"como": {LangSpanish, 1.5}, "donde": {LangSpanish, 1.5}, "nombre": {LangSpanish, 2}, "buenos": {LangSpanish, 2},
	"buenas": {LangSpanish, 2}, "buen": {LangSpanish, 1.5}, "dias": {LangSpanish, 1}, "porque": {LangSpanish, 1},
	"pero": {LangSpanish, 1}, "todavia": {LangSpanish, 2}, "tambien": {LangSpanish, 2}, "usted": {LangSpanish, 2},
	"vuestro": {LangSpanish, 1.5}, "decir": {LangSpanish, 1},
	"hasta": {LangSpanish, 2}, "desde": {LangSpanish, 2}, "muy": {LangSpanish, 2}, "entonces": {LangSpanish, 2},
	"hay": {LangSpanish, 2}, "cual": {LangSpanish, 1.5}, "quien": {LangSpanish, 1.5}, "cuando": {LangSpanish, 2},
	"algo": {LangSpanish, 2}, "nada": {LangSpanish, 2}, "nadie": {LangSpanish, 2}, "siempre": {LangSpanish, 2},
	"nunca": {LangSpanish, 2}, "otro": {LangSpanish, 1.5}, "otra": {LangSpanish, 1.5}, "hoy": {LangSpanish, 2},
	"manana": {LangSpanish, 1.5}, "ayer": {LangSpanish, 2}, "pues": {LangSpanish, 1.5}, "yo": {LangSpanish, 1.5},
	"nosotros": {LangSpanish, 2}, "vosotros": {LangSpanish, 2},
}

var errBadLangs = fmt.Errorf("%w: bad language table", ErrBadModel)

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// write appends the language model to a model file.
func (lm *langModel) write(b *bytes.Buffer) {
	putU32(b, uint32(len(lm.langs)))
	for _, l := range lm.langs {
		putString(b, l)
	}
	if len(lm.langs) == 0 {
		return
	}
	b.WriteByte(lm.bits)
	// One scale for the whole table, then a signed byte per bucket.
	var mx float32
	for _, v := range lm.table {
		mx = max(mx, float32(math.Abs(float64(v))))
	}
	scale := mx / 127 // quantize has rounded the table to multiples of it
	putF32(b, scale)
	q := make([]byte, len(lm.table))
	for i, v := range lm.table {
		q[i] = byte(int8(quantize(v, scale)))
	}
	b.Write(q)
}

func (d *decoder) langModel() langModel {
	var lm langModel
	n := d.u32()
	if n > uint32(len(langScratch{}.scores)) {
		d.err = errBadLangs
		return lm
	}
	for i := uint32(0); i < n && d.err == nil; i++ {
		lm.langs = append(lm.langs, d.str())
	}
	if n == 0 || d.err != nil {
		return lm
	}
	lm.bits = d.u8()
	if lm.bits != langBits {
		d.err = errBadLangs
		return lm
	}
	scale := math.Float32frombits(d.u32())
	q := d.take(int(n) << lm.bits)
	lm.table = make([]float32, len(q))
	for i, v := range q {
		lm.table[i] = float32(int8(v)) * scale
	}
	return lm
}
