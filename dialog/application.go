package dialog

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/catalonia/mygov/records"
)

// EntityAspect is what a question about one application asks; its Value is one of Aspects.
const EntityAspect = "aspect"

// EntityStatus is a status word the citizen quotes ("what does 'in review' mean?"); its
// Value is a records.Status.
const EntityStatus = "status"

// Aspects of a question about one application, in the order the engine picks one when a
// message has several.
const (
	AspectWhy      = "why"      // why it was denied, why it is stuck
	AspectAppeal   = "appeal"   // how to appeal a denial, and by when
	AspectMeaning  = "meaning"  // what the status means
	AspectMissing  = "missing"  // which documents are missing
	AspectDeadline = "deadline" // by when
	AspectWhere    = "where"    // where to get a document, where to hand it in
	AspectPayment  = "payment"  // when and how much is paid
	AspectWhen     = "when"     // when it will be resolved, when they come
	AspectWho      = "who"      // who handles it, how to reach them
	AspectNext     = "next"     // what to do now
)

// Aspects lists the aspects in the order the engine picks one.
var Aspects = []string{
	AspectWhy, AspectAppeal, AspectMeaning, AspectMissing, AspectDeadline,
	AspectWhere, AspectPayment, AspectWhen, AspectWho, AspectNext,
}

// Catalog keys of the answers about one application.
const (
	KeyAppStatus          = "app.status"
	KeyAppNote            = "app.note"
	PrefixAppMeaning      = "app.meaning." // + status
	KeyAppMissingNone     = "app.missing.none"
	KeyAppDeadlineNone    = "app.deadline.none"
	KeyAppWhereDocuments  = "app.where.documents"
	PrefixAppPayment      = "app.payment." // + status
	KeyAppNotDenied       = "app.why.not_denied"
	KeyAppDeniedNoReason  = "app.why.no_reason"
	KeyAppAppeal          = "app.appeal"
	KeyAppAppealNotDenied = "app.appeal.not_denied"
	PrefixAppWhen         = "app.when." // + status
	KeyAppWho             = "app.who"
	KeyAppContact         = "app.contact"
	KeyAppContact012      = "app.contact012"
	KeyAppWhich           = "app.which"
	KeyAppNone            = "app.none"
	KeyAppNoneOfProcedure = "app.none_of_procedure"
	KeyAppBenefit         = "app.benefit"
	KeyOptionApp          = "menu.app"
)

// ValueApp is the option value prefix of a choice among applications: "app:REF:ASPECT".
const ValueApp = "app:"

// DefaultFocusTTL is how long the applications last shown stay the subject of follow-ups.
const DefaultFocusTTL = 30 * time.Minute

// aspectOf returns the aspect of cls that comes first in Aspects, or "".
func aspectOf(cls Classification) string {
	best := ""
	for _, e := range cls.Entities {
		if e.Kind == EntityAspect && (best == "" || slices.Index(Aspects, e.Value) < slices.Index(Aspects, best)) {
			best = e.Value
		}
	}
	return best
}

// focused returns the references in focus, or nil when the focus expired.
func (t *turn) focused() []string {
	if len(t.c.Focus) == 0 || !t.now.Before(t.c.FocusUntil) {
		return nil
	}
	return t.c.Focus
}

// setFocus makes refs the subject of the next follow-ups.
func (t *turn) setFocus(refs []string) {
	ttl := t.e.focusTTL
	if ttl <= 0 {
		ttl = DefaultFocusTTL
	}
	t.c.Focus, t.c.FocusUntil = slices.Clone(refs), t.now.Add(ttl)
}

// isApplicationQuestion reports whether a message with aspect is a question about one of
// the citizen's applications rather than the intent the classifier read.
func (t *turn) isApplicationQuestion(cls Classification, aspect string) bool {
	confident := cls.Confidence >= t.e.threshold
	if confident && (cls.Intent == IntentStop || cls.Intent == IntentLanguage) {
		return false
	}
	if _, ok := cls.Entity(EntityApplicationRef); ok {
		return true
	}
	if _, ok := cls.Entity(EntityProcedure); ok {
		return true
	}
	switch cls.Intent {
	case IntentMyData, IntentDataUsage, IntentHuman:
		if confident {
			return false
		}
	}
	if cls.Intent == IntentStatus && confident || t.focused() != nil {
		return true
	}
	switch aspect {
	case AspectWhere, AspectWho, AspectNext:
		return false // "where is…", "who…", "and now?" say little without a subject
	}
	return true
}

