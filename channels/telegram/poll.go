package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// maxTurnAttempts is how many times long polling runs an update whose turn fails before it
// gives up on it.
const maxTurnAttempts = 3

// poll receives updates by long polling until ctx is done. The library's own loop is not
// used: it ignores retry_after, and against a server that answers getUpdates at once it
// never pauses. An offset is confirmed only after the turns before it ran.
func (c *Channel) poll(ctx context.Context) error {
	var (
		offset   int64
		wait     time.Duration // backoff after a failure; zero after a success
		failedID int64         // the update whose turn failed last
		attempts int
	)
	for {
		if ctx.Err() != nil {
			return nil
		}
		updates, err := c.getUpdates(ctx, offset)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, bot.ErrorUnauthorized) {
				return fmt.Errorf("telegram: get updates: token rejected: %w", err)
			}
			wait = c.nextBackoff(wait)
			if ra := retryAfter(err); ra > 0 {
				wait = ra
			}
			c.log.Warn("telegram: get updates failed, will retry", "in", wait, "err", err)
			if !sleep(ctx, wait) {
				return nil
			}
			continue
		}
		if len(updates) == 0 {
			wait = 0
			if !sleep(ctx, c.cfg.PollInterval) {
				return nil
			}
			continue
		}
		failed := c.runBatch(ctx, updates)
		if failed == 0 {
			offset = updates[len(updates)-1].ID + 1
			wait, failedID, attempts = 0, 0, 0
			continue
		}
		if failed == failedID {
			attempts++
		} else {
			failedID, attempts = failed, 1
		}
		if attempts >= maxTurnAttempts {
			c.log.Error("telegram: giving up on an update whose turn keeps failing", "update_id", failed, "attempts", attempts)
			offset, failedID, attempts = failed+1, 0, 0
			continue
		}
		// Fetch again from the failed update: the turns after it that ran are recognised
		// by the store as duplicates.
		offset = failed
		wait = c.nextBackoff(wait)
		if !sleep(ctx, wait) {
			return nil
		}
	}
}

func (c *Channel) nextBackoff(wait time.Duration) time.Duration {
	if wait <= 0 {
		return c.backoff
	}
	return min(2*wait, c.maxBackoff)
}

// runBatch runs the updates of one getUpdates answer: each chat's in order, the chats in
// parallel. Once a turn of a chat fails, the chat's later updates of the batch are not run,
// so that they are not answered before it. It returns the id of the first update not run to
// completion, or zero.
func (c *Channel) runBatch(ctx context.Context, updates []*models.Update) int64 {
	var (
		mu          sync.Mutex
		firstFailed int64
		broken      = map[int64]bool{} // chats with a failed turn in this batch
		wg          sync.WaitGroup
	)
	fail := func(id int64) {
		if firstFailed == 0 || id < firstFailed {
			firstFailed = id
		}
	}
	for _, upd := range updates {
		t, ok, why := translate(upd, c.now())
		if !ok {
			c.log.Debug("telegram: update ignored", "update_id", upd.ID, "type", updateType(upd), "why", why)
			continue
		}
		wg.Add(1)
		c.chats.submit(t.chat, func() {
			defer wg.Done()
			mu.Lock()
			skip := broken[t.chat]
			mu.Unlock()
			if !skip && safely(func() error { return c.runTurn(ctx, t) }) == nil {
				return
			}
			mu.Lock()
			broken[t.chat] = true
			fail(t.updateID)
			mu.Unlock()
		})
	}
	wg.Wait()
	return firstFailed
}

// getUpdates calls the Bot API's getUpdates. Updates that do not decode are dropped with an
// error line (without their content).
func (c *Channel) getUpdates(ctx context.Context, offset int64) ([]*models.Update, error) {
	body, err := json.Marshal(struct {
		Offset         int64    `json:"offset,omitempty"`
		Timeout        int      `json:"timeout"`
		AllowedUpdates []string `json:"allowed_updates"`
	}{offset, int(c.cfg.PollTimeout / time.Second), allowedUpdates})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.PollTimeout+15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.apiURL+"/bot"+c.cfg.Token+"/getUpdates", bytes.NewReader(body))
	if err != nil {
		return nil, redactError(err, c.cfg.Token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("telegram: get updates: %w", redactError(err, c.cfg.Token))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("telegram: get updates: read: %w", err)
	}
	var r struct {
		OK          bool              `json:"ok"`
		Result      []json.RawMessage `json:"result"`
		ErrorCode   int               `json:"error_code"`
		Description string            `json:"description"`
		Parameters  struct {
			RetryAfter int `json:"retry_after"`
		} `json:"parameters"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("telegram: get updates: HTTP %d, undecodable answer", resp.StatusCode)
	}
	if !r.OK {
		return nil, apiError("getUpdates", r.ErrorCode, r.Description, r.Parameters.RetryAfter)
	}
	updates := make([]*models.Update, 0, len(r.Result))
	for _, raw := range r.Result {
		upd := &models.Update{}
		if err := json.Unmarshal(raw, upd); err != nil {
			var id struct {
				ID int64 `json:"update_id"`
			}
			_ = json.Unmarshal(raw, &id)
			c.log.Error("telegram: undecodable update dropped", "update_id", id.ID)
			if id.ID == 0 {
				continue
			}
			upd = &models.Update{ID: id.ID} // keeps the offset moving past it
		}
		updates = append(updates, upd)
	}
	return updates, nil
}

// apiError builds the error the library would return for an unsuccessful answer, so that
// both paths are tested the same way.
func apiError(method string, code int, description string, retryAfter int) error {
	switch code {
	case http.StatusTooManyRequests:
		return &bot.TooManyRequestsError{
			Message:    fmt.Sprintf("%s, %s", bot.ErrorTooManyRequests, description),
			RetryAfter: retryAfter,
		}
	case http.StatusUnauthorized:
		return fmt.Errorf("%w, %s", bot.ErrorUnauthorized, description)
	case http.StatusForbidden:
		return fmt.Errorf("%w, %s", bot.ErrorForbidden, description)
	case http.StatusConflict:
		return fmt.Errorf("%w, %s", bot.ErrorConflict, description)
	case http.StatusBadRequest:
		return fmt.Errorf("%w, %s", bot.ErrorBadRequest, description)
	case http.StatusNotFound:
		return fmt.Errorf("%w, %s", bot.ErrorNotFound, description)
	}
	return fmt.Errorf("error response from telegram for method %s, %d %s", method, code, description)
}
