package telegram

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
)

const testSecret = "s3cret_-Token"

func webhookChannel(t *testing.T, api *fakeAPI, h dialog.Handler) (*Channel, http.Handler, *syncBuffer) {
	t.Helper()
	c, logs := newTestChannel(t, api, Config{WebhookURL: "https://mygov.example.org/telegram/webhook", WebhookSecret: testSecret}, h)
	mux := http.NewServeMux()
	c.Routes(mux)
	return c, mux, logs
}

func postUpdate(h http.Handler, secret, body string) int {
	req := httptest.NewRequest(http.MethodPost, WebhookPath, strings.NewReader(body))
	if secret != "" {
		req.Header.Set("X-Telegram-Bot-Api-Secret-Token", secret)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// msg builds a private-chat message update from user 42 (language ca) with extra fields.
func msg(updateID, fields string) string {
	return `{"update_id":` + updateID + `,"message":{"message_id":7,"date":1772445600,` +
		`"chat":{"id":42,"type":"private","first_name":"Anna"},` +
		`"from":{"id":42,"is_bot":false,"first_name":"Anna","language_code":"ca"},` + fields + `}}`
}

func TestInboundMapping(t *testing.T) {
	const photo = `"photo":[{"file_id":"f","file_unique_id":"u","width":90,"height":90}],"caption":"el meu DNI 12345678Z"`
	tests := []struct {
		name string
		body string
		want dialog.Inbound
	}{
		{"Text", msg("10", `"text":"hola, sóc l'Anna"`),
			dialog.Inbound{Kind: dialog.KindText, Text: "hola, sóc l'Anna", MessageID: "u10", LangHint: "ca"}},
		{"Command", msg("11", `"text":"/start","entities":[{"type":"bot_command","offset":0,"length":6}]`),
			dialog.Inbound{Kind: dialog.KindCommand, Command: "start", MessageID: "u11", LangHint: "ca"}},
		{"CommandArgsAndBotName", msg("12", `"text":"/Idioma@MyGovBot  es "`),
			dialog.Inbound{Kind: dialog.KindCommand, Command: "idioma", Text: "es", MessageID: "u12", LangHint: "ca"}},
		{"SlashIsNotACommand", msg("13", `"text":"/ 3"`),
			dialog.Inbound{Kind: dialog.KindText, Text: "/ 3", MessageID: "u13", LangHint: "ca"}},
		{"Callback", `{"update_id":14,"callback_query":{"id":"cb-1","from":{"id":42,"is_bot":false,"first_name":"Anna","language_code":"es"},` +
			`"message":{"message_id":5,"date":1772445600,"chat":{"id":42,"type":"private"},"text":"menu"},"chat_instance":"1","data":"status"}}`,
			dialog.Inbound{Kind: dialog.KindButton, Payload: "status", MessageID: "u14", LangHint: "es"}},
		{"CallbackInaccessibleMessage", `{"update_id":15,"callback_query":{"id":"cb-2","from":{"id":42,"is_bot":false,"first_name":"Anna"},` +
			`"message":{"message_id":5,"date":0,"chat":{"id":42,"type":"private"}},"data":"menu:old"}}`,
			dialog.Inbound{Kind: dialog.KindButton, Payload: "menu:old", MessageID: "u15"}},
		{"OwnContact", msg("16", `"contact":{"phone_number":"34600000001","first_name":"Anna","user_id":42}`),
			dialog.Inbound{Kind: dialog.KindContact, Contact: &dialog.Contact{Phone: "+34600000001", Own: true}, MessageID: "u16", LangHint: "ca"}},
		{"OwnContactWithPlus", msg("17", `"contact":{"phone_number":"+34 600 00 00 01","first_name":"Anna","user_id":42}`),
			dialog.Inbound{Kind: dialog.KindContact, Contact: &dialog.Contact{Phone: "+34600000001", Own: true}, MessageID: "u17", LangHint: "ca"}},
		{"ForwardedContact", msg("18", `"forward_origin":{"type":"user","date":1,"sender_user":{"id":77,"is_bot":false,"first_name":"Pere"}},`+
			`"contact":{"phone_number":"34600000002","first_name":"Pere","user_id":77}`),
			dialog.Inbound{Kind: dialog.KindContact, Contact: &dialog.Contact{Phone: "+34600000002", Own: false}, MessageID: "u18", LangHint: "ca"}},
		{"ContactWithoutUser", msg("19", `"contact":{"phone_number":"34600000003","first_name":"Pere"}`),
			dialog.Inbound{Kind: dialog.KindContact, Contact: &dialog.Contact{Phone: "+34600000003", Own: false}, MessageID: "u19", LangHint: "ca"}},
		{"Photo", msg("20", photo),
			dialog.Inbound{Kind: dialog.KindMedia, MessageID: "u20", LangHint: "ca"}},
		{"Voice", msg("21", `"voice":{"file_id":"f","file_unique_id":"u","duration":3}`),
			dialog.Inbound{Kind: dialog.KindMedia, MessageID: "u21", LangHint: "ca"}},
		{"Sticker", msg("22", `"sticker":{"file_id":"f","file_unique_id":"u","type":"regular","width":512,"height":512,"is_animated":false,"is_video":false,"emoji":"👍"}`),
			dialog.Inbound{Kind: dialog.KindMedia, MessageID: "u22", LangHint: "ca"}},
		{"Location", msg("23", `"location":{"latitude":41.38,"longitude":2.17}`),
			dialog.Inbound{Kind: dialog.KindMedia, MessageID: "u23", LangHint: "ca"}},
		{"Document", msg("24", `"document":{"file_id":"f","file_unique_id":"u","file_name":"nomina.pdf"}`),
			dialog.Inbound{Kind: dialog.KindMedia, MessageID: "u24", LangHint: "ca"}},
		{"Audio", msg("25", `"audio":{"file_id":"f","file_unique_id":"u","duration":3}`),
			dialog.Inbound{Kind: dialog.KindMedia, MessageID: "u25", LangHint: "ca"}},
		{"Video", msg("26", `"video":{"file_id":"f","file_unique_id":"u","width":1,"height":1,"duration":3}`),
			dialog.Inbound{Kind: dialog.KindMedia, MessageID: "u26", LangHint: "ca"}},
		{"Animation", msg("27", `"animation":{"file_id":"f","file_unique_id":"u","width":1,"height":1,"duration":3}`),
			dialog.Inbound{Kind: dialog.KindMedia, MessageID: "u27", LangHint: "ca"}},
		{"VideoNote", msg("28", `"video_note":{"file_id":"f","file_unique_id":"u","length":1,"duration":3}`),
			dialog.Inbound{Kind: dialog.KindMedia, MessageID: "u28", LangHint: "ca"}},
		{"Edited", `{"update_id":29,"edited_message":{"message_id":7,"date":1,"edit_date":2,"chat":{"id":42,"type":"private"},` +
			`"from":{"id":42,"is_bot":false,"first_name":"Anna","language_code":"es-ES"},"text":"hola otra vez"}}`,
			dialog.Inbound{Kind: dialog.KindEdited, MessageID: "u29", LangHint: "es-ES"}},
	}
	api := newFakeAPI(t)
	h := &fakeHandler{}
	_, mux, logs := webhookChannel(t, api, h)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := postUpdate(mux, testSecret, tt.body); code != http.StatusOK {
				t.Fatalf("status %d, want 200", code)
			}
			got := h.Got()
			if len(got) != i+1 {
				t.Fatalf("handler called %d times, want %d", len(got), i+1)
			}
			want := tt.want
			want.Channel, want.Caps, want.Address, want.ReceivedAt = Name, Capabilities, "42", testNow
			g := got[i]
			if g.Contact != nil && want.Contact != nil && *g.Contact == *want.Contact {
				g.Contact = want.Contact
			}
			if g != want {
				t.Errorf("got  %+v\nwant %+v", g, want)
			}
		})
	}
	t.Run("CallbacksAnswered", func(t *testing.T) {
		calls := api.Calls("answerCallbackQuery")
		if len(calls) != 2 || calls[0].Fields["callback_query_id"] != "cb-1" || calls[1].Fields["callback_query_id"] != "cb-2" {
			t.Errorf("answerCallbackQuery calls = %+v", calls)
		}
		if calls[0].Fields["text"] != "" {
			t.Errorf("a successful turn's callback answered with text %q", calls[0].Fields["text"])
		}
	})
	t.Run("NothingPersonalLogged", func(t *testing.T) {
		out := logs.String()
		// The phones are checked whole: a log line's timestamp can hold "600" (…34.600Z).
		for _, s := range []string{"hola", "Anna", "600000001", "600000002", "600000003", "600 00 00 01", "DNI", "12345678Z", "nomina", "Pere", testToken} {
			if strings.Contains(out, s) {
				t.Errorf("log shows %q:\n%s", s, out)
			}
		}
	})
}

