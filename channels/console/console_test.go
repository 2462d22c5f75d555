package console

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
)

func TestRender(t *testing.T) {
	cat := locales.MustLoad()
	r := dialog.Reply{
		Lines:   []dialog.Text{dialog.T(dialog.KeyGreeting)},
		Options: []dialog.Option{{Label: dialog.T(dialog.KeyOptionStatus), Value: "i:status"}, {Label: dialog.T(dialog.KeyOptionForMe), Value: "i:for_me"}},
	}
	got := Render(cat, "ca", r)
	want := "Hola! Soc MyGov. En què et puc ajudar?\n  1. Els meus tràmits\n  2. Ajudes per a mi\n"
	if got != want {
		t.Errorf("Render =\n%q\nwant\n%q", got, want)
	}
}

func TestSendAndWait(t *testing.T) {
	var buf bytes.Buffer
	c := New("+34600000001", locales.MustLoad(), &buf)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- c.Wait(ctx, []int64{1, 2}) }()
	for _, id := range []int64{1, 2, 1} { // a retried job prints once
		if _, err := c.Send(ctx, dialog.Outbound{ID: id, Address: "+34600000001", Lang: "es", Reply: dialog.Reply{Lines: []dialog.Text{dialog.T(dialog.KeyGoodbye)}}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("Wait: %v", err)
	}
	if n := strings.Count(buf.String(), "¡Gracias a ti!"); n != 2 {
		t.Errorf("printed %d replies, want 2:\n%s", n, buf.String())
	}
	if _, err := c.Send(ctx, dialog.Outbound{ID: 3, Address: "+34600000002"}); err == nil {
		t.Errorf("a reply of another console conversation was printed")
	}
}

func TestWaitHonoursContext(t *testing.T) {
	c := New("x", locales.MustLoad(), &bytes.Buffer{})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := c.Wait(ctx, []int64{42}); err == nil {
		t.Errorf("Wait returned without the reply")
	}
}
