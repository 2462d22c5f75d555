// Package convtest evaluates whole conversations: multi-turn scenarios in Catalan and
// Spanish (scenarios/*.json), each turn with the facts its reply must contain and what it
// must not, run through the real engine, classifier and catalogs on a freshly seeded store.
// A test runs it on SQLite and `mygov evalconv` prints the success rate by category.
package convtest

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
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

//go:embed scenarios/*.json
var scenarioFiles embed.FS

// Scenario is one conversation: who talks, on which channel, and the turns.
type Scenario struct {
	Name     string `json:"name"`
	Category string `json:"category"` // distress, follow_up, application, fallback, …
	Lang     string `json:"lang"`     // the language every reply must be in
	// Phone is the citizen's proven phone ("" for a Telegram chat that shared nothing).
	Phone   string `json:"phone,omitempty"`
	Channel string `json:"channel,omitempty"` // console (default), sms, telegram
	// Escalator gives the engine a social workers' inbox (a recording fake).
	Escalator bool   `json:"escalator,omitempty"`
	Turns     []Turn `json:"turns"`
}

// Turn is one message and what its reply must and must not say. Strings are compared
// without case.
type Turn struct {
	Say  string   `json:"say"`
	Want []string `json:"want,omitempty"`
	// AnyOf: the reply contains at least one of them.
	AnyOf []string `json:"any_of,omitempty"`
	Not   []string `json:"not,omitempty"`
	// Urgent: the conversation is flagged urgent after the turn.
	Urgent bool `json:"urgent,omitempty"`
	// Escalated is the reason of the escalation this turn made ("" when none is expected;
	// "none" when there must be none).
	Escalated string `json:"escalated,omitempty"`
}

// Load returns the embedded scenarios, sorted by file and order.
func Load() ([]Scenario, error) { return LoadFS(scenarioFiles, "scenarios") }

// LoadFS returns the scenarios of every *.json file of dir in fsys.
func LoadFS(fsys fs.FS, dir string) ([]Scenario, error) {
	names, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var all []Scenario
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		var ss []Scenario
		if err := json.Unmarshal(b, &ss); err != nil {
			return nil, fmt.Errorf("convtest: %s: %w", n, err)
		}
		for i, s := range ss {
			if s.Name == "" || s.Category == "" || len(s.Turns) == 0 || (s.Lang != dialog.LangCA && s.Lang != dialog.LangES) {
				return nil, fmt.Errorf("convtest: %s: scenario %d needs a name, a category, a language (ca, es) and turns", n, i)
			}
		}
		all = append(all, ss...)
	}
	return all, nil
}

// Store is what a run needs of a store.
type Store interface {
	dialog.Store
	records.Reader
	Seed(ctx context.Context, d *records.Dataset) error
}

// Open returns a fresh, empty store whose clock is now, and a function that closes it.
type Open func(ctx context.Context, now func() time.Time) (Store, func(), error)

// Result is the outcome of one scenario.
type Result struct {
	Scenario Scenario
	Failures []string // one line per failed check: "turn 2: reply does not contain …"
}

// Passed reports whether every check of the scenario passed.
func (r Result) Passed() bool { return len(r.Failures) == 0 }

// Start is the instant every scenario starts at: demo data are relative to it.
var Start = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

var (
	loadOnce   sync.Once
	classifier *intents.Classifier
	catalog    *locales.Catalog
	loadErr    error
)

func shared() (*intents.Classifier, *locales.Catalog, error) {
	loadOnce.Do(func() {
		if catalog, loadErr = locales.Load(); loadErr != nil {
			return
		}
		var procs []intents.Procedure
		for _, b := range demo.Dataset(Start).Benefits {
			names := slices.Clone(b.Aliases)
			for _, n := range b.Name {
				names = append(names, n)
			}
			procs = append(procs, intents.Procedure{ID: b.ID, Names: names})
		}
		classifier, loadErr = intents.Default(intents.WithProcedures(procs))
	})
	return classifier, catalog, loadErr
}

