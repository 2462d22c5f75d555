package whatsapp

import (
	"log/slog"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

// style is the catalog style of the channel: a key "KEY.whatsapp" is used in place of KEY
// (locales/whatsapp.*.toml).
const style = "whatsapp"

// Catalog keys of the channel (locales/whatsapp.*.toml).
const (
	keyPrompt        = "whatsapp.prompt"         // "Respon amb el número: 1, 2 o 3."
	keyPromptButtons = "whatsapp.prompt.buttons" // "Toca un botó o escriu el número."
)

// Limits of WhatsApp's quick replies (Twilio Content API, in session).
const (
	maxButtons       = 3
	maxButtonTitle   = 20
	maxQuickReplyLen = 1024
)

// Button is a quick-reply button: its title and the payload it sends back (the option's
// value).
type Button struct{ Title, ID string }

// Rendered is a reply as the channel sends it: one message or more, each within
// Config.MaxBody characters; Buttons, when set, are the menu as quick-reply buttons of
// the last message.
type Rendered struct {
	Messages []string
	Buttons  []Button
}

// LogValue keeps the text out of logs.
func (r Rendered) LogValue() slog.Value {
	n := 0
	for _, m := range r.Messages {
		n += utf8.RuneCountInString(m)
	}
	return slog.GroupValue(slog.Int("messages", len(r.Messages)), slog.Int("chars", n), slog.Int("buttons", len(r.Buttons)))
}

// Render returns the messages of r in lang, as Send posts them: each line of r is an item
// (a "KEY.whatsapp" variant of its key is used when there is one), items are separated by
// a blank line, then the menu: each option on its own line numbered from 1
// ("1. Els meus tràmits") and a prompt. The arguments of the lines are data — what the
// citizen wrote, names, references — and their WhatsApp formatting marks are neutralized
// (see escape), so "*hola*" is shown as written. A menu of up to three options also gets
// quick-reply buttons when a quick-reply content for that count is configured; the typed
// number answers as well. A reply over Config.MaxBody is split into several messages
// between items, the menu staying whole in the last one; an item too long for one message
// is split between lines, then between words.
func (c *Channel) Render(lang string, r dialog.Reply) Rendered {
	lang = locales.Lang(lang)
	var items []string
	for _, t := range r.Lines {
		if s := strings.TrimSpace(c.tw.Catalog.Render(lang, style, escapeArgs(t))); s != "" {
			items = append(items, s)
		}
	}
	var out Rendered
	if n := len(r.Options); n > 0 {
		_, quick := c.cfg.Templates.Find(quickReplyKind(n), lang)
		menu := make([]string, 0, n+1)
		for i, o := range r.Options {
			label := strings.Join(strings.Fields(c.tw.Catalog.Render(lang, style, o.Label)), " ")
			menu = append(menu, strconv.Itoa(i+1)+". "+label)
			if quick {
				out.Buttons = append(out.Buttons, Button{Title: truncate(label, maxButtonTitle), ID: o.Value})
			}
		}
		menu = append(menu, c.prompt(lang, n, quick))
		items = append(items, strings.Join(menu, "\n"))
	}
	out.Messages = pack(items, c.cfg.MaxBody)
	if k := len(out.Messages) - 1; len(out.Buttons) > 0 && utf8.RuneCountInString(out.Messages[k]) > maxQuickReplyLen {
		// The buttons' body is shorter than a message: the menu goes alone.
		last := items[len(items)-1]
		out.Messages = append(pack(items[:len(items)-1], c.cfg.MaxBody), split(last, c.cfg.MaxBody)...)
	}
	return out
}

// quickReplyKind returns the template kind of a quick-reply content with n buttons, or ""
// when WhatsApp allows no quick reply of that many in a session.
func quickReplyKind(n int) string {
	switch n {
	case 2:
		return KindQuickReply2
	case 3:
		return KindQuickReply3
	}
	return ""
}

// prompt returns the line that follows a menu of n options.
func (c *Channel) prompt(lang string, n int, buttons bool) string {
	if buttons {
		return c.tw.Catalog.Text(lang, locales.StylePlain, keyPromptButtons)
	}
	nums := make([]string, n-1)
	for i := range nums {
		nums[i] = strconv.Itoa(i + 1)
	}
	return c.tw.Catalog.Render(lang, locales.StylePlain, dialog.T(keyPrompt,
		"Count", strconv.Itoa(n), "Choices", strings.Join(nums, ", "), "Last", strconv.Itoa(n)))
}

// pack joins items into as few messages of at most limit characters as it can, keeping
// their order and separating them with a blank line; an item longer than limit is split
// (see split).
func pack(items []string, limit int) []string {
	var out []string
	var cur strings.Builder
	n := 0 // characters in cur
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
			n = 0
		}
	}
	for _, item := range items {
		for _, piece := range split(item, limit) {
			k := utf8.RuneCountInString(piece)
			if n > 0 && n+2+k > limit {
				flush()
			}
			if n > 0 {
				cur.WriteString("\n\n")
				n += 2
			}
			cur.WriteString(piece)
			n += k
		}
	}
	flush()
	return out
}

// split cuts s into pieces of at most limit characters: between lines when it can, else
// between words, else anywhere.
func split(s string, limit int) []string {
	if utf8.RuneCountInString(s) <= limit {
		return []string{s}
	}
	var out []string
	var cur []string
	n := 0
	for _, line := range strings.Split(s, "\n") {
		for _, piece := range splitWords(line, limit) {
			k := utf8.RuneCountInString(piece)
			if len(cur) > 0 && n+1+k > limit {
				out = append(out, strings.Join(cur, "\n"))
				cur, n = nil, 0
			}
			if len(cur) > 0 {
				n++
			}
			cur = append(cur, piece)
			n += k
		}
	}
	if len(cur) > 0 {
		out = append(out, strings.Join(cur, "\n"))
	}
	return out
}

// splitWords cuts one line into pieces of at most limit characters, between words when a
// word fits, else anywhere.
func splitWords(line string, limit int) []string {
	var out []string
	for utf8.RuneCountInString(line) > limit {
		cut := len(truncate(line, limit))
		if i := strings.LastIndexFunc(line[:cut], unicode.IsSpace); i > 0 {
			cut = i
		}
		out = append(out, strings.TrimRightFunc(line[:cut], unicode.IsSpace))
		line = strings.TrimLeftFunc(line[cut:], unicode.IsSpace)
	}
	return append(out, line)
}

// truncate returns the first n characters of s.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// escapeArgs returns t with the WhatsApp formatting marks of its arguments neutralized.
func escapeArgs(t dialog.Text) dialog.Text {
	if len(t.Args) == 0 {
		return t
	}
	args := make(map[string]string, len(t.Args))
	for k, v := range t.Args {
		args[k] = escape(v)
	}
	t.Args = args
	return t
}

// formatMarks replaces WhatsApp's formatting marks (*bold*, _italic_, ~strike~,
// `code`) with look-alikes that format nothing: WhatsApp has no escape character.
var formatMarks = strings.NewReplacer("*", "∗", "_", "ˍ", "~", "∼", "`", "ˋ")

// escape neutralizes the formatting marks of s, except in a web address, which must stay
// as it is to work (addresses come from the benefits catalog, not from citizens).
func escape(s string) string {
	if strings.Contains(s, "://") || strings.HasPrefix(s, "www.") {
		return s
	}
	return formatMarks.Replace(s)
}
