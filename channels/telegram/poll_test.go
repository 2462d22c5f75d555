package telegram

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
)

// run starts c.Run and returns a function that stops it and returns its error.
func run(t *testing.T, c *Channel) func() error {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	var err error
	stop := func() error {
		once.Do(func() {
			cancel()
			select {
			case err = <-done:
			case <-time.After(5 * time.Second):
				err = errors.New("Run did not return")
			}
		})
		return err
	}
	t.Cleanup(func() { stop() })
	return stop
}

func chatMsg(updateID int, chat int64, text string) string {
	c := strconv.FormatInt(chat, 10)
	return `{"update_id":` + strconv.Itoa(updateID) + `,"message":{"message_id":` + strconv.Itoa(updateID) +
		`,"date":1,"chat":{"id":` + c + `,"type":"private"},"from":{"id":` + c + `,"is_bot":false,"first_name":"X"},"text":"` + text + `"}}`
}

func TestPollDeletesWebhookThenPolls(t *testing.T) {
	api := newFakeAPI(t)
	h := &fakeHandler{}
	c, _ := newTestChannel(t, api, Config{PollInterval: 20 * time.Millisecond, PollTimeout: 30 * time.Second}, h)
	api.queueUpdates(chatMsg(5, 42, "hola"), chatMsg(6, 42, "adeu"))
	stop := run(t, c)
	calls := api.waitCalls("getUpdates", 3)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	all := api.Calls("")
	if all[0].Method != "deleteWebhook" {
		t.Errorf("first call %s, want deleteWebhook", all[0].Method)
	}
	if calls[0].Fields["timeout"] != "30" || !strings.Contains(calls[0].Fields["allowed_updates"], "callback_query") {
		t.Errorf("getUpdates fields = %v", calls[0].Fields)
	}
	if _, ok := calls[0].Fields["offset"]; ok {
		t.Errorf("first getUpdates has an offset")
	}
	if calls[1].Fields["offset"] != "7" {
		t.Errorf("second getUpdates offset %q, want 7", calls[1].Fields["offset"])
	}
	got := h.Got()
	if len(got) != 2 || got[0].Text != "hola" || got[1].Text != "adeu" || got[0].MessageID != "u5" {
		t.Errorf("handled %+v", got)
	}
}

// TestPollDoesNotSpin: a server whose getUpdates answers at once with nothing is called
// at most once per PollInterval, not in a tight loop.
func TestPollDoesNotSpin(t *testing.T) {
	api := newFakeAPI(t)
	c, _ := newTestChannel(t, api, Config{PollInterval: 50 * time.Millisecond}, &fakeHandler{})
	run(t, c)
	calls := api.waitCalls("getUpdates", 4)
	for i := 1; i < len(calls); i++ {
		if gap := calls[i].At.Sub(calls[i-1].At); gap < 45*time.Millisecond {
			t.Errorf("getUpdates %d came %v after the one before, want at least the 50ms interval", i, gap)
		}
	}
}

