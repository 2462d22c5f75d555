// Package console is the terminal channel of "mygov chat": it renders replies as plain text
// with numbered menus and lets the chat loop wait until the replies of a turn are printed.
package console

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

// Name is the channel's name in conversations, messages and delivery jobs.
const Name = "console"

// Capabilities describe the terminal to the engine: four list items a reply.
var Capabilities = dialog.Capabilities{PageSize: 4}

// Channel prints the replies of one console conversation. It is safe for concurrent use.
type Channel struct {
	Address string // the conversation's address: the --as phone, or "anonymous"
	Catalog *locales.Catalog

	mu        sync.Mutex
	w         io.Writer
	delivered map[int64]bool
	changed   chan struct{}
}

// New returns a Channel that prints to w.
func New(address string, cat *locales.Catalog, w io.Writer) *Channel {
	return &Channel{Address: address, Catalog: cat, w: w, delivered: map[int64]bool{}, changed: make(chan struct{})}
}

// Render returns the text of a reply: its lines, then its options numbered from 1.
func Render(cat *locales.Catalog, lang string, r dialog.Reply) string {
	var b strings.Builder
	for _, l := range r.Lines {
		b.WriteString(cat.Render(lang, locales.StylePlain, l))
		b.WriteByte('\n')
	}
	for i, o := range r.Options {
		b.WriteString("  " + strconv.Itoa(number(i, r.Options)) + ". " + cat.Render(lang, locales.StylePlain, o.Label) + "\n")
	}
	return b.String()
}

// Send prints one reply. Replies of other console conversations sharing the database are
// left for their own chat process.
func (c *Channel) Send(ctx context.Context, o dialog.Outbound) (string, error) {
	if o.Address != c.Address {
		return "", fmt.Errorf("console: reply for another console conversation")
	}
	text := Render(c.Catalog, o.Lang, o.Reply)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.delivered[o.ID] {
		return "", nil // a retried job: printed already
	}
	if _, err := io.WriteString(c.w, text+"\n"); err != nil {
		return "", fmt.Errorf("console: write: %w", err)
	}
	c.delivered[o.ID] = true
	close(c.changed)
	c.changed = make(chan struct{})
	return "", nil
}

// Wait blocks until the replies with ids have been printed, or ctx ends.
func (c *Channel) Wait(ctx context.Context, ids []int64) error {
	for {
		c.mu.Lock()
		done, changed := true, c.changed
		for _, id := range ids {
			if !c.delivered[id] {
				done = false
				break
			}
		}
		c.mu.Unlock()
		if done {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-changed:
		}
	}
}

// number returns the number of option i: the engine's, or its position from 1 when the
// reply carries none (every option numbered 0).
func number(i int, opts []dialog.Option) int {
	for _, o := range opts {
		if o.Number != 0 {
			return opts[i].Number
		}
	}
	return i + 1
}
