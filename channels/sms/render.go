package sms

import (
	"log/slog"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

// Catalog keys of the channel (locales/sms.*.toml).
const (
	keyPrompt      = "sms.prompt"       // "Respon {{.Choices}} o {{.Last}}", plural on Count
	keyPromptShort = "sms.prompt.short" // "Respon 1-{{.Last}}"
)

// ellipsis ends a shortened reply in UCS-2; a GSM-7 reply ends in "..." instead.
const ellipsis = "…"

// Renderer writes replies as SMS text within a segment budget. It is safe for concurrent
// use and holds no state besides its configuration.
type Renderer struct {
	cfg   Config
	cat   *locales.Catalog
	cache *textCache
}

// NewRenderer returns the renderer of replies from cat with the segment budget, GSM-7
// transliteration and maximum length of cfg (the defaults when unset); the rest of cfg is
// not used.
func NewRenderer(cfg Config, cat *locales.Catalog) *Renderer {
	if cfg.SegmentBudget <= 0 {
		cfg.SegmentBudget = DefaultSegmentBudget
	}
	if cfg.MaxBody <= 0 || cfg.MaxBody > MaxBodyLimit {
		cfg.MaxBody = MaxBodyLimit
	}
	return &Renderer{cfg: cfg, cat: cat, cache: &textCache{m: map[string]string{}}}
}

// Capabilities returns the channel's Capabilities with this renderer as the Fitter, so
// the engine pages lists by what fits in the budget.
func (c *Renderer) Capabilities() dialog.Capabilities {
	caps := Capabilities
	caps.Fitter = c
	return caps
}

var _ dialog.Fitter = (*Renderer)(nil)

// Fits reports whether r in lang goes out whole within the segment budget: every line and
// sentence there, at most long parentheticals dropped. It is Render without its costly
// shortening: the engine asks it of every page size it tries.
func (c *Renderer) Fits(lang string, r dialog.Reply) bool {
	head, full, short := c.parts(lang, r)
	if c.surelyOver(head, full, short) {
		return false
	}
	return c.fitsMeasured(head, full, short)
}

// fitsMeasured is Fits on the parts of a reply, measuring each text it tries.
func (c *Renderer) fitsMeasured(head []line, full, short []string) bool {
	if full == nil {
		_, _, ok := c.trim(head, nil)
		return ok
	}
	if c.fits(c.measure(join(texts(head), full))) {
		return true
	}
	_, out, ok := c.trim(head, short)
	return ok && out.Trimmed
}

// surelyOver reports whether head followed by full or by short is over the segment
// budget even with every long parenthetical of head dropped, so that fitsMeasured would
// only measure texts that cannot fit: a page one item too long, which the engine asks
// about on every list, is then refused without transliterating it.
//
// It counts the characters that transliteration does not delete (minUnits): each is at
// least one septet or UTF-16 unit of any text fitsMeasured tries, since dropping a
// parenthetical only removes characters; and no segment of a message longer than
// gsmSingle units holds more than gsmSegment.
func (c *Renderer) surelyOver(head []line, full, short []string) bool {
	n := len(head) + len(full) - 1 // the newlines
	for _, l := range head {
		n += minUnits(dropParentheticals(l.text))
	}
	if len(full) > 0 {
		n += min(linesUnits(full), linesUnits(short))
	}
	segs := 0
	switch {
	case n > gsmSingle:
		segs = (n + gsmSegment - 1) / gsmSegment
	case n > 0:
		segs = 1
	}
	return segs > c.cfg.SegmentBudget
}

// linesUnits returns the sum of minUnits of ls.
func linesUnits(ls []string) int {
	n := 0
	for _, l := range ls {
		n += minUnits(l)
	}
	return n
}

// minUnits returns the fewest septets or UTF-16 units s can take as measure sends it: its
// characters, but those that Transliterate deletes (zero-width spaces, soft hyphens).
func minUnits(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if s[i] < utf8.RuneSelf { // Transliterate deletes no ASCII character
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if t, ok := translitOf(r); !ok || t != "" {
			n++
		}
		i += size
	}
	return n
}

// Rendered is a reply as the channel sends it.
type Rendered struct {
	Body      string
	Encoding  Encoding
	Segments  int
	Units     int  // septets (GSM-7) or UTF-16 code units (UCS-2)
	Translit  bool // Body was transliterated to GSM-7 to save segments
	Shortened bool // the reply was over the budget: a short prompt, or lines cut
	// Trimmed says the shortening only dropped long parentheticals ("(Departament de Drets
	// Socials i Inclusió)"): every item and sentence is there.
	Trimmed bool
}

// LogValue keeps the text out of logs.
func (r Rendered) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("encoding", r.Encoding.String()),
		slog.Int("segments", r.Segments),
		slog.Int("units", r.Units),
		slog.Bool("translit", r.Translit),
		slog.Bool("shortened", r.Shortened),
	)
}