// application answers a question about one application: the status in plain words with the
// note of its last change, then what was asked.
func (t *turn) application(aspect string, cls Classification) ([]Reply, error) {
	t.c.List, t.c.Offset, t.c.Misses = "", 0, 0
	ref, proc := "", ""
	if e, ok := cls.Entity(EntityApplicationRef); ok {
		ref = e.Value
	} else if e, ok := cls.Entity(EntityProcedure); ok {
		proc = e.Value
	}
	if t.trust() < TrustPossession {
		if proc != "" && (aspect == AspectWhere || aspect == AspectWho || aspect == AspectNext) {
			return t.benefitInfo(proc, false) // how to apply: general information
		}
		pending := ref
		if proc != "" {
			pending = "proc:" + proc
		}
		return t.guarded(IntentStatus, pending)
	}
	apps, err := t.tx.FindApplicationsWithLastChange(t.ctx, t.citizen.ID)
	if err != nil {
		return nil, fmt.Errorf("find applications: %w", err)
	}
	if err := t.recordAccess(records.CategoryApplications, IntentStatus); err != nil {
		return nil, err
	}
	var picked []records.Application
	switch {
	case ref != "":
		picked = filterApps(apps, func(a records.Application) bool { return a.Ref == ref })
		if len(picked) == 0 {
			return t.reset(t.withMenu(T(KeyStatusNotFound)))
		}
	case proc != "":
		picked = filterApps(apps, func(a records.Application) bool { return a.ProcedureID == proc })
		if len(picked) == 0 {
			return t.benefitInfo(proc, true)
		}
	default:
		if focus := t.focused(); focus != nil {
			picked = filterApps(apps, func(a records.Application) bool { return slices.Contains(focus, a.Ref) })
		}
		if len(picked) == 0 {
			picked = apps
		}
	}
	if len(picked) == 0 {
		return t.reset(t.withMenu(T(KeyAppNone)))
	}
	if st, ok := cls.Entity(EntityStatus); ok {
		picked = narrow(picked, func(a records.Application) bool { return string(a.Status) == st.Value })
	}
	if ref == "" && proc == "" {
		picked = narrow(picked, func(a records.Application) bool { return mentions(t.in.Text, a) })
	}
	if narrowed := filterApps(picked, fits(aspect, t.now)); len(narrowed) > 0 {
		picked = narrowed
	} else if len(picked) > 1 && (aspect == AspectMissing || aspect == AspectDeadline) {
		// Nothing is missing and nothing is due, whichever the citizen means.
		key := KeyAppMissingNone
		if aspect == AspectDeadline {
			key = KeyAppDeadlineNone
		}
		t.setFocus(refsOf(picked))
		return t.reset(t.withMenu(T(key)))
	}
	if len(picked) > 1 {
		return t.whichApplication(picked, aspect)
	}
	a := picked[0]
	t.setFocus([]string{a.Ref})
	lines, err := t.aspectLines(a, aspect)
	if err != nil {
		return nil, err
	}
	r := t.menuReply(Text{}, []string{ValueIntent + IntentStatus, ValueIntent + IntentHuman, ValueIntent + IntentHelp})
	r.Lines = lines
	if err := fire(t.ctx, t.c, EventList); err != nil {
		return nil, err
	}
	return []Reply{r}, nil
}

// fits returns what makes an application the likely subject of a question with aspect.
func fits(aspect string, now time.Time) func(records.Application) bool {
	switch aspect {
	case AspectMissing, AspectWhere:
		return func(a records.Application) bool { return len(a.MissingDocuments) > 0 }
	case AspectDeadline:
		return func(a records.Application) bool { return a.Deadline.After(now) }
	case AspectWhy, AspectAppeal:
		return func(a records.Application) bool { return a.Status == records.StatusDenied }
	case AspectPayment:
		return func(a records.Application) bool {
			return a.Status == records.StatusApproved || a.Status == records.StatusPaid
		}
	case AspectNext:
		return func(a records.Application) bool {
			return len(a.MissingDocuments) > 0 || a.Deadline.After(now) || a.Status == records.StatusDenied
		}
	case AspectWhen, AspectMeaning:
		return func(a records.Application) bool {
			return a.Status != records.StatusClosed && a.Status != records.StatusPaid && a.Status != records.StatusDenied
		}
	}
	return func(records.Application) bool { return true }
}

// narrow keeps the applications that keep, unless none does.
func narrow(apps []records.Application, keep func(records.Application) bool) []records.Application {
	if out := filterApps(apps, keep); len(out) > 0 {
		return out
	}
	return apps
}

func refsOf(apps []records.Application) []string {
	out := make([]string, 0, len(apps))
	for _, a := range apps {
		out = append(out, a.Ref)
	}
	return out
}

func filterApps(apps []records.Application, keep func(records.Application) bool) []records.Application {
	var out []records.Application
	for _, a := range apps {
		if keep(a) {
			out = append(out, a)
		}
	}
	return out
}

