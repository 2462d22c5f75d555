package dialog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/catalonia/mygov/records"
)

// turn is the work of one Handle call. It is used by one goroutine only.
type turn struct {
	e   *Engine
	ctx context.Context
	tx  Tx
	c   *Conversation
	in  Inbound
	now time.Time

	citizen *records.Citizen // set when the conversation is linked to a citizen
	// recorded holds the reads of this turn already in the access log: a page built twice
	// to fit the channel is one read.
	recorded map[string]bool
	reads    turnReads
	useful   bool // an answer from the citizen's records was given (see consent.go)
}

// run decides the replies of the turn and updates the conversation.
func (t *turn) run() ([]Reply, error) {
	if err := t.identify(); err != nil {
		return nil, err
	}
	c, in := t.c, t.in

	// Carrier-style keywords and the opt-out come before anything else.
	switch in.Kind {
	case KindOptOut:
		if t.offersCancel() && isCancel(cancelWord(in.Text)) {
			return t.cancelPrompt() // "Cancelar" answers the prompt that offered it
		}
		return t.optOut(KeyOptOutDone)
	case KindOptIn:
		c.OptedOut = false
		return []Reply{t.withMenu(T(KeyOptInDone))}, nil
	case KindSMSHelp:
		return []Reply{{Lines: []Text{T(KeySMSHelp)}}}, nil
	}
	if c.OptedOut {
		if in.Caps.CarrierOptOut {
			return nil, nil // never message an opted-out number until it opts in
		}
		c.OptedOut = false // on chat channels, writing again is asking to be answered again
	}
	if c.State == StateEscalated {
		if in.Kind == KindCommand && in.Command == "stop" {
			return t.optOut(KeyStopDone)
		}
		return nil, nil // a social worker has the conversation
	}

	switch in.Kind {
	case KindMedia:
		return []Reply{t.withMenu(T(KeyMedia))}, nil
	case KindEdited:
		return []Reply{{Lines: []Text{T(KeyEdited)}}}, nil
	case KindContact:
		return t.contact()
	case KindCommand:
		return t.command()
	case KindButton:
		replies, err := t.button(in.Payload)
		return t.offerNotices(replies), err
	}
	if replies, ok, err := t.consent(); ok {
		return replies, err
	}
	replies, err := t.text()
	return t.offerNotices(replies), err
}

// identify links the conversation to the citizen whose phone the channel proves, and loads
// the linked citizen.
func (t *turn) identify() error {
	c := t.c
	if t.in.Phone != "" {
		cit, err := t.tx.FindCitizenByPhone(t.ctx, t.in.Phone)
		switch {
		case err == nil:
			if c.CitizenID != cit.ID {
				c.VerifiedAt = time.Time{}
			}
			c.CitizenID = cit.ID
			t.citizen = cit
		case records.ErrorCode(err) == records.ENOTFOUND:
			c.CitizenID = ""
			c.VerifiedAt = time.Time{}
		default:
			return fmt.Errorf("find citizen by phone: %w", err)
		}
	} else if c.CitizenID != "" {
		cit, err := t.tx.FindCitizenByID(t.ctx, c.CitizenID)
		switch {
		case err == nil:
			t.citizen = cit
		case records.ErrorCode(err) == records.ENOTFOUND:
			c.CitizenID = ""
			c.VerifiedAt = time.Time{}
		default:
			return fmt.Errorf("find citizen: %w", err)
		}
	}
	if t.in.LangSet && (t.in.LangHint == LangCA || t.in.LangHint == LangES) {
		c.Lang = t.in.LangHint
	}
	if c.Lang == "" {
		switch {
		case t.citizen != nil && (t.citizen.Lang == LangCA || t.citizen.Lang == LangES):
			c.Lang = t.citizen.Lang
		case t.in.LangHint == LangCA || t.in.LangHint == LangES:
			c.Lang = t.in.LangHint
		}
	}
	// A level-2 window that ran out is closed for good, not only until the next message.
	if !c.VerifiedAt.IsZero() && t.e.Trust(c, t.now) < TrustVerified {
		c.VerifiedAt = time.Time{}
	}
	return nil
}

func (t *turn) trust() Trust { return t.e.Trust(t.c, t.now) }

