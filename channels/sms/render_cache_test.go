package sms

import (
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

// TestCacheKeyIsTheText: two texts get the same cache key exactly when their language,
// style, key, arguments and argument keys are the same, for texts of 0 to 12 arguments,
// equal ones in different maps.
func TestCacheKeyIsTheText(t *testing.T) {
	type text struct {
		lang, style string
		t           dialog.Text
	}
	rng := rand.New(rand.NewPCG(3, 4))
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	args := func() map[string]string {
		n := rng.IntN(13)
		if n == 0 {
			return nil
		}
		m := map[string]string{}
		for range n {
			m[pick("Count", "Ref", "Date", "A"+strconv.Itoa(rng.IntN(12)))] = pick("", "1", "2", "EXP-1", "Menú")
		}
		return m
	}
	var texts []text
	for range 400 {
		texts = append(texts, text{pick("ca", "es"), pick(locales.StylePlain, locales.StyleSMS),
			dialog.Text{Key: pick("status.item", "menu.main", "x"), Args: args(), Keys: args()}})
	}
	for _, a := range texts[:100] { // equal texts in new maps
		a.t.Args, a.t.Keys = maps.Clone(a.t.Args), maps.Clone(a.t.Keys)
		texts = append(texts, a)
	}
	same := 0
	for i, a := range texts {
		for _, b := range texts[i:] {
			want := a.lang == b.lang && a.style == b.style && a.t.Key == b.t.Key &&
				maps.Equal(a.t.Args, b.t.Args) && maps.Equal(a.t.Keys, b.t.Keys)
			if got := string(appendCacheKey(nil, a.lang, a.style, a.t)) == string(appendCacheKey(nil, b.lang, b.style, b.t)); got != want {
				t.Errorf("%+v and %+v: same key %v, same text %v", a, b, got, want)
			}
			if want {
				same++
			}
		}
	}
	if same < 100 {
		t.Errorf("only %d equal pairs: the copies were not compared", same)
	}
}

// TestPromptsFromTheCache: the prompts of a menu, rendered once and then from the cache,
// are the catalog's, for menus of 1 to 12 options numbered from 1 or not, in both languages.
func TestPromptsFromTheCache(t *testing.T) {
	cat := locales.MustLoad()
	r := NewRenderer(Config{}, cat)
	for _, lang := range []string{"ca", "es"} {
		for n := 1; n <= 12; n++ {
			for _, first := range []int{1, 6} {
				var opts []dialog.Option
				for i := range n {
					opts = append(opts, dialog.Option{Label: lit("x"), Number: first + i})
				}
				nums := numbers(opts)
				last := nums[n-1]
				full := cat.Render(lang, locales.StylePlain, dialog.T(keyPrompt,
					"Count", strconv.Itoa(n), "Choices", strings.Join(nums[:n-1], ", "), "Last", last))
				short := full
				if first == 1 {
					short = cat.Render(lang, locales.StylePlain, dialog.T(keyPromptShort, "Last", last, "Count", strconv.Itoa(n)))
				}
				for range 2 { // rendered, then cached
					_, gotFull, gotShort := r.parts(lang, dialog.Reply{Options: opts})
					if g := gotFull[n]; g != full {
						t.Errorf("%s, %d options from %d: prompt %q, want %q", lang, n, first, g, full)
					}
					if g := gotShort[n]; g != short {
						t.Errorf("%s, %d options from %d: short prompt %q, want %q", lang, n, first, g, short)
					}
				}
			}
		}
	}
}

// TestTextFromTheCache: a text rendered once and then from the cache is the catalog's, for
// keys shorter and longer than the lookup's buffer; parts splits it into its lines.
func TestTextFromTheCache(t *testing.T) {
	cat := locales.MustLoad()
	r := NewRenderer(Config{}, cat)
	cases := []dialog.Text{
		dialog.T("status.header", "Count", "2"),
		dialog.T("status.next", "Next", strings.Repeat("Demana el certificat. ", 20)),
		lit("Primera línia\nSegona línia  \n\nQuarta"),
		lit(strings.Repeat("una línia llarga\n", 30)),
	}
	for _, lang := range []string{"ca", "es"} {
		for _, text := range cases {
			want := cat.Render(lang, locales.StyleSMS, text)
			var wantLines []string
			for _, l := range strings.Split(strings.TrimSpace(want), "\n") {
				wantLines = append(wantLines, strings.TrimRight(l, " "))
			}
			for range 2 { // rendered, then cached
				if got := r.text(lang, locales.StyleSMS, text); got != want {
					t.Errorf("%s %q: text %q, want %q", lang, text.Key, got, want)
				}
				head, _, _ := r.parts(lang, dialog.Reply{Lines: []dialog.Text{text}})
				if got := texts(head); !slices.Equal(got, wantLines) {
					t.Errorf("%s %q: lines %q, want %q", lang, text.Key, got, wantLines)
				}
			}
		}
	}
}
