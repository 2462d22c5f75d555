package sms

import (
	"slices"
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

// TestCatalogVariants checks the SMS variants of the catalog: each "KEY.sms" has its base
// key and the same placeholders, in both languages, and the channel's own keys exist.
func TestCatalogVariants(t *testing.T) {
	cat := catalog()
	variants := 0
	for _, lang := range locales.Languages {
		for _, key := range cat.Keys(lang) {
			base, ok := strings.CutSuffix(key, "."+locales.StyleSMS)
			if !ok {
				continue
			}
			if strings.HasPrefix(key, dialog.PrefixChannel) {
				continue // "channel.sms" names the channel; it is not a variant
			}
			variants++
			if !cat.Has(lang, base) {
				t.Errorf("%s: %q has no base key %q", lang, key, base)
				continue
			}
			if got, want := cat.Placeholders(lang, key), cat.Placeholders(lang, base); !slices.Equal(got, want) {
				t.Errorf("%s: %q has placeholders %v, its base %v", lang, key, got, want)
			}
		}
		for _, key := range []string{keyPrompt, keyPromptShort} {
			if !cat.Has(lang, key) {
				t.Errorf("%s: no key %q", lang, key)
			}
		}
	}
	if variants == 0 {
		t.Error("the catalog has no SMS variants")
	}
}
