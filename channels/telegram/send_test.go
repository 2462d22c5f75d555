package telegram

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
	"github.com/go-telegram/bot/models"
)

func outbound(chat string, r dialog.Reply) dialog.Outbound {
	return dialog.Outbound{ID: 1, ConversationID: 1, Channel: Name, Address: chat, Lang: "ca", Reply: r}
}

func send(t *testing.T, c *Channel, o dialog.Outbound) string {
	t.Helper()
	id, err := c.Send(context.Background(), o)
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	return id
}

func markupOf(t *testing.T, call apiCall) map[string]any {
	t.Helper()
	s, ok := call.Fields["reply_markup"]
	if !ok {
		return nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil {
		t.Fatalf("reply_markup %q: %v", s, err)
	}
	return m
}

func inlineRows(t *testing.T, call apiCall) [][]models.InlineKeyboardButton {
	t.Helper()
	var m models.InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(call.Fields["reply_markup"]), &m); err != nil {
		t.Fatalf("reply_markup: %v", err)
	}
	return m.InlineKeyboard
}

// Sends reuse kept connections: rounds of sends at once, as the delivery workers make them,
// open about one round's worth of connections, not one a send.
func TestSendReusesConnections(t *testing.T) {
	api := newFakeAPI(t)
	c, _ := newTestChannel(t, api, Config{}, &fakeHandler{})
	const rounds, atOnce = 3, 40
	for r := range rounds {
		var wg sync.WaitGroup
		for i := range atOnce {
			wg.Go(func() {
				chat := strconv.Itoa(1000 + r*atOnce + i)
				if _, err := c.Send(context.Background(), outbound(chat, dialog.Reply{Lines: []dialog.Text{lit("hola")}})); err != nil {
					t.Errorf("Send: %v", err)
				}
			})
		}
		wg.Wait()
	}
	if n := api.conns.Load(); n > atOnce+atOnce/4 {
		t.Errorf("%d connections for %d rounds of %d sends at once: kept connections are not reused", n, rounds, atOnce)
	}
}

// A sendMessage the Bot API holds is given up after the send timeout, before a delivery
// job's lease ends, as an error that may be retried.
func TestSendGivesUpAHeldCall(t *testing.T) {
	api := newFakeAPI(t)
	held := make(chan struct{})
	t.Cleanup(func() { close(held) }) // before the server closes: cleanups run last first
	api.Reply = func(method string, _ map[string]string) (int, string, bool) {
		if method == "sendMessage" {
			<-held
		}
		return 0, "", false
	}
	c, _ := newTestChannel(t, api, Config{}, &fakeHandler{})
	if c.sendTimeout != DefaultSendTimeout || DefaultSendTimeout >= delivery.DefaultLease {
		t.Fatalf("send timeout %v, want %v, shorter than the lease %v", c.sendTimeout, DefaultSendTimeout, delivery.DefaultLease)
	}
	c.sendTimeout = 50 * time.Millisecond
	_, err := c.Send(context.Background(), outbound("42", dialog.Reply{Lines: []dialog.Text{lit("hola")}}))
	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, dialog.ErrPermanent) {
		t.Errorf("err %v, want a deadline exceeded that may be retried", err)
	}
}

func TestSendEscapesAndJoins(t *testing.T) {
	api := newFakeAPI(t)
	c, _ := newTestChannel(t, api, Config{}, &fakeHandler{})
	id := send(t, c, outbound("42", dialog.Reply{Lines: []dialog.Text{lit("<b>Tom & Jerry</b>"), lit(`"a" 'b'`), lit("  ")}}))
	calls := api.Calls("sendMessage")
	if len(calls) != 1 {
		t.Fatalf("got %d messages, want 1", len(calls))
	}
	got := calls[0].Fields
	if want := "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;\n\n&#34;a&#34; &#39;b&#39;"; got["text"] != want {
		t.Errorf("text = %q, want %q", got["text"], want)
	}
	if got["parse_mode"] != "HTML" || got["chat_id"] != "42" {
		t.Errorf("parse_mode %q chat_id %q, want HTML 42", got["parse_mode"], got["chat_id"])
	}
	if _, ok := got["reply_markup"]; ok {
		t.Errorf("reply_markup sent for a reply without options")
	}
	if id != "101" {
		t.Errorf("provider id = %q, want 101", id)
	}
}

