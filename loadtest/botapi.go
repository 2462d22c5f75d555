package loadtest

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
)

// botToken is the bot's token the replicas are given; the fake Bot API refuses others.
const botToken = "123456789:loadtest-bot-token"

// maxField is the largest form field the fake Bot API reads: a message's text is at most
// 4,096 characters, a keyboard a few kilobytes.
const maxField = 64 << 10

// botAPI serves POST /bot<token>/<method> as the Telegram Bot API does, for the methods
// MyGov's Telegram channel calls: sendMessage is recorded (or refused by a fault) like a
// Twilio send; the others are counted and answered with success.
func (p *Provider) botAPI(w http.ResponseWriter, r *http.Request) {
	token, ok := strings.CutPrefix(r.PathValue("bot"), "bot")
	switch {
	case !ok:
		http.NotFound(w, r)
		return
	case token != botToken:
		botError(w, http.StatusUnauthorized, "Unauthorized", 0)
		return
	}
	method := r.PathValue("method")
	if method != "sendMessage" {
		io.Copy(io.Discard, io.LimitReader(r.Body, maxField))
		p.mu.Lock()
		p.calls[method]++
		p.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if method == "getMe" {
			io.WriteString(w, `{"ok":true,"result":{"id":123456789,"is_bot":true,"first_name":"MyGov","username":"mygov_loadtest_bot"}}`)
			return
		}
		io.WriteString(w, `{"ok":true,"result":true}`)
		return
	}
	chat, text, err := sendMessageFields(w, r)
	if err == nil {
		// Read the body to its end: only then does the server notice a client that gives
		// up (the request's context), which a hang waits for.
		_, err = io.Copy(io.Discard, r.Body)
	}
	if err != nil {
		botError(w, http.StatusBadRequest, "Bad Request: "+err.Error(), 0)
		return
	}
	chatID, err := strconv.ParseInt(chat, 10, 64)
	if err != nil || chatID == 0 {
		botError(w, http.StatusBadRequest, "Bad Request: chat not found", 0)
		return
	}
	fault, i := p.take(Sent{Channel: "telegram", To: chat, Body: text}, strconv.Itoa)
	if !p.hold(r, fault, i) {
		return
	}
	switch fault {
	case Fault500:
		botError(w, http.StatusInternalServerError, "Internal Server Error", 0)
		return
	case Fault429:
		botError(w, http.StatusTooManyRequests, "Too Many Requests: retry after 1", 1)
		return
	case FaultHang:
		botError(w, http.StatusBadGateway, "Bad Gateway", 0)
		return
	}
	s := p.at(i)
	b := make([]byte, 0, 128)
	b = append(b, `{"ok":true,"result":{"message_id":`...)
	b = append(b, s.SID...)
	b = append(b, `,"date":`...)
	b = strconv.AppendInt(b, s.At.Unix(), 10)
	b = append(b, `,"chat":{"id":`...)
	b = strconv.AppendInt(b, chatID, 10)
	b = append(b, `,"type":"private"}}}`...)
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// sendMessageFields reads chat_id and text from a sendMessage request: multipart (as
// go-telegram/bot sends it), urlencoded or JSON.
func sendMessageFields(w http.ResponseWriter, r *http.Request) (chat, text string, err error) {
	r.Body = http.MaxBytesReader(w, r.Body, 4*maxField)
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "multipart/form-data":
		mr, err := r.MultipartReader()
		if err != nil {
			return "", "", err
		}
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				return chat, text, nil
			}
			if err != nil {
				return "", "", err
			}
			name := part.FormName()
			if name != "chat_id" && name != "text" {
				continue // NextPart skips the rest of the part
			}
			v, err := io.ReadAll(io.LimitReader(part, maxField))
			if err != nil {
				return "", "", err
			}
			if name == "chat_id" {
				chat = string(v)
			} else {
				text = string(v)
			}
		}
	case "application/json":
		var m struct {
			Chat json.Number `json:"chat_id"`
			Text string      `json:"text"`
		}
		if err := json.NewDecoder(r.Body).Decode(&m); err != nil {
			return "", "", err
		}
		return m.Chat.String(), m.Text, nil
	default:
		if err := r.ParseForm(); err != nil {
			return "", "", err
		}
		return r.PostForm.Get("chat_id"), r.PostForm.Get("text"), nil
	}
}

// botError answers a Bot API error; retryAfter > 0 adds parameters.retry_after.
func botError(w http.ResponseWriter, status int, description string, retryAfter int) {
	b := make([]byte, 0, 128)
	b = append(b, `{"ok":false,"error_code":`...)
	b = strconv.AppendInt(b, int64(status), 10)
	b = append(b, `,"description":`...)
	b = strconv.AppendQuote(b, description)
	if retryAfter > 0 {
		b = append(b, `,"parameters":{"retry_after":`...)
		b = strconv.AppendInt(b, int64(retryAfter), 10)
		b = append(b, '}')
	}
	b = append(b, '}')
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(b)
}
