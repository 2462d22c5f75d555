package telegram

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/catalonia/mygov/locales"

	"github.com/catalonia/mygov/internal/e2e"
)

// TestEndToEnd runs `mygov serve` as a process in long-polling mode against the
// telegram-test-api Bot API emulator (testdata/e2e, installed with npm) and chats with it
// as two citizens, through the emulator's client API.
//
// Install the emulator once: cd channels/telegram/testdata/e2e && npm ci
func TestEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test skipped in -short mode")
	}
	node := e2eRequirements(t)
	bin := e2e.BuildMygov(t)
	emu := startEmulator(t, node)

	const token = "424242:E2E-test-token"
	addr := e2e.FreeAddr(t)
	startMygov(t, bin, addr, token, emu.proxyURL)

	cat := locales.MustLoad()
	say := func(lang, key string) string { return cat.Text(lang, locales.StylePlain, key) }

	maria := emu.user(t, token, 7001, "Maria", "ca")
	maria.command("/start")
	maria.expect("welcome", hasText(say("ca", "welcome")))

	maria.text("hola")
	maria.expect("greeting", hasText(say("ca", "greeting")))

	maria.contact("34600000001", 7001, false)
	maria.expect("linked", hasText(say("ca", "contact.linked")))

	maria.text("com va la meva sol·licitud?")
	status := maria.expect("application status", hasText("EXP-2026-000101"))
	t.Logf("status answer:\n%s", status.text())

	kb := maria.lastKeyboard()
	if kb == nil {
		t.Fatalf("no inline keyboard received; messages:\n%s", maria.transcript())
	}
	pressed := kb.buttons[0]
	maria.press(kb, pressed.CallbackData)
	answer := maria.expect("an answer to the button "+pressed.CallbackData, func(m botMessage) bool {
		return !strings.Contains(m.text(), say("ca", "menu.expired"))
	})
	t.Logf("button %q (%s) answered:\n%s", pressed.Text, pressed.CallbackData, answer.text())

	maria.sticker()
	maria.expect("media reply", hasText(say("ca", "media.unsupported")))

	maria.contact("34600000002", 7002, true)
	refusal := maria.expect("refusal of someone else's contact", hasText(say("ca", "contact.not_own")))
	if !refusal.asksContact() {
		t.Errorf("the refusal does not offer the share-phone button: %s", refusal.Message.ReplyMarkup)
	}

	jose := emu.user(t, token, 7002, "José", "es")
	jose.text("¿cómo va mi solicitud?")
	ask := jose.expect("share-phone request (es)", hasText(say("es", "identify.share_contact")))
	if !ask.asksContact() {
		t.Errorf("the request does not offer the share-phone button: %s", ask.Message.ReplyMarkup)
	}
	jose.contact("34600000002", 7002, false)
	jose.expect("linked (es)", hasText(say("es", "contact.linked")))
	if !jose.removedKeyboard() {
		t.Errorf("the share-phone keyboard was not removed after the contact:\n%s", jose.transcript())
	}
	jose.text("¿cómo va mi solicitud?")
	jose.expect("application status (es)", hasText("EXP-2026-000201"))
	if strings.Contains(jose.transcript(), "EXP-2026-000101") {
		t.Errorf("José was shown Maria's application:\n%s", jose.transcript())
	}
	t.Logf("Maria's chat:\n%s\nJosé's chat:\n%s", maria.transcript(), jose.transcript())
}

// e2eRequirements returns the node binary, or skips (fails when CI is set) when node or the
// emulator's node_modules are missing.
func e2eRequirements(t *testing.T) string {
	t.Helper()
	missing := func(what string) {
		msg := "END-TO-END TEST NOT RUN: " + what +
			" (install with: cd channels/telegram/testdata/e2e && npm ci)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		missing("node is not installed")
	}
	if _, err := os.Stat(filepath.Join("testdata", "e2e", "node_modules", "telegram-test-api")); err != nil {
		missing("testdata/e2e/node_modules is missing")
	}
	return node
}

// watch waits for the process in the background, stops it when the test ends and shows its
// output when the test failed. The returned channel is closed when the process exits.
func watch(t *testing.T, name string, cmd *exec.Cmd, out *e2e.Buffer) <-chan struct{} {
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", name, out.String())
		}
	})
	return exited
}

type emulator struct {
	proxyURL string
	client   *http.Client
}