func TestSendRendersCatalogInLanguage(t *testing.T) {
	api := newFakeAPI(t)
	c, _ := newTestChannel(t, api, Config{}, &fakeHandler{})
	o := outbound("42", dialog.Reply{Lines: []dialog.Text{dialog.T("telegram.choose_option")}})
	o.Lang = "es"
	send(t, c, o)
	if got, want := api.Calls("sendMessage")[0].Fields["text"], "Elige una opción:"; got != want {
		t.Errorf("text = %q, want %q", got, want)
	}
}

func TestSendInlineKeyboard(t *testing.T) {
	api := newFakeAPI(t)
	c, logs := newTestChannel(t, api, Config{}, &fakeHandler{})
	long := strings.Repeat("v", 65)
	send(t, c, outbound("42", dialog.Reply{
		Lines: []dialog.Text{lit("Què vols fer?")},
		Options: []dialog.Option{
			{Label: lit("Sí"), Value: "yes"},
			{Label: lit("No"), Value: "no"},
			{Label: lit("Veure les meves sol·licituds"), Value: "status"},
			{Label: lit("Massa llarg"), Value: long},
			{Label: lit("Buit"), Value: ""},
			{Label: lit("Més"), Value: strings.Repeat("m", 64)},
		},
	}))
	calls := api.Calls("sendMessage")
	rows := inlineRows(t, calls[0])
	type btn struct{ text, data string }
	var got [][]btn
	for _, r := range rows {
		var row []btn
		for _, b := range r {
			row = append(row, btn{b.Text, b.CallbackData})
		}
		got = append(got, row)
	}
	want := [][]btn{
		{{"Sí", "yes"}, {"No", "no"}},
		{{"Veure les meves sol·licituds", "status"}},
		{{"Més", strings.Repeat("m", 64)}},
	}
	if len(got) != len(want) {
		t.Fatalf("rows = %v, want %v", got, want)
	}
	for i := range want {
		if len(got[i]) != len(want[i]) {
			t.Fatalf("row %d = %v, want %v", i, got[i], want[i])
		}
		for j := range want[i] {
			if got[i][j] != want[i][j] {
				t.Errorf("button %d,%d = %v, want %v", i, j, got[i][j], want[i][j])
			}
		}
	}
	if !strings.Contains(logs.String(), "options left out") {
		t.Errorf("no log line for the skipped options")
	}
}

func TestSendSplitsLongText(t *testing.T) {
	api := newFakeAPI(t)
	c, _ := newTestChannel(t, api, Config{}, &fakeHandler{})
	para := func(word string, n int) string { return strings.TrimSpace(strings.Repeat(word+" ", n)) }
	lines := []dialog.Text{
		lit(para("sol·licitud", 250)),  // ~3,000 characters
		lit(para("<&>", 700)),          // 2,800 characters, 10,500 once escaped
		lit(strings.Repeat("x", 5000)), // one word longer than a message
		lit("Fi."),
	}
	id := send(t, c, outbound("7", dialog.Reply{Lines: lines, Options: []dialog.Option{{Label: lit("D'acord"), Value: "ok"}}}))
	calls := api.Calls("sendMessage")
	if len(calls) < 5 {
		t.Fatalf("got %d messages, want at least 5", len(calls))
	}
	var all strings.Builder
	for i, call := range calls {
		text := call.Fields["text"]
		if n := len(utf16.Encode([]rune(text))); n > maxText || n == 0 {
			t.Errorf("message %d has %d characters", i, n)
		}
		if strings.Contains(text, "<") || strings.Contains(html.UnescapeString(text), "&amp;") {
			t.Errorf("message %d is not cleanly escaped", i)
		}
		_, hasMarkup := call.Fields["reply_markup"]
		if last := i == len(calls)-1; hasMarkup != last {
			t.Errorf("message %d: keyboard %v, want %v", i, hasMarkup, last)
		}
		all.WriteString(html.UnescapeString(text))
	}
	want := ""
	for _, l := range lines {
		want += l.Key
	}
	strip := func(s string) string { return strings.NewReplacer(" ", "", "\n", "").Replace(s) }
	if strip(all.String()) != strip(want) {
		t.Errorf("the messages do not add up to the reply")
	}
	if want := strconv.Itoa(100 + len(calls)); id != want {
		t.Errorf("provider id = %q, want the last message's, %s", id, want)
	}
}

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		limit int
		want  []string
	}{
		{"Empty", "", 10, nil},
		{"Fits", "a\n\nb", 10, []string{"a\n\nb"}},
		{"AtLines", "aaaa\nbbbb\ncccc", 9, []string{"aaaa\nbbbb", "cccc"}},
		{"BlankLinesTrimmed", "aaaa\n\nbbbb", 5, []string{"aaaa", "bbbb"}},
		{"AtSpaces", "aaa bbb ccc", 8, []string{"aaa bbb", "ccc"}},
		{"NeverInsideEscape", "a&b&c", 6, []string{"a&amp;", "b&amp;", "c"}},
		{"LongWord", "abcdefgh", 3, []string{"abc", "def", "gh"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := split(tt.text, tt.limit)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("split(%q, %d) = %q, want %q", tt.text, tt.limit, got, tt.want)
			}
		})
	}
}