func TestPollBacksOff(t *testing.T) {
	t.Run("ServerError", func(t *testing.T) {
		api := newFakeAPI(t)
		api.Reply = func(method string, _ map[string]string) (int, string, bool) {
			return 502, `{"ok":false,"error_code":502,"description":"Bad Gateway"}`, method == "getUpdates"
		}
		c, _ := newTestChannel(t, api, Config{}, &fakeHandler{})
		c.backoff, c.maxBackoff = 20*time.Millisecond, 80*time.Millisecond
		run(t, c)
		calls := api.waitCalls("getUpdates", 5)
		for i, want := range []time.Duration{20, 40, 80, 80} {
			gap := calls[i+1].At.Sub(calls[i].At)
			// Only lower bounds: a loaded machine may make any gap longer.
			if gap < want*time.Millisecond {
				t.Errorf("gap %d = %v, want at least %v", i, gap, want*time.Millisecond)
			}
		}
	})
	t.Run("RetryAfter", func(t *testing.T) {
		api := newFakeAPI(t)
		var mu sync.Mutex
		n := 0
		api.Reply = func(method string, _ map[string]string) (int, string, bool) {
			mu.Lock()
			defer mu.Unlock()
			n++
			return 429, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`, method == "getUpdates" && n <= 2
		}
		c, _ := newTestChannel(t, api, Config{PollInterval: 10 * time.Millisecond}, &fakeHandler{})
		run(t, c)
		calls := api.waitCalls("getUpdates", 2)
		if gap := calls[1].At.Sub(calls[0].At); gap < time.Second {
			t.Errorf("next getUpdates after %v, want retry_after 1s", gap)
		}
	})
	t.Run("TokenRejected", func(t *testing.T) {
		api := newFakeAPI(t)
		api.Reply = func(method string, _ map[string]string) (int, string, bool) {
			return 401, `{"ok":false,"error_code":401,"description":"Unauthorized"}`, method == "getUpdates"
		}
		c, _ := newTestChannel(t, api, Config{}, &fakeHandler{})
		err := c.Run(context.Background())
		if err == nil || strings.Contains(err.Error(), testToken) {
			t.Errorf("Run = %v, want a token error that hides the token", err)
		}
	})
}

// TestPollOrderAndParallel: one batch mixing two chats: each chat's updates run in order and
// one at a time, and the two chats run in parallel.
func TestPollOrderAndParallel(t *testing.T) {
	api := newFakeAPI(t)
	var (
		mu      sync.Mutex
		order   = map[string][]string{}
		running = map[string]int{}
	)
	bStarted := make(chan struct{})
	var once sync.Once
	h := &fakeHandler{HandleFunc: func(_ context.Context, in dialog.Inbound) (dialog.Result, error) {
		mu.Lock()
		running[in.Address]++
		if running[in.Address] > 1 {
			t.Errorf("chat %s: two turns at once", in.Address)
		}
		mu.Unlock()
		if in.Address == "2" {
			once.Do(func() { close(bStarted) })
		}
		if in.Text == "a0" {
			select {
			case <-bStarted:
			case <-time.After(5 * time.Second):
				t.Error("chats do not run in parallel")
			}
		}
		time.Sleep(500 * time.Microsecond)
		mu.Lock()
		running[in.Address]--
		order[in.Address] = append(order[in.Address], in.Text)
		mu.Unlock()
		return dialog.Result{}, nil
	}}
	var batch []string
	for i := range 20 {
		batch = append(batch, chatMsg(100+2*i, 1, "a"+strconv.Itoa(i)), chatMsg(101+2*i, 2, "b"+strconv.Itoa(i)))
	}
	api.queueUpdates(batch...)
	c, _ := newTestChannel(t, api, Config{PollInterval: 10 * time.Millisecond}, h)
	stop := run(t, c)
	api.waitCalls("getUpdates", 2)
	stop()
	for chat, prefix := range map[string]string{"1": "a", "2": "b"} {
		got := order[chat]
		if len(got) != 20 {
			t.Fatalf("chat %s: %d turns, want 20", chat, len(got))
		}
		for i, text := range got {
			if text != prefix+strconv.Itoa(i) {
				t.Fatalf("chat %s order %v", chat, got)
			}
		}
	}
}

// TestPollRetriesFailedTurn: a failed turn is fetched again (offset not confirmed) and the
// later updates of its chat wait for it; an update that keeps failing is given up.
func TestPollRetriesFailedTurn(t *testing.T) {
	api := newFakeAPI(t)
	var mu sync.Mutex
	failures := map[string]int{"a1": 1, "poison": 100}
	var handled []string
	h := &fakeHandler{HandleFunc: func(_ context.Context, in dialog.Inbound) (dialog.Result, error) {
		mu.Lock()
		defer mu.Unlock()
		if failures[in.Text] > 0 {
			failures[in.Text]--
			return dialog.Result{}, errors.New("database is locked")
		}
		handled = append(handled, in.Text)
		return dialog.Result{}, nil
	}}
	// The emulated server redelivers from the offset asked for.
	all := []string{chatMsg(1, 1, "a1"), chatMsg(2, 1, "a2"), chatMsg(3, 2, "b1"), chatMsg(4, 3, "poison"), chatMsg(5, 3, "c2")}
	api.Reply = func(method string, f map[string]string) (int, string, bool) {
		if method != "getUpdates" {
			return 0, "", false
		}
		off, _ := strconv.Atoi(f["offset"])
		var out []string
		for i, u := range all {
			if i+1 >= off {
				out = append(out, u)
			}
		}
		return 200, `{"ok":true,"result":[` + strings.Join(out, ",") + `]}`, true
	}
	c, _ := newTestChannel(t, api, Config{PollInterval: 10 * time.Millisecond}, h)
	stop := run(t, c)
	deadline := time.Now().Add(5 * time.Second)
	for {
		calls := api.Calls("getUpdates")
		if len(calls) > 0 && calls[len(calls)-1].Fields["offset"] == "6" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("offsets never reached 6: %v", calls)
		}
		time.Sleep(5 * time.Millisecond)
	}
	stop()
	mu.Lock()
	defer mu.Unlock()
	// A real store would answer the redelivered b1 and a2 as duplicates; the fake handles
	// them again.
	first := map[string]int{}
	for i, s := range handled {
		if _, ok := first[s]; !ok {
			first[s] = i
		}
	}
	if first["a1"] > first["a2"] {
		t.Errorf("a2 handled before a1: %v", handled)
	}
	if _, ok := first["poison"]; ok {
		t.Errorf("poison handled: %v", handled)
	}
	if _, ok := first["c2"]; !ok {
		t.Errorf("c2 never handled after the poison update was given up: %v", handled)
	}
}

func TestRunWebhookSetsWebhook(t *testing.T) {
	api := newFakeAPI(t)
	c, _, _ := webhookChannel(t, api, &fakeHandler{})
	stop := run(t, c)
	calls := api.waitCalls("setWebhook", 1)
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	f := calls[0].Fields
	if f["url"] != "https://mygov.example.org/telegram/webhook" || f["secret_token"] != testSecret {
		t.Errorf("setWebhook fields %v", f)
	}
	if len(api.Calls("getUpdates")) != 0 || len(api.Calls("deleteWebhook")) != 0 {
		t.Errorf("webhook mode polled or deleted the webhook")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"NoToken", Config{}},
		{"RelativeAPIURL", Config{Token: testToken, APIURL: "api.telegram.org"}},
		{"WebhookWithoutSecret", Config{Token: testToken, WebhookURL: "https://x.example/telegram/webhook"}},
		{"WebhookBadSecret", Config{Token: testToken, WebhookURL: "https://x.example/telegram/webhook", WebhookSecret: "has space"}},
		{"BadWebhookURL", Config{Token: testToken, WebhookURL: "/telegram/webhook", WebhookSecret: "ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.cfg, &fakeHandler{}, catalog(t), nil); err == nil {
				t.Error("New succeeded")
			}
		})
	}
}
