// Package loadtest drives running MyGov replicas the way citizens and Twilio do: N
// simulated citizens send their messages through the real signed SMS webhook, some twice,
// while a fake provider records every reply and injects failures, and a replica may be
// killed with SIGKILL and restarted. At the end it checks that every message was answered
// exactly once and in order, and reports throughput and latency percentiles.
package loadtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Credentials and addresses the replicas are given.
const (
	accountSID = "ACloadtest0000000000000000000000"
	authToken  = "loadtesttoken0000000000000000000"
	fromNumber = "+34930000000"
	publicURL  = "https://mygov.loadtest.example"
	smsPath    = "/sms/twilio"
)

// texts are what citizens write: each gets a reply of its own kind, so an inversion of two
// replies shows. Consecutive messages of one citizen always differ.
var texts = []string{"hola", "ajuda", "adeu", "quin temps farà demà?"}

// Config is one run.
type Config struct {
	Binary      string   // the mygov binary
	Replicas    int      // processes serving at once (1 with SQLite)
	DatabaseURL string   // PostgreSQL; empty: the SQLite file SQLitePath
	SQLitePath  string   // SQLite database file
	Env         []string // more environment for the replicas ("NAME=value")
	Log         io.Writer

	Citizens int
	Messages int
	DupRate  float64 // share of messages sent twice (as Twilio may)
	Rate     float64 // messages per second in all; 0: as fast as the replicas answer

	// KillAt is the share of messages sent after which the first replica is killed with
	// SIGKILL (0: never); it is started again after RestartAfter.
	KillAt       float64
	RestartAfter time.Duration
	// OutageAt and OutageFor make the provider fail every send for a while, starting when
	// that share of messages is sent (OutageFor 0: never); OutageMix adds, during the
	// outage, 429s, hangs and accepted-then-hang sends among the 500s.
	OutageAt  float64
	OutageFor time.Duration
	OutageMix bool
	// Drain is the longest wait for the replies after the last message.
	Drain time.Duration
}

// Report is what a run measured.
type Report struct {
	Replicas, Citizens    int
	Inbound               int // distinct messages accepted
	DuplicatesSent        int // messages sent again
	Replies               int // messages the provider took
	Lost                  int // accepted messages without a reply
	Doubled               int // replies beyond one a message
	Reordered             int // replies out of their conversation's order
	Unclassified          int // replies whose text the order check does not know
	SendTime, TotalTime   time.Duration
	TurnsPerSec           float64 // accepted messages a second while sending
	RepliesPerSec         float64 // replies a second, first message to last reply
	TurnP50, TurnP99      time.Duration
	ReplyP50, ReplyP99    time.Duration // webhook accepted → provider called
	Injected              map[Fault]int
	Kills, WebhookRetries int
}

// String formats the report for people.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "replicas %d, citizens %d, messages %d (+%d duplicates sent), replies %d\n", r.Replicas, r.Citizens, r.Inbound, r.DuplicatesSent, r.Replies)
	fmt.Fprintf(&b, "lost %d, doubled %d, reordered %d, unclassified %d\n", r.Lost, r.Doubled, r.Reordered, r.Unclassified)
	fmt.Fprintf(&b, "turns %.0f/s over %s; replies %.0f/s over %s\n", r.TurnsPerSec, r.SendTime.Round(time.Millisecond), r.RepliesPerSec, r.TotalTime.Round(time.Millisecond))
	fmt.Fprintf(&b, "turn latency p50 %s p99 %s; reply latency (accepted → provider) p50 %s p99 %s\n",
		r.TurnP50.Round(time.Microsecond*100), r.TurnP99.Round(time.Microsecond*100), r.ReplyP50.Round(time.Millisecond), r.ReplyP99.Round(time.Millisecond))
	fmt.Fprintf(&b, "replica kills %d, webhook retries %d, provider faults injected %v\n", r.Kills, r.WebhookRetries, r.Injected)
	return b.String()
}

// OK reports whether the invariants held: nothing lost, doubled or reordered.
func (r Report) OK() bool { return r.Lost == 0 && r.Doubled == 0 && r.Reordered == 0 }

// citizen is one simulated phone and what it sent.
type citizen struct {
	phone    string
	texts    []string
	accepted []time.Time // when each distinct message was accepted
}

