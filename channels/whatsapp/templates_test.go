package whatsapp

import (
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
)

func TestParseTemplates(t *testing.T) {
	const a, b = "HX0123456789abcdef0123456789abcdef", "HXfedcba9876543210fedcba9876543210"
	got, err := ParseTemplates("status_change.ca=" + a + ":Ref,Status;  inbox_reply=" + b + "\nquick_reply3=" + b + "\n")
	if err != nil {
		t.Fatal(err)
	}
	want := map[TemplateKey]Template{
		{dialog.NoticeStatusChange, "ca"}: {a, []string{"Ref", "Status"}},
		{dialog.NoticeInboxReply, ""}:     {b, []string{VarText}},
		{KindQuickReply3, ""}:             {b, []string{VarText}},
	}
	if len(got) != len(want) {
		t.Fatalf("templates = %v, want %v", got, want)
	}
	for k, w := range want {
		if g := got[k]; g.ContentSID != w.ContentSID || strings.Join(g.Vars, ",") != strings.Join(w.Vars, ",") {
			t.Errorf("%v = %v, want %v", k, g, w)
		}
	}
	if tpl, ok := got.Find(dialog.NoticeInboxReply, "es"); !ok || tpl.ContentSID != b {
		t.Errorf("a template without language is not found for es")
	}
	if _, ok := got.Find(dialog.NoticeStatusChange, "es"); ok {
		t.Errorf("the Catalan template is found for es")
	}
	if empty, err := ParseTemplates("  "); err != nil || len(empty) != 0 {
		t.Errorf("empty: %v, %v", empty, err)
	}
}

func TestParseTemplatesRejects(t *testing.T) {
	const sid = "HX0123456789abcdef0123456789abcdef"
	for name, s := range map[string]string{
		"NoEquals":      "status_change",
		"BadKind":       "Status-Change=" + sid,
		"BadLanguage":   "deadline.en=" + sid,
		"BadSID":        "deadline=HX123",
		"SIDNotHex":     "deadline=HXzz23456789abcdef0123456789abcdef",
		"EmptyVar":      "deadline=" + sid + ":",
		"HostileVar":    "deadline=" + sid + ":{{1}}",
		"TooManyVars":   "deadline=" + sid + ":a,b,c,d,e,f,g,h,i,j,k",
		"Twice":         "deadline=" + sid + " deadline=" + sid,
		"Oversized":     strings.Repeat("x", 1<<16),
		"InvalidUTF8":   "deadline=\xff",
		"ControlInside": "dead\x00line=" + sid,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := ParseTemplates(s)
			if err == nil {
				t.Fatalf("ParseTemplates(%.40q): no error", s)
			}
			if strings.Contains(err.Error(), "0123456789abcdef") {
				t.Errorf("error %q quotes the SID", err)
			}
		})
	}
}