// whichApplication asks which application the question is about, with the options as a
// menu; the focus keeps all of them.
func (t *turn) whichApplication(apps []records.Application, aspect string) ([]Reply, error) {
	lang := t.lang()
	r := Reply{Lines: []Text{T(KeyAppWhich)}}
	var values, refs []string
	for _, a := range apps[:min(len(apps), 5)] {
		v := ValueApp + a.Ref + ":" + aspect
		values = append(values, v)
		refs = append(refs, a.Ref)
		r.Options = append(r.Options, Option{Label: T(KeyOptionApp, "Ref", a.Ref, "Procedure", a.Procedure.In(lang)), Value: v})
	}
	t.setFocus(refs)
	t.c.Menu = values
	if err := fire(t.ctx, t.c, EventList); err != nil {
		return nil, err
	}
	return []Reply{r}, nil
}

// chosenApplication answers an "app:REF:ASPECT" option.
func (t *turn) chosenApplication(v string) ([]Reply, error) {
	ref, aspect, _ := strings.Cut(strings.TrimPrefix(v, ValueApp), ":")
	if !slices.Contains(Aspects, aspect) {
		aspect = AspectNext
	}
	cls := Classification{Entities: []Entity{{Kind: EntityApplicationRef, Value: ref}}}
	return t.application(aspect, cls)
}

// aspectLines are the lines of the answer about a for aspect: the status, the note of the
// last change, then what was asked.
func (t *turn) aspectLines(a records.Application, aspect string) ([]Text, error) {
	lang := t.lang()
	adm, err := t.administration(a.AdministrationID, map[string]string{})
	if err != nil {
		return nil, err
	}
	status := PrefixStatus + string(a.Status)
	lines := []Text{T(KeyAppStatus, "Ref", a.Ref, "Procedure", a.Procedure.In(lang), "Date", t.date(a.UpdatedAt)).WithKey("Status", status)}
	note := lastNote(a, lang)
	if note != "" {
		lines = append(lines, T(KeyAppNote, "Note", note))
	}
	meaning := T(PrefixAppMeaning + string(a.Status))
	docs := func() []Text {
		var ls []Text
		if len(a.MissingDocuments) > 0 {
			ls = append(ls, T(KeyStatusMissing, "Documents", joinTexts(a.MissingDocuments, lang)))
		}
		if next := a.NextStep.In(lang); next != "" {
			ls = append(ls, T(KeyStatusNext, "Next", next))
		}
		if a.Deadline.After(t.now) {
			ls = append(ls, T(KeyStatusDeadline, "Deadline", t.date(a.Deadline)))
		}
		return ls
	}
	denied := a.Status == records.StatusDenied
	switch aspect {
	case AspectMissing, AspectDeadline, AspectWhere:
		ls := docs()
		switch {
		case len(ls) > 0 && aspect == AspectDeadline && !a.Deadline.After(t.now):
			lines = append(lines, T(KeyAppDeadlineNone))
			lines = append(lines, ls...)
		case len(ls) > 0:
			lines = append(lines, ls...)
			if aspect == AspectWhere && a.NextStep.In(lang) == "" {
				lines = append(lines, T(KeyAppWhereDocuments))
			}
		case aspect == AspectDeadline:
			lines = append(lines, T(KeyAppDeadlineNone), meaning)
		default:
			lines = append(lines, T(KeyAppMissingNone), meaning)
		}
	case AspectPayment:
		lines = append(lines, T(PrefixAppPayment+string(a.Status)))
	case AspectWhy:
		switch {
		case denied && note == "":
			lines = append(lines, T(KeyAppDeniedNoReason))
		case !denied:
			lines = append(lines, T(KeyAppNotDenied), meaning)
		}
		if denied {
			lines = append(lines, T(KeyAppAppeal, "Date", t.date(a.UpdatedAt), "Unit", a.Unit.In(lang), "Administration", adm))
		}
	case AspectAppeal:
		if denied {
			lines = append(lines, T(KeyAppAppeal, "Date", t.date(a.UpdatedAt), "Unit", a.Unit.In(lang), "Administration", adm))
		} else {
			lines = append(lines, T(KeyAppAppealNotDenied), meaning)
		}
	case AspectMeaning:
		lines = append(lines, meaning)
		lines = append(lines, docs()...)
	case AspectWhen:
		lines = append(lines, T(PrefixAppWhen+string(a.Status)))
		lines = append(lines, docs()...)
	case AspectWho:
		lines = append(lines, T(KeyAppWho, "Unit", a.Unit.In(lang), "Administration", adm))
	default: // AspectNext
		lines = append(lines, meaning)
		lines = append(lines, docs()...)
		if denied {
			lines = append(lines, T(KeyAppAppeal, "Date", t.date(a.UpdatedAt), "Unit", a.Unit.In(lang), "Administration", adm))
		}
	}
	if aspect == AspectWho || aspect == AspectAppeal || aspect == AspectWhy && denied {
		contact, err := t.contactOf(a.ProcedureID)
		if err != nil {
			return nil, err
		}
		lines = append(lines, contact)
	}
	return lines, nil
}