func TestSendAskContact(t *testing.T) {
	api := newFakeAPI(t)
	c, _ := newTestChannel(t, api, Config{}, &fakeHandler{})

	send(t, c, outbound("9", dialog.Reply{Lines: []dialog.Text{lit("Comparteix el teu telèfon.")}, AskContact: true}))
	call := api.Calls("sendMessage")[0]
	var kb models.ReplyKeyboardMarkup
	if err := json.Unmarshal([]byte(call.Fields["reply_markup"]), &kb); err != nil {
		t.Fatal(err)
	}
	if len(kb.Keyboard) != 1 || len(kb.Keyboard[0]) != 1 || !kb.Keyboard[0][0].RequestContact {
		t.Fatalf("keyboard = %+v, want one request_contact button", kb.Keyboard)
	}
	if got, want := kb.Keyboard[0][0].Text, catalog(t).Text("ca", "", "telegram.share_contact"); got != want || got == "telegram.share_contact" {
		t.Errorf("button label = %q, want %q", got, want)
	}
	if !kb.OneTimeKeyboard || !kb.ResizeKeyboard {
		t.Errorf("keyboard one_time %v resize %v, want both", kb.OneTimeKeyboard, kb.ResizeKeyboard)
	}

	t.Run("ThenOptions", func(t *testing.T) {
		// The reply after the contact: the text goes with the removal of the reply
		// keyboard, the last paragraph with the menu.
		send(t, c, outbound("9", dialog.Reply{
			Lines:   []dialog.Text{lit("Ja t'he reconegut."), lit("Què vols saber?")},
			Options: []dialog.Option{{Label: lit("Sol·licituds"), Value: "status"}},
		}))
		calls := api.Calls("sendMessage")[1:]
		if len(calls) != 2 {
			t.Fatalf("got %d messages, want 2", len(calls))
		}
		if m := markupOf(t, calls[0]); m["remove_keyboard"] != true {
			t.Errorf("first message markup = %v, want remove_keyboard", m)
		}
		if rows := inlineRows(t, calls[1]); len(rows) != 1 || rows[0][0].CallbackData != "status" {
			t.Errorf("second message keyboard = %v", rows)
		}
		if calls[0].Fields["text"] != "Ja t&#39;he reconegut." || calls[1].Fields["text"] != "Què vols saber?" {
			t.Errorf("texts = %q, %q", calls[0].Fields["text"], calls[1].Fields["text"])
		}
	})
	t.Run("RemovedOnce", func(t *testing.T) {
		send(t, c, outbound("9", dialog.Reply{Lines: []dialog.Text{lit("Res més.")}}))
		calls := api.Calls("sendMessage")
		if _, ok := calls[len(calls)-1].Fields["reply_markup"]; ok {
			t.Errorf("keyboard removed twice")
		}
	})
	t.Run("PlainRemoves", func(t *testing.T) {
		send(t, c, outbound("10", dialog.Reply{Lines: []dialog.Text{lit("Telèfon?")}, AskContact: true}))
		send(t, c, outbound("10", dialog.Reply{Lines: []dialog.Text{lit("Gràcies.")}}))
		calls := api.Calls("sendMessage")
		if m := markupOf(t, calls[len(calls)-1]); m["remove_keyboard"] != true {
			t.Errorf("markup = %v, want remove_keyboard", m)
		}
	})
	t.Run("WithOptions", func(t *testing.T) {
		before := len(api.Calls("sendMessage"))
		send(t, c, outbound("11", dialog.Reply{
			AskContact: true,
			Options:    []dialog.Option{{Label: lit("Ara no"), Value: "menu"}},
		}))
		calls := api.Calls("sendMessage")[before:]
		if len(calls) != 2 {
			t.Fatalf("got %d messages, want 2", len(calls))
		}
		if m := markupOf(t, calls[0]); m["keyboard"] == nil {
			t.Errorf("first message markup = %v, want the contact keyboard", m)
		}
		if calls[0].Fields["text"] != catalog(t).Text("ca", "", "telegram.share_contact_prompt") {
			t.Errorf("first message text = %q", calls[0].Fields["text"])
		}
		if rows := inlineRows(t, calls[1]); len(rows) != 1 || rows[0][0].CallbackData != "menu" {
			t.Errorf("second message keyboard = %v", rows)
		}
	})
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name          string
		status        int
		body          string
		wantPermanent bool
		wantRetry     time.Duration
	}{
		{"TooManyRequests", 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`, false, 7 * time.Second},
		{"Blocked", 403, `{"ok":false,"error_code":403,"description":"Forbidden: bot was blocked by the user"}`, true, 0},
		{"BadRequest", 400, `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, true, 0},
		{"OtherClientError", 413, `{"ok":false,"error_code":413,"description":"Request Entity Too Large"}`, true, 0},
		{"ServerError", 502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`, false, 0},
		{"NotJSON", 502, `<html>bad gateway</html>`, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newFakeAPI(t)
			api.Reply = func(method string, _ map[string]string) (int, string, bool) {
				return tt.status, tt.body, method == "sendMessage"
			}
			c, _ := newTestChannel(t, api, Config{}, &fakeHandler{})
			_, err := c.Send(context.Background(), outbound("42", dialog.Reply{Lines: []dialog.Text{lit("hola")}}))
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if got := errors.Is(err, dialog.ErrPermanent); got != tt.wantPermanent {
				t.Errorf("permanent = %v, want %v (%v)", got, tt.wantPermanent, err)
			}
			var ra *dialog.RetryAfterError
			if got := errors.As(err, &ra); got != (tt.wantRetry > 0) {
				t.Errorf("retry after = %v, want %v (%v)", got, tt.wantRetry > 0, err)
			} else if got && ra.After != tt.wantRetry {
				t.Errorf("retry after %v, want %v", ra.After, tt.wantRetry)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
	t.Run("NetworkError", func(t *testing.T) {
		c, _ := newTestChannel(t, nil, Config{}, &fakeHandler{})
		_, err := c.Send(context.Background(), outbound("42", dialog.Reply{Lines: []dialog.Text{lit("hola")}}))
		var ra *dialog.RetryAfterError
		if err == nil || errors.Is(err, dialog.ErrPermanent) || errors.As(err, &ra) {
			t.Errorf("err = %v, want a plain error", err)
		}
		if strings.Contains(err.Error(), testToken) {
			t.Errorf("error shows the token: %v", err)
		}
	})
	t.Run("BadAddress", func(t *testing.T) {
		c, _ := newTestChannel(t, newFakeAPI(t), Config{}, &fakeHandler{})
		_, err := c.Send(context.Background(), outbound("+34600000001", dialog.Reply{Lines: []dialog.Text{lit("hola")}}))
		if !errors.Is(err, dialog.ErrPermanent) {
			t.Errorf("err = %v, want ErrPermanent", err)
		}
	})
}

func TestLimiter(t *testing.T) {
	now := time.Unix(0, 0)
	l := newLimiter(func() time.Time { return now })
	var slept time.Duration
	l.sleep = func(_ context.Context, d time.Duration) bool { slept += d; now = now.Add(d); return true }
	ctx := context.Background()

	for i := range 3 { // the chat's burst
		if err := l.wait(ctx, 1, time.Minute); err != nil || slept != 0 {
			t.Fatalf("send %d: err %v, slept %v", i, err, slept)
		}
	}
	if err := l.wait(ctx, 1, time.Minute); err != nil || slept != time.Second {
		t.Fatalf("4th send: err %v, slept %v, want 1s", err, slept)
	}
	if err := l.wait(ctx, 2, time.Minute); err != nil || slept != time.Second {
		t.Fatalf("other chat: err %v, slept %v, want no wait", err, slept)
	}
	// Overall limit: 30 a second across chats.
	slept = 0
	now = now.Add(time.Hour)
	for i := range 30 {
		if err := l.wait(ctx, int64(100+i), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if slept != 0 {
		t.Fatalf("slept %v within the overall burst", slept)
	}
	if err := l.wait(ctx, 999, time.Minute); err != nil || slept <= 0 || slept > 40*time.Millisecond {
		t.Fatalf("31st send: err %v, slept %v, want ~33ms", err, slept)
	}
	// Too long a wait: a retry hint, and no token taken.
	for range 3 {
		l.wait(ctx, 5, time.Minute)
	}
	before := slept
	var ra *dialog.RetryAfterError
	if err := l.wait(ctx, 5, time.Millisecond); !errors.As(err, &ra) || ra.After <= 0 {
		t.Fatalf("err = %v, want a RetryAfterError", err)
	}
	if slept != before {
		t.Errorf("slept while refusing")
	}
}
