package enginetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// Demo citizens' values that must never show before their trust level is reached.
const (
	maria      = "+34600000001"
	jose       = "+34600000002"
	nobody     = "+34699999999"
	mariaID    = "12345678Z"
	mariaBirth = "15/03/1984"
	joseID     = "X1234567L"
)

// Run runs the engine behaviour suite on stores made by open (each call a fresh, empty
// store using clock for its times).
func Run(t *testing.T, open func(t *testing.T, clock *Clock) Store) {
	env := func(t *testing.T) *Env {
		clock := NewClock()
		return New(t, open(t, clock), clock)
	}
	must := func(t *testing.T, out string, wants ...string) {
		t.Helper()
		for _, w := range wants {
			if !strings.Contains(out, w) {
				t.Errorf("reply does not contain %q:\n%s", w, out)
			}
		}
	}
	mustNot := func(t *testing.T, out string, nots ...string) {
		t.Helper()
		for _, n := range nots {
			if strings.Contains(out, n) {
				t.Errorf("reply contains %q, which it must not:\n%s", n, out)
			}
		}
	}

	runNotices(t, env)

	t.Run("StatusCatalan", func(t *testing.T) {
		e := env(t)
		out := e.Console(maria).Say("com va la meva sol·licitud?")
		must(t, out, "EXP-2026-000101", "certificat de convivència", "falten documents", "Renda Garantida")
		// Level 1: the applications, nothing of the level-2 record.
		mustNot(t, out, "Badalona", "650", "Layret", "12345678Z", "5678Z", "1984")
	})
	t.Run("StatusSpanish", func(t *testing.T) {
		e := env(t)
		out := e.Console(jose).Say("¿cómo va mi solicitud?")
		must(t, out, "EXP-2026-000201", "en revisión")
	})
	t.Run("StatusNamedProcedure", func(t *testing.T) {
		e := env(t)
		out := e.Console(maria).Say("com va la renda garantida?")
		must(t, out, "EXP-2026-000101")
		mustNot(t, out, "EXP-2026-000102")
	})
	t.Run("StatusNamedReference", func(t *testing.T) {
		e := env(t)
		out := e.Console(maria).Say("estat de l'expedient EXP-2026-000102")
		must(t, out, "EXP-2026-000102")
		mustNot(t, out, "EXP-2026-000101")
	})
	t.Run("UnknownPhoneIsAnonymous", func(t *testing.T) {
		e := env(t)
		u := e.Console(nobody)
		out := u.Say("com va la meva sol·licitud?")
		must(t, out, "012")
		mustNot(t, out, "EXP-", "Maria", "Badalona")
		if c := u.Conversation(); c.CitizenID != "" {
			t.Errorf("unknown phone linked to citizen %q", c.CitizenID)
		}
	})
	t.Run("ForMePersonal", func(t *testing.T) {
		e := env(t)
		out := e.Console(maria).Say("quines ajudes puc demanar?")
		must(t, out, "Ingrés mínim vital", "Per què")
		mustNot(t, out, "Renda Garantida de Ciutadania (")
		mustNot(t, out, "650")
	})
	t.Run("ForMeGeneralWhenAnonymous", func(t *testing.T) {
		e := env(t)
		out := e.Console(nobody).Say("quines ajudes hi ha?")
		must(t, out, "Si em dius qui ets")
	})

	t.Run("MyDataNeedsVerification", func(t *testing.T) {
		e := env(t)
		u := e.Console(maria)
		out := u.Say("quines dades teniu de mi?")
		must(t, out, "DNI")
		mustNot(t, out, "Badalona", "650", "Padró", "****5678Z")
		out = u.Say(mariaID)
		must(t, out, "naixement")
		mustNot(t, out, "Badalona", "Padró")
		out = u.Say(mariaBirth)
		must(t, out, "ets tu", "****5678Z", "+34 6** *** 001", "Badalona")
		mustNot(t, out, mariaID, maria, "Layret 23")
		if got := u.Conversation().State; got == dialog.StateVerifying {
			t.Errorf("state after verification = %s", got)
		}
	})
	t.Run("VerificationAcceptsSpokenForms", func(t *testing.T) {
		e := env(t)
		u := e.Console(maria)
		u.Say("qui ha consultat les meves dades?")
		u.Say("12.345.678-z")
		out := u.Say("15 de març de 1984")
		must(t, out, "MyGov")
	})
	t.Run("NoPersonalDataBeforeVerificationOnSMS", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		var all strings.Builder
		for _, msg := range []string{"hola", "com va la meva sol·licitud?", "MÉS", "quines ajudes puc demanar?", "MÉS", "MÉS",
			"quines dades teniu de mi?", "87654321X", "01/01/1990", "qui ha mirat les meves dades?", "1", "2", "3"} {
			all.WriteString(u.Say(msg))
		}
		mustNot(t, all.String(), "Badalona", "650", "Layret", "Puig", "12345678Z", "5678Z", "15/03/1984", "Padró", "Policia")
	})
	t.Run("WrongIDAndNoSuchCitizenAnswerAlike", func(t *testing.T) {
		e := env(t)
		a, b := e.SMS(maria), e.SMS(nobody)
		var outA, outB []string
		for _, msg := range []string{"quines dades teniu de mi?", joseID, mariaBirth} {
			outA = append(outA, a.Say(msg))
			outB = append(outB, b.Say(msg))
		}
		for i := range outA {
			if outA[i] != outB[i] {
				t.Errorf("turn %d differs:\nwrong id:   %q\nno citizen: %q", i, outA[i], outB[i])
			}
		}
		must(t, outA[2], "no coincideixen")
	})
	t.Run("WrongBirthDateAnswersLikeWrongID", func(t *testing.T) {
		e := env(t)
		a, b := e.Console(maria), e.Console(jose)
		a.Say("quines dades teniu de mi?")
		b.Say("quines dades teniu de mi?")
		a.Say(mariaID)
		b.Say(mariaID) // José with Maria's id
		outA := a.Say("01/01/1990")
		outB := b.Say(mariaBirth)
		if outA != outB {
			t.Errorf("wrong date %q differs from wrong id %q", outA, outB)
		}
	})
	t.Run("LockoutAfterThreeFailures", func(t *testing.T) {
		e := env(t)
		u := e.Console(maria)
		u.Say("quines dades teniu de mi?")
		var out string
		for range 3 {
			u.Say("87654321X")
			out = u.Say("01/01/1990")
		}
		must(t, out, "10:15", "15 minuts")
		// Locked: even the right answers are refused until then.
		out = u.Say("quines dades teniu de mi?")
		must(t, out, "10:15")
		mustNot(t, out, "Padró")
		e.Clock.Advance(16 * time.Minute)
		u.Say("quines dades teniu de mi?")
		u.Say(mariaID)
		out = u.Say(mariaBirth)
		must(t, out, "Badalona")
	})
	t.Run("LockDoubles", func(t *testing.T) {
		e := env(t)
		u := e.Console(maria)
		u.Say("quines dades teniu de mi?")
		for range 3 {
			u.Say("87654321X")
			u.Say("01/01/1990")
		}
		e.Clock.Advance(16 * time.Minute)
		var out string
		u.Say("quines dades teniu de mi?")
		for range 3 {
			u.Say("87654321X")
			out = u.Say("01/01/1990")
		}
		must(t, out, "30 minuts")
	})
	t.Run("VerificationWindowEnds", func(t *testing.T) {
		e := env(t)
		u := e.Console(maria)
		u.Say("quines dades teniu de mi?")
		u.Say(mariaID)
		u.Say(mariaBirth)
		e.Clock.Advance(20 * time.Minute)
		must(t, u.Say("quines dades teniu de mi?"), "Padró")
		e.Clock.Advance(31 * time.Minute)
		out := u.Say("quines dades teniu de mi?")
		must(t, out, "DNI")
		mustNot(t, out, "Padró")
	})
	t.Run("OtherQuestionLeavesVerification", func(t *testing.T) {
		e := env(t)
		u := e.Console(maria)
		must(t, u.Say("quines dades teniu de mi?"), "DNI")
		out := u.Say("com va la meva sol·licitud?")
		must(t, out, "EXP-2026-000101")
		if c := u.Conversation(); c.State == dialog.StateVerifying || c.Pending != "" {
			t.Errorf("still verifying: state %s, pending %q", c.State, c.Pending)
		}
		// A typo in the id is still an attempt at it.
		u.Say("quines dades teniu de mi?")
		must(t, u.Say("1234567"), "no sembla un DNI")
	})
	t.Run("LogoutEndsVerification", func(t *testing.T) {
		e := env(t)
		u := e.Console(maria)
		u.Say("quines dades teniu de mi?")
		u.Say(mariaID)
		u.Say(mariaBirth)
		must(t, u.Say("surt"), "Has sortit")
		mustNot(t, u.Say("quines dades teniu de mi?"), "Padró")
	})
	t.Run("AssistantReadsAppearInDataUsage", func(t *testing.T) {
		e := env(t)
		u := e.Console(maria)
		u.Say("com va la meva sol·licitud?")
		u.Say("qui ha consultat les meves dades?")
		u.Say(mariaID)
		out := u.Say(mariaBirth)
		must(t, out, "MyGov, a petició teva", "les teves sol·licituds")
		ctx := context.Background()
		c, err := e.Store.FindCitizenByPhone(ctx, maria)
		if err != nil {
			t.Fatal(err)
		}
		evs, err := e.Store.FindAccessEventsByCitizen(ctx, c.ID, 10)
		if err != nil {
			t.Fatal(err)
		}
		var reasons []string
		for _, ev := range evs {
			if ev.AdministrationID == records.AccessorAssistant {
				reasons = append(reasons, ev.Reason+"/"+ev.Channel)
			}
		}
		if !slices.Contains(reasons, "status/console") || !slices.Contains(reasons, "data_usage/console") {
			t.Errorf("assistant reads in the access log: %v", reasons)
		}
	})

	t.Run("EraseConversations", func(t *testing.T) {
		e := env(t)
		u := e.Console(maria)
		u.Say("com va la meva sol·licitud?")
		out := u.Say("esborra les meves converses")
		must(t, out, "DNI")
		u.Say(mariaID)
		out = u.Say(mariaBirth)
		must(t, out, "No es podrà desfer")
		out = u.Say("sí")
		must(t, out, "he esborrat", "registre d'accessos")
		ctx := context.Background()
		c, err := e.Store.FindCitizenByPhone(ctx, maria)
		if err != nil {
			t.Fatal(err)
		}
		p, ok := e.Store.(dialog.Privacy)
		if !ok {
			t.Fatalf("%T does not implement dialog.Privacy", e.Store)
		}
		ts, err := p.Transcripts(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		kept := 0
		for _, tr := range ts {
			for _, m := range tr.Messages {
				if m.Text != "" || (m.Reply != nil && m.Reply.Lines[0].Key != dialog.KeyEraseDone) {
					kept++
				}
			}
		}
		if kept != 0 {
			t.Errorf("%d messages keep their content after erasure", kept)
		}
		evs, err := e.Store.FindAccessEventsByCitizen(ctx, c.ID, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) == 0 || evs[0].AdministrationID != records.AccessorAssistant {
			t.Errorf("the access log lost the assistant's reads: %+v", evs)
		}
	})
	t.Run("EraseDeclined", func(t *testing.T) {
		e := env(t)
		u := e.Console(jose)
		u.Say("borra mis conversaciones")
		u.Say(joseID)
		must(t, u.Say("02/11/1958"), "No se podrá deshacer")
		must(t, u.Say("2"), "no borro nada")
	})

	t.Run("DuplicateMessageAnsweredOnce", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		in := dialog.Inbound{MessageID: "SM123", Text: "com va la meva sol·licitud?"}
		r1, _ := u.Send(in)
		r2, _ := u.Send(in)
		if r1.Duplicate || len(r1.Outbound) == 0 {
			t.Fatalf("first delivery: %+v", r1)
		}
		if !r2.Duplicate || len(r2.Outbound) != 0 {
			t.Errorf("second delivery: duplicate %v, %d replies", r2.Duplicate, len(r2.Outbound))
		}
	})
	t.Run("NumberedAnswers", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		must(t, u.Say("hola"), "[Els meus tràmits]")
		must(t, u.Say("1"), "EXP-2026-000101")
	})
	t.Run("NumberOutOfMenu", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		u.Say("hola")
		must(t, u.Say("9"), "ja no és vàlid")
	})
	t.Run("Pagination", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria) // one application a page on SMS
		out := u.Say("com va la meva sol·licitud?")
		must(t, out, "EXP-", "MÉS")
		first := strings.Contains(out, "EXP-2026-000101")
		out = u.Say("MÉS")
		must(t, out, "EXP-")
		if strings.Contains(out, "EXP-2026-000101") == first {
			t.Errorf("second page repeats the first:\n%s", out)
		}
	})
	t.Run("MoreWithNothingOpen", func(t *testing.T) {
		e := env(t)
		u := e.SMS(jose)
		u.Say("hola")
		out := u.Say("MÁS")
		must(t, out, "nada más")
		if u.Conversation().OptedOut {
			t.Errorf("MÁS opted the citizen out")
		}
	})
	t.Run("StaleButton", func(t *testing.T) {
		e := env(t)
		u := e.Telegram("1001", "ca")
		_, out := u.Send(dialog.Inbound{Kind: dialog.KindButton, Payload: "more"})
		must(t, out, "ja no és vàlid")
		_, out = u.Send(dialog.Inbound{Kind: dialog.KindButton, Payload: "x\x00<script>" + strings.Repeat("A", 100)})
		must(t, out, "ja no és vàlid")
	})
	t.Run("ButtonIntent", func(t *testing.T) {
		e := env(t)
		u := e.Console(jose)
		_, out := u.Send(dialog.Inbound{Kind: dialog.KindButton, Payload: "i:status"})
		must(t, out, "EXP-2026-000201")
	})

	t.Run("TelegramContact", func(t *testing.T) {
		e := env(t)
		u := e.Telegram("2002", "ca")
		_, out := u.Send(dialog.Inbound{Kind: dialog.KindCommand, Command: "start"})
		must(t, out, "Soc MyGov")
		out = u.Say("com va la meva sol·licitud?")
		must(t, out, "[share contact]")
		mustNot(t, out, "EXP-")
		_, out = u.Send(dialog.Inbound{Kind: dialog.KindContact, Contact: &dialog.Contact{Phone: maria, Own: false}})
		must(t, out, "propi número")
		mustNot(t, out, "EXP-")
		_, out = u.Send(dialog.Inbound{Kind: dialog.KindContact, Contact: &dialog.Contact{Phone: maria, Own: true}})
		must(t, out, "ja sé qui ets", "EXP-2026-000101") // answers the pending question
		_, out = u.Send(dialog.Inbound{Kind: dialog.KindCommand, Command: "unlink"})
		must(t, out, "desvinculat")
		mustNot(t, u.Say("com va la meva sol·licitud?"), "EXP-")
	})
	t.Run("TelegramStartAsksLanguage", func(t *testing.T) {
		e := env(t)
		u := e.Telegram("3003", "en")
		_, out := u.Send(dialog.Inbound{Kind: dialog.KindCommand, Command: "start"})
		must(t, out, "[Català]", "[Castellano]")
		_, out = u.Send(dialog.Inbound{Kind: dialog.KindButton, Payload: "lang:es"})
		must(t, out, "castellano")
	})
	t.Run("LanguageSwitch", func(t *testing.T) {
		e := env(t)
		u := e.Console(maria)
		must(t, u.Say("parla'm en castellà, si us plau"), "castellano")
		must(t, u.Say("hola"), "Hola")
		if got := u.Conversation().Lang; got != dialog.LangES {
			t.Errorf("lang = %q, want es", got)
		}
	})
	t.Run("MediaAndEdited", func(t *testing.T) {
		e := env(t)
		u := e.Telegram("4004", "es")
		_, out := u.Send(dialog.Inbound{Kind: dialog.KindMedia})
		must(t, out, "fotos")
		_, out = u.Send(dialog.Inbound{Kind: dialog.KindEdited, Text: "edited"})
		must(t, out, "editados")
	})
	t.Run("Help", func(t *testing.T) {
		e := env(t)
		must(t, e.Console(maria).Say("què pots fer?"), "amb les teves paraules")
	})
	t.Run("OtherIsNeverADeadEnd", func(t *testing.T) {
		e := env(t)
		must(t, e.Console(maria).Say("qui guanyarà la lliga aquest any?"), "[Els meus tràmits]")
	})
	t.Run("HumanWithoutInbox", func(t *testing.T) {
		e := env(t)
		must(t, e.Console(jose).Say("quiero hablar con una persona"), "012")
	})

	t.Run("EscalatedIsSilentExceptStop", func(t *testing.T) {
		e := env(t)
		var reasons []string
		e.Engine.Escalator = escalatorFunc(func(ctx context.Context, tx dialog.Tx, c *dialog.Conversation, esc dialog.Escalation) (dialog.Handoff, error) {
			reasons = append(reasons, esc.Reason)
			return dialog.Handoff{Team: "serveis-socials", Open: true}, nil
		})
		u := e.Telegram("5005", "es")
		out := u.Say("quiero hablar con una persona")
		must(t, out, "trabajadora social")
		if len(reasons) != 1 || reasons[0] != dialog.ReasonAsked || u.Conversation().State != dialog.StateEscalated {
			t.Fatalf("escalations %v, state %s", reasons, u.Conversation().State)
		}
		if res, _ := u.Send(dialog.Inbound{Text: "hola?"}); len(res.Outbound) != 0 {
			t.Errorf("the bot answered an escalated conversation")
		}
		_, out = u.Send(dialog.Inbound{Kind: dialog.KindCommand, Command: "stop"})
		must(t, out, "no te enviaré avisos")
	})
	t.Run("SMSOptOut", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		res, out := u.Send(dialog.Inbound{Kind: dialog.KindOptOut, Text: "BAIXA"})
		must(t, out, "ALTA")
		if len(res.Outbound) != 1 || !res.Outbound[0].Reply.Final {
			t.Fatalf("opt-out confirmation: %+v", res.Outbound)
		}
		res, _ = u.Send(dialog.Inbound{Text: "com va la meva sol·licitud?"})
		if len(res.Outbound) != 0 {
			t.Errorf("opted-out number got %d replies", len(res.Outbound))
		}
		opted, err := e.Store.OptedOut(context.Background(), sms.Name, maria)
		if err != nil || !opted {
			t.Errorf("OptedOut = %v, %v", opted, err)
		}
		_, txt := u.Send(dialog.Inbound{Kind: dialog.KindOptIn, Text: "ALTA"})
		must(t, txt, "de nou")
		must(t, u.Say("com va la meva sol·licitud?"), "EXP-2026-000101")
	})

	t.Run("BadInput", func(t *testing.T) {
		cases := []struct{ name, text, want string }{
			{"Empty", "", "No he vist cap pregunta"},
			{"Whitespace", " \t\n  ", "No he vist cap pregunta"},
			{"EmojiOnly", "🙂🙂👍", "No he vist cap pregunta"},
			{"ControlCharacters", "\x00\x01\x02\x1b", "No he vist cap pregunta"},
			{"InvalidUTF8", "\xff\xfe\xfd", "No he vist cap pregunta"},
			{"TooLong", strings.Repeat("renda ", 1000), "massa llarg"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				e := env(t)
				u := e.Console(maria)
				u.Say("quines dades teniu de mi?") // a pending question and a verification under way
				before := u.Conversation()
				out := u.Say(tc.text)
				must(t, out, tc.want)
				after := u.Conversation()
				if after.CitizenID != before.CitizenID || after.VerifiedAt != before.VerifiedAt || after.Pending != before.Pending ||
					after.State != before.State || after.VerifyStep != before.VerifyStep || after.Lang != before.Lang {
					t.Errorf("conversation changed: %+v → %+v", before, after)
				}
				if !utf8.ValidString(out) {
					t.Errorf("reply is not valid UTF-8")
				}
			})
		}
	})
	t.Run("TruncatedBySMS", func(t *testing.T) {
		e := env(t)
		_, out := e.SMS(maria).Send(dialog.Inbound{Text: "com va la meva sol·licitud? " + strings.Repeat("a", 1500), Truncated: true})
		must(t, out, "només n'he llegit el principi")
	})
	t.Run("ControlCharactersInsideText", func(t *testing.T) {
		e := env(t)
		must(t, e.Console(maria).Say("com va la meva\x00 sol·licitud?\x1b"), "EXP-2026-000101")
	})
	t.Run("DatabaseErrorApologizes", func(t *testing.T) {
		e := env(t)
		e.Engine.Store = failingStore{Store: e.Store}
		u := e.Console(maria)
		res, out := u.Send(dialog.Inbound{MessageID: "fail-1", Text: "com va la meva sol·licitud?"})
		must(t, out, "problema tècnic")
		if len(res.Outbound) != 1 {
			t.Errorf("got %d replies, want the apology", len(res.Outbound))
		}
		// The message was kept: a redelivery is recognised.
		res, _ = u.Send(dialog.Inbound{MessageID: "fail-1", Text: "com va la meva sol·licitud?"})
		if !res.Duplicate {
			t.Errorf("the inbound message of the failed turn was lost")
		}
	})
	t.Run("ConcurrentTurnsOneConversation", func(t *testing.T) {
		e := env(t)
		errs := make(chan error, 8)
		for i := range 8 {
			go func() {
				_, err := e.Engine.Handle(context.Background(), dialog.Inbound{
					Channel: sms.Name, Caps: sms.Capabilities, Address: maria, Phone: maria, Kind: dialog.KindText,
					MessageID: fmt.Sprintf("c-%d", i), Text: "hola",
				})
				errs <- err
			}()
		}
		for range 8 {
			if err := <-errs; err != nil {
				t.Errorf("Handle: %v", err)
			}
		}
	})
}

// failingStore fails every read of applications, as a database that broke mid-turn.
type failingStore struct{ Store }

func (s failingStore) Turn(ctx context.Context, channel, address string, fn func(context.Context, dialog.Tx) error) error {
	return s.Store.Turn(ctx, channel, address, func(ctx context.Context, tx dialog.Tx) error {
		return fn(ctx, failingTx{tx})
	})
}

type failingTx struct{ dialog.Tx }

func (failingTx) FindApplicationsByCitizen(context.Context, string) ([]records.Application, error) {
	return nil, fmt.Errorf("connection reset")
}

type escalatorFunc func(ctx context.Context, tx dialog.Tx, c *dialog.Conversation, e dialog.Escalation) (dialog.Handoff, error)

func (f escalatorFunc) Escalate(ctx context.Context, tx dialog.Tx, c *dialog.Conversation, e dialog.Escalation) (dialog.Handoff, error) {
	return f(ctx, tx, c, e)
}
