package dialog

import (
	"errors"
	"fmt"
	"time"
)

// ErrPermanent marks a send error that no retry can fix (the user blocked the bot, the
// address does not exist). Channel senders wrap it; the delivery worker gives up.
var ErrPermanent = errors.New("permanent delivery failure")

// ErrOptedOut says the recipient opted out at the provider (e.g. Twilio error 21610): the
// delivery worker marks the address opted out and never retries.
var ErrOptedOut = fmt.Errorf("recipient opted out: %w", ErrPermanent)

// RetryAfterError says the provider asked to wait before sending again (Telegram's 429
// retry_after).
type RetryAfterError struct {
	After time.Duration
	Err   error
}

func (e *RetryAfterError) Error() string {
	return fmt.Sprintf("retry after %s: %v", e.After, e.Err)
}

func (e *RetryAfterError) Unwrap() error { return e.Err }
