package console

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/internal/lines"
	"github.com/catalonia/mygov/locales"
)

// echo is a dialog.Handler that records each inbound message and has its reply (the
// goodbye) delivered to c from another goroutine, as the delivery worker does.
type echo struct {
	c   *Channel
	got []dialog.Inbound
	err error
}

func (e *echo) Handle(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
	if e.err != nil {
		return dialog.Result{}, e.err
	}
	e.got = append(e.got, in)
	o := dialog.Outbound{ID: int64(len(e.got)), Address: in.Address, Lang: "ca", Reply: dialog.Reply{Lines: []dialog.Text{dialog.T(dialog.KeyGoodbye)}}}
	go e.c.Send(ctx, o)
	return dialog.Result{Outbound: []dialog.Outbound{o}}, nil
}

func TestConverse(t *testing.T) {
	tests := []struct {
		name  string
		input string
		texts []string
	}{
		{"Empty", "", nil},
		{"OneLineNoNewline", "hola", []string{"hola"}},
		{"Lines", "hola\r\ncom va?\n", []string{"hola", "com va?"}},
		{"BlankLine", "\n", []string{""}},
		{"Hostile", "\x00\x1b[2J\n<script>\n", []string{"\x00\x1b[2J", "<script>"}},
		{"Overlong", strings.Repeat("a", 2*lines.Max) + "\n", []string{strings.Repeat("a", lines.Max)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			c := New("+34600000001", locales.MustLoad(), &out)
			h := &echo{c: c}
			err := c.Converse(context.Background(), h, Session{Phone: "+34600000001", Lang: "ca", ID: "s"}, strings.NewReader(tt.input))
			if err != nil {
				t.Fatalf("Converse: %v", err)
			}
			if len(h.got) != len(tt.texts) {
				t.Fatalf("handled %d messages, want %d", len(h.got), len(tt.texts))
			}
			for i, in := range h.got {
				if in.Text != tt.texts[i] || in.Channel != Name || in.Caps != Capabilities || in.Phone != "+34600000001" ||
					in.Address != "+34600000001" || in.LangHint != "ca" || !in.LangSet || in.Kind != dialog.KindText {
					t.Errorf("message %d = %+v", i, in)
				}
				if want := "s-" + string(rune('1'+i)); in.MessageID != want {
					t.Errorf("message %d id = %q, want %q", i, in.MessageID, want)
				}
			}
			if n := strings.Count(out.String(), "Gràcies a tu"); n != len(tt.texts) {
				t.Errorf("printed %d replies, want %d:\n%s", n, len(tt.texts), out.String())
			}
		})
	}
}

func TestConverseAnonymousLetsTheEngineChooseTheLanguage(t *testing.T) {
	c := New("anonymous", locales.MustLoad(), &bytes.Buffer{})
	h := &echo{c: c}
	if err := c.Converse(context.Background(), h, Session{}, strings.NewReader("hola\n")); err != nil {
		t.Fatal(err)
	}
	if in := h.got[0]; in.Phone != "" || in.LangSet || in.LangHint != "" || in.MessageID == "" {
		t.Errorf("anonymous message = %+v", in)
	}
}

func TestConverseHandlerError(t *testing.T) {
	c := New("anonymous", locales.MustLoad(), &bytes.Buffer{})
	broken := errors.New("database is closed")
	err := c.Converse(context.Background(), &echo{c: c, err: broken}, Session{}, strings.NewReader("hola\n"))
	if !errors.Is(err, broken) {
		t.Errorf("Converse = %v, want the handler's error", err)
	}
}