// Run plays every scenario on a store of its own and returns the results in order.
func Run(ctx context.Context, open Open, scenarios []Scenario) ([]Result, error) {
	out := make([]Result, 0, len(scenarios))
	for _, s := range scenarios {
		r, err := RunOne(ctx, open, s)
		if err != nil {
			return out, fmt.Errorf("convtest: %s: %w", s.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Escalations records the escalations of a run: it is the fake inbox of a scenario.
type Escalations struct {
	Got []dialog.Escalation
}

// Escalate records e.
func (r *Escalations) Escalate(_ context.Context, _ dialog.Tx, _ *dialog.Conversation, e dialog.Escalation) (dialog.Handoff, error) {
	r.Got = append(r.Got, e)
	return dialog.Handoff{Team: "serveis-socials", Open: true}, nil
}

var _ dialog.Escalator = (*Escalations)(nil)

// RunOne plays one scenario on a freshly opened and seeded store.
func RunOne(ctx context.Context, open Open, s Scenario) (Result, error) {
	cls, cat, err := shared()
	if err != nil {
		return Result{}, err
	}
	now := Start
	clock := func() time.Time { return now }
	st, closeStore, err := open(ctx, clock)
	if err != nil {
		return Result{}, err
	}
	defer closeStore()
	if err := st.Seed(ctx, demo.Dataset(now)); err != nil {
		return Result{}, fmt.Errorf("seed: %w", err)
	}
	bs, err := st.ListBenefits(ctx)
	if err != nil {
		return Result{}, err
	}
	elig, err := records.NewEligibility(bs)
	if err != nil {
		return Result{}, err
	}
	e := dialog.NewEngine(st, cls, elig, slog.New(slog.DiscardHandler),
		dialog.WithClock(clock), dialog.WithLocation(time.UTC), dialog.WithThreshold(intents.DefaultThreshold))
	esc := &Escalations{}
	if s.Escalator {
		e.Escalator = esc
	}
	in := dialog.Inbound{Channel: console.Name, Caps: console.Capabilities, Address: s.Phone, Phone: s.Phone, LangHint: s.Lang}
	style := locales.StylePlain
	switch s.Channel {
	case "", console.Name:
	case sms.Name:
		in.Channel, in.Caps, style = sms.Name, sms.Capabilities, locales.StyleSMS
	case telegram.Name:
		in.Channel, in.Caps, in.Phone = telegram.Name, telegram.Capabilities, ""
		in.Address = "tg-" + s.Name
	default:
		return Result{}, fmt.Errorf("unknown channel %q", s.Channel)
	}
	if in.Address == "" {
		in.Address = "anonymous-" + s.Name
	}
	res := Result{Scenario: s}
	for i, turn := range s.Turns {
		now = now.Add(time.Minute)
		msg := in
		msg.Kind, msg.Text, msg.MessageID, msg.ReceivedAt = dialog.KindText, turn.Say, s.Name+"-"+strconv.Itoa(i), now
		before := len(esc.Got)
		out, err := e.Handle(ctx, msg)
		if err != nil {
			return res, fmt.Errorf("turn %d: %w", i+1, err)
		}
		text, langs := render(cat, style, out)
		fail := func(format string, args ...any) {
			res.Failures = append(res.Failures, fmt.Sprintf("turn %d %q: ", i+1, turn.Say)+fmt.Sprintf(format, args...))
		}
		low := strings.ToLower(text)
		for _, w := range turn.Want {
			if !strings.Contains(low, strings.ToLower(w)) {
				fail("reply does not contain %q", w)
			}
		}
		if len(turn.AnyOf) > 0 && !slices.ContainsFunc(turn.AnyOf, func(w string) bool { return strings.Contains(low, strings.ToLower(w)) }) {
			fail("reply contains none of %q", turn.AnyOf)
		}
		for _, n := range turn.Not {
			if strings.Contains(low, strings.ToLower(n)) {
				fail("reply contains %q", n)
			}
		}
		for _, l := range langs {
			if l != s.Lang {
				fail("reply in %s, want %s", l, s.Lang)
			}
		}
		if text == "" && turn.Escalated == "" {
			fail("no reply")
		}
		got := ""
		if len(esc.Got) > before {
			got = esc.Got[len(esc.Got)-1].Reason
		}
		switch {
		case turn.Escalated == "none" && got != "":
			fail("escalated (%s), want no escalation", got)
		case turn.Escalated != "" && turn.Escalated != "none" && got != turn.Escalated:
			fail("escalation %q, want %q", got, turn.Escalated)
		}
		if turn.Urgent {
			c, err := conversation(ctx, st, msg.Channel, msg.Address)
			if err != nil {
				return res, err
			}
			if !c.Urgent || c.Distress == "" {
				fail("conversation not flagged urgent")
			}
		}
		if len(res.Failures) > 0 {
			res.Failures[len(res.Failures)-1] += "\n" + indent(text)
		}
	}
	return res, nil
}

func conversation(ctx context.Context, st Store, channel, address string) (dialog.Conversation, error) {
	var c dialog.Conversation
	err := st.Turn(ctx, channel, address, func(ctx context.Context, tx dialog.Tx) error {
		c = *tx.Conversation()
		return nil
	})
	return c, err
}

// render returns the text of a turn's replies as the citizen reads it, and their languages.
func render(cat *locales.Catalog, style string, res dialog.Result) (string, []string) {
	var b strings.Builder
	var langs []string
	for _, o := range res.Outbound {
		langs = append(langs, o.Lang)
		for _, l := range o.Reply.Lines {
			b.WriteString(cat.Render(o.Lang, style, l))
			b.WriteByte('\n')
		}
		for _, opt := range o.Reply.Options {
			b.WriteString("[" + cat.Render(o.Lang, style, opt.Label) + "] ")
		}
		b.WriteByte('\n')
	}
	return b.String(), langs
}

func indent(s string) string {
	return "    | " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    | ")
}

// Summary counts passed scenarios by category.
type Summary struct {
	Category      string
	Passed, Total int
}

// Summarize returns one line per category, sorted by name, and the total last.
func Summarize(results []Result) []Summary {
	by := map[string]*Summary{}
	total := Summary{Category: "total"}
	for _, r := range results {
		s := by[r.Scenario.Category]
		if s == nil {
			s = &Summary{Category: r.Scenario.Category}
			by[r.Scenario.Category] = s
		}
		s.Total++
		total.Total++
		if r.Passed() {
			s.Passed++
			total.Passed++
		}
	}
	var out []Summary
	for _, s := range by {
		out = append(out, *s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Category < out[j].Category })
	return append(out, total)
}

// Report writes the success rate by category and, when verbose, every failure.
func Report(w io.Writer, results []Result, verbose bool) {
	for _, r := range results {
		if !r.Passed() && verbose {
			fmt.Fprintf(w, "FAIL %s (%s, %s)\n", r.Scenario.Name, r.Scenario.Category, r.Scenario.Lang)
			for _, f := range r.Failures {
				fmt.Fprintf(w, "  %s\n", f)
			}
		}
	}
	fmt.Fprintf(w, "%-14s %8s %6s\n", "category", "passed", "rate")
	for _, s := range Summarize(results) {
		fmt.Fprintf(w, "%-14s %4d/%-3d %6.1f%%\n", s.Category, s.Passed, s.Total, 100*float64(s.Passed)/float64(max(s.Total, 1)))
	}
}
