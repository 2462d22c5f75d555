package whatsapp

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

// maxVarLen bounds a template variable; a longer text is cut at a word and ends in "…".
const maxVarLen = 1000

// Send sends the reply o to o.Address ("whatsapp:+34…") and returns the MessageSid of its
// first message; Twilio posts the delivery receipts to PublicURL + /whatsapp/twilio/status.
// It is safe for concurrent use.
//
// Inside the 24-hour window — o.LastInbound less than a day ago, minus
// Config.WindowMargin — the reply is free-form: the messages of Render, in order, the last
// one as a quick-reply content when it has buttons. Outside it, or when Twilio refuses the
// free-form message with error 63016, the approved template of the reply's kind
// (Reply.Notice, KindReply for an answer) in its language is sent instead, never free text;
// with no such template the reply fails with dialog.ErrPermanent, so the delivery worker
// marks it failed, visible in the transcript. When the 63016 comes later, in the status
// callback, the receipt marks the reply failed and the template goes then (for the last
// 1,024 replies sent since the process started). The other errors are those of
// twilio.Account.Send. A reply of several messages that fails after the first is sent again
// whole when retried.
func (c *Channel) Send(ctx context.Context, o dialog.Outbound) (string, error) {
	log := c.tw.Log.With("outbound", o)
	if o.Address == "" {
		return "", fmt.Errorf("whatsapp: send %d: no address: %w", o.ID, dialog.ErrPermanent)
	}
	if !c.inWindow(o.LastInbound) {
		log.Info("whatsapp: outside the 24-hour window, sending a template", "notice", o.Reply.Notice)
		return c.sendTemplate(ctx, o)
	}
	out := c.Render(o.Lang, o.Reply)
	if len(out.Messages) == 0 {
		return "", fmt.Errorf("whatsapp: send %d: empty reply: %w", o.ID, dialog.ErrPermanent)
	}
	log = log.With("whatsapp", out)
	first := ""
	for i, body := range out.Messages {
		params := c.tw.Params(o.Address)
		if i == len(out.Messages)-1 && len(out.Buttons) > 0 {
			tpl, _ := c.cfg.Templates.Find(quickReplyKind(len(out.Buttons)), locales.Lang(o.Lang))
			params.SetContentSid(tpl.ContentSID).SetContentVariables(quickReplyVars(body, out.Buttons))
		} else {
			params.SetBody(body)
		}
		sid, err := c.tw.Send(ctx, o.ID, params)
		if twilio.ErrorCode(err) == twilio.CodeOutsideWindow && i == 0 {
			log.Warn("whatsapp: free-form message refused outside the window, sending a template", "err", err)
			return c.sendTemplate(ctx, o)
		}
		if err != nil {
			log.Warn("whatsapp: send failed", "err", err, "message", i+1)
			return "", err
		}
		if i == 0 {
			first = sid
			c.recent.add(sid, o)
		}
	}
	log.Info("whatsapp: sent", "sid", first)
	return first, nil
}

// inWindow reports whether a free-form message may be sent to a citizen who last wrote at
// last.
func (c *Channel) inWindow(last time.Time) bool { return c.inWindowAt(last, c.tw.Now()) }

// inWindowAt reports whether a free-form message could be sent at t to a citizen who
// last wrote at last.
func (c *Channel) inWindowAt(last, t time.Time) bool {
	return !last.IsZero() && t.Sub(last) < Window-c.cfg.WindowMargin
}

// sendTemplate sends the reply o as the approved template of its kind and language.
func (c *Channel) sendTemplate(ctx context.Context, o dialog.Outbound) (string, error) {
	kind, lang := o.Reply.Notice, locales.Lang(o.Lang)
	if kind == "" {
		kind = KindReply
	}
	tpl, ok := c.cfg.Templates.Find(kind, lang)
	if !ok {
		err := fmt.Errorf("whatsapp: send %d: outside the 24-hour window and no template %q in %s (error %d): %w",
			o.ID, kind, lang, twilio.CodeOutsideWindow, dialog.ErrPermanent)
		c.tw.Log.Warn("whatsapp: reply not sent", "outbound", o, "err", err)
		return "", err
	}
	params := c.tw.Params(o.Address)
	params.SetContentSid(tpl.ContentSID).SetContentVariables(c.templateVars(o, tpl))
	sid, err := c.tw.Send(ctx, o.ID, params)
	if err != nil {
		c.tw.Log.Warn("whatsapp: template send failed", "outbound", o, "kind", kind, "err", err)
		return "", err
	}
	c.tw.Log.Info("whatsapp: template sent", "outbound", o, "kind", kind, "sid", sid)
	return sid, nil
}

// templateVars returns the ContentVariables of tpl for o, as JSON: {"1": …, "2": …}.
func (c *Channel) templateVars(o dialog.Outbound, tpl Template) string {
	lang := locales.Lang(o.Lang)
	vars := make(map[string]string, len(tpl.Vars))
	for i, name := range tpl.Vars {
		v := ""
		if name == VarText {
			v = strings.Join(c.Render(lang, dialog.Reply{Lines: o.Reply.Lines}).Messages, " ")
		} else {
			v = c.lineArg(lang, o.Reply.Lines, name)
		}
		vars[strconv.Itoa(i+1)] = templateValue(v)
	}
	return mustJSON(vars)
}

// lineArg returns the argument name of the first line that has it, rendered in lang when
// it is a catalog key, escaped when it is data.
func (c *Channel) lineArg(lang string, lines []dialog.Text, name string) string {
	for _, t := range lines {
		if v, ok := t.Args[name]; ok {
			return escape(v)
		}
		if k, ok := t.Keys[name]; ok {
			return c.tw.Catalog.Text(lang, style, k)
		}
	}
	return ""
}

// templateValue makes v a valid template variable: WhatsApp refuses empty ones and those
// with new lines, tabs or more than four spaces in a row, so white space is folded to
// single spaces, an empty value becomes "-", and a long one is cut.
func templateValue(v string) string {
	v = strings.Join(strings.Fields(v), " ")
	if v == "" {
		return "-"
	}
	if len([]rune(v)) > maxVarLen {
		cut := truncate(v, maxVarLen-1)
		if i := strings.LastIndexByte(cut, ' '); i > 0 {
			cut = cut[:i]
		}
		v = cut + "…"
	}
	return v
}

// quickReplyVars returns the ContentVariables of a quick-reply content: {{1}} the body,
// then for each button k (from 1) {{2k}} its title and {{2k+1}} its id.
func quickReplyVars(body string, buttons []Button) string {
	vars := map[string]string{"1": body}
	for k, b := range buttons {
		vars[strconv.Itoa(2*k+2)] = b.Title
		vars[strconv.Itoa(2*k+3)] = b.ID
	}
	return mustJSON(vars)
}

// mustJSON encodes a map of strings, which cannot fail.
func mustJSON(m map[string]string) string {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	return string(b)
}
