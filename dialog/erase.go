package dialog

import (
	"fmt"
	"strconv"
	"strings"
)

// ActionErase is the citizen's request to erase their conversations ("esborra les meves
// converses"). It needs level 2 and a confirmation.
const ActionErase = "erase"

// isEraseRequest reports whether s asks to erase the citizen's conversations: a verb of
// erasing and a word for the conversations, in Catalan or Spanish.
func isEraseRequest(s string) bool {
	s = strings.ToLower(s)
	verb := false
	for _, v := range []string{"esborr", "borr", "elimin", "suprim"} {
		if strings.Contains(s, v) {
			verb = true
			break
		}
	}
	if !verb {
		return false
	}
	for _, o := range []string{"convers", "missatge", "mensaje", "xat", "chat", "historial"} {
		if strings.Contains(s, o) {
			return true
		}
	}
	return false
}

func (t *turn) confirmErase() ([]Reply, error) {
	if err := fire(t.ctx, t.c, EventConfirm); err != nil {
		return nil, err
	}
	t.c.Confirming, t.c.Pending = ActionErase, ""
	return []Reply{t.menuReply(T(KeyEraseConfirm), []string{ValueYes, ValueNo})}, nil
}

// confirmed carries out, or drops, the action awaiting confirmation.
func (t *turn) confirmed(yes bool) ([]Reply, error) {
	action := t.c.Confirming
	t.c.Confirming = ""
	if !yes || action != ActionErase {
		return t.reset(t.withMenu(T(KeyEraseCancelled)))
	}
	if t.trust() < TrustVerified {
		return t.guarded(ActionErase, "")
	}
	n, err := t.tx.EraseTranscripts(t.ctx, t.citizen.ID)
	if err != nil {
		return nil, fmt.Errorf("erase transcripts: %w", err)
	}
	t.c.List, t.c.Offset, t.c.PendingRef = "", 0, ""
	return t.reset(t.withMenu(T(KeyEraseDone, "Count", strconv.FormatInt(n, 10))))
}

func isYes(w string) bool {
	switch w {
	case "si", "sí", "s", "yes", "vale", "d'acord", "dacord", "ok", "esborra", "borra", "confirmo":
		return true
	}
	return false
}

func isNo(w string) bool {
	switch w {
	case "no", "n", "millor no", "mejor no":
		return true
	}
	return false
}
