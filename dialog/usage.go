package dialog

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/catalonia/mygov/records"
)

// Catalog keys of the access log answer (locales/usage.*.toml and active.*.toml).
const (
	KeyUsageHeaderPeriod  = "usage.header.period"         // Period (a key), Count
	KeyUsageHeaderAdm     = "usage.header.administration" // Administration, Count
	KeyUsageHeaderBoth    = "usage.header.both"           // Period (a key), Administration, Count
	KeyUsageNoneFiltered  = "usage.none.filtered"         // no event matches the filters
	KeyUsageOnlyAssistant = "usage.only_assistant"        // no administration read the data
	KeyUsageAssistantSum  = "usage.assistant.summary"     // Count of MyGov's own reads
	KeyUsageWhy           = "usage.why"                   // Administration, Unit, Category (key), Date, Purpose, Basis
	KeyUsageWhyNoBasis    = "usage.why.no_basis"          // the same without Basis
	KeyUsageWhyNone       = "usage.why.none"              // no such read to explain
	KeyUsageWhyNext       = "usage.why.next"              // where to complain, Administration
	PrefixPeriod          = "period."                     // "period.month" = "aquest mes"
)

// maxUsage is how many access events data_usage reads.
const maxUsage = 200

// usageFilter narrows the access log; it is kept in Conversation.PendingRef across pages
// and verification.
type usageFilter struct {
	Period   string // an EntityPeriod value, "" for all
	Category string // a data category, "" for all
	Why      bool   // "why did X look at my Y?": answer with the purpose and legal basis
	// Adm is the administration asked about: its ID once resolved, or until then the
	// distinctive words of the question ("ajuntament badalona"), matched against the
	// names of the administrations in the log.
	Adm      string
	Resolved bool
}