func TestWebhookIgnores(t *testing.T) {
	tests := []struct{ name, body string }{
		{"UnknownUpdateType", `{"update_id":1,"poll_answer":{"poll_id":"p","option_ids":[0]}}`},
		{"FutureUpdateType", `{"update_id":2,"some_future_thing":{"x":1}}`},
		{"GroupChat", `{"update_id":3,"message":{"message_id":1,"date":1,"chat":{"id":-100,"type":"group","title":"Veïns"},"from":{"id":42,"is_bot":false,"first_name":"Anna"},"text":"hola"}}`},
		{"ServiceMessage", `{"update_id":4,"message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"},"from":{"id":42,"is_bot":false,"first_name":"A"},"pinned_message":{"message_id":1,"date":1,"chat":{"id":42,"type":"private"}}}}`},
		{"Null", `null`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &fakeHandler{}
			_, mux, logs := webhookChannel(t, newFakeAPI(t), h)
			if code := postUpdate(mux, testSecret, tt.body); code != http.StatusOK {
				t.Errorf("status %d, want 200", code)
			}
			if n := len(h.Got()); n != 0 {
				t.Errorf("handler called %d times", n)
			}
			if tt.body != "null" && !strings.Contains(logs.String(), "update ignored") {
				t.Errorf("no debug line: %s", logs.String())
			}
		})
	}
}

