package sqlstore

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// TestMarshalReply: marshal writes replies and Localized texts as encoding/json does, with
// every field set or empty and with text that encoding/json escapes (quotes, control
// characters, HTML, line separators, NUL, invalid UTF-8).
func TestMarshalReply(t *testing.T) {
	// The fields marshalReply writes: a new one must be written there too.
	for typ, want := range map[reflect.Type]int{
		reflect.TypeFor[dialog.Reply](): 5, reflect.TypeFor[dialog.Text](): 4, reflect.TypeFor[dialog.Option](): 3,
	} {
		if typ.NumField() != want {
			t.Errorf("%s has %d fields, marshalReply writes %d", typ, typ.NumField(), want)
		}
	}
	hostile := "\"cometes\" \\ <b>&amp;</b>\n\r\t\b\f\x01\x1f\x00 \u2028\u2029 \xff\xfe é l·l 🙂"
	for _, r := range []dialog.Reply{
		{},
		{Lines: []dialog.Text{}},
		{Lines: []dialog.Text{dialog.T("status.header", "Count", "2")}},
		{
			Lines: []dialog.Text{
				dialog.T("status.item", "Ref", "EXP-2026-000101", "Procedure", hostile, "Administration", "Generalitat", "Date", "16/11/2026").
					WithKey("Status", "status.word.needs_documents"),
				dialog.T("status.next", "Next", hostile).AsAction(),
				dialog.T(hostile, hostile, hostile).WithKey(hostile, hostile),
				{Key: "empty.maps", Args: map[string]string{}, Keys: map[string]string{}},
			},
			Options:    []dialog.Option{{Label: dialog.T("menu.more"), Value: "more", Number: 6}, {Label: dialog.T("menu.main"), Value: hostile, Number: -1}},
			AskContact: true, Final: true, Notice: hostile,
		},
	} {
		if got, want := marshalReply(r), encodingJSON(t, r); got != want {
			t.Errorf("marshalReply(%+v)\n= %s\nwant %s", r, got, want)
		}
	}
	for _, l := range []records.Localized{nil, {}, {"ca": "Sol·licitud", "es": "Solicitud"}, {"ca": hostile, hostile: "", "es": "x"}} {
		got, err := marshal(l)
		if want := encodingJSON(t, l); err != nil || got != want {
			t.Errorf("marshal(%q) = %s, %v; want %s", l, got, err, want)
		}
	}
}

// encodingJSON is v as marshal wrote it with encoding/json alone.
func encodingJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(CleanJSON(b))
}

func BenchmarkMarshalReply(b *testing.B) {
	r := dialog.Reply{
		Lines: []dialog.Text{
			dialog.T("status.header", "Count", "2"),
			dialog.T("status.item", "Ref", "EXP-2026-000101", "Procedure", "Renda Garantida de Ciutadania",
				"Administration", "Generalitat de Catalunya", "Date", "16/11/2026").WithKey("Status", "status.word.needs_documents"),
			dialog.T("status.next", "Next", "Demana el certificat de convivència al teu ajuntament i envia'l abans del 30 de novembre.").AsAction(),
		},
		Options: []dialog.Option{{Label: dialog.T("menu.more"), Value: "more", Number: 6}, {Label: dialog.T("menu.main"), Value: "i:help"}},
	}
	b.Run("encoding/json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("marshalReply", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			marshalReply(r)
		}
	})
}
