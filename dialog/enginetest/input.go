package enginetest

// Malformed, hostile and oversized input, database errors and concurrent turns.

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/dialog"
)

func (s suite) badInput(t *testing.T) {
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
			e := s.env(t)
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
}

func (s suite) truncatedBySMS(t *testing.T) {
	e := s.env(t)
	_, out := e.SMS(maria).Send(dialog.Inbound{Text: "com va la meva sol·licitud? " + strings.Repeat("a", 1500), Truncated: true})
	must(t, out, "només n'he llegit el principi")
}

func (s suite) controlCharactersInsideText(t *testing.T) {
	e := s.env(t)
	must(t, e.Console(maria).Say("com va la meva\x00 sol·licitud?\x1b"), "EXP-2026-000101")
}

func (s suite) databaseErrorApologizes(t *testing.T) {
	e := s.env(t)
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
}

func (s suite) concurrentTurnsOneConversation(t *testing.T) {
	e := s.env(t)
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
}
