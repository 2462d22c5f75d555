package enginetest

import (
	"context"
	"strings"
	"testing"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/dialog"
)

// runStop checks that an opt-out happens only when the citizen clearly asks for it: a
// "Cancelar" answering a prompt that offers to cancel cancels, and a stop wish only the
// classifier saw is confirmed first (issue 13, defect 1).
func runStop(t *testing.T, env func(t *testing.T) *Env) {
	optedOut := func(t *testing.T, e *Env, addr string) bool {
		t.Helper()
		out, err := e.Store.OptedOut(context.Background(), sms.Name, addr)
		if err != nil {
			t.Fatalf("OptedOut: %v", err)
		}
		return out
	}
	t.Run("CancelarDuringVerificationCancels", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		u.Say("quines dades teniu de mi?")
		// The SMS adapter makes a lone "Cancelar" a carrier keyword.
		res, out := u.Send(dialog.Inbound{Kind: dialog.KindOptOut, Text: "Cancelar"})
		if optedOut(t, e, maria) {
			t.Fatalf("Cancelar at the verification prompt unsubscribed the number; reply:\n%s", out)
		}
		if len(res.Outbound) == 0 || res.Outbound[0].Reply.Final {
			t.Errorf("replies = %+v, want the verification cancelled", res.Outbound)
		}
		if got := u.Conversation().State; got == dialog.StateVerifying {
			t.Errorf("state = %s, want verification left", got)
		}
	})
	t.Run("CancelarWithoutPromptOptsOut", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		u.Send(dialog.Inbound{Kind: dialog.KindOptOut, Text: "CANCELAR"})
		if !optedOut(t, e, maria) {
			t.Error("a lone CANCELAR with nothing to cancel did not opt out")
		}
	})
	for _, tc := range []struct{ name, wish, confirm, want string }{
		{"Catalan", "no vull rebre més missatges", "BAIXA", "BAIXA"},
		{"Spanish", "no quiero recibir más mensajes", "BAJA", "BAJA"},
	} {
		t.Run("ClassifierStopAsksFirst"+tc.name, func(t *testing.T) {
			e := env(t)
			u := e.SMS(maria)
			out := u.Say(tc.wish)
			if optedOut(t, e, maria) {
				t.Fatalf("%q unsubscribed at once; reply:\n%s", tc.wish, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("reply does not ask to answer %s:\n%s", tc.want, out)
			}
			u.Send(dialog.Inbound{Kind: dialog.KindOptOut, Text: tc.confirm})
			if !optedOut(t, e, maria) {
				t.Errorf("%s after the confirmation did not opt out", tc.confirm)
			}
		})
	}
	t.Run("ClassifierStopConfirmedByTextOnChat", func(t *testing.T) {
		e := env(t)
		u := e.Telegram("5001", "ca")
		u.Say("no vull rebre més missatges")
		if got := u.Conversation(); got.OptedOut {
			t.Fatal("the classifier's stop opted out at once")
		}
		u.Say("baixa")
		if got := u.Conversation(); !got.OptedOut {
			t.Error("BAIXA after the confirmation did not opt out")
		}
	})
	t.Run("ClassifierStopDeclined", func(t *testing.T) {
		e := env(t)
		u := e.SMS(maria)
		u.Say("no vull rebre més missatges")
		u.Say("no")
		if optedOut(t, e, maria) {
			t.Error("a no after the stop confirmation opted out")
		}
		if got := u.Conversation(); got.Confirming != "" {
			t.Errorf("confirming = %q after no", got.Confirming)
		}
	})
}