// lastNote returns the note of the last status change, when it has one.
func lastNote(a records.Application, lang string) string {
	if len(a.History) == 0 {
		return ""
	}
	return a.History[len(a.History)-1].Note.In(lang)
}

// contactOf returns how to reach whoever handles procedure: its link and phone when it is
// a benefit of the catalog, 012 otherwise.
func (t *turn) contactOf(procedure string) (Text, error) {
	b, ok, err := t.benefit(procedure)
	if err != nil {
		return Text{}, err
	}
	if !ok || (b.Link == "" && b.Phone == "") {
		return T(KeyAppContact012), nil
	}
	return T(KeyAppContact, "Link", b.Link, "Phone", b.Phone), nil
}

func (t *turn) benefit(id string) (records.Benefit, bool, error) {
	bs, err := t.tx.ListBenefits(t.ctx)
	if err != nil {
		return records.Benefit{}, false, fmt.Errorf("list benefits: %w", err)
	}
	for _, b := range bs {
		if b.ID == id {
			return b, true, nil
		}
	}
	return records.Benefit{}, false, nil
}

// benefitInfo tells how to apply for a benefit of the catalog: general information, for
// anyone. none says the citizen has no application for it.
func (t *turn) benefitInfo(id string, none bool) ([]Reply, error) {
	b, ok, err := t.benefit(id)
	if err != nil {
		return nil, err
	}
	lang := t.lang()
	var lines []Text
	if none {
		lines = append(lines, T(KeyAppNoneOfProcedure))
	}
	if ok {
		lines = append(lines, T(KeyAppBenefit, "Name", b.Name.In(lang), "Summary", b.Summary.In(lang), "Link", b.Link, "Phone", b.Phone,
			"Documents", joinTexts(b.Documents, lang)))
	}
	if len(lines) == 0 {
		return t.reset(t.withMenu(T(KeyAppNone)))
	}
	r := t.withMenu(Text{})
	r.Lines = lines
	if err := fire(t.ctx, t.c, EventList); err != nil {
		return nil, err
	}
	return []Reply{r}, nil
}

// ownProcedure answers "how is my X going?" that the classifier read as a question about
// benefits: when the citizen has an application to the procedure named, it is its status.
func (t *turn) ownProcedure(cls Classification) ([]Reply, bool, error) {
	e, ok := cls.Entity(EntityProcedure)
	if !ok || cls.Intent != IntentForMe || t.trust() < TrustPossession {
		return nil, false, nil
	}
	apps, err := t.tx.FindApplicationsWithLastChange(t.ctx, t.citizen.ID)
	if err != nil {
		return nil, false, fmt.Errorf("find applications: %w", err)
	}
	if !slices.ContainsFunc(apps, func(a records.Application) bool { return a.ProcedureID == e.Value }) {
		return nil, false, nil
	}
	r, err := t.guarded(IntentStatus, "proc:"+e.Value)
	return r, true, err
}

// mentions reports whether text names the procedure of a by one of the distinctive words
// of its name ("discapacitat", "atur", "teleassistència"), in either language.
func mentions(text string, a records.Application) bool {
	words := strings.FieldsFunc(foldAccents(text), func(r rune) bool { return !unicode.IsLetter(r) })
	for _, name := range a.Procedure {
		for _, w := range strings.FieldsFunc(foldAccents(name), func(r rune) bool { return !unicode.IsLetter(r) }) {
			if len(w) < 4 || slices.Contains(commonProcedureWords, w) {
				continue
			}
			for _, x := range words {
				if x == w || len(w) >= 6 && len(x) >= 6 && x[:6] == w[:6] {
					return true
				}
			}
		}
	}
	return false
}

// commonProcedureWords are words of procedure names that do not tell one from another.
var commonProcedureWords = []string{
	"prestacio", "prestacion", "ajut", "ajuda", "ayuda", "servei", "servicio", "reconeixement",
	"reconocimiento", "grau", "grado", "titol", "titulo", "familia", "declaracio", "declaracion",
	"inscripcio", "inscripcion", "registre", "registro", "solicitants", "solicitantes", "canvi",
	"cambio", "renda", "renta", "devolucio", "devolucion", "complement", "complemento", "escolar",
}