// text handles a written message.
func (t *turn) text() ([]Reply, error) {
	c, s := t.c, t.in.Text
	if !hasWords(s) {
		return []Reply{t.withMenu(T(KeyInputEmpty))}, nil
	}
	cls := t.e.Classifier.Classify(t.ctx, s)
	t.followLanguage(cls, s)
	if cats := distressOf(cls); len(cats) > 0 {
		return t.distress(cats) // before anything else, in every state, however long
	}
	if utf8.RuneCountInString(s) > MaxTextRunes {
		return []Reply{{Lines: []Text{T(KeyInputTooLong)}}}, nil
	}
	word := strings.ToLower(strings.Trim(s, " .!¡?¿"))

	switch c.State {
	case StateVerifying:
		if isCancel(word) || (cls.Intent == IntentStop && cls.Confidence >= t.e.threshold) {
			return t.cancelVerification()
		}
		if !t.answersVerification(cls) {
			// Another question, clearly asked: verification is left, the question answered.
			t.c.VerifyStep, t.c.VerifyIDMatched, t.c.Pending = "", false, ""
			if err := fire(t.ctx, t.c, EventReset); err != nil {
				return nil, err
			}
			return t.intent(cls.Intent, cls)
		}
		return t.verify(cls)
	case StateConfirm:
		switch {
		case c.Confirming == ActionStop && isStopWord(word):
			return t.stopConfirmed()
		case c.Confirming == ActionStop && (isNo(word) || isCancel(word)):
			return t.stopKept()
		case isYes(word):
			return t.button(ValueYes)
		case isNo(word) || isCancel(word):
			return t.button(ValueNo)
		}
		if _, err := strconv.Atoi(word); err != nil {
			t.c.Confirming = "" // anything else: the question is dropped, the message answered
		}
	}
	if len(word) <= 2 && len(c.Menu) > 0 { // the length first: Atoi's error allocates
		if n, err := strconv.Atoi(word); err == nil {
			v, ok := chosen(c.Menu, n)
			if !ok {
				return []Reply{t.menuReply(T(KeyMenuExpired), c.Menu)}, nil
			}
			return t.button(v)
		}
	}
	if isMore(word) {
		if c.List != "" {
			return t.answer(c.List, c.Offset)
		}
		return []Reply{t.withMenu(T(KeyListEnd))}, nil
	}
	if isLogout(word) {
		return t.logout()
	}
	if isEraseRequest(s) {
		return t.guarded(ActionErase, "")
	}
	if topic := topicOf(cls); topic != "" && t.routesTopic(cls, topic) {
		return t.topic(topic)
	}
	if aspect := aspectOf(cls); aspect != "" && t.isApplicationQuestion(cls, aspect) {
		return t.application(aspect, cls)
	}
	if r, ok, err := t.ownProcedure(cls); ok || err != nil {
		return r, err
	}
	if cls.Confidence < t.e.threshold {
		return t.clarify(cls)
	}
	return t.intent(cls.Intent, cls)
}

// answersVerification reports whether a message sent while verifying is an attempt at it:
// anything but a confident, different question with no id or date in it.
func (t *turn) answersVerification(cls Classification) bool {
	if _, ok := cls.Entity(EntityNationalID); ok {
		return true
	}
	if _, ok := cls.Entity(EntityDate); ok {
		return true
	}
	if _, ok := nationalID(cls, t.in.Text); ok {
		return true
	}
	switch cls.Intent {
	case IntentOther, IntentGreeting, IntentHelp:
		return true // "hola" or a typo in the id is still an attempt: ask again
	}
	return cls.Confidence < t.e.threshold
}

// followLanguage switches the conversation's language when the citizen clearly writes in
// the other one, or sets it the first time it is detected.
func (t *turn) followLanguage(cls Classification, s string) {
	if cls.Lang != LangCA && cls.Lang != LangES {
		return
	}
	if t.c.Lang == "" || (cls.Lang != t.c.Lang && len(strings.Fields(s)) >= 3) {
		t.c.Lang = cls.Lang
	}
}

