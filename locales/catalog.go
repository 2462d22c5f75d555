// Package locales holds MyGov's citizen-facing text, in Catalan and Spanish, as go-i18n
// catalogs embedded in the binary, and the Catalog that renders a message key for a language
// and a channel style. Each area keeps its keys in its own pair of files, AREA.ca.toml and
// AREA.es.toml (active.* for the dialog, sms.*, telegram.* for the channels).
package locales

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

//go:embed *.toml
var files embed.FS

// Languages lists the catalog languages, the first being the default.
var Languages = []string{"ca", "es"}

// Styles of rendering. A key may have a variant for a style, "KEY.sms", used in its place.
const (
	StylePlain = ""
	StyleSMS   = "sms"
)

// Message is anything that names a catalog key with its arguments: Args are inserted as they
// are, Keys are arguments that are themselves keys, rendered first in the same language.
type Message interface {
	MessageKey() (key string, args map[string]string, keys map[string]string)
}

// Catalog renders messages. It is safe for concurrent use.
type Catalog struct {
	bundle     *i18n.Bundle
	localizers map[string]*i18n.Localizer
	keys       map[string]map[string]bool     // language → key set
	holders    map[string]map[string][]string // language → key → placeholder names
}

var placeholderRE = regexp.MustCompile(`{{\s*\.(\w+)\s*}}`)

// placeholdersOf returns the sorted, distinct placeholder names of every form of m.
func placeholdersOf(m *i18n.Message) []string {
	var names []string
	for _, form := range []string{m.Zero, m.One, m.Two, m.Few, m.Many, m.Other} {
		for _, sub := range placeholderRE.FindAllStringSubmatch(form, -1) {
			if !slices.Contains(names, sub[1]) {
				names = append(names, sub[1])
			}
		}
	}
	sort.Strings(names)
	return names
}

// Placeholders returns the sorted placeholder names of key in lang.
func (c *Catalog) Placeholders(lang, key string) []string { return c.holders[lang][key] }

// Load returns the embedded catalog.
func Load() (*Catalog, error) {
	b := i18n.NewBundle(language.Catalan)
	b.RegisterUnmarshalFunc("toml", toml.Unmarshal)
	c := &Catalog{bundle: b, localizers: map[string]*i18n.Localizer{}, keys: map[string]map[string]bool{}, holders: map[string]map[string][]string{}}
	for _, lang := range Languages {
		names, err := fs.Glob(files, "*."+lang+".toml")
		if err != nil || len(names) == 0 {
			return nil, fmt.Errorf("locales: no catalog files for %s", lang)
		}
		set, holders := map[string]bool{}, map[string][]string{}
		for _, name := range names {
			mf, err := b.LoadMessageFileFS(files, name)
			if err != nil {
				return nil, fmt.Errorf("locales: load %s: %w", name, err)
			}
			for _, m := range mf.Messages {
				if set[m.ID] {
					return nil, fmt.Errorf("locales: %s: key %q defined twice", name, m.ID)
				}
				set[m.ID] = true
				holders[m.ID] = placeholdersOf(m)
			}
		}
		c.keys[lang], c.holders[lang] = set, holders
		c.localizers[lang] = i18n.NewLocalizer(b, lang)
	}
	return c, nil
}

// MustLoad is Load for tests and main: the catalog is embedded, so an error is a build bug.
func MustLoad() *Catalog {
	c, err := Load()
	if err != nil {
		panic(err)
	}
	return c
}

// Has reports whether key exists in lang.
func (c *Catalog) Has(lang, key string) bool { return c.keys[lang][key] }

// Keys returns the sorted keys of lang.
func (c *Catalog) Keys(lang string) []string {
	out := make([]string, 0, len(c.keys[lang]))
	for k := range c.keys[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Lang returns lang when the catalog has it, else the default language.
func Lang(lang string) string {
	for _, l := range Languages {
		if l == lang {
			return l
		}
	}
	return Languages[0]
}

// Render returns the text of m in lang and style. A key missing in lang falls back to the
// other language (go-i18n does not chain fallbacks), then to the key itself, so a missing
// translation shows up as a visible key rather than an empty message.
func (c *Catalog) Render(lang, style string, m Message) string {
	key, args, keys := m.MessageKey()
	data := make(map[string]any, len(args)+len(keys))
	for k, v := range args {
		data[k] = v
	}
	for name, k := range keys {
		data[name] = c.Render(lang, style, plain(k))
	}
	order := []string{Lang(lang)}
	for _, l := range Languages {
		if l != order[0] {
			order = append(order, l)
		}
	}
	for _, l := range order {
		ids := []string{key}
		if style != StylePlain {
			ids = []string{key + "." + style, key}
		}
		for _, id := range ids {
			if !c.keys[l][id] {
				continue
			}
			cfg := &i18n.LocalizeConfig{MessageID: id, TemplateData: data}
			if n, ok := args["Count"]; ok {
				cfg.PluralCount = n
			}
			s, err := c.localizers[l].Localize(cfg)
			var nf *i18n.MessageNotFoundErr
			if err == nil {
				return s
			}
			if !errors.As(err, &nf) {
				return key
			}
		}
	}
	return key
}

// Text renders a bare key without arguments.
func (c *Catalog) Text(lang, style, key string) string { return c.Render(lang, style, plain(key)) }

type plain string

func (p plain) MessageKey() (string, map[string]string, map[string]string) {
	return string(p), nil, nil
}

// Join renders each message and joins them with sep, skipping empty ones.
func (c *Catalog) Join(lang, style, sep string, ms ...Message) string {
	parts := make([]string, 0, len(ms))
	for _, m := range ms {
		if s := strings.TrimSpace(c.Render(lang, style, m)); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, sep)
}
