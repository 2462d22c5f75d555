package loadtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Fault is what the fake provider does with a send.
type Fault int

// Faults the provider can inject.
const (
	FaultNone         Fault = iota
	Fault500                // answers 500: the message is not taken
	Fault429                // answers 429 with Retry-After: 1
	FaultHang               // holds the request past the client's timeout, takes nothing
	FaultAcceptedHang       // takes the message, then holds the request past the client's timeout
)

func (f Fault) String() string {
	return [...]string{"none", "500", "429", "hang", "accepted-then-hang"}[f]
}

// Sent is one message the provider took.
type Sent struct {
	Channel string // "sms" or "telegram"
	SID     string // Twilio's sid, or Telegram's message_id
	To      string // a phone number, or a Telegram chat id
	From    string
	Body    string
	At      time.Time
	// Unanswered is true when the sender never learnt that the message was taken: an
	// accepted-then-hang send, or a client that gave up while the answer was held.
	Unanswered bool
}

// Provider is a fake Twilio Messages API and a fake Telegram Bot API on one loopback port:
// it records every message it takes, answers the lookups of delivery.Finder (Twilio only:
// the Bot API has none), answers what the bot calls at start (getMe, setWebhook,
// deleteWebhook…), and injects on both the faults Faults chooses. It is safe for
// concurrent use.
type Provider struct {
	URL string
	// Faults decides the fault of each send (nil: none). HangFor is how long a hang lasts
	// at most: past the clients' timeouts (Twilio's 10 s, a delivery job's 15 s lease).
	Faults  func(now time.Time) Fault
	HangFor time.Duration
	// Delay holds every answer that long (a slow provider), the message already taken.
	Delay time.Duration

	mu        sync.Mutex
	sent      []Sent
	byTo      map[string][]int // indexes in sent, by channel and recipient (key: to(channel, address))
	calls     map[string]int   // Bot API calls other than sendMessage, by method
	injected  map[Fault]int
	cancelled int // requests the client gave up before the answer
	accepted  atomic.Int64
	srv       *http.Server
	ln        net.Listener
	n         int
}

// StartProvider starts a provider on 127.0.0.1.
func StartProvider() (*Provider, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loadtest: provider: %w", err)
	}
	p := &Provider{URL: "http://" + ln.Addr().String(), HangFor: 20 * time.Second,
		byTo: map[string][]int{}, calls: map[string]int{}, injected: map[Fault]int{}, ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", p.create)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/Messages.json", p.list)
	mux.HandleFunc("POST /{bot}/{method}", p.botAPI)
	// Keep-alive is on (the server's default) and idle connections are kept a while, so
	// the replicas' clients reuse them instead of dialling each send.
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: 2 * time.Minute,
		ConnState: func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				p.accepted.Add(1)
			}
		}}
	go p.srv.Serve(ln)
	return p, nil
}

// Close stops the provider.
func (p *Provider) Close() error { return p.srv.Close() }

// Sent returns every message taken, in the order taken.
func (p *Provider) Sent() []Sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Sent(nil), p.sent...)
}

// Connections returns how many connections the provider accepted: a client that keeps
// its connections makes few.
func (p *Provider) Connections() int { return int(p.accepted.Load()) }

// Count returns how many messages were taken.
func (p *Provider) Count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sent)
}

// Last returns the last message taken, if any.
func (p *Provider) Last() (Sent, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.sent) == 0 {
		return Sent{}, false
	}
	return p.sent[len(p.sent)-1], true
}

// SentTo returns the messages taken for one address of a channel, in the order taken.
func (p *Provider) SentTo(channel, address string) []Sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	idx := p.byTo[to(channel, address)]
	out := make([]Sent, len(idx))
	for k, i := range idx {
		out[k] = p.sent[i]
	}
	return out
}

// to is the key of an address of a channel.
func to(channel, address string) string { return channel + " " + address }

// Calls returns how many times the bot called each Bot API method other than sendMessage.
func (p *Provider) Calls() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.calls)
}

// Cancelled returns how many sends the client gave up before the provider answered.
func (p *Provider) Cancelled() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cancelled
}