func TestWebhookBadInput(t *testing.T) {
	big := msg("1", `"text":"`+strings.Repeat("a", 1<<20)+`"`)
	tests := []struct {
		name, secret, body string
		want               int
	}{
		{"MalformedJSON", testSecret, `{"update_id":1,"message":`, http.StatusBadRequest},
		{"NotAnUpdate", testSecret, `{"update_id":"one"}`, http.StatusBadRequest},
		{"EmptyBody", testSecret, ``, http.StatusBadRequest},
		{"WrongSecret", "s3cret_-Tokem", msg("1", `"text":"hola"`), http.StatusUnauthorized},
		{"MissingSecret", "", msg("1", `"text":"hola"`), http.StatusUnauthorized},
		{"PrefixOfSecret", testSecret[:5], msg("1", `"text":"hola"`), http.StatusUnauthorized},
		{"TooLarge", testSecret, big, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &fakeHandler{}
			_, mux, logs := webhookChannel(t, newFakeAPI(t), h)
			if code := postUpdate(mux, tt.secret, tt.body); code != tt.want {
				t.Errorf("status %d, want %d", code, tt.want)
			}
			if n := len(h.Got()); n != 0 {
				t.Errorf("handler called %d times", n)
			}
			if strings.Contains(logs.String(), "hola") {
				t.Errorf("log shows the text")
			}
		})
	}
	t.Run("GET", func(t *testing.T) {
		_, mux, _ := webhookChannel(t, newFakeAPI(t), &fakeHandler{})
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, WebhookPath, nil))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("status %d, want 405", rec.Code)
		}
	})
	t.Run("NotMountedWhenPolling", func(t *testing.T) {
		c, _ := newTestChannel(t, newFakeAPI(t), Config{}, &fakeHandler{})
		mux := http.NewServeMux()
		c.Routes(mux)
		if code := postUpdate(mux, testSecret, msg("1", `"text":"hola"`)); code != http.StatusNotFound {
			t.Errorf("status %d, want 404", code)
		}
	})
}

