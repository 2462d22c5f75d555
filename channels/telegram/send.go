package telegram

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// DefaultSendTimeout bounds one sendMessage call. It is shorter than a delivery job's lease
// (delivery.DefaultLease, 15 s), so that a call the Bot API holds returns while the worker
// still holds its claim on the reply, and the worker gives the reply back before another
// worker may take it: a call cut at the lease raced with the next claim and sent a reply
// twice (issue 13, seen by the load generator on PostgreSQL).
const DefaultSendTimeout = 10 * time.Second

// Send sends one reply to the chat of o.Address as one or more messages and returns the id
// of the last one. It implements delivery.Sender: a 429 (or a rate limit that would make it
// wait too long) is a *dialog.RetryAfterError, a 403 (the user blocked the bot) and other
// 4xx answers wrap dialog.ErrPermanent, and other errors may succeed when retried.
//
// A reply split into several messages that fails half way is sent whole again on retry.
func (c *Channel) Send(ctx context.Context, o dialog.Outbound) (string, error) {
	chat, err := strconv.ParseInt(o.Address, 10, 64)
	if err != nil || chat == 0 || strconv.FormatInt(chat, 10) != o.Address {
		return "", fmt.Errorf("telegram: send: address is not a chat id: %w", dialog.ErrPermanent)
	}
	var last int
	// Replies to one chat go out one at a time, so that the parts of two replies never mix.
	err = c.sends.run(chat, func() error {
		var err error
		last, err = c.sendReply(ctx, chat, o)
		return err
	})
	if err != nil || last == 0 {
		return "", err
	}
	return strconv.Itoa(last), nil
}

// sendReply sends the messages of o to chat and returns the id of the last one (zero when
// there was nothing to send).
func (c *Channel) sendReply(ctx context.Context, chat int64, o dialog.Outbound) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	c.mu.Lock()
	shown := c.replyKeyboard[chat]
	c.mu.Unlock()
	msgs, removed, skipped := c.render(o.Lang, o.Reply, shown)
	log := c.log.With("outbound", o)
	if len(skipped) > 0 {
		log.Error("telegram: options left out of the keyboard: callback data empty or over 64 bytes", "options", len(skipped))
	}
	if len(msgs) == 0 {
		log.Warn("telegram: empty reply, nothing sent")
		return 0, nil
	}
	var last int
	for _, m := range msgs {
		if err := c.limiter.wait(ctx, chat, c.maxWait); err != nil {
			return 0, err
		}
		sctx, cancel := context.WithTimeout(ctx, c.sendTimeout)
		sent, err := c.bot.SendMessage(sctx, &bot.SendMessageParams{
			ChatID:      chat,
			Text:        m.text,
			ParseMode:   models.ParseModeHTML,
			ReplyMarkup: m.markup,
		})
		cancel()
		if err != nil {
			return 0, sendError(redactError(err, c.cfg.Token))
		}
		last = sent.ID
		if m.askContact {
			c.setReplyKeyboard(chat, true)
		}
	}
	if removed {
		c.setReplyKeyboard(chat, false)
	}
	return last, nil
}

func (c *Channel) setReplyKeyboard(chat int64, shown bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if shown {
		c.replyKeyboard[chat] = true
	} else {
		delete(c.replyKeyboard, chat)
	}
}

var otherStatus = regexp.MustCompile(`error response from telegram for method \w+, (\d{3}) `)

// sendError maps a Bot API error to what the delivery worker understands.
func sendError(err error) error {
	var tm *bot.TooManyRequestsError
	var mig *bot.MigrateError
	switch {
	case errors.As(err, &tm):
		return &dialog.RetryAfterError{After: retryAfter(err), Err: fmt.Errorf("telegram: send: %w", err)}
	case errors.Is(err, bot.ErrorForbidden):
		// The user blocked the bot or deleted the account.
		return fmt.Errorf("telegram: send: %w: %w", dialog.ErrPermanent, err)
	case errors.Is(err, bot.ErrorBadRequest), errors.Is(err, bot.ErrorUnauthorized),
		errors.Is(err, bot.ErrorNotFound), errors.Is(err, bot.ErrorConflict), errors.As(err, &mig):
		return fmt.Errorf("telegram: send: %w: %w", dialog.ErrPermanent, err)
	}
	if m := otherStatus.FindStringSubmatch(err.Error()); m != nil {
		if code, _ := strconv.Atoi(m[1]); code >= 400 && code < 500 {
			return fmt.Errorf("telegram: send: %w: %w", dialog.ErrPermanent, err)
		}
	}
	return fmt.Errorf("telegram: send: %w", err)
}
