// Package enginetest is the behaviour suite of the dialog engine: whole conversations, run
// against a real store (the sqlite and postgres packages both run it) with the shipped
// classifier and catalogs, checked on the text a citizen would read.
package enginetest

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/console"
	"github.com/catalonia/mygov/channels/sms"
	"github.com/catalonia/mygov/channels/telegram"
	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/intents"
	"github.com/catalonia/mygov/locales"
	"github.com/catalonia/mygov/records"
	"github.com/catalonia/mygov/records/demo"
)

// Store is what the suite needs of a store.
type Store interface {
	dialog.Store
	records.Reader
	Seed(ctx context.Context, d *records.Dataset) error
	// OptedOut reports whether the address asked not to be messaged.
	OptedOut(ctx context.Context, channel, address string) (bool, error)
}

// Privacy is what the suite needs of a store for the right of access.
type Privacy interface {
	Transcripts(ctx context.Context, citizenID string) ([]dialog.Transcript, error)
}

// Clock is a settable clock shared by the engine and the store.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at a fixed instant.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

var (
	loadOnce   sync.Once
	classifier *intents.Classifier
	catalog    *locales.Catalog
	loadErr    error
)

func shared(t testing.TB) (*intents.Classifier, *locales.Catalog) {
	t.Helper()
	loadOnce.Do(func() {
		catalog, loadErr = locales.Load()
		if loadErr != nil {
			return
		}
		procs := intents.ProceduresOf(demo.Dataset(time.Now()).Benefits)
		classifier, loadErr = intents.Default(intents.WithProcedures(procs))
	})
	if loadErr != nil {
		t.Fatalf("load classifier and catalog: %v", loadErr)
	}
	return classifier, catalog
}

// Env is one engine on one freshly seeded store.
type Env struct {
	T       testing.TB
	Store   Store
	Engine  *dialog.Engine
	Clock   *Clock
	Catalog *locales.Catalog
	n       int
}

// New seeds the store with the demo data at the clock's time and builds an engine on it,
// with the clock, UTC, the classifier's threshold and then opts.
func New(t testing.TB, st Store, clock *Clock, opts ...dialog.EngineOption) *Env {
	t.Helper()
	cls, cat := shared(t)
	ctx := context.Background()
	if err := st.Seed(ctx, demo.Dataset(clock.Now())); err != nil {
		t.Fatalf("seed: %v", err)
	}
	bs, err := st.ListBenefits(ctx)
	if err != nil {
		t.Fatalf("list benefits: %v", err)
	}
	elig, err := records.NewEligibility(bs)
	if err != nil {
		t.Fatalf("eligibility: %v", err)
	}
	opts = append([]dialog.EngineOption{dialog.WithClock(clock.Now), dialog.WithLocation(time.UTC), dialog.WithThreshold(intents.DefaultThreshold)}, opts...)
	e := dialog.NewEngine(st, cls, elig, slog.New(slog.DiscardHandler), opts...)
	return &Env{T: t, Store: st, Engine: e, Clock: clock, Catalog: cat}
}

// User is one citizen on one channel address.
type User struct {
	env     *Env
	Channel string
	Caps    dialog.Capabilities
	Address string
	Phone   string // proven phone (SMS, console --as); "" for Telegram until a contact
	Lang    string
}

// Console returns a console user talking as phone.
func (e *Env) Console(phone string) *User {
	return &User{env: e, Channel: console.Name, Caps: console.Capabilities, Address: phone, Phone: phone}
}

// SMS returns an SMS user sending from phone.
func (e *Env) SMS(phone string) *User {
	return &User{env: e, Channel: sms.Name, Caps: sms.Capabilities, Address: phone, Phone: phone}
}

// Telegram returns a Telegram user in chat id, with a language_code.
func (e *Env) Telegram(chat, lang string) *User {
	return &User{env: e, Channel: telegram.Name, Caps: telegram.Capabilities, Address: chat, Lang: lang}
}

// Send sends in and returns the replies rendered as the citizen reads them.
func (u *User) Send(in dialog.Inbound) (dialog.Result, string) {
	u.env.T.Helper()
	u.env.n++
	in.Channel, in.Caps, in.Address, in.Phone = u.Channel, u.Caps, u.Address, u.Phone
	if in.LangHint == "" {
		in.LangHint = u.Lang
	}
	if in.MessageID == "" {
		in.MessageID = u.Address + "-" + itoa(u.env.n) + "-" + itoa(int(u.env.Clock.Now().UnixNano()))
	}
	if in.Kind == "" {
		in.Kind = dialog.KindText
	}
	res, err := u.env.Engine.Handle(context.Background(), in)
	if err != nil {
		u.env.T.Fatalf("Handle(%q): %v", in.Text, err)
	}
	return res, u.env.Render(res)
}

// Say sends a text message and returns the rendered replies.
func (u *User) Say(text string) string {
	u.env.T.Helper()
	_, out := u.Send(dialog.Inbound{Kind: dialog.KindText, Text: text})
	return out
}

// Render returns the text of a turn's replies, with options as "[label]".
func (e *Env) Render(res dialog.Result) string {
	var b strings.Builder
	for _, o := range res.Outbound {
		for _, l := range o.Reply.Lines {
			b.WriteString(e.Catalog.Render(o.Lang, locales.StylePlain, l))
			b.WriteByte('\n')
		}
		for _, opt := range o.Reply.Options {
			b.WriteString("[" + e.Catalog.Render(o.Lang, locales.StylePlain, opt.Label) + "] ")
		}
		if o.Reply.AskContact {
			b.WriteString("[share contact]")
		}
		b.WriteString("\n---\n")
	}
	return b.String()
}

// Conversation returns the stored conversation of u (read in a turn that changes nothing).
func (u *User) Conversation() dialog.Conversation {
	u.env.T.Helper()
	var c dialog.Conversation
	err := u.env.Store.Turn(context.Background(), u.Channel, u.Address, func(ctx context.Context, tx dialog.Tx) error {
		c = *tx.Conversation()
		return nil
	})
	if err != nil {
		u.env.T.Fatalf("read conversation: %v", err)
	}
	return c
}

func itoa(n int) string { return strconv.Itoa(n) }
