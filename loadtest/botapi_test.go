package loadtest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-telegram/bot"
)

// startBotAPI starts a provider and a go-telegram/bot client of it, as the channel builds.
func startBotAPI(t *testing.T, token string) (*Provider, *bot.Bot) {
	t.Helper()
	prov, err := StartProvider()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { prov.Close() })
	b, err := bot.New(token, bot.WithServerURL(prov.URL), bot.WithSkipGetMe())
	if err != nil {
		t.Fatal(err)
	}
	return prov, b
}

// The fake Bot API records what the library sends (multipart, chunked) and answers what
// the bot calls at start.
func TestBotAPISendMessage(t *testing.T) {
	prov, b := startBotAPI(t, botToken)
	ctx := context.Background()
	if _, err := b.SetWebhook(ctx, &bot.SetWebhookParams{URL: publicURL + telegramPath, SecretToken: telegramSecret}); err != nil {
		t.Fatalf("setWebhook: %v", err)
	}
	me, err := b.GetMe(ctx)
	if err != nil || !me.IsBot {
		t.Fatalf("getMe: %v %+v", err, me)
	}
	msg, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: int64(700000001), Text: "Hola, <b>què</b> tal?", ParseMode: "HTML"})
	if err != nil {
		t.Fatalf("sendMessage: %v", err)
	}
	got, ok := prov.Last()
	if !ok || got.Channel != "telegram" || got.To != "700000001" || got.Body != "Hola, <b>què</b> tal?" || got.SID != "1" {
		t.Errorf("recorded %+v", got)
	}
	if msg.ID != 1 || msg.Chat.ID != 700000001 {
		t.Errorf("answered message %d in chat %d, want 1 in 700000001", msg.ID, msg.Chat.ID)
	}
	if calls := prov.Calls(); calls["setWebhook"] != 1 || calls["getMe"] != 1 {
		t.Errorf("calls %v", calls)
	}
}

// The faults reach the library as Telegram's own errors.
func TestBotAPIFaults(t *testing.T) {
	prov, b := startBotAPI(t, botToken)
	var fault Fault
	prov.Faults = func(time.Time) Fault { return fault }
	prov.HangFor = 5 * time.Second
	send := func(ctx context.Context) error {
		_, err := b.SendMessage(ctx, &bot.SendMessageParams{ChatID: 7, Text: "x"})
		return err
	}
	ctx := context.Background()

	fault = Fault429
	var tm *bot.TooManyRequestsError
	if err := send(ctx); !errors.As(err, &tm) || tm.RetryAfter != 1 {
		t.Errorf("429: %v, want a TooManyRequestsError with retry_after 1", err)
	}
	fault = Fault500
	if err := send(ctx); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("500: %v", err)
	}
	if n := prov.Count(); n != 0 {
		t.Errorf("%d messages taken by refused sends", n)
	}

	fault = FaultAcceptedHang
	hctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	err := send(hctx)
	cancel()
	if err == nil {
		t.Fatal("accepted-then-hang: the send returned no error")
	}
	wctx, wcancel := context.WithTimeout(ctx, time.Minute)
	defer wcancel()
	for {
		if s, ok := prov.Last(); ok && s.Unanswered {
			break
		}
		if wctx.Err() != nil {
			t.Fatal("the message taken by a send the client gave up is not marked unanswered")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if inj := prov.Injected(); inj[Fault429] != 1 || inj[Fault500] != 1 || inj[FaultAcceptedHang] != 1 {
		t.Errorf("injected %v", inj)
	}
}

func TestBotAPIWrongToken(t *testing.T) {
	_, b := startBotAPI(t, "1:other")
	if _, err := b.SendMessage(context.Background(), &bot.SendMessageParams{ChatID: 7, Text: "x"}); !errors.Is(err, bot.ErrorUnauthorized) {
		t.Errorf("err %v, want ErrorUnauthorized", err)
	}
}

// Hostile and malformed sendMessage requests are refused and record nothing.
func TestBotAPIBadRequests(t *testing.T) {
	prov, _ := startBotAPI(t, botToken)
	u := prov.URL + "/bot" + botToken + "/sendMessage"
	for _, tc := range []struct {
		name, url, contentType, body string
		want                         int
	}{
		{"Empty", u, "application/json", "", http.StatusBadRequest},
		{"NoChat", u, "application/json", `{"text":"x"}`, http.StatusBadRequest},
		{"ChatNotANumber", u, "application/x-www-form-urlencoded", "chat_id=%3Cscript%3E&text=x", http.StatusBadRequest},
		{"BrokenMultipart", u, "multipart/form-data; boundary=zz", "--zz\r\nContent-Disposition: form-data; name=\"chat_id\"\r\n\r\n7", http.StatusBadRequest},
		{"Oversized", u, "application/x-www-form-urlencoded", "chat_id=7&text=" + strings.Repeat("a", 1<<20), http.StatusBadRequest},
		{"NotABotPath", prov.URL + "/foo/sendMessage", "application/json", `{"chat_id":7,"text":"x"}`, http.StatusNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := http.Post(tc.url, tc.contentType, strings.NewReader(tc.body))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
		})
	}
	if n := prov.Count(); n != 0 {
		t.Errorf("%d messages recorded from bad requests", n)
	}
}
