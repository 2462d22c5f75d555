package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/catalonia/mygov/locales"
	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// maxBody is the largest webhook body accepted: an update is a few kilobytes.
const maxBody = 1 << 20

// process runs one update as a turn, after the turns of its chat received before it, and
// returns the handler's error. Updates the channel does not handle are dropped with a debug
// line.
func (c *Channel) process(ctx context.Context, upd *models.Update) error {
	t, ok, why := translate(upd, c.now())
	if !ok {
		c.log.Debug("telegram: update ignored", "update_id", upd.ID, "type", updateType(upd), "why", why)
		return nil
	}
	return c.chats.run(t.chat, func() error { return c.runTurn(ctx, t) })
}

// runTurn hands the turn to the handler and answers a pressed button, even when the turn
// failed, so that the client's spinner stops.
func (c *Channel) runTurn(ctx context.Context, t turn) error {
	log := c.log.With("update_id", t.updateID, "inbound", t.in)
	res, err := c.handler.Handle(ctx, t.in)
	if t.callbackID != "" {
		c.answerCallback(ctx, t, err != nil)
	}
	if err != nil {
		log.Error("telegram: turn failed", "err", err)
		return fmt.Errorf("telegram: update %d: %w", t.updateID, err)
	}
	if res.Duplicate {
		log.Debug("telegram: duplicate update, not answered again")
	} else {
		log.Debug("telegram: turn done", "replies", len(res.Outbound))
	}
	return nil
}

func (c *Channel) answerCallback(ctx context.Context, t turn, failed bool) {
	p := &bot.AnswerCallbackQueryParams{CallbackQueryID: t.callbackID}
	if failed {
		p.Text = c.cat.Text(locales.Lang(t.in.LangHint), locales.StylePlain, "telegram.callback_failed")
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if _, err := c.bot.AnswerCallbackQuery(ctx, p); err != nil {
		// A query answered before (a redelivered update) or too old is refused: harmless.
		c.log.Debug("telegram: answer callback query", "update_id", t.updateID, "err", redactError(err, c.cfg.Token))
	}
}

// webhookHandler serves the webhook: secret first, then size, then JSON, then the turn.
func (c *Channel) webhookHandler() http.Handler {
	want := sha256.Sum256([]byte(c.cfg.WebhookSecret))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got := sha256.Sum256([]byte(r.Header.Get("X-Telegram-Bot-Api-Secret-Token")))
		if c.cfg.WebhookSecret == "" || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			c.log.Warn("telegram: webhook request with a wrong secret", "remote", r.RemoteAddr)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			c.log.Warn("telegram: webhook body too large")
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		case err != nil:
			http.Error(w, "cannot read body", http.StatusBadRequest)
			return
		}
		var upd models.Update
		if err := json.Unmarshal(body, &upd); err != nil {
			c.log.Warn("telegram: webhook body is not an update", "bytes", len(body))
			http.Error(w, "malformed update", http.StatusBadRequest)
			return
		}
		if err := c.process(r.Context(), &upd); err != nil {
			// Telegram delivers the update again; the store recognises it if it was kept.
			http.Error(w, "update not processed", http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
}
