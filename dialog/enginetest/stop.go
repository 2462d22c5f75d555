package enginetest

import (
	"context"
	"strings"
	"testing"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/dialog"
)

// An opt-out happens only when the citizen clearly asks for it: a "Cancelar" answering a
// prompt that offers to cancel cancels, and a stop wish only the classifier saw is
// confirmed first (issue 13, defect 1).

// smsOptedOut reports whether the SMS address is opted out.
func smsOptedOut(t *testing.T, e *Env, addr string) bool {
	t.Helper()
	out, err := e.Store.OptedOut(context.Background(), sms.Name, addr)
	if err != nil {
		t.Fatalf("OptedOut: %v", err)
	}
	return out
}

func (s suite) cancelarDuringVerificationCancels(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria)
	u.Say("quines dades teniu de mi?")
	// The SMS adapter makes a lone "Cancelar" a carrier keyword.
	res, out := u.Send(dialog.Inbound{Kind: dialog.KindOptOut, Text: "Cancelar"})
	if smsOptedOut(t, e, maria) {
		t.Fatalf("Cancelar at the verification prompt unsubscribed the number; reply:\n%s", out)
	}
	if len(res.Outbound) == 0 || res.Outbound[0].Reply.Final {
		t.Errorf("replies = %+v, want the verification cancelled", res.Outbound)
	}
	if got := u.Conversation().State; got == dialog.StateVerifying {
		t.Errorf("state = %s, want verification left", got)
	}
}

func (s suite) cancelarWithoutPromptOptsOut(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria)
	u.Send(dialog.Inbound{Kind: dialog.KindOptOut, Text: "CANCELAR"})
	if !smsOptedOut(t, e, maria) {
		t.Error("a lone CANCELAR with nothing to cancel did not opt out")
	}
}

func (s suite) classifierStopAsksFirst(t *testing.T) {
	for _, tc := range []struct{ name, wish, confirm string }{
		{"Catalan", "no vull rebre més missatges", "BAIXA"},
		{"Spanish", "no quiero recibir más mensajes", "BAJA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := s.env(t)
			u := e.SMS(maria)
			out := u.Say(tc.wish)
			if smsOptedOut(t, e, maria) {
				t.Fatalf("%q unsubscribed at once; reply:\n%s", tc.wish, out)
			}
			if !strings.Contains(out, tc.confirm) {
				t.Errorf("reply does not ask to answer %s:\n%s", tc.confirm, out)
			}
			u.Send(dialog.Inbound{Kind: dialog.KindOptOut, Text: tc.confirm})
			if !smsOptedOut(t, e, maria) {
				t.Errorf("%s after the confirmation did not opt out", tc.confirm)
			}
		})
	}
}

func (s suite) classifierStopConfirmedByTextOnChat(t *testing.T) {
	e := s.env(t)
	u := e.Telegram("5001", "ca")
	u.Say("no vull rebre més missatges")
	if u.Conversation().OptedOut {
		t.Fatal("the classifier's stop opted out at once")
	}
	u.Say("baixa")
	if !u.Conversation().OptedOut {
		t.Error("BAIXA after the confirmation did not opt out")
	}
}

func (s suite) classifierStopDeclined(t *testing.T) {
	e := s.env(t)
	u := e.SMS(maria)
	u.Say("no vull rebre més missatges")
	u.Say("no")
	if smsOptedOut(t, e, maria) {
		t.Error("a no after the stop confirmation opted out")
	}
	if got := u.Conversation(); got.Confirming != "" {
		t.Errorf("confirming = %q after no", got.Confirming)
	}
}
