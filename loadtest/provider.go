package loadtest

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
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
	SID  string
	To   string
	From string
	Body string
	At   time.Time
}

// Provider is a fake Twilio Messages API on a loopback port: it records every message it
// takes, answers the lookups of delivery.Finder, and injects the faults Faults chooses. It
// is safe for concurrent use.
type Provider struct {
	URL string
	// Faults decides the fault of each send (nil: none). HangFor is how long a hang lasts.
	Faults  func(now time.Time) Fault
	HangFor time.Duration
	// Delay holds every answer that long (a slow provider), the message already taken.
	Delay time.Duration

	mu        sync.Mutex
	sent      []Sent
	injected  map[Fault]int
	cancelled int // requests the client gave up before the answer
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
	p := &Provider{URL: "http://" + ln.Addr().String(), HangFor: 12 * time.Second, injected: map[Fault]int{}, ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /2010-04-01/Accounts/{sid}/Messages.json", p.create)
	mux.HandleFunc("GET /2010-04-01/Accounts/{sid}/Messages.json", p.list)
	p.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
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
	out := map[Fault]int{}
	for k, v := range p.injected {
		out[k] = v
	}
	return out
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
	now := time.Now()
	fault := FaultNone
	if p.Faults != nil {
		fault = p.Faults(now)
	}
	p.mu.Lock()
	p.injected[fault]++
	var m message
	if fault == FaultNone || fault == FaultAcceptedHang {
		p.n++
		s := Sent{SID: fmt.Sprintf("SM%032d", p.n), To: r.PostForm.Get("To"), From: r.PostForm.Get("From"), Body: r.PostForm.Get("Body"), At: now}
		p.sent = append(p.sent, s)
		m = message{SID: s.SID, To: s.To, From: s.From, Body: s.Body, Status: "queued", DateCreated: now.UTC().Format(time.RFC1123Z), NumSegments: "1"}
	}
	p.mu.Unlock()
	if p.Delay > 0 {
		select {
		case <-r.Context().Done():
			p.mu.Lock()
			p.cancelled++
			p.mu.Unlock()
			return
		case <-time.After(p.Delay):
		}
	}
	switch fault {
	case Fault500:
		twilioError(w, http.StatusInternalServerError, 20500, "internal error")
		return
	case Fault429:
		w.Header().Set("Retry-After", "1")
		twilioError(w, http.StatusTooManyRequests, 20429, "too many requests")
		return
	case FaultHang, FaultAcceptedHang:
		select {
		case <-r.Context().Done():
		case <-time.After(p.HangFor):
		}
		if fault == FaultHang {
			twilioError(w, http.StatusGatewayTimeout, 20504, "timeout")
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(m)
}

// list answers GET Messages.json filtered by To and From, newest first.
func (p *Provider) list(w http.ResponseWriter, r *http.Request) {
	to, from := r.URL.Query().Get("To"), r.URL.Query().Get("From")
	p.mu.Lock()
	var out []message
	for i := len(p.sent) - 1; i >= 0 && len(out) < 50; i-- {
		s := p.sent[i]
		if (to == "" || s.To == to) && (from == "" || s.From == from) {
			out = append(out, message{SID: s.SID, To: s.To, From: s.From, Body: s.Body, Status: "sent", DateCreated: s.At.UTC().Format(time.RFC1123Z), NumSegments: "1"})
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