// Run runs one load test against replicas it starts and stops itself.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Replicas < 1 {
		cfg.Replicas = 1
	}
	prov, err := StartProvider()
	if err != nil {
		return Report{}, err
	}
	defer prov.Close()
	var outage atomic.Bool
	rnd := rand.New(rand.NewPCG(1, 2))
	var rmu sync.Mutex
	prov.Faults = func(time.Time) Fault {
		if !outage.Load() {
			return FaultNone
		}
		if !cfg.OutageMix {
			return Fault500
		}
		rmu.Lock()
		defer rmu.Unlock()
		switch x := rnd.IntN(100); {
		case x < 70:
			return Fault500
		case x < 85:
			return Fault429
		case x < 95:
			return FaultAcceptedHang
		default:
			return FaultHang
		}
	}

	env := replicaEnv(cfg, prov.URL)
	replicas := make([]*Replica, cfg.Replicas)
	for i := range replicas {
		r := newReplica(fmt.Sprintf("replica-%d", i), cfg.Binary, env, cfg.Log)
		if err := r.Start(ctx); err != nil {
			return Report{}, err
		}
		defer r.Stop()
		replicas[i] = r
	}

	classes, err := calibrate(ctx, replicas, prov)
	if err != nil {
		return Report{}, err
	}
	prov.mu.Lock()
	calibrated := len(prov.sent)
	prov.mu.Unlock()

	cs := make([]*citizen, cfg.Citizens)
	for i := range cs {
		cs[i] = &citizen{phone: fmt.Sprintf("+3461%07d", i)}
	}
	for i := range cfg.Messages {
		c := cs[i%len(cs)]
		start := i / len(cs) // each citizen starts on another text
		c.texts = append(c.texts, texts[(start+len(c.texts)+i)%len(texts)])
	}
	for _, c := range cs { // no two consecutive texts alike
		for j := 1; j < len(c.texts); j++ {
			if c.texts[j] == c.texts[j-1] {
				c.texts[j] = texts[(slices.Index(texts, c.texts[j])+1)%len(texts)]
			}
		}
	}

	var (
		sent, dups, retries atomic.Int64
		turnMu              sync.Mutex
		turnLat             []time.Duration
		kills               int
		killOnce, outOnce   sync.Once
	)
	tokens := pace(ctx, cfg.Rate)
	client := &http.Client{Timeout: 30 * time.Second}
	begin := time.Now()
	var wg sync.WaitGroup
	for ci, c := range cs {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(ci), 7))
			for j, text := range c.texts {
				if tokens != nil {
					select {
					case <-tokens:
					case <-ctx.Done():
						return
					}
				}
				form := url.Values{"MessageSid": {fmt.Sprintf("SMload%08d%06d", ci, j)}, "From": {c.phone}, "To": {fromNumber},
					"Body": {text}, "NumMedia": {"0"}, "AccountSid": {accountSID}}
				dup := r.Float64() < cfg.DupRate
				var dwg sync.WaitGroup
				first, second := r.IntN(len(replicas)), r.IntN(len(replicas))
				if dup {
					dups.Add(1)
					dwg.Go(func() { post(ctx, client, replicas, form, second, &retries) })
				}
				t0 := time.Now()
				post(ctx, client, replicas, form, first, &retries)
				t1 := time.Now()
				dwg.Wait()
				c.accepted = append(c.accepted, t1)
				turnMu.Lock()
				turnLat = append(turnLat, t1.Sub(t0))
				turnMu.Unlock()
				n := sent.Add(1)
				if cfg.KillAt > 0 && float64(n) >= cfg.KillAt*float64(cfg.Messages) {
					killOnce.Do(func() {
						kills++
						replicas[0].Kill()
						time.AfterFunc(cfg.RestartAfter, func() {
							if err := replicas[0].Start(ctx); err != nil {
								fmt.Fprintln(cfg.Log, "loadtest: restart:", err)
							}
						})
					})
				}
				if cfg.OutageFor > 0 && float64(n) >= cfg.OutageAt*float64(cfg.Messages) {
					outOnce.Do(func() {
						outage.Store(true)
						time.AfterFunc(cfg.OutageFor, func() { outage.Store(false) })
					})
				}
			}
		})
	}
	wg.Wait()
	sendTime := time.Since(begin)

	// Wait for the replies: every accepted message answered, or the drain time over.
	want := cfg.Messages + calibrated
	deadline := time.Now().Add(cfg.Drain)
	for time.Now().Before(deadline) {
		prov.mu.Lock()
		n := len(prov.sent)
		prov.mu.Unlock()
		if n >= want {
			time.Sleep(2 * time.Second) // let a late duplicate show
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	all := prov.Sent()[calibrated:]
	rep := check(cs, all, classes)
	rep.Replicas, rep.Citizens = cfg.Replicas, cfg.Citizens
	rep.DuplicatesSent, rep.Kills, rep.WebhookRetries = int(dups.Load()), kills, int(retries.Load())
	rep.Injected = prov.Injected()
	rep.SendTime = sendTime
	rep.TurnsPerSec = float64(rep.Inbound) / sendTime.Seconds()
	if len(all) > 0 {
		rep.TotalTime = all[len(all)-1].At.Sub(begin)
		rep.RepliesPerSec = float64(len(all)) / rep.TotalTime.Seconds()
	}
	rep.TurnP50, rep.TurnP99 = percentile(turnLat, 50), percentile(turnLat, 99)
	return rep, nil
}

// replicaEnv is the environment of the replicas: SMS through the provider at providerURL,
// the database of cfg.
func replicaEnv(cfg Config, providerURL string) []string {
	env := append([]string{
		"TWILIO_ACCOUNT_SID=" + accountSID, "TWILIO_AUTH_TOKEN=" + authToken, "TWILIO_FROM=" + fromNumber,
		"TWILIO_API_URL=" + providerURL, "MYGOV_PUBLIC_URL=" + publicURL, "MYGOV_LOG_LEVEL=warn",
		"TELEGRAM_BOT_TOKEN=",
	}, cfg.Env...)
	if cfg.DatabaseURL != "" {
		return append(env, "DATABASE_URL="+cfg.DatabaseURL)
	}
	return append(env, "DATABASE_URL=", "MYGOV_DB="+cfg.SQLitePath)
}

// post sends a webhook to replica i, or the next one up, until one accepts it (a load
// balancer retrying on a dead backend, or Twilio on a 5xx).
func post(ctx context.Context, client *http.Client, replicas []*Replica, form url.Values, i int, retries *atomic.Int64) {
	body := form.Encode()
	sig := twilioSignature(authToken, publicURL+smsPath, form)
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return
		}
		u, up := replicas[(i+attempt)%len(replicas)].Up()
		if !up {
			if attempt%len(replicas) == len(replicas)-1 {
				time.Sleep(100 * time.Millisecond)
			}
			continue
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, u+smsPath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", sig)
		resp, err := client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		retries.Add(1)
		time.Sleep(50 * time.Millisecond)
	}
}