// intent answers a recognised intent.
func (t *turn) intent(name string, cls Classification) ([]Reply, error) {
	t.c.List, t.c.Offset = "", 0
	if name != IntentOther {
		t.c.Misses = 0
	}
	switch name {
	case IntentGreeting:
		return t.reset(t.withMenu(T(KeyGreeting)))
	case IntentGoodbye:
		t.c.Menu = nil
		return t.reset(Reply{Lines: []Text{T(KeyGoodbye)}})
	case IntentHelp:
		return t.reset(t.withMenu(T(KeyHelp)))
	case IntentStop:
		return t.confirmStop()
	case IntentLanguage:
		if e, ok := cls.Entity(EntityLanguage); ok {
			return t.setLanguage(e.Value)
		}
		return t.askLanguage()
	case IntentHuman:
		return t.human()
	case IntentStatus, IntentMyData, IntentDataUsage, IntentForMe:
		return t.guarded(name, t.listRef(name, cls))
	default:
		return t.notUnderstood()
	}
}

// required is the trust level each answer needs.
func required(intent string) Trust {
	switch intent {
	case IntentMyData, IntentDataUsage, ActionErase:
		return TrustVerified
	case IntentStatus:
		return TrustPossession
	default: // for_me: general information for everyone, personal from level 1
		return TrustAnonymous
	}
}

// guarded answers intent when the conversation has the trust level it needs, and otherwise
// starts identification, remembering the question.
func (t *turn) guarded(intent, ref string) ([]Reply, error) {
	need := required(intent)
	have := t.trust()
	if have >= need {
		return t.answerFresh(intent, ref)
	}
	t.c.Pending, t.c.PendingRef = intent, ref
	if have == TrustAnonymous && t.in.Caps.ContactButton {
		if err := fire(t.ctx, t.c, EventReset); err != nil {
			return nil, err
		}
		return []Reply{{Lines: []Text{T(KeyNeedContact)}, AskContact: true}}, nil
	}
	if need == TrustPossession {
		// An unknown number: the anonymous experience, never someone else's data.
		t.c.Pending, t.c.PendingRef = "", ""
		return t.reset(t.withMenu(T(KeyNoRecords)))
	}
	return t.startVerification()
}

func (t *turn) answerFresh(intent, ref string) ([]Reply, error) {
	if intent == ActionErase {
		return t.confirmErase()
	}
	t.c.PendingRef = ref
	return t.answer(intent, 0)
}

// answer writes one page of a list answer starting at offset: as many items as the channel
// fits in one message (Capabilities.Fitter), up to its page size.
func (t *turn) answer(list string, offset int) ([]Reply, error) {
	if t.trust() < required(list) {
		return t.guarded(list, t.c.PendingRef)
	}
	var pageOf func(offset, size int) ([]Text, int, error)
	switch list {
	case IntentStatus:
		pageOf = t.statusPage
	case IntentMyData:
		pageOf = t.myDataPage
	case IntentDataUsage:
		pageOf = t.usagePage
	case IntentForMe:
		pageOf = t.forMePage
	default:
		return t.reset(t.withMenu(T(KeyOutOfScope)))
	}
	r, next, total, err := t.fitPage(pageOf, offset)
	if err != nil {
		return nil, err
	}
	t.useful = t.useful || ((list == IntentStatus || list == IntentForMe) && t.citizen != nil)
	if next < total {
		t.c.List, t.c.Offset = list, next
	} else {
		t.c.List, t.c.Offset, t.c.Pending = "", 0, ""
	}
	if err := fire(t.ctx, t.c, EventList); err != nil {
		return nil, err
	}
	return []Reply{r}, nil
}

func (t *turn) pageSize() int {
	if n := t.in.Caps.PageSize; n > 0 {
		return n
	}
	return 4
}

// button handles a pressed button or a numbered answer.
func (t *turn) button(v string) ([]Reply, error) {
	switch {
	case strings.HasPrefix(v, ValueIntent) && slices.Contains(Intents, strings.TrimPrefix(v, ValueIntent)):
		return t.intent(strings.TrimPrefix(v, ValueIntent), Classification{})
	case v == ValueLang+LangCA || v == ValueLang+LangES:
		return t.setLanguage(strings.TrimPrefix(v, ValueLang))
	case strings.HasPrefix(v, ValueApplication) && slices.Contains(t.c.Menu, v):
		return t.guarded(IntentStatus, strings.TrimPrefix(v, ValueApplication))
	case !slices.Contains(t.c.Menu, v):
		// A stale or forged payload: never act on it.
		return []Reply{t.withMenu(T(KeyMenuExpired))}, nil
	case strings.HasPrefix(v, ValueApp):
		return t.chosenApplication(v)
	case v == ValueMore && t.c.List != "":
		return t.answer(t.c.List, t.c.Offset)
	case v == ValueCancel && t.c.State == StateVerifying:
		return t.cancelVerification()
	case (v == ValueYes || v == ValueNo) && t.c.State == StateConfirm:
		return t.confirmed(v == ValueYes)
	}
	return []Reply{t.withMenu(T(KeyMenuExpired))}, nil
}

