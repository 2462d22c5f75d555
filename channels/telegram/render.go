package telegram

import (
	"html"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
	"github.com/go-telegram/bot/models"
)

// Telegram's limits.
const (
	maxText         = 4096 // characters of a message's text
	maxCallbackData = 64   // bytes of a button's callback data
	shortLabel      = 16   // characters of a label that can share its keyboard row
)

// message is one Telegram message of a rendered reply: text in the HTML parse mode and an
// optional keyboard.
type message struct {
	text   string
	markup models.ReplyMarkup
	// askContact is true for the message that carries the request_contact keyboard.
	askContact bool
}

// render turns a reply into the messages that carry it, in order. removeKeyboard asks to
// take away a request_contact keyboard sent before; render reports whether one of the
// messages does. skipped lists the options left out of the keyboard (their values are too
// long or empty).
func (c *Channel) render(lang string, r dialog.Reply, removeKeyboard bool) (msgs []message, removed bool, skipped []string) {
	lang = locales.Lang(lang)
	lines := make([]string, 0, len(r.Lines))
	for _, l := range r.Lines {
		if s := strings.TrimSpace(c.cat.Render(lang, locales.StylePlain, l)); s != "" {
			lines = append(lines, s)
		}
	}
	var keyboard *models.InlineKeyboardMarkup
	keyboard, skipped = c.inlineKeyboard(lang, r.Options)

	chunks := split(strings.Join(lines, "\n\n"), maxText)
	if r.AskContact {
		if len(chunks) == 0 {
			chunks = split(c.cat.Text(lang, locales.StylePlain, "telegram.share_contact_prompt"), maxText)
		}
		for _, ch := range chunks {
			msgs = append(msgs, message{text: ch})
		}
		last := &msgs[len(msgs)-1]
		last.markup, last.askContact = c.contactKeyboard(lang), true
		if keyboard != nil {
			msgs = append(msgs, message{
				text:   html.EscapeString(c.cat.Text(lang, locales.StylePlain, "telegram.choose_option")),
				markup: keyboard,
			})
		}
		return msgs, false, skipped
	}
	if len(chunks) == 0 {
		if keyboard == nil {
			return nil, false, skipped
		}
		chunks = []string{html.EscapeString(c.cat.Text(lang, locales.StylePlain, "telegram.choose_option"))}
	}
	if removeKeyboard && keyboard != nil && len(chunks) == 1 {
		// One message cannot carry both an inline keyboard and the removal of the reply
		// keyboard: the last paragraph goes with the menu, the text before it with the
		// removal.
		if i := strings.LastIndex(chunks[0], "\n\n"); i > 0 {
			chunks = []string{chunks[0][:i], chunks[0][i+2:]}
		}
	}
	for _, ch := range chunks {
		msgs = append(msgs, message{text: ch})
	}
	last := &msgs[len(msgs)-1]
	switch {
	case keyboard != nil:
		last.markup = keyboard
		if removeKeyboard && len(msgs) > 1 {
			msgs[0].markup = &models.ReplyKeyboardRemove{RemoveKeyboard: true}
			removed = true
		}
	case removeKeyboard:
		last.markup = &models.ReplyKeyboardRemove{RemoveKeyboard: true}
		removed = true
	}
	return msgs, removed, skipped
}

// inlineKeyboard returns the options as an inline keyboard, one button a row, or two when
// both labels are short; nil when no option can be a button.
func (c *Channel) inlineKeyboard(lang string, opts []dialog.Option) (*models.InlineKeyboardMarkup, []string) {
	var (
		rows    [][]models.InlineKeyboardButton
		skipped []string
		pending *models.InlineKeyboardButton // a short button waiting for a partner
	)
	for _, o := range opts {
		label := strings.TrimSpace(c.cat.Render(lang, locales.StylePlain, o.Label))
		if o.Value == "" || len(o.Value) > maxCallbackData || label == "" {
			skipped = append(skipped, o.Value)
			continue
		}
		b := models.InlineKeyboardButton{Text: label, CallbackData: o.Value}
		short := utf8.RuneCountInString(label) <= shortLabel
		switch {
		case short && pending != nil:
			rows = append(rows, []models.InlineKeyboardButton{*pending, b})
			pending = nil
		case short:
			pending = &b
		default:
			if pending != nil {
				rows = append(rows, []models.InlineKeyboardButton{*pending})
				pending = nil
			}
			rows = append(rows, []models.InlineKeyboardButton{b})
		}
	}
	if pending != nil {
		rows = append(rows, []models.InlineKeyboardButton{*pending})
	}
	if len(rows) == 0 {
		return nil, skipped
	}
	return &models.InlineKeyboardMarkup{InlineKeyboard: rows}, skipped
}

// contactKeyboard is the one-time reply keyboard whose button shares the phone number.
func (c *Channel) contactKeyboard(lang string) *models.ReplyKeyboardMarkup {
	return &models.ReplyKeyboardMarkup{
		Keyboard: [][]models.KeyboardButton{{{
			Text:           c.cat.Text(lang, locales.StylePlain, "telegram.share_contact"),
			RequestContact: true,
		}}},
		OneTimeKeyboard: true,
		ResizeKeyboard:  true,
	}
}

// split cuts plain text into HTML-escaped pieces of at most limit characters each (counted
// as Telegram does, in UTF-16 code units, on the escaped text, which is never shorter than
// what Telegram counts). It cuts at line breaks, else at spaces, else between characters,
// never inside an escape. Empty text gives no pieces.
func split(text string, limit int) []string {
	var (
		out  []string
		cur  []string
		size int
	)
	flush := func() {
		if s := strings.Trim(strings.Join(cur, "\n"), "\n "); s != "" {
			out = append(out, html.EscapeString(s))
		}
		cur, size = cur[:0], 0
	}
	for _, line := range strings.Split(text, "\n") {
		for _, piece := range splitLine(line, limit) {
			n := escapedLen(piece)
			if len(cur) > 0 && size+1+n > limit {
				flush()
			}
			if len(cur) > 0 {
				size++
			}
			cur = append(cur, piece)
			size += n
		}
	}
	flush()
	return out
}

// splitLine cuts one line into pieces whose escaped length is at most limit.
func splitLine(line string, limit int) []string {
	if escapedLen(line) <= limit {
		return []string{line}
	}
	var (
		out  []string
		cur  strings.Builder
		size int
	)
	for _, word := range strings.SplitAfter(line, " ") {
		n := escapedLen(word)
		if size+n > limit && cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
			size = 0
		}
		if n <= limit {
			cur.WriteString(word)
			size += n
			continue
		}
		for _, r := range word { // a word longer than a message
			rn := escapedLen(string(r))
			if size+rn > limit {
				out = append(out, cur.String())
				cur.Reset()
				size = 0
			}
			cur.WriteRune(r)
			size += rn
		}
	}
	if cur.Len() > 0 {
		out = append(out, cur.String())
	}
	return out
}

// escapedLen is the length of s once escaped, in UTF-16 code units.
func escapedLen(s string) int {
	n := 0
	for _, r := range html.EscapeString(s) {
		n += utf16.RuneLen(r)
	}
	return n
}