func startEmulator(t *testing.T, node string) *emulator {
	t.Helper()
	_, port, _ := net.SplitHostPort(e2e.FreeAddr(t))
	cmd := exec.Command(node, "--unhandled-rejections=warn", "server.js", port)
	cmd.Dir = filepath.Join("testdata", "e2e")
	stdin, err := cmd.StdinPipe() // closing it (test end) stops the server
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stdin.Close() })
	out := &e2e.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := watch(t, "emulator", cmd, out)
	// The first line of output says where the proxy listens.
	deadline := time.After(20 * time.Second)
	for {
		if line, _, ok := strings.Cut(out.String(), "\n"); ok {
			var ports struct{ Proxy int }
			if json.Unmarshal([]byte(line), &ports) != nil || ports.Proxy == 0 {
				t.Fatalf("emulator did not start: %q", line)
			}
			return &emulator{
				proxyURL: fmt.Sprintf("http://127.0.0.1:%d", ports.Proxy),
				client:   &http.Client{Timeout: 10 * time.Second},
			}
		}
		select {
		case <-exited:
			t.Fatalf("emulator exited")
		case <-deadline:
			t.Fatalf("emulator did not start in time")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func startMygov(t *testing.T, bin, addr, token, apiURL string) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(bin, "serve", "--demo")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"MYGOV_ADDR="+addr,
		"MYGOV_DB="+filepath.Join(dir, "mygov.db"),
		"MYGOV_LOG_LEVEL=debug",
		"TELEGRAM_BOT_TOKEN="+token,
		"TELEGRAM_API_URL="+apiURL,
		"TELEGRAM_WEBHOOK_URL=",
		"TELEGRAM_WEBHOOK_SECRET=",
		"DATABASE_URL=",
	)
	out := &e2e.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := watch(t, "mygov serve", cmd, out)
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-exited:
			t.Fatalf("mygov serve exited before it was healthy")
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("mygov serve not healthy on %s: %v", addr, err)
		}
	}
}

// botMessage is a message the bot sent, as the emulator stored it.
type botMessage struct {
	MessageID int `json:"messageId"`
	Message   struct {
		ChatID      json.Number     `json:"chat_id"`
		Text        string          `json:"text"`
		ParseMode   string          `json:"parse_mode"`
		ReplyMarkup json.RawMessage `json:"reply_markup"`
	} `json:"message"`
}

// text is the message as the citizen reads it.
func (m botMessage) text() string { return html.UnescapeString(m.Message.Text) }

func (m botMessage) markup() (inline []inlineButton, contact bool) {
	var rm struct {
		InlineKeyboard [][]inlineButton `json:"inline_keyboard"`
		Keyboard       [][]struct {
			RequestContact bool `json:"request_contact"`
		} `json:"keyboard"`
	}
	if len(m.Message.ReplyMarkup) == 0 || json.Unmarshal(m.Message.ReplyMarkup, &rm) != nil {
		return nil, false
	}
	for _, row := range rm.InlineKeyboard {
		inline = append(inline, row...)
	}
	for _, row := range rm.Keyboard {
		for _, b := range row {
			contact = contact || b.RequestContact
		}
	}
	return inline, contact
}

func (m botMessage) asksContact() bool { _, c := m.markup(); return c }

func (m botMessage) removesKeyboard() bool {
	var rm struct {
		RemoveKeyboard bool `json:"remove_keyboard"`
	}
	return len(m.Message.ReplyMarkup) > 0 && json.Unmarshal(m.Message.ReplyMarkup, &rm) == nil && rm.RemoveKeyboard
}

type inlineButton struct {
	Text         string `json:"text"`
	CallbackData string `json:"callback_data"`
}

type keyboard struct {
	message botMessage
	buttons []inlineButton
}

func hasText(s string) func(botMessage) bool {
	return func(m botMessage) bool { return strings.Contains(m.text(), s) }
}

// user is a citizen chatting with the bot through the emulator's client API.
type user struct {
	t          *testing.T
	emu        *emulator
	token      string
	id         int64
	name, lang string

	inbox []botMessage // every message the bot sent to the chat
	seen  int          // inbox[:seen] were matched by an expectation or passed over
}

func (e *emulator) user(t *testing.T, token string, id int64, name, lang string) *user {
	return &user{t: t, emu: e, token: token, id: id, name: name, lang: lang}
}