// command handles a channel command such as Telegram's /start.
func (t *turn) command() ([]Reply, error) {
	switch t.in.Command {
	case "start":
		if t.c.Lang == "" {
			return t.askLanguage()
		}
		return t.reset(t.withMenu(T(KeyWelcome)))
	case "help":
		return t.reset(t.withMenu(T(KeyHelp)))
	case "idioma", "language", "lang":
		arg := strings.ToLower(strings.TrimSpace(t.in.Text))
		if arg == LangCA || arg == LangES {
			return t.setLanguage(arg)
		}
		return t.askLanguage()
	case "stop":
		return t.optOut(KeyStopDone)
	case "logout", "surt", "salir":
		return t.logout()
	case "unlink", "desvincula", "desvincular":
		if t.c.CitizenID == "" {
			return []Reply{t.withMenu(T(KeyUnlinkNone))}, nil
		}
		t.c.CitizenID, t.c.VerifiedAt, t.citizen = "", time.Time{}, nil
		t.c.Pending, t.c.PendingRef = "", ""
		return t.reset(t.withMenu(T(KeyUnlinkDone)))
	}
	return t.reset(t.withMenu(T(KeyClarify)))
}

// contact handles a phone number shared from the channel's address book.
func (t *turn) contact() ([]Reply, error) {
	ct := t.in.Contact
	if ct == nil || !ct.Own {
		return []Reply{{Lines: []Text{T(KeyContactNotOwn)}, AskContact: true}}, nil
	}
	cit, err := t.tx.FindCitizenByPhone(t.ctx, ct.Phone)
	switch {
	case records.ErrorCode(err) == records.ENOTFOUND:
		t.c.CitizenID, t.c.VerifiedAt, t.c.Pending = "", time.Time{}, ""
		return t.reset(t.withMenu(T(KeyContactUnknown)))
	case err != nil:
		return nil, fmt.Errorf("find citizen by contact: %w", err)
	}
	if t.c.CitizenID != cit.ID {
		t.c.VerifiedAt = time.Time{}
	}
	t.c.CitizenID, t.citizen = cit.ID, cit
	if t.c.Lang == "" {
		t.c.Lang = cit.Lang
	}
	linked := Reply{Lines: []Text{T(KeyContactLinked)}}
	if p := t.c.Pending; p != "" {
		t.c.Pending = ""
		rest, err := t.guarded(p, t.c.PendingRef)
		return append([]Reply{linked}, rest...), err
	}
	linked = t.withMenu(T(KeyContactLinked))
	return t.reset(linked)
}

func (t *turn) setLanguage(lang string) ([]Reply, error) {
	t.c.Lang = lang
	return t.reset(t.withMenu(T(KeyLanguageSet)))
}

func (t *turn) askLanguage() ([]Reply, error) {
	r := t.menuReply(T(KeyAskLanguage), []string{ValueLang + LangCA, ValueLang + LangES})
	if err := fire(t.ctx, t.c, EventList); err != nil {
		return nil, err
	}
	return []Reply{r}, nil
}

func (t *turn) optOut(key string) ([]Reply, error) {
	if err := fire(t.ctx, t.c, EventOptOut); err != nil {
		return nil, err
	}
	t.c.OptedOut, t.c.Menu, t.c.List, t.c.Pending = true, nil, "", ""
	return []Reply{{Lines: []Text{T(key)}, Final: true}}, nil
}

func (t *turn) logout() ([]Reply, error) {
	t.c.VerifiedAt = time.Time{}
	t.c.Pending, t.c.PendingRef, t.c.List = "", "", ""
	return t.reset(t.withMenu(T(KeyLogoutDone)))
}

func (t *turn) human() ([]Reply, error) {
	if t.e.Escalator == nil {
		return t.reset(t.withMenu(T(KeyHumanPhone)))
	}
	h, err := t.e.Escalator.Escalate(t.ctx, t.tx, t.c, Escalation{Reason: ReasonAsked})
	if err != nil {
		return nil, fmt.Errorf("escalate: %w", err)
	}
	t.c.Menu, t.c.List, t.c.Pending = nil, "", ""
	if err := fire(t.ctx, t.c, EventEscalate); err != nil {
		return nil, err
	}
	return []Reply{{Lines: []Text{t.handoff(h)}}}, nil
}

