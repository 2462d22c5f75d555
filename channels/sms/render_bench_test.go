package sms

import (
	"testing"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

// statusPages are the pages of "com va la meva sol·licitud?" from Maria's phone, as
// BenchmarkEngineTurn sends it: the first item with the option to see more and both items
// with the main menu, both over the budget (the engine measures the second), then the
// second item alone, the next page, which fits.
func statusPages() []dialog.Reply {
	header := dialog.T("status.header", "Count", "2")
	first := []dialog.Text{
		dialog.T("status.item", "Administration", "Generalitat de Catalunya", "Date", "16/11/2026",
			"Procedure", "Renda Garantida de Ciutadania", "Ref", "EXP-2026-000101").
			WithKey("Status", "status.word.needs_documents"),
		dialog.T("app.note", "Note", "Falta el certificat de convivència."),
		dialog.T("status.missing", "Documents", "certificat de convivència"),
		dialog.T("status.next", "Next", "Demana el certificat de convivència al teu ajuntament "+
			"(a l'oficina d'atenció ciutadana o a la seu electrònica) i envia'l abans del 30 de novembre.").AsAction(),
	}
	second := []dialog.Text{
		dialog.T("status.item", "Administration", "Consell Comarcal del Barcelonès", "Date", "06/09/2026",
			"Procedure", "Ajut de menjador escolar", "Ref", "EXP-2026-000102").
			WithKey("Status", "status.word.approved"),
		dialog.T("app.note", "Note", "Ajut concedit per a aquest curs."),
	}
	more := []dialog.Option{
		{Label: dialog.T("menu.more"), Value: "more", Number: 6},
		{Label: dialog.T("menu.main"), Value: "i:help", Number: 0},
	}
	var menu []dialog.Option
	for i, k := range []string{"status", "for_me", "my_data", "data_usage", "human"} {
		menu = append(menu, dialog.Option{Label: dialog.T("menu." + k), Value: "i:" + k, Number: i + 1})
	}
	one := append(append([]dialog.Text{header}, first...), dialog.T("list.more"))
	two := append(append([]dialog.Text{header}, first...), second...)
	return []dialog.Reply{{Lines: one, Options: more}, {Lines: two, Options: menu}, {Lines: second, Options: menu}}
}

// BenchmarkFits measures Fits on the status pages of BenchmarkEngineTurn: the one the
// engine measures in each turn, over the budget, and the next page, which fits.
func BenchmarkFits(b *testing.B) {
	r := NewRenderer(Config{GSM7: true}, locales.MustLoad())
	for _, tc := range []struct {
		name string
		page int
	}{{"Over", 1}, {"Fits", 2}} {
		reply := statusPages()[tc.page]
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				r.Fits("ca", reply)
			}
		})
	}
}

// BenchmarkRender measures Render on the status page BenchmarkEngineTurn sends, which is
// over the budget and shortened, as the delivery worker renders it.
func BenchmarkRender(b *testing.B) {
	r := NewRenderer(Config{GSM7: true}, locales.MustLoad())
	reply := statusPages()[0]
	b.ReportAllocs()
	for b.Loop() {
		r.Render("ca", reply)
	}
}
