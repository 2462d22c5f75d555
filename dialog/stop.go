package dialog

import (
	"slices"
	"strings"
)

// ActionStop is a wish to stop receiving messages that only the classifier saw ("no vull
// rebre més missatges"): it is confirmed before the conversation is opted out, because a
// classifier can be wrong and an opt-out silences every later notice.
const ActionStop = "stop"

// Catalog keys of the stop confirmation.
const (
	KeyStopConfirm = "stop.confirm" // asks to confirm an opt-out the classifier detected
	KeyStopKept    = "stop.kept"    // the citizen said no: messages go on
)

// confirmStop asks the citizen to confirm that they want no more messages.
func (t *turn) confirmStop() ([]Reply, error) {
	if err := fire(t.ctx, t.c, EventConfirm); err != nil {
		return nil, err
	}
	t.c.Confirming, t.c.Pending, t.c.Menu = ActionStop, "", nil
	return []Reply{{Lines: []Text{T(KeyStopConfirm)}}}, nil
}

// stopConfirmed opts the conversation out after confirmStop.
func (t *turn) stopConfirmed() ([]Reply, error) {
	t.c.Confirming = ""
	if t.in.Caps.CarrierOptOut {
		return t.optOut(KeyOptOutDone)
	}
	return t.optOut(KeyStopDone)
}

// stopKept drops the stop confirmation: the citizen keeps receiving messages.
func (t *turn) stopKept() ([]Reply, error) {
	t.c.Confirming = ""
	return t.reset(t.withMenu(T(KeyStopKept)))
}

// isStopWord reports whether w confirms a stop: the opt-out keywords the confirmation
// names, or a plain yes.
func isStopWord(w string) bool {
	switch w {
	case "baixa", "baja", "stop":
		return true
	}
	return isYes(w)
}

// offersCancel reports whether the conversation's last prompt offers to cancel: then a
// "cancelar" answers that prompt and does not unsubscribe.
func (t *turn) offersCancel() bool {
	return t.c.State == StateVerifying || t.c.State == StateConfirm || slices.Contains(t.c.Menu, ValueCancel)
}

// cancelPrompt cancels what the last prompt asked.
func (t *turn) cancelPrompt() ([]Reply, error) {
	switch t.c.State {
	case StateVerifying:
		return t.cancelVerification()
	case StateConfirm:
		if t.c.Confirming == ActionStop {
			return t.stopKept()
		}
		return t.confirmed(false)
	}
	return t.button(ValueCancel)
}

// cancelWord returns the message as isCancel compares it: lower case, without the
// surrounding spaces and punctuation.
func cancelWord(s string) string {
	return strings.ToLower(strings.Trim(s, " \t\r\n.!¡?¿"))
}