// Injected returns how many sends met each fault.
func (p *Provider) Injected() map[Fault]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.injected)
}

type message struct {
	SID         string `json:"sid"`
	To          string `json:"to"`
	From        string `json:"from"`
	Body        string `json:"body"`
	Status      string `json:"status"`
	DateCreated string `json:"date_created"`
	NumSegments string `json:"num_segments"`
}

func (p *Provider) create(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s := Sent{Channel: "sms", To: r.PostForm.Get("To"), From: r.PostForm.Get("From"), Body: r.PostForm.Get("Body")}
	fault, i := p.take(s, func(n int) string { return fmt.Sprintf("SM%032d", n) })
	var m message
	if i >= 0 {
		s = p.at(i)
		m = message{SID: s.SID, To: s.To, From: s.From, Body: s.Body, Status: "queued", DateCreated: s.At.UTC().Format(time.RFC1123Z), NumSegments: "1"}
	}
	if !p.hold(r, fault, i) {
		return
	}
	switch fault {
	case Fault500:
		twilioError(w, http.StatusInternalServerError, 20500, "internal error")
		return
	case Fault429:
		w.Header().Set("Retry-After", "1")
		twilioError(w, http.StatusTooManyRequests, 20429, "too many requests")
		return
	case FaultHang:
		twilioError(w, http.StatusGatewayTimeout, 20504, "timeout")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(m)
}

// take chooses the fault of one send and, unless the fault refuses the message, records s
// with the next id (made by id from a counter). It returns the fault and s's index in the
// record, -1 when not taken.
func (p *Provider) take(s Sent, id func(n int) string) (Fault, int) {
	now := time.Now()
	fault := FaultNone
	if p.Faults != nil {
		fault = p.Faults(now)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.injected[fault]++
	if fault != FaultNone && fault != FaultAcceptedHang {
		return fault, -1
	}
	p.n++
	s.SID, s.At = id(p.n), now
	p.sent = append(p.sent, s)
	k := to(s.Channel, s.To)
	p.byTo[k] = append(p.byTo[k], len(p.sent)-1)
	return fault, len(p.sent) - 1
}

func (p *Provider) at(i int) Sent {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.sent[i]
}

// hold delays the answer of a send as its fault and the provider's Delay say, and reports
// whether the client is still there to be answered. A taken message (index i) whose client
// gave up is marked Unanswered.
func (p *Provider) hold(r *http.Request, fault Fault, i int) bool {
	wait := p.Delay
	if fault == FaultHang || fault == FaultAcceptedHang {
		wait += p.HangFor
	}
	if wait <= 0 {
		return true
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		p.mu.Lock()
		defer p.mu.Unlock()
		if p.Delay > 0 {
			p.cancelled++
		}
		if i >= 0 {
			p.sent[i].Unanswered = true
		}
		return false
	}
}

// list answers GET Messages.json filtered by To (and From), newest first.
func (p *Provider) list(w http.ResponseWriter, r *http.Request) {
	to, from := r.URL.Query().Get("To"), r.URL.Query().Get("From")
	p.mu.Lock()
	var out []message
	match := func(s Sent) {
		if s.Channel == "sms" && (to == "" || s.To == to) && (from == "" || s.From == from) {
			out = append(out, message{SID: s.SID, To: s.To, From: s.From, Body: s.Body, Status: "sent", DateCreated: s.At.UTC().Format(time.RFC1123Z), NumSegments: "1"})
		}
	}
	if to != "" {
		idx := p.byTo["sms "+to]
		for k := len(idx) - 1; k >= 0 && len(out) < 50; k-- {
			match(p.sent[idx[k]])
		}
	} else {
		for i := len(p.sent) - 1; i >= 0 && len(out) < 50; i-- {
			match(p.sent[i])
		}
	}
	p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"messages": out, "page": 0, "page_size": 50, "uri": r.URL.RequestURI(), "next_page_uri": nil})
}

func twilioError(w http.ResponseWriter, status, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"code":%d,"message":%q,"status":%d}`, code, strings.ReplaceAll(msg, `"`, ``), status)
}