func TestWebhookHandlerFailure(t *testing.T) {
	api := newFakeAPI(t)
	h := &fakeHandler{HandleFunc: func(_ context.Context, in dialog.Inbound) (dialog.Result, error) {
		if in.Text == "panic" {
			panic("boom")
		}
		return dialog.Result{}, errors.New("database is locked")
	}}
	_, mux, _ := webhookChannel(t, api, h)
	if code := postUpdate(mux, testSecret, msg("1", `"text":"hola"`)); code != http.StatusInternalServerError {
		t.Errorf("failed turn: status %d, want 500", code)
	}
	if code := postUpdate(mux, testSecret, msg("2", `"text":"panic"`)); code != http.StatusInternalServerError {
		t.Errorf("panicking turn: status %d, want 500", code)
	}
	cb := `{"update_id":3,"callback_query":{"id":"cb-9","from":{"id":42,"is_bot":false,"first_name":"A","language_code":"es"},"message":{"message_id":5,"date":1,"chat":{"id":42,"type":"private"}},"data":"x"}}`
	if code := postUpdate(mux, testSecret, cb); code != http.StatusInternalServerError {
		t.Errorf("failed button: status %d, want 500", code)
	}
	calls := api.Calls("answerCallbackQuery")
	if len(calls) != 1 || calls[0].Fields["callback_query_id"] != "cb-9" {
		t.Fatalf("answerCallbackQuery calls = %+v, want one for cb-9", calls)
	}
	if got, want := calls[0].Fields["text"], catalog(t).Text("es", "", "telegram.callback_failed"); got != want {
		t.Errorf("answer text %q, want %q", got, want)
	}
}

// TestSerializer: jobs of one chat run one at a time in submission order; chats run in
// parallel.
func TestSerializer(t *testing.T) {
	s := newSerializer()
	var (
		mu      sync.Mutex
		order   = map[int64][]int{}
		running = map[int64]int{}
	)
	chat2Started := make(chan struct{})
	var once sync.Once
	for i := range 50 {
		for _, chat := range []int64{1, 2} {
			s.submit(chat, func() {
				mu.Lock()
				running[chat]++
				if running[chat] > 1 {
					t.Errorf("chat %d: two turns at once", chat)
				}
				mu.Unlock()
				if chat == 2 {
					once.Do(func() { close(chat2Started) })
				}
				if chat == 1 && i == 0 {
					select { // chat 1 waits for chat 2: they must run in parallel
					case <-chat2Started:
					case <-time.After(5 * time.Second):
						t.Error("chats do not run in parallel")
					}
				}
				time.Sleep(time.Duration(i%3) * 100 * time.Microsecond)
				mu.Lock()
				running[chat]--
				order[chat] = append(order[chat], i)
				mu.Unlock()
			})
		}
	}
	s.wait()
	for _, chat := range []int64{1, 2} {
		if len(order[chat]) != 50 {
			t.Fatalf("chat %d ran %d jobs, want 50", chat, len(order[chat]))
		}
		for i, got := range order[chat] {
			if got != i {
				t.Fatalf("chat %d order = %v", chat, order[chat])
			}
		}
	}
	if len(s.queues) != 0 {
		t.Errorf("%d queues left", len(s.queues))
	}
}

// TestWebhookOneChatAtATime: concurrent webhook requests of one chat never run at once.
func TestWebhookOneChatAtATime(t *testing.T) {
	var running, max, total atomic.Int32
	h := &fakeHandler{HandleFunc: func(_ context.Context, in dialog.Inbound) (dialog.Result, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := max.Load()
			if n <= m || max.CompareAndSwap(m, n) {
				break
			}
		}
		total.Add(1)
		time.Sleep(time.Millisecond)
		return dialog.Result{}, nil
	}}
	_, mux, _ := webhookChannel(t, newFakeAPI(t), h)
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if code := postUpdate(mux, testSecret, msg(strconv.Itoa(i+1), `"text":"hola"`)); code != http.StatusOK {
				t.Errorf("status %d", code)
			}
		})
	}
	wg.Wait()
	if total.Load() != 20 || max.Load() != 1 {
		t.Errorf("%d turns ran, up to %d of one chat at once", total.Load(), max.Load())
	}
}