func (u *user) post(path string, body any) {
	u.t.Helper()
	data, _ := json.Marshal(body)
	resp, err := u.emu.client.Post(u.emu.proxyURL+path, "application/json", bytes.NewReader(data))
	if err != nil {
		u.t.Fatalf("emulator %s: %v", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		u.t.Fatalf("emulator %s: %s %s", path, resp.Status, b)
	}
}

func (u *user) from() map[string]any {
	return map[string]any{"id": u.id, "is_bot": false, "first_name": u.name, "language_code": u.lang}
}

func (u *user) chat() map[string]any {
	return map[string]any{"id": u.id, "type": "private", "first_name": u.name}
}

func (u *user) send(fields map[string]any) {
	u.t.Helper()
	m := map[string]any{"botToken": u.token, "from": u.from(), "chat": u.chat(), "date": time.Now().Unix()}
	for k, v := range fields {
		m[k] = v
	}
	u.post("/sendMessage", m)
}

func (u *user) text(s string) { u.t.Helper(); u.send(map[string]any{"text": s}) }

func (u *user) command(s string) {
	u.t.Helper()
	name, _, _ := strings.Cut(s, " ")
	u.send(map[string]any{"text": s, "entities": []map[string]any{{"type": "bot_command", "offset": 0, "length": len(name)}}})
}

func (u *user) sticker() {
	u.t.Helper()
	u.send(map[string]any{"sticker": map[string]any{
		"file_id": "CAACAgIAAxkBAAE", "file_unique_id": "AgAD", "type": "regular",
		"width": 512, "height": 512, "is_animated": false, "is_video": false, "emoji": "👍",
	}})
}

// contact shares a phone number; forwarded marks it as forwarded from its owner.
func (u *user) contact(phone string, owner int64, forwarded bool) {
	u.t.Helper()
	fields := map[string]any{"contact": map[string]any{"phone_number": phone, "first_name": "Contacte", "user_id": owner}}
	if forwarded {
		fields["forward_origin"] = map[string]any{"type": "user", "date": time.Now().Unix(),
			"sender_user": map[string]any{"id": owner, "is_bot": false, "first_name": "Contacte"}}
	}
	u.send(fields)
}

func (u *user) press(kb *keyboard, data string) {
	u.t.Helper()
	u.post("/sendCallback", map[string]any{
		"botToken": u.token,
		"from":     u.from(),
		"data":     data,
		"message": map[string]any{
			"message_id": kb.message.MessageID, "date": time.Now().Unix(), "chat": u.chat(),
			"text": kb.message.Message.Text,
		},
	})
}

// fetch appends the bot's unread messages to the chat.
func (u *user) fetch() {
	u.t.Helper()
	data, _ := json.Marshal(map[string]any{"token": u.token, "chatId": u.id})
	resp, err := u.emu.client.Post(u.emu.proxyURL+"/getUpdates", "application/json", bytes.NewReader(data))
	if err != nil {
		u.t.Fatalf("emulator getUpdates: %v", err)
	}
	defer resp.Body.Close()
	var r struct {
		OK     bool         `json:"ok"`
		Result []botMessage `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil || !r.OK {
		u.t.Fatalf("emulator getUpdates: ok %v, %v", r.OK, err)
	}
	u.inbox = append(u.inbox, r.Result...)
}

// expect waits for a message after the last one matched that satisfies ok, and returns it.
func (u *user) expect(what string, ok func(botMessage) bool) botMessage {
	u.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		u.fetch()
		for i := u.seen; i < len(u.inbox); i++ {
			if ok(u.inbox[i]) {
				u.seen = i + 1
				if u.inbox[i].Message.ParseMode != "HTML" {
					u.t.Errorf("message sent with parse_mode %q", u.inbox[i].Message.ParseMode)
				}
				return u.inbox[i]
			}
		}
		if time.Now().After(deadline) {
			u.t.Fatalf("%s (%s): no %s; messages so far:\n%s", u.name, u.lang, what, u.transcript())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// removedKeyboard reports whether a message after the last share-phone keyboard removed it.
func (u *user) removedKeyboard() bool {
	u.fetch()
	removed := false
	for _, m := range u.inbox {
		switch {
		case m.asksContact():
			removed = false
		case m.removesKeyboard():
			removed = true
		}
	}
	return removed
}

// lastKeyboard returns the inline keyboard of the latest message that has one.
func (u *user) lastKeyboard() *keyboard {
	u.fetch()
	for i := len(u.inbox) - 1; i >= 0; i-- {
		if b, _ := u.inbox[i].markup(); len(b) > 0 {
			return &keyboard{message: u.inbox[i], buttons: b}
		}
	}
	return nil
}

func (u *user) transcript() string {
	var b strings.Builder
	for i, m := range u.inbox {
		inline, contact := m.markup()
		fmt.Fprintf(&b, "[%d] %s", i, m.text())
		for _, btn := range inline {
			fmt.Fprintf(&b, " [%s → %s]", btn.Text, btn.CallbackData)
		}
		if contact {
			b.WriteString(" [share phone]")
		}
		if m.removesKeyboard() {
			b.WriteString(" [remove keyboard]")
		}
		b.WriteString("\n")
	}
	return b.String()
}
