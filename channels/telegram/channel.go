package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/locales"
	"github.com/go-telegram/bot"
	"github.com/go-telegram/bot/models"
)

// DefaultAPIURL is the official Bot API server.
// Name is the channel's name in conversations, messages and delivery jobs.
const Name = "telegram"

// Capabilities describe Telegram to the engine: four list items a reply and a button to
// share the sender's own phone number.
var Capabilities = dialog.Capabilities{PageSize: 4, ContactButton: true}

const DefaultAPIURL = "https://api.telegram.org"

// WebhookPath is where Routes mounts the webhook; Config.WebhookURL must reach it.
const WebhookPath = "/telegram/webhook"

// Defaults of Config.
const (
	DefaultPollTimeout  = 50 * time.Second
	DefaultPollInterval = 300 * time.Millisecond
)

// allowedUpdates are the update types the channel asks Telegram for.
var allowedUpdates = []string{
	models.AllowedUpdateMessage,
	models.AllowedUpdateEditedMessage,
	models.AllowedUpdateCallbackQuery,
}

// Config configures a Channel. main fills it from the environment; the package never reads
// the environment itself.
type Config struct {
	// Token is the bot's token from BotFather. Required.
	Token string
	// APIURL is the Bot API server; empty means DefaultAPIURL. Any compatible server
	// works, such as a local Bot API server or an emulator.
	APIURL string
	// WebhookURL is the public HTTPS address Telegram posts updates to; it must reach
	// WebhookPath on the serve HTTP server. Empty means long polling.
	WebhookURL string
	// WebhookSecret is the secret Telegram sends in X-Telegram-Bot-Api-Secret-Token:
	// 1 to 256 characters among A-Z, a-z, 0-9, _ and -. Required with WebhookURL.
	WebhookSecret string
	// PollTimeout is how long one getUpdates call may wait for updates
	// (DefaultPollTimeout when zero).
	PollTimeout time.Duration
	// PollInterval is the pause after a getUpdates call that returned nothing, so that a
	// server that answers at once is not called in a tight loop (DefaultPollInterval when
	// zero).
	PollInterval time.Duration
}

// Option is an optional setting of a Channel.
type Option func(*Channel)

// maxIdleConns is how many connections to the Bot API are kept open between calls: as
// many as sends run at once (the delivery workers, 100 by default), so that a send reuses
// a connection instead of dialling, with a TLS handshake, as all but the default
// transport's 2 kept connections a host would.
const maxIdleConns = 128

// newTransport returns the transport of the API calls: the default one, keeping up to
// maxIdleConns connections.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns, t.MaxIdleConnsPerHost = maxIdleConns, maxIdleConns
	return t
}

// WithClock sets the clock that stamps inbound updates (time.Now by default).
func WithClock(now func() time.Time) Option { return func(c *Channel) { c.now = now } }

// WithHTTPClient sets the client of the API calls (by default a client without timeout,
// every call carrying its own deadline, that keeps up to maxIdleConns connections open).
func WithHTTPClient(hc *http.Client) Option { return func(c *Channel) { c.client = hc } }

// Channel is the Telegram channel: it receives updates (webhook or long polling), runs them
// as turns of a dialog.Handler, and sends replies as a delivery.Sender. Its methods are safe
// for concurrent use; turns of one chat never run at the same time, nor do sends to one
// chat.
type Channel struct {
	cfg     Config
	bot     *bot.Bot
	handler dialog.Handler
	cat     *locales.Catalog
	log     *slog.Logger
	client  *http.Client
	apiURL  string
	now     func() time.Time

	chats   *serializer // turns, by chat
	sends   *serializer // sends, by chat
	limiter *limiter

	mu            sync.Mutex
	replyKeyboard map[int64]bool // chats that were last sent a request_contact keyboard

	// sendTimeout bounds one sendMessage call (DefaultSendTimeout).
	sendTimeout time.Duration
	// maxWait is the longest Send waits for the rate limiter before returning a
	// *dialog.RetryAfterError instead.
	maxWait time.Duration
	// backoff is the first pause after a failed getUpdates or turn; it doubles up to
	// maxBackoff.
	backoff, maxBackoff time.Duration
}

var secretPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// New returns a Channel that runs turns with h and renders replies with cat. It makes no
// network call: Run does.
func New(cfg Config, h dialog.Handler, cat *locales.Catalog, logger *slog.Logger, opts ...Option) (*Channel, error) {
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, errors.New("telegram: no bot token")
	}
	if h == nil || cat == nil {
		return nil, errors.New("telegram: a handler and a catalog are required")
	}
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	apiURL := strings.TrimRight(cfg.APIURL, "/")
	if u, err := url.Parse(apiURL); err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("telegram: API URL %q is not an absolute URL", cfg.APIURL)
	}
	if cfg.WebhookURL != "" {
		if u, err := url.Parse(cfg.WebhookURL); err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("telegram: webhook URL %q is not an absolute URL", cfg.WebhookURL)
		}
		if !secretPattern.MatchString(cfg.WebhookSecret) {
			return nil, errors.New("telegram: a webhook needs a secret of 1-256 characters among A-Z a-z 0-9 _ -")
		}
	} else if cfg.WebhookSecret != "" {
		logger.Warn("telegram: webhook secret set without a webhook URL: long polling, the secret is unused")
	}
	if cfg.PollTimeout <= 0 {
		cfg.PollTimeout = DefaultPollTimeout
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = DefaultPollInterval
	}
	c := &Channel{
		cfg:           cfg,
		handler:       h,
		cat:           cat,
		log:           logger,
		client:        &http.Client{Transport: newTransport()},
		apiURL:        apiURL,
		now:           time.Now,
		chats:         newSerializer(),
		sends:         newSerializer(),
		limiter:       newLimiter(time.Now), // rate limits follow the real clock
		replyKeyboard: map[int64]bool{},
		sendTimeout:   DefaultSendTimeout,
		maxWait:       10 * time.Second,
		backoff:       time.Second,
		maxBackoff:    time.Minute,
	}
	for _, o := range opts {
		o(c)
	}
	botOpts := []bot.Option{
		bot.WithServerURL(apiURL),
		bot.WithSkipGetMe(),
		bot.WithHTTPClient(cfg.PollTimeout, c.client),
		// The library's own dispatch (Start, StartWebhook, ProcessUpdate) is not used: it
		// runs each update on its own goroutine. Should anything feed it an update, the
		// update still goes through the channel's per-chat queue.
		bot.WithDefaultHandler(func(ctx context.Context, _ *bot.Bot, upd *models.Update) {
			if err := c.process(ctx, upd); err != nil {
				c.log.Warn("telegram: update failed", "update_id", upd.ID, "err", err)
			}
		}),
		bot.WithErrorsHandler(func(err error) {
			c.log.Error("telegram: bot library", "err", redactError(err, cfg.Token))
		}),
	}
	if cfg.WebhookURL != "" {
		botOpts = append(botOpts, bot.WithWebhookSecretToken(cfg.WebhookSecret))
	}
	b, err := bot.New(cfg.Token, botOpts...)
	if err != nil {
		return nil, fmt.Errorf("telegram: new bot: %w", redactError(err, cfg.Token))
	}
	c.bot = b
	return c, nil
}

// Webhook reports whether the channel receives updates through a webhook (else by long
// polling).
func (c *Channel) Webhook() bool { return c.cfg.WebhookURL != "" }

// Routes mounts POST WebhookPath on mux in webhook mode; in long-polling mode it mounts
// nothing.
func (c *Channel) Routes(mux *http.ServeMux) {
	if !c.Webhook() {
		return
	}
	mux.Handle("POST "+WebhookPath, c.webhookHandler())
}

// Run receives updates until ctx is done. In webhook mode it registers Config.WebhookURL
// with its secret and waits, the updates arriving through Routes; in long-polling mode it
// deletes any webhook and polls. It returns nil when ctx is done, and an error when
// Telegram rejects the token, which no retry can fix.
func (c *Channel) Run(ctx context.Context) error {
	if c.Webhook() {
		err := c.retry(ctx, "set webhook", func(ctx context.Context) error {
			_, err := c.bot.SetWebhook(ctx, &bot.SetWebhookParams{
				URL:            c.cfg.WebhookURL,
				SecretToken:    c.cfg.WebhookSecret,
				AllowedUpdates: allowedUpdates,
			})
			return err
		})
		if err != nil {
			return err
		}
		c.log.Info("telegram: webhook set, receiving updates on " + WebhookPath)
		<-ctx.Done()
		c.chats.wait()
		return nil
	}
	err := c.retry(ctx, "delete webhook", func(ctx context.Context) error {
		_, err := c.bot.DeleteWebhook(ctx, &bot.DeleteWebhookParams{})
		return err
	})
	if err != nil {
		return err
	}
	c.log.Info("telegram: long polling")
	return c.poll(ctx)
}

// retry calls fn until it succeeds, ctx is done (nil) or Telegram rejects the token.
func (c *Channel) retry(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	wait := c.backoff
	for {
		cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := fn(cctx)
		cancel()
		switch {
		case err == nil:
			return nil
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, bot.ErrorUnauthorized):
			return fmt.Errorf("telegram: %s: token rejected: %w", what, redactError(err, c.cfg.Token))
		}
		if ra := retryAfter(err); ra > 0 {
			wait = ra
		}
		c.log.Warn("telegram: "+what+" failed, will retry", "in", wait, "err", redactError(err, c.cfg.Token))
		if !sleep(ctx, wait) {
			return nil
		}
		wait = min(2*wait, c.maxBackoff)
	}
}

// sleep waits d or until ctx is done; it reports whether the full d elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// retryAfter returns the wait a 429 asked for, or zero.
func retryAfter(err error) time.Duration {
	var tm *bot.TooManyRequestsError
	if errors.As(err, &tm) {
		return time.Duration(max(tm.RetryAfter, 1)) * time.Second
	}
	return 0
}

// redactError hides the token in err's text (the library puts the request URL, which holds
// it, into network errors) and drops response bodies it may quote.
func redactError(err error, token string) error {
	if err == nil {
		return nil
	}
	s := err.Error()
	if strings.Contains(s, "error decode response body") || strings.Contains(s, "error decode request body") {
		return errors.New("telegram: undecodable Bot API response")
	}
	if token == "" || !strings.Contains(s, token) {
		return err
	}
	return &redacted{msg: strings.ReplaceAll(s, token, "***"), err: err}
}

// redacted keeps the wrapped error for errors.Is and errors.As and hides the token in its
// text.
type redacted struct {
	msg string
	err error
}

func (r *redacted) Error() string { return r.msg }
func (r *redacted) Unwrap() error { return r.err }
