package enginetest

import (
	"context"
	"fmt"
	"strings"
	"testing"

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
// store using clock for its times). Each case is a method of suite, in a file by topic.
func Run(t *testing.T, open func(t *testing.T, clock *Clock) Store) {
	s := suite{open: open}
	cases := []struct {
		name string
		test func(*testing.T)
	}{
		{"StatusCatalan", s.statusCatalan},
		{"StatusSpanish", s.statusSpanish},
		{"StatusNamedProcedure", s.statusNamedProcedure},
		{"StatusNamedReference", s.statusNamedReference},
		{"UnknownPhoneIsAnonymous", s.unknownPhoneIsAnonymous},
		{"ForMePersonal", s.forMePersonal},
		{"ForMeGeneralWhenAnonymous", s.forMeGeneralWhenAnonymous},
		{"MyDataNeedsVerification", s.myDataNeedsVerification},
		{"VerificationAcceptsSpokenForms", s.verificationAcceptsSpokenForms},
		{"NoPersonalDataBeforeVerificationOnSMS", s.noPersonalDataBeforeVerificationOnSMS},
		{"WrongIDAndNoSuchCitizenAnswerAlike", s.wrongIDAndNoSuchCitizenAnswerAlike},
		{"WrongBirthDateAnswersLikeWrongID", s.wrongBirthDateAnswersLikeWrongID},
		{"LockoutAfterThreeFailures", s.lockoutAfterThreeFailures},
		{"LockDoubles", s.lockDoubles},
		{"VerificationWindowEnds", s.verificationWindowEnds},
		{"OtherQuestionLeavesVerification", s.otherQuestionLeavesVerification},
		{"LogoutEndsVerification", s.logoutEndsVerification},
		{"AssistantReadsAppearInDataUsage", s.assistantReadsAppearInDataUsage},
		{"EraseConversations", s.eraseConversations},
		{"EraseDeclined", s.eraseDeclined},
		{"DuplicateMessageAnsweredOnce", s.duplicateMessageAnsweredOnce},
		{"NumberedAnswers", s.numberedAnswers},
		{"NumberOutOfMenu", s.numberOutOfMenu},
		{"Pagination", s.pagination},
		{"MoreWithNothingOpen", s.moreWithNothingOpen},
		{"StaleButton", s.staleButton},
		{"ButtonIntent", s.buttonIntent},
		{"TelegramContact", s.telegramContact},
		{"TelegramStartAsksLanguage", s.telegramStartAsksLanguage},
		{"LanguageSwitch", s.languageSwitch},
		{"MediaAndEdited", s.mediaAndEdited},
		{"Help", s.help},
		{"OtherIsNeverADeadEnd", s.otherIsNeverADeadEnd},
		{"HumanWithoutInbox", s.humanWithoutInbox},
		{"EscalatedIsSilentExceptStop", s.escalatedIsSilentExceptStop},
		{"CancelarDuringVerificationCancels", s.cancelarDuringVerificationCancels},
		{"CancelarWithoutPromptOptsOut", s.cancelarWithoutPromptOptsOut},
		{"ClassifierStopAsksFirst", s.classifierStopAsksFirst},
		{"ClassifierStopConfirmedByTextOnChat", s.classifierStopConfirmedByTextOnChat},
		{"ClassifierStopDeclined", s.classifierStopDeclined},
		{"EscalatedOutsideHoursSaysWhen", s.escalatedOutsideHoursSaysWhen},
		{"SMSOptOut", s.sMSOptOut},
		{"OutboundCarriesLastInbound", s.outboundCarriesLastInbound},
		{"BadInput", s.badInput},
		{"TruncatedBySMS", s.truncatedBySMS},
		{"ControlCharactersInsideText", s.controlCharactersInsideText},
		{"DatabaseErrorApologizes", s.databaseErrorApologizes},
		{"ConcurrentTurnsOneConversation", s.concurrentTurnsOneConversation},
		{"ForMeExplainsWithTheCitizensFacts", s.forMeExplainsWithTheCitizensFacts},
		{"ForMeFactsOnlyFromLevel2", s.forMeFactsOnlyFromLevel2},
		{"ForMeAppliedShowsItsStatus", s.forMeAppliedShowsItsStatus},
		{"ForMeOrderFollowsTheQuestion", s.forMeOrderFollowsTheQuestion},
		{"ForMeWhyNot", s.forMeWhyNot},
		{"ForMeAboutSomeoneElse", s.forMeAboutSomeoneElse},
		{"DataUsageOwnReadsInOneLine", s.dataUsageOwnReadsInOneLine},
		{"DataUsageByPeriod", s.dataUsageByPeriod},
		{"DataUsageByAdministration", s.dataUsageByAdministration},
		{"DataUsageWhy", s.dataUsageWhy},
		{"DataUsageStillNeedsLevel2", s.dataUsageStillNeedsLevel2},
		{"SMSPacksItems", s.smsPacksItems},
		{"NumbersMeanTheSameOnEveryChannel", s.numbersMeanTheSameOnEveryChannel},
		{"DistressComesFirst", s.distressComesFirst},
		{"DistressInALongMessage", s.distressInALongMessage},
		{"DistressEscalatesUrgently", s.distressEscalatesUrgently},
		{"DistressInterruptsVerification", s.distressInterruptsVerification},
		{"FollowUpUsesFocus", s.followUpUsesFocus},
		{"FocusIsWhatWasShown", s.focusIsWhatWasShown},
		{"FocusExpires", s.focusExpires},
		{"FocusNeedsTrust", s.focusNeedsTrust},
		{"DeniedShowsReason", s.deniedShowsReason},
		{"StatusShowsNote", s.statusShowsNote},
		{"ClarifyOffersTwoMeanings", s.clarifyOffersTwoMeanings},
		{"MisunderstoodTwiceGives012", s.misunderstoodTwiceGives012},
		{"OutOfScopeIsRouted", s.outOfScopeIsRouted},
		{"InsultGetsCalmReply", s.insultGetsCalmReply},
	}
	for _, c := range cases {
		t.Run(c.name, c.test)
	}
	runNotices(t, s.env)
}

// suite holds what every case needs: a way to open a fresh store.
type suite struct {
	open func(t *testing.T, clock *Clock) Store
}

// env returns an engine on a freshly seeded store with its own clock.
func (s suite) env(t *testing.T) *Env {
	clock := NewClock()
	return New(t, s.open(t, clock), clock)
}

// must fails t unless out contains every one of wants.
func must(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(out, w) {
			t.Errorf("reply does not contain %q:\n%s", w, out)
		}
	}
}

// mustNot fails t if out contains any of nots.
func mustNot(t *testing.T, out string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(out, n) {
			t.Errorf("reply contains %q, which it must not:\n%s", n, out)
		}
	}
}

// failingStore fails every read of applications, as a database that broke mid-turn.
type failingStore struct{ Store }

func (s failingStore) Turn(ctx context.Context, channel, address string, fn func(context.Context, dialog.Tx) error) error {
	return s.Store.Turn(ctx, channel, address, func(ctx context.Context, tx dialog.Tx) error {
		return fn(ctx, failingTx{tx})
	})
}

type failingTx struct{ dialog.Tx }

func (failingTx) FindApplicationsWithLastChange(context.Context, string) ([]records.Application, error) {
	return nil, fmt.Errorf("connection reset")
}

type escalatorFunc func(ctx context.Context, tx dialog.Tx, c *dialog.Conversation, e dialog.Escalation) (dialog.Handoff, error)

func (f escalatorFunc) Escalate(ctx context.Context, tx dialog.Tx, c *dialog.Conversation, e dialog.Escalation) (dialog.Handoff, error) {
	return f(ctx, tx, c, e)
}