// pace returns a channel that gives rate tokens a second, nil for no limit.
func pace(ctx context.Context, rate float64) <-chan struct{} {
	if rate <= 0 {
		return nil
	}
	ch := make(chan struct{})
	go func() {
		every := time.Duration(float64(time.Second) / rate)
		next := time.Now()
		for {
			next = next.Add(every)
			if d := time.Until(next); d > 0 {
				time.Sleep(d)
			}
			select {
			case ch <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch
}

// calibrate sends each text from fresh phones and learns the reply bodies of each, so
// the order check can tell the replies apart.
func calibrate(ctx context.Context, replicas []*Replica, prov *Provider) (map[string]int, error) {
	classes := map[string]int{}
	client := &http.Client{Timeout: 30 * time.Second}
	var retries atomic.Int64
	for round := range 3 {
		phone := fmt.Sprintf("+3469%07d", round)
		for j := range texts {
			for k, ti := range []int{j, (j + 1 + round) % len(texts)} {
				before := len(prov.Sent())
				form := url.Values{"MessageSid": {fmt.Sprintf("SMcal%02d%02d%02d", round, j, k)}, "From": {phone}, "To": {fromNumber},
					"Body": {texts[ti]}, "NumMedia": {"0"}, "AccountSid": {accountSID}}
				post(ctx, client, replicas, form, 0, &retries)
				deadline := time.Now().Add(20 * time.Second)
				for len(prov.Sent()) == before {
					if time.Now().After(deadline) {
						return nil, fmt.Errorf("loadtest: no reply to %q while calibrating", texts[ti])
					}
					time.Sleep(20 * time.Millisecond)
				}
				s := prov.Sent()
				body := s[len(s)-1].Body
				if prev, seen := classes[body]; seen && prev != ti {
					classes[body] = -1 // two texts, one reply: it tells nothing
				} else {
					classes[body] = ti
				}
			}
		}
	}
	return classes, nil
}

// check matches each citizen's replies with its messages.
func check(cs []*citizen, sent []Sent, classes map[string]int) Report {
	byPhone := map[string][]Sent{}
	for _, s := range sent {
		byPhone[s.To] = append(byPhone[s.To], s)
	}
	var rep Report
	var lat []time.Duration
	for _, c := range cs {
		got := byPhone[c.phone]
		rep.Inbound += len(c.accepted)
		rep.Replies += len(got)
		if d := len(c.accepted) - len(got); d > 0 {
			rep.Lost += d
		} else {
			rep.Doubled -= d
		}
		for k, s := range got {
			cls, ok := classes[s.Body]
			if !ok || cls < 0 {
				rep.Unclassified++
				continue
			}
			if k < len(c.texts) && texts[cls] != c.texts[k] {
				rep.Reordered++
			}
			if k < len(c.accepted) {
				lat = append(lat, s.At.Sub(c.accepted[k]))
			}
		}
	}
	rep.ReplyP50, rep.ReplyP99 = percentile(lat, 50), percentile(lat, 99)
	return rep
}

// percentile returns the p-th percentile of ds (nearest rank).
func percentile(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := (len(s)*p + 99) / 100
	return s[max(min(i, len(s))-1, 0)]
}