// handoff tells the citizen roughly when a person will answer: soon within office hours,
// otherwise from when the team opens ("a partir de dilluns a les 9").
func (t *turn) handoff(h Handoff) Text {
	if h.Open || h.Opens.IsZero() {
		return T(KeyHumanEscalated)
	}
	loc := t.e.location()
	opens, now := h.Opens.In(loc), t.now.In(loc)
	at := strconv.Itoa(opens.Hour())
	if opens.Minute() != 0 {
		at = opens.Format("15:04")
	}
	day := PrefixWeekday + strconv.Itoa(int(opens.Weekday()))
	switch {
	case sameDay(opens, now):
		day = PrefixWeekday + "today"
	case sameDay(opens.AddDate(0, 0, -1), now):
		day = PrefixWeekday + "tomorrow"
	}
	return T(KeyHumanEscalatedLater, "Time", at).WithKey("Day", day)
}

func sameDay(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	return ay == by && am == bm && ad == bd
}

// reset ends whatever was open and returns r.
func (t *turn) reset(r Reply) ([]Reply, error) {
	ev := EventReset
	if len(r.Options) > 0 {
		ev = EventList
	}
	if t.c.State == StateVerifying {
		t.c.VerifyStep, t.c.VerifyIDMatched = "", false
	}
	if err := fire(t.ctx, t.c, ev); err != nil {
		return nil, err
	}
	if len(r.Options) == 0 {
		t.c.Menu = nil
	}
	return []Reply{r}, nil
}

// mainMenuValues are the options of the main menu.
var mainMenuValues = []string{ValueIntent + IntentStatus, ValueIntent + IntentForMe, ValueIntent + IntentMyData, ValueIntent + IntentDataUsage, ValueIntent + IntentHuman}

// withMenu returns a reply of line followed by the main menu.
func (t *turn) withMenu(line Text) Reply {
	r := t.menuReply(line, mainMenuValues)
	if line.Key != "" {
		r.Lines = append(r.Lines, T(KeyMenuPrompt))
	}
	return r
}

// menuReply returns a reply with line and the options of values, and remembers them.
func (t *turn) menuReply(line Text, values []string) Reply {
	var r Reply
	if line.Key != "" {
		r.Lines = []Text{line}
	}
	nums := optionNumbers(values)
	for i, v := range values {
		r.Options = append(r.Options, Option{Label: T(optionKey(v)), Value: v, Number: nums[i]})
	}
	t.c.Menu = slices.Clone(values)
	return r
}

func optionKey(v string) string {
	if strings.HasPrefix(v, ValueApplication) {
		return KeyOptionApplication
	}
	switch v {
	case ValueIntent + IntentStatus:
		return KeyOptionStatus
	case ValueIntent + IntentMyData:
		return KeyOptionMyData
	case ValueIntent + IntentDataUsage:
		return KeyOptionDataUsage
	case ValueIntent + IntentForMe:
		return KeyOptionForMe
	case ValueIntent + IntentHuman:
		return KeyOptionHuman
	case ValueIntent + IntentHelp:
		return KeyOptionMain
	case ValueMore:
		return KeyOptionMore
	case ValueLang + LangCA:
		return KeyOptionCA
	case ValueLang + LangES:
		return KeyOptionES
	case ValueCancel:
		return KeyOptionCancel
	case ValueYes:
		return KeyOptionYes
	case ValueNo:
		return KeyOptionNo
	}
	return KeyMenuPrompt
}

func isMore(w string) bool {
	switch w {
	case "més", "mes", "más", "mas", "more", "+", "seguent", "següent", "siguiente":
		return true
	}
	return false
}

func isLogout(w string) bool {
	switch w {
	case "surt", "sortir", "salir", "logout", "tanca la sessió", "cerrar sesión", "cerrar sesion":
		return true
	}
	return false
}

func isCancel(w string) bool {
	switch w {
	case "cancel·la", "cancel.la", "cancela", "cancelar", "cancel", "surt", "salir", "sortir", "deixa-ho", "déjalo", "dejalo", "no":
		return true
	}
	return false
}
