package whatsapp

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Template kinds besides the notice kinds of dialog.Reply.Notice.
const (
	// KindReply is the template of an answer (Reply.Notice empty) that leaves after the
	// window closed, e.g. a reply delayed by Twilio's outage.
	KindReply = "reply"
	// KindQuickReply2 and KindQuickReply3 are twilio/quick-reply contents with 2 and 3
	// buttons, sent for a menu of that many options inside the window.
	KindQuickReply2 = "quick_reply2"
	KindQuickReply3 = "quick_reply3"
)

// VarText fills a template variable with the reply's whole text, on one line.
const VarText = "text"

// Template is a content of Twilio's Content API: an approved WhatsApp template sent
// outside the 24-hour window, or a quick-reply content.
type Template struct {
	// ContentSID is the content's "HX" sid.
	ContentSID string
	// Vars say how variables {{1}}, {{2}}, … are filled, in order: VarText for the reply's
	// text, any other name for the argument of that name in the reply's lines ("Ref",
	// "Status": the first line that has it; a catalog-key argument is rendered in the
	// reply's language). A quick-reply content has fixed variables instead (see Send).
	Vars []string
}

// Templates holds the templates by kind and language ("" for any language).
type Templates map[TemplateKey]Template

// TemplateKey names a template: a notice kind (dialog.NoticeStatusChange, …), KindReply or
// a quick-reply kind, and a language ("ca", "es", or "" for both).
type TemplateKey struct{ Kind, Lang string }

// Find returns the template of kind in lang, or of kind for any language.
func (t Templates) Find(kind, lang string) (Template, bool) {
	if tpl, ok := t[TemplateKey{kind, lang}]; ok {
		return tpl, true
	}
	tpl, ok := t[TemplateKey{kind, ""}]
	return tpl, ok
}

var (
	contentSIDRE = regexp.MustCompile(`^HX[0-9a-fA-F]{32}$`)
	kindRE       = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)
	varRE        = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,31}$`)
)

// maxVars bounds the variables of a template.
const maxVars = 10

// ParseTemplates reads templates in the compact form of MYGOV_WHATSAPP_TEMPLATES: entries
// separated by spaces, newlines or ";", each KIND[.LANG]=CONTENTSID[:VAR,VAR,…], e.g.
//
//	status_change.ca=HX0123…:Ref,Status status_change.es=HX4567…:Ref,Status
//	inbox_reply=HX89ab…:text quick_reply3=HXcdef…
//
// LANG is ca or es (none: both); VARs default to "text". An empty string gives no
// templates. Every problem is reported, with the entry's position, never its sid.
func ParseTemplates(s string) (Templates, error) {
	out := Templates{}
	var errs []string
	entries := strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == ' ' || r == '\n' || r == '\t' || r == '\r' })
	for i, e := range entries {
		key, t, why := parseTemplate(e)
		if _, dup := out[key]; dup && why == "" {
			why = "kind and language given twice"
		}
		if why != "" {
			errs = append(errs, fmt.Sprintf("entry %d: %s", i+1, why))
			continue
		}
		out[key] = t
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("whatsapp: templates: %s", strings.Join(errs, "; "))
	}
	return out, nil
}

// parseTemplate reads one entry KIND[.LANG]=CONTENTSID[:VARS], or says why it cannot.
func parseTemplate(e string) (TemplateKey, Template, string) {
	name, value, ok := strings.Cut(e, "=")
	kind, lang, _ := strings.Cut(name, ".")
	sid, vars, hasVars := strings.Cut(value, ":")
	t := Template{ContentSID: sid, Vars: []string{VarText}}
	if hasVars {
		t.Vars = strings.Split(vars, ",")
	}
	switch {
	case !ok:
		return TemplateKey{}, t, "want KIND[.LANG]=CONTENTSID[:VARS]"
	case !kindRE.MatchString(kind):
		return TemplateKey{}, t, "kind must be lower-case letters, digits and _"
	case lang != "" && lang != "ca" && lang != "es":
		return TemplateKey{}, t, "language must be ca or es"
	case !contentSIDRE.MatchString(sid):
		return TemplateKey{}, t, "content SID must be HX and 32 hexadecimal digits"
	case len(t.Vars) > maxVars:
		return TemplateKey{}, t, "at most " + strconv.Itoa(maxVars) + " variables"
	case slices.ContainsFunc(t.Vars, func(v string) bool { return !varRE.MatchString(v) }):
		return TemplateKey{}, t, "variables must be names (text, Ref, Status…)"
	}
	return TemplateKey{kind, lang}, t, ""
}
