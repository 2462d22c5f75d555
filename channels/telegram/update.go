package telegram

import (
	"strconv"
	"strings"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/go-telegram/bot/models"
)

// turn is an update translated for the handler, with what the channel needs to finish it.
type turn struct {
	in         dialog.Inbound
	chat       int64
	updateID   int64
	callbackID string // set for a pressed inline button: answered after the turn
}

// translate turns an update into a turn. It reports false, with the reason, for updates the
// channel does not handle.
func translate(upd *models.Update, now time.Time) (turn, bool, string) {
	t := turn{updateID: upd.ID, in: dialog.Inbound{
		Channel:    Name,
		Caps:       Capabilities,
		MessageID:  "u" + strconv.FormatInt(upd.ID, 10),
		ReceivedAt: now,
	}}
	switch {
	case upd.Message != nil:
		m := upd.Message
		if !private(m.Chat) {
			return t, false, "not a private chat"
		}
		t.setChat(m.Chat.ID, m.From)
		switch {
		case m.Contact != nil:
			t.in.Kind = dialog.KindContact
			t.in.Contact = &dialog.Contact{
				Phone: phone(m.Contact.PhoneNumber),
				Own:   m.From != nil && m.Contact.UserID != 0 && m.Contact.UserID == m.From.ID,
			}
		case m.Text != "":
			if name, args, ok := command(m.Text); ok {
				t.in.Kind, t.in.Command, t.in.Text = dialog.KindCommand, name, args
			} else {
				t.in.Kind, t.in.Text = dialog.KindText, m.Text
			}
		case media(m):
			// Nothing of a file is kept, not even its caption: the assistant reads text only.
			t.in.Kind = dialog.KindMedia
		default:
			return t, false, "service message"
		}
	case upd.EditedMessage != nil:
		m := upd.EditedMessage
		if !private(m.Chat) {
			return t, false, "not a private chat"
		}
		t.setChat(m.Chat.ID, m.From)
		t.in.Kind = dialog.KindEdited
	case upd.CallbackQuery != nil:
		q := upd.CallbackQuery
		chat, ok := callbackChat(q)
		if !ok {
			return t, false, "callback outside a private chat"
		}
		from := q.From
		t.setChat(chat, &from)
		t.in.Kind = dialog.KindButton
		t.in.Payload = q.Data
		t.callbackID = q.ID
	default:
		return t, false, "unsupported update type"
	}
	return t, true, ""
}

func (t *turn) setChat(chat int64, from *models.User) {
	t.chat = chat
	t.in.Address = strconv.FormatInt(chat, 10)
	if from != nil {
		t.in.LangHint = from.LanguageCode
	}
}

// private reports whether the chat is a one-to-one chat with the bot. A type left out (as
// some test servers do) counts as private.
func private(c models.Chat) bool {
	return c.ID != 0 && (c.Type == "" || c.Type == models.ChatTypePrivate)
}

// callbackChat returns the chat of the message that carried the pressed button. A button of
// an inline message (no chat) belongs to the sender's private chat, whose id is the user's.
func callbackChat(q *models.CallbackQuery) (int64, bool) {
	switch {
	case q.Message.Message != nil:
		return q.Message.Message.Chat.ID, private(q.Message.Message.Chat)
	case q.Message.InaccessibleMessage != nil && q.Message.InaccessibleMessage.Chat.ID != 0:
		return q.Message.InaccessibleMessage.Chat.ID, private(q.Message.InaccessibleMessage.Chat)
	case q.From.ID != 0:
		return q.From.ID, true
	}
	return 0, false
}

// command parses "/name@bot args". It reports false for text that is not a command.
func command(text string) (name, args string, ok bool) {
	if !strings.HasPrefix(text, "/") {
		return "", "", false
	}
	head, rest, _ := strings.Cut(text[1:], " ")
	if i := strings.IndexAny(head, "\n\t"); i >= 0 {
		head, rest = head[:i], head[i+1:]+" "+rest
	}
	head, _, _ = strings.Cut(head, "@")
	if head == "" || len(head) > 32 {
		return "", "", false
	}
	for _, r := range head {
		if !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			return "", "", false
		}
	}
	return strings.ToLower(head), strings.TrimSpace(rest), true
}

// phone returns a shared phone number in E.164 form: Telegram leaves out the "+".
func phone(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return "+" + b.String()
}

// media reports whether m carries something other than text that the citizen sent: a
// file, a sticker, a place, a poll.
func media(m *models.Message) bool {
	return len(m.Photo) > 0 || m.Voice != nil || m.Audio != nil || m.Video != nil ||
		m.VideoNote != nil || m.Animation != nil || m.Sticker != nil || m.Document != nil ||
		m.Location != nil || m.Venue != nil || m.Dice != nil || m.Poll != nil ||
		m.Story != nil || m.Game != nil || m.PaidMedia != nil || m.Checklist != nil
}

// updateType names the kind of an update for logs.
func updateType(upd *models.Update) string {
	switch {
	case upd.Message != nil:
		return "message"
	case upd.EditedMessage != nil:
		return "edited_message"
	case upd.CallbackQuery != nil:
		return "callback_query"
	case upd.ChannelPost != nil, upd.EditedChannelPost != nil:
		return "channel_post"
	case upd.MyChatMember != nil, upd.ChatMember != nil:
		return "chat_member"
	case upd.InlineQuery != nil, upd.ChosenInlineResult != nil:
		return "inline_query"
	case upd.MessageReaction != nil, upd.MessageReactionCount != nil:
		return "message_reaction"
	}
	return "other"
}