// Render returns the SMS text of r in lang, as Send posts it: the lines of r in the
// catalog's SMS style, one after the other, then each option on its own line numbered
// from 1 ("1. Els meus tràmits"), then the prompt ("Respon 1, 2 o 3"); r.AskContact means
// nothing on SMS, where the sender's number is already known. With Config.GSM7 on, the
// whole text is transliterated to GSM-7 when that takes fewer segments. A reply over
// Config.SegmentBudget (or Config.MaxBody) gets the short prompt ("Respon 1-3"), then its
// text is shortened keeping the menu and the action lines (dialog.Text.Action) whole: see
// fit.
func (c *Renderer) Render(lang string, r dialog.Reply) Rendered {
	head, full, short := c.parts(lang, r)
	if full == nil {
		return c.fit(head, nil)
	}
	if out := c.measure(join(texts(head), full)); c.fits(out) {
		return out
	}
	out := c.fit(head, short)
	out.Shortened = true
	return out
}

// parts returns the lines of r in lang in the catalog's SMS style (head), then its menu
// with the full prompt ("Respon 1, 2 o 3") and with the short one ("Respon 1-3"; the full
// one when the options are not numbered 1 to n); full and short are nil without options.
func (c *Renderer) parts(lang string, r dialog.Reply) (head []line, full, short []string) {
	lang = locales.Lang(lang)
	head = make([]line, 0, len(r.Lines)) // a line a text, mostly
	for _, t := range r.Lines {
		s := strings.TrimSpace(c.text(lang, locales.StyleSMS, t))
		if s == "" {
			continue
		}
		for l := range strings.SplitSeq(s, "\n") {
			head = append(head, line{text: strings.TrimRightFunc(l, unicode.IsSpace), action: t.Action})
		}
	}
	n := len(r.Options)
	if n == 0 {
		return head, nil, nil
	}
	menu := make([]string, n, n+1)
	nums := numbers(r.Options)
	for i, o := range r.Options {
		menu[i] = nums[i] + ". " + oneLine(c.text(lang, locales.StyleSMS, o.Label))
	}
	full = append(menu[:n:n], c.prompt(lang, nums))
	short = full
	if nums[n-1] == strconv.Itoa(n) { // 1 to n: "Respon 1-5"
		short = append(menu[:n:n], c.text(lang, locales.StylePlain, dialog.T(keyPromptShort, "Last", strconv.Itoa(n), "Count", strconv.Itoa(n))))
	}
	return head, full, short
}

// texts returns the text of each line.
func texts(ls []line) []string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = l.text
	}
	return out
}

// numbers returns the numbers of the options as the citizen types them: the engine's
// Option.Number, or 1, 2, 3… for a reply that carries none.
func numbers(opts []dialog.Option) []string {
	out := make([]string, len(opts))
	given := false
	for _, o := range opts {
		given = given || o.Number != 0
	}
	for i, o := range opts {
		n := i + 1
		if given {
			n = o.Number
		}
		out[i] = strconv.Itoa(n)
	}
	return out
}

// prompt returns the line that follows a menu numbered nums: "Respon 1, 2 o 3".
func (c *Renderer) prompt(lang string, nums []string) string {
	n := len(nums)
	return c.text(lang, locales.StylePlain, dialog.T(keyPrompt,
		"Count", strconv.Itoa(n), "Choices", strings.Join(nums[:n-1], ", "), "Last", nums[n-1]))
}

