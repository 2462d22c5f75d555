package sms

import (
	"slices"
	"sync"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

// maxCachedTexts bounds the texts a Renderer keeps; the cache starts over when full.
const maxCachedTexts = 1024

// textCache keeps rendered texts: the engine measures a page a few times while packing it,
// and the delivery worker renders it once more. It is safe for concurrent use.
type textCache struct {
	mu sync.Mutex
	m  map[string]string
}

// text renders t in lang in style, from the cache when it was rendered before.
func (c *Renderer) text(lang, style string, t dialog.Text) string {
	if c.cache == nil {
		return c.cat.Render(lang, style, t)
	}
	var buf [256]byte // the key of most texts, so that a lookup allocates nothing
	k := appendCacheKey(buf[:0], lang, style, t)
	c.cache.mu.Lock()
	s, ok := c.cache.m[string(k)]
	c.cache.mu.Unlock()
	if ok {
		return s
	}
	s = c.cat.Render(lang, style, t)
	c.cache.mu.Lock()
	if len(c.cache.m) >= maxCachedTexts {
		clear(c.cache.m)
	}
	c.cache.m[string(k)] = s
	c.cache.mu.Unlock()
	return s
}

// appendCacheKey appends lang, style, the key and the arguments of t to b in a fixed order,
// each part ended by a byte texts do not carry.
func appendCacheKey(b []byte, lang, style string, t dialog.Text) []byte {
	for _, s := range []string{lang, style, t.Key} {
		b = append(b, s...)
		b = append(b, 0)
	}
	var buf [8]string // the names of a text's arguments, without allocating them
	for _, m := range []map[string]string{t.Args, t.Keys} {
		names := buf[:0]
		for n := range m {
			names = append(names, n)
		}
		slices.Sort(names)
		for _, n := range names {
			b = append(b, n...)
			b = append(b, 1)
			b = append(b, m[n]...)
			b = append(b, 0)
		}
		b = append(b, 2)
	}
	return b
}

var _ locales.Message = dialog.Text{}