// encode returns the filter as "usage:period=month;cat=address;why;words=…", "" for none.
func (f usageFilter) encode() string {
	var parts []string
	if f.Period != "" {
		parts = append(parts, "period="+f.Period)
	}
	if f.Category != "" {
		parts = append(parts, "cat="+f.Category)
	}
	if f.Why {
		parts = append(parts, "why")
	}
	if f.Adm != "" {
		if f.Resolved {
			parts = append(parts, "adm="+f.Adm)
		} else {
			parts = append(parts, "words="+f.Adm)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "usage:" + strings.Join(parts, ";")
}

// decodeUsageFilter reads what encode wrote; anything else is no filter.
func decodeUsageFilter(s string) usageFilter {
	var f usageFilter
	rest, ok := strings.CutPrefix(s, "usage:")
	if !ok {
		return f
	}
	for _, p := range strings.Split(rest, ";") {
		k, v, _ := strings.Cut(p, "=")
		switch k {
		case "period":
			f.Period = v
		case "cat":
			f.Category = v
		case "why":
			f.Why = true
		case "adm":
			f.Adm, f.Resolved = v, true
		case "words":
			f.Adm = v
		}
	}
	return f
}

// usageFilterOf returns the filter a data_usage question asks for.
func usageFilterOf(cls Classification, text string) usageFilter {
	return usageFilter{
		Period:   entityValue(cls, EntityPeriod),
		Category: entityValue(cls, EntityCategory),
		Why:      hasEntity(cls, EntityWhy),
		Adm:      strings.Join(nameWords(text, maxAdmWords), " "),
	}
}

// maxAdmWords is how many words of a question are kept to find the administration it
// names.
const maxAdmWords = 8

// usagePage lists who read the citizen's data, newest first: the administrations' reads,
// narrowed by the question's filters, then one line counting MyGov's own reads. A "why"
// question about one administration is answered with that read's purpose and legal basis.
// The read of the log is recorded after it, so a question never lists itself.
func (t *turn) usagePage(offset, size int) ([]Text, int, error) {
	evs, err := t.accessEvents()
	if err != nil {
		return nil, 0, fmt.Errorf("find access events: %w", err)
	}
	if offset == 0 {
		if err := t.recordAccess(records.CategoryAccessLog, IntentDataUsage); err != nil {
			return nil, 0, err
		}
	}
	names := map[string]string{}
	f := decodeUsageFilter(t.c.PendingRef)
	if f.Adm != "" && !f.Resolved {
		if f.Adm, err = t.resolveAdministration(evs, f.Adm, names); err != nil {
			return nil, 0, err
		}
		f.Resolved = f.Adm != ""
		t.c.PendingRef = f.encode()
	}
	from, to := t.period(f.Period)
	var reads []records.AccessEvent
	own := 0
	for _, ev := range evs {
		switch {
		case (!from.IsZero() && ev.At.Before(from)) || (!to.IsZero() && !ev.At.Before(to)):
		case ev.AdministrationID == records.AccessorAssistant:
			own++
		case f.Category != "" && ev.Category != f.Category:
		case f.Resolved && ev.AdministrationID != f.Adm:
		default:
			reads = append(reads, ev)
		}
	}
	if f.Why && (f.Resolved || f.Category != "") {
		return t.usageWhy(reads, names)
	}
	filtered := f.Period != "" || f.Category != "" || f.Resolved
	if len(reads) == 0 {
		switch {
		case filtered:
			return []Text{T(KeyUsageNoneFiltered)}, 0, nil
		case own > 0:
			return []Text{T(KeyUsageOnlyAssistant), t.ownReads(own)}, 0, nil
		}
		return []Text{T(KeyUsageNone)}, 0, nil
	}
	var lines []Text
	if offset == 0 {
		h, err := t.usageHeader(f, len(reads), names)
		if err != nil {
			return nil, 0, err
		}
		lines = append(lines, h)
	}
	lang := t.lang()
	for _, ev := range page(reads, offset, size) {
		adm, err := t.administration(ev.AdministrationID, names)
		if err != nil {
			return nil, 0, err
		}
		lines = append(lines, T(KeyUsageItem, "Date", t.date(ev.At), "Administration", adm, "Unit", ev.Unit.In(lang), "Purpose", ev.Purpose.In(lang)).
			WithKey("Category", PrefixCategory+ev.Category))
	}
	if offset+size >= len(reads) && own > 0 {
		lines = append(lines, t.ownReads(own))
	}
	return lines, len(reads), nil
}

func (t *turn) ownReads(n int) Text {
	return T(KeyUsageAssistantSum, "Count", strconv.Itoa(n))
}

func (t *turn) usageHeader(f usageFilter, n int, names map[string]string) (Text, error) {
	count := strconv.Itoa(n)
	adm := ""
	if f.Resolved {
		var err error
		if adm, err = t.administration(f.Adm, names); err != nil {
			return Text{}, err
		}
	}
	switch {
	case f.Period != "" && adm != "":
		return T(KeyUsageHeaderBoth, "Administration", adm, "Count", count).WithKey("Period", PrefixPeriod+f.Period), nil
	case f.Period != "":
		return T(KeyUsageHeaderPeriod, "Count", count).WithKey("Period", PrefixPeriod+f.Period), nil
	case adm != "":
		return T(KeyUsageHeaderAdm, "Administration", adm, "Count", count), nil
	}
	return T(KeyUsageHeader, "Count", count), nil
}

// usageWhy answers "why did X look at my Y?" with the newest matching read.
func (t *turn) usageWhy(reads []records.AccessEvent, names map[string]string) ([]Text, int, error) {
	if len(reads) == 0 {
		return []Text{T(KeyUsageWhyNone)}, 0, nil
	}
	ev, lang := reads[0], t.lang()
	adm, err := t.administration(ev.AdministrationID, names)
	if err != nil {
		return nil, 0, err
	}
	key := KeyUsageWhy
	args := []string{"Administration", adm, "Unit", ev.Unit.In(lang), "Date", t.date(ev.At), "Purpose", ev.Purpose.In(lang)}
	if basis := ev.LegalBasis.In(lang); basis != "" {
		args = append(args, "Basis", basis)
	} else {
		key = KeyUsageWhyNoBasis
	}
	return []Text{
		T(key, args...).WithKey("Category", PrefixCategory+ev.Category),
		T(KeyUsageWhyNext, "Administration", adm).AsAction(),
	}, 1, nil
}

// period returns the bounds [from, to) of a period in the engine's time zone; zero
// times for no bound.
func (t *turn) period(p string) (from, to time.Time) {
	now := t.now.In(t.e.location())
	y, m, d := now.Date()
	day := time.Date(y, m, d, 0, 0, 0, 0, now.Location())
	switch p {
	case "today":
		return day, time.Time{}
	case "week":
		return day.AddDate(0, 0, -((int(now.Weekday()) + 6) % 7)), time.Time{}
	case "month":
		return time.Date(y, m, 1, 0, 0, 0, 0, now.Location()), time.Time{}
	case "last_month":
		first := time.Date(y, m, 1, 0, 0, 0, 0, now.Location())
		return first.AddDate(0, -1, 0), first
	case "year":
		return time.Date(y, 1, 1, 0, 0, 0, 0, now.Location()), time.Time{}
	case "last_year":
		return time.Date(y-1, 1, 1, 0, 0, 0, 0, now.Location()), time.Date(y, 1, 1, 0, 0, 0, 0, now.Location())
	}
	return time.Time{}, time.Time{}
}

// resolveAdministration returns the ID of the administration in evs whose name shares the
// most distinctive words with the question's words, or "" when none shares one or two
// tie.
func (t *turn) resolveAdministration(evs []records.AccessEvent, words string, names map[string]string) (string, error) {
	asked := strings.Fields(words)
	best, bestScore, tie := "", 0, false
	seen := map[string]bool{}
	for _, ev := range evs {
		id := ev.AdministrationID
		if id == records.AccessorAssistant || seen[id] {
			continue
		}
		seen[id] = true
		name, err := t.administration(id, names)
		if err != nil {
			return "", err
		}
		score := 0
		for _, w := range nameWords(name, 0) {
			if containsString(asked, w) {
				score += 1 + len(w)/8 // a long word ("badalona", "tributaria") says more
			}
		}
		switch {
		case score > bestScore:
			best, bestScore, tie = id, score, false
		case score == bestScore && score > 0:
			tie = true
		}
	}
	if tie {
		return "", nil
	}
	return best, nil
}

// nameWords returns the words of s that can name an administration: lower case, without
// accents, four letters or more, and not one of the words every name or question has.
// At most max words (0: all).
func nameWords(s string, max int) []string {
	var out []string
	for _, w := range strings.FieldsFunc(foldAccents(s), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if len([]rune(w)) < 4 || commonWords[w] || containsString(out, w) {
			continue
		}
		out = append(out, w)
		if max > 0 && len(out) == max {
			break
		}
	}
	return out
}

// commonWords are words too common in names of administrations and in questions to tell
// one administration from another.
var commonWords = map[string]bool{
	"general": true, "direccio": true, "direccion": true, "institut": true, "instituto": true,
	"nacional": true, "departament": true, "departamento": true, "ministeri": true, "ministerio": true,
	"dades": true, "datos": true, "meves": true, "meus": true, "teves": true, "mirar": true,
	"mirat": true, "consultat": true, "consultado": true, "quien": true, "visto": true,
	"perque": true, "aquest": true, "aquesta": true, "este": true, "esta": true, "para": true,
	"dels": true, "della": true, "social": true, "socials": true, "sociales": true,
}

// foldAccents lowers s and removes the accents of Catalan and Spanish letters; "l·l"
// becomes "ll".
func foldAccents(s string) string {
	return strings.Map(func(r rune) rune {
		switch r = unicode.ToLower(r); r {
		case 'à', 'á':
			return 'a'
		case 'è', 'é':
			return 'e'
		case 'í', 'ï':
			return 'i'
		case 'ò', 'ó':
			return 'o'
		case 'ú', 'ü':
			return 'u'
		case 'ç':
			return 'c'
		case 'ñ':
			return 'n'
		case '·':
			return -1
		}
		return r
	}, s)
}
