package smsbench_test

import (
	"context"
	"regexp"
	"strings"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/intents"
	"github.com/catalonia/mygov/records"
)

var (
	refRE  = regexp.MustCompile(`EXP-\d{4}-\d{6}`)
	dateRE = regexp.MustCompile(`(\d{2})/(\d{2})/(\d{4})`)
)

type scratchCls struct{}

func (scratchCls) Classify(ctx context.Context, text string) dialog.Classification {
	l := strings.ToLower(text)
	c := dialog.Classification{Confidence: 0.9, Lang: "ca"}
	if strings.ContainsAny(l, "¿ñ") || strings.Contains(l, "mis ") || strings.Contains(l, "qué") || strings.Contains(l, "quiero") || strings.Contains(l, "buenos") || strings.Contains(l, "gracias") || strings.Contains(l, "tarjeta") {
		c.Lang = "es"
	}
	has := func(ws ...string) bool {
		for _, w := range ws {
			if strings.Contains(l, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("dades", "datos") && has("qui ", "quién", "consult", "vist"):
		c.Intent = "data_usage"
	case has("dades", "datos"):
		c.Intent = "my_data"
	case has("ajudes", "ayudas"):
		c.Intent = "for_me"
	case has("sol·licitud", "solicitud", "expedient", "exp-", "renda", "tarjeta"):
		c.Intent = "status"
	case has("ajuda", "ayuda"):
		c.Intent = "help"
	case has("persona"):
		c.Intent = "human"
	case has("adéu", "adiós"):
		c.Intent = "goodbye"
	case has("hola"):
		c.Intent = "greeting"
	default:
		c.Intent, c.Confidence = "other", 0.1
	}
	if m := refRE.FindString(text); m != "" {
		c.Entities = append(c.Entities, dialog.Entity{Kind: "application_ref", Value: m})
	}
	if has("renda") {
		c.Entities = append(c.Entities, dialog.Entity{Kind: "procedure", Value: "rgc"})
	}
	for _, w := range strings.Fields(text) {
		if id, ok := records.ParseNationalID(w); ok {
			c.Entities = append(c.Entities, dialog.Entity{Kind: "national_id", Value: id})
		}
	}
	if m := dateRE.FindStringSubmatch(text); m != nil {
		c.Entities = append(c.Entities, dialog.Entity{Kind: "date", Value: m[3] + "-" + m[2] + "-" + m[1]})
	}
	return c
}

var scratch = true

func init() {
	newClassifier = func(opts ...intents.Option) (*intents.Classifier, error) { return nil, nil }
}