// oneLine returns s with its runs of white space as one space and none at either end, as
// strings.Join(strings.Fields(s), " ") does; s itself when it is so already, as a menu
// label is.
func oneLine(s string) string {
	prevSpace := true // no space at the start
	for _, r := range s {
		space := unicode.IsSpace(r)
		if space && (prevSpace || r != ' ') {
			return strings.Join(strings.Fields(s), " ")
		}
		prevSpace = space
	}
	if prevSpace && s != "" { // a space at the end
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

// minKeep is the fewest characters of a line that a shortened reply keeps of it; a line
// that would keep fewer is dropped instead.
const minKeep = 40

// wordFit returns head followed by tail within the budget: whole if it fits; else, from the
// last line of head backwards, a line is cut at a space and marked "…" when at least
// minKeep of its characters fit, or dropped and replaced by a line "…"; else the whole text
// is cut. It is fit's last resort.
func (c *Renderer) wordFit(head, tail []string) Rendered {
	out := c.measure(join(head, tail))
	if c.fits(out) {
		return out
	}
	for k := len(head) - 1; k >= 0; k-- {
		if cut, ok := c.cutLine(head[:k], head[k], tail); ok {
			cut.Shortened = true
			return cut
		}
		if k == 0 {
			break
		}
		lines := append(head[:k:k], marker(join(head[:k], tail)))
		if cut := c.measure(join(lines, tail)); c.fits(cut) {
			cut.Shortened = true
			return cut
		}
	}
	cut := c.cut(join(head, tail))
	cut.Shortened = true
	return cut
}

// cutLine returns kept, the longest prefix of line that ends at a space, keeps at least
// minKeep characters and ends in "…", and tail, if that fits the budget.
func (c *Renderer) cutLine(kept []string, line string, tail []string) (Rendered, bool) {
	var offs []int
	n, prevSpace := 0, false
	for i, r := range line {
		space := unicode.IsSpace(r)
		if space && !prevSpace && n >= minKeep {
			offs = append(offs, i)
		}
		prevSpace = space
		n++
	}
	build := func(i int) Rendered {
		p := strings.TrimRight(line[:i], " \t,;:(-")
		lines := append(kept[:len(kept):len(kept)], p)
		lines[len(lines)-1] = p + marker(join(lines, tail))
		return c.measure(join(lines, tail))
	}
	k := sort.Search(len(offs), func(j int) bool { return !c.fits(build(offs[j])) })
	if k == 0 {
		return Rendered{}, false
	}
	return build(offs[k-1]), true
}

// cut returns the longest prefix of s that fits the budget with "…" appended, ending at a
// space when one fits, else at any character.
func (c *Renderer) cut(s string) Rendered {
	var spaces, chars []int // candidate cut offsets, ascending
	prevSpace := false
	for i, r := range s {
		if i > 0 {
			chars = append(chars, i)
			if unicode.IsSpace(r) && !prevSpace {
				spaces = append(spaces, i)
			}
		}
		prevSpace = unicode.IsSpace(r)
	}
	for _, offs := range [][]int{spaces, chars} {
		// fits is monotone in the prefix length: find the last offset that fits.
		k := sort.Search(len(offs), func(j int) bool { return !c.fits(c.measure(cutAt(s, offs[j]))) })
		if k > 0 {
			return c.measure(cutAt(s, offs[k-1]))
		}
	}
	return c.measure(marker(s))
}

// cutAt returns s cut at offset i, without trailing spaces, and the ellipsis.
func cutAt(s string, i int) string {
	s = strings.TrimRightFunc(s[:i], unicode.IsSpace)
	return s + marker(s)
}

// marker returns the ellipsis that ends a shortened text s: "..." when s is GSM-7, so the
// mark does not turn the whole message into UCS-2, else "…".
func marker(s string) string {
	if _, _, ok := gsmSegments(s); ok {
		return "..."
	}
	return ellipsis
}

// measure encodes s, transliterated to GSM-7 when that is on and saves segments; a
// transliterated message loses every accent, so one spelling runs through it.
func (c *Renderer) measure(s string) Rendered {
	enc, segs, units := Segments(s)
	out := Rendered{Body: s, Encoding: enc, Segments: segs, Units: units}
	if c.cfg.GSM7 && enc == EncodingUCS2 {
		t := spellGSM(s)
		if enc2, segs2, units2 := Segments(t); segs2 < segs {
			out = Rendered{Body: t, Encoding: enc2, Segments: segs2, Units: units2, Translit: true}
		}
	}
	return out
}

// fits reports whether a rendered reply is within the segment budget and Twilio's length.
func (c *Renderer) fits(r Rendered) bool {
	return r.Segments <= c.cfg.SegmentBudget && utf8.RuneCountInString(r.Body) <= c.cfg.MaxBody
}

// join joins the lines of head, then those of tail, with newlines.
func join(head, tail []string) string {
	var b strings.Builder
	first := true
	for _, part := range [][]string{head, tail} {
		for _, line := range part {
			if !first {
				b.WriteByte('\n')
			}
			first = false
			b.WriteString(line)
		}
	}
	return b.String()
}
