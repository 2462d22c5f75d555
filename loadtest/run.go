// Package loadtest drives running MyGov replicas the way citizens, Twilio and Telegram do:
// N simulated citizens send their messages through the real signed SMS webhook or the
// Telegram webhook with its secret, some twice, while a fake provider (Twilio's Messages API
// and Telegram's Bot API on one port) records every reply and injects failures, and a
// replica may be killed with SIGKILL and restarted. At the end it checks that every message
// was answered exactly once and in order, and reports throughput and latency percentiles.
//
// Telegram has no way to look a sent message up, so a reply whose send had an unknown
// outcome is sent again: the at-least-once window. A repeated Telegram reply is counted
// apart (Report.WindowDuplicates), not as doubled, when its first copy lies in that window:
// the provider took it but the sender never had the answer (it gave up on a hang or died),
// or it was taken within one delivery lease before a replica was killed.
package loadtest

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/catalonia/mygov/delivery"
)

// Credentials and addresses the replicas are given.
const (
	accountSID = "ACloadtest0000000000000000000000"
	authToken  = "loadtesttoken0000000000000000000"
	fromNumber = "+34930000000"
	publicURL  = "https://mygov.loadtest.example"
	smsPath    = "/sms/twilio"
	// The Telegram webhook (channels/telegram.WebhookPath) and its secret.
	telegramPath   = "/telegram/webhook"
	telegramSecret = "loadtest-webhook-secret_0"
)

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
	// Telegram is the share of citizens who write through Telegram (0 to 1); the others
	// write by SMS.
	Telegram float64
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
	// Anomalies, when not nil, is given each conversation with a reply lost, doubled,
	// reordered or sent again, message by message.
	Anomalies io.Writer
}

// Tally counts a run's messages and replies, in all or on one channel.
type Tally struct {
	Citizens     int
	Inbound      int // distinct messages accepted
	Replies      int // messages the provider took
	Lost         int // accepted messages without a reply
	Doubled      int // replies beyond one a message, outside the window below
	Reordered    int // replies out of their conversation's order
	Unclassified int // replies whose text the order check does not know
	// WindowDuplicates are Telegram replies sent again within the at-least-once window
	// (see the package comment): allowed, and counted.
	WindowDuplicates int
}

func (t *Tally) add(u Tally) {
	t.Citizens += u.Citizens
	t.Inbound += u.Inbound
	t.Replies += u.Replies
	t.Lost += u.Lost
	t.Doubled += u.Doubled
	t.Reordered += u.Reordered
	t.Unclassified += u.Unclassified
	t.WindowDuplicates += u.WindowDuplicates
}

func (t Tally) String() string {
	return fmt.Sprintf("citizens %d, messages %d, replies %d; lost %d, doubled %d, reordered %d, unclassified %d, sent again within the at-least-once window %d",
		t.Citizens, t.Inbound, t.Replies, t.Lost, t.Doubled, t.Reordered, t.Unclassified, t.WindowDuplicates)
}

// Report is what a run measured.
type Report struct {
	Tally                                // over both channels
	Channels            map[string]Tally // by channel: "sms", "telegram"
	Replicas            int
	DuplicatesSent      int            // messages sent again
	BotCalls            map[string]int // Bot API calls other than sendMessage
	SendTime, TotalTime time.Duration
	TurnsPerSec         float64 // accepted messages a second while sending
	RepliesPerSec       float64 // replies a second, first message to last reply
	TurnP50, TurnP99    time.Duration
	ReplyP50, ReplyP99  time.Duration // webhook accepted → provider called
	// ChannelReply is the reply latency p50 and p99 of each channel: Telegram's replies
	// wait for its rate limit where SMS's do not.
	ChannelReply          map[string][2]time.Duration
	Injected              map[Fault]int
	Kills, WebhookRetries int
	KilledAt              time.Time // when the replica was killed (zero: never)
	// Dialled is how many connections the citizens opened to the replicas, Accepted how
	// many the provider took from them: where no connection is kept, one a message.
	Dialled, Accepted int
}

// String formats the report for people.
func (r Report) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "replicas %d, citizens %d, messages %d (+%d duplicates sent), replies %d\n", r.Replicas, r.Citizens, r.Inbound, r.DuplicatesSent, r.Replies)
	fmt.Fprintf(&b, "lost %d, doubled %d, reordered %d, unclassified %d; telegram replies sent again within the at-least-once window %d\n", r.Lost, r.Doubled, r.Reordered, r.Unclassified, r.WindowDuplicates)
	for _, ch := range slices.Sorted(maps.Keys(r.Channels)) {
		fmt.Fprintf(&b, "  %s: %s", ch, r.Channels[ch])
		if l, ok := r.ChannelReply[ch]; ok {
			fmt.Fprintf(&b, "; reply latency p50 %s p99 %s", l[0].Round(time.Millisecond), l[1].Round(time.Millisecond))
		}
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "turns %.0f/s over %s; replies %.0f/s over %s\n", r.TurnsPerSec, r.SendTime.Round(time.Millisecond), r.RepliesPerSec, r.TotalTime.Round(time.Millisecond))
	fmt.Fprintf(&b, "turn latency p50 %s p99 %s; reply latency (accepted → provider) p50 %s p99 %s\n",
		r.TurnP50.Round(time.Microsecond*100), r.TurnP99.Round(time.Microsecond*100), r.ReplyP50.Round(time.Millisecond), r.ReplyP99.Round(time.Millisecond))
	killed := ""
	if !r.KilledAt.IsZero() {
		killed = " (at " + r.KilledAt.Format("15:04:05.000") + ")"
	}
	fmt.Fprintf(&b, "replica kills %d%s, webhook retries %d, provider faults injected %v, Bot API calls besides sendMessage %v\n", r.Kills, killed, r.WebhookRetries, r.Injected, r.BotCalls)
	fmt.Fprintf(&b, "connections: citizens dialled %d to the replicas, the provider accepted %d from them\n", r.Dialled, r.Accepted)
	return b.String()
}

// OK reports whether the invariants held: nothing lost, doubled or reordered.
func (r Report) OK() bool { return r.Lost == 0 && r.Doubled == 0 && r.Reordered == 0 }

// Run runs one load test against replicas it starts and stops itself.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if cfg.Log == nil {
		cfg.Log = io.Discard
	}
	if cfg.Replicas < 1 {
		cfg.Replicas = 1
	}
	if cfg.Citizens < 1 || cfg.Messages < 1 {
		return Report{}, fmt.Errorf("loadtest: %d citizens and %d messages: both must be at least 1", cfg.Citizens, cfg.Messages)
	}
	if cfg.Telegram < 0 || cfg.Telegram > 1 {
		return Report{}, fmt.Errorf("loadtest: Telegram share %v is not between 0 and 1", cfg.Telegram)
	}
	if cfg.Messages/cfg.Citizens >= maxPerCitizen {
		return Report{}, fmt.Errorf("loadtest: at most %d messages a citizen", maxPerCitizen-1)
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

	var dialled atomic.Int64
	client := newClient(2*cfg.Citizens+8, &dialled) // a citizen's message and its duplicate at once
	defer client.CloseIdleConnections()
	channels := []string{"sms"}
	if cfg.Telegram > 0 {
		channels = append(channels, "telegram")
	}
	classes, err := calibrate(ctx, client, replicas, prov, channels)
	if err != nil {
		return Report{}, err
	}
	calibrated := prov.Count()
	cs := plan(cfg)

	var (
		sent, dups, retries atomic.Int64
		turnMu              sync.Mutex
		turnLat             = make([]time.Duration, 0, cfg.Messages)
		kills               int
		killedAt            time.Time
		killOnce, outOnce   sync.Once
	)
	tokens := pace(ctx, cfg.Rate)
	begin := time.Now()
	var wg sync.WaitGroup
	for ci, c := range cs {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(ci), 7))
			c.accepted = make([]time.Time, 0, len(c.texts))
			for j := range c.texts {
				if tokens != nil {
					select {
					case <-tokens:
					case <-ctx.Done():
						return
					}
				}
				hook := c.webhook(j)
				dup := r.Float64() < cfg.DupRate
				var dwg sync.WaitGroup
				first, second := r.IntN(len(replicas)), r.IntN(len(replicas))
				if dup {
					dups.Add(1)
					dwg.Go(func() { post(ctx, client, replicas, hook, second, &retries) })
				}
				t0 := time.Now()
				post(ctx, client, replicas, hook, first, &retries)
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
						killedAt = time.Now()
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

	// Wait for the replies: every accepted message answered (copies do not count), or the
	// drain time over.
	w := window{killedAt: killedAt, lease: delivery.DefaultLease}
	deadline := time.Now().Add(cfg.Drain)
	for next := calibrated + cfg.Messages; time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if prov.Count() < next {
			continue
		}
		if lost := check(cs, prov.Sent()[calibrated:], classes, w, nil).Lost; lost > 0 {
			next = prov.Count() + lost
			continue
		}
		time.Sleep(2 * time.Second) // let a late copy show
		break
	}
	all := prov.Sent()[calibrated:]
	rep := check(cs, all, classes, w, cfg.Anomalies)
	rep.Replicas, rep.KilledAt = cfg.Replicas, killedAt
	rep.Dialled, rep.Accepted = int(dialled.Load()), prov.Connections()
	rep.DuplicatesSent, rep.Kills, rep.WebhookRetries = int(dups.Load()), kills, int(retries.Load())
	rep.Injected, rep.BotCalls = prov.Injected(), prov.Calls()
	rep.SendTime = sendTime
	rep.TurnsPerSec = float64(rep.Inbound) / sendTime.Seconds()
	if len(all) > 0 {
		rep.TotalTime = all[len(all)-1].At.Sub(begin)
		rep.RepliesPerSec = float64(len(all)) / rep.TotalTime.Seconds()
	}
	rep.TurnP50, rep.TurnP99 = percentile(turnLat, 50), percentile(turnLat, 99)
	return rep, nil
}

// replicaEnv is the environment of the replicas: SMS and Telegram (webhook mode) through
// the provider at providerURL, the database of cfg.
func replicaEnv(cfg Config, providerURL string) []string {
	env := append([]string{
		"TWILIO_ACCOUNT_SID=" + accountSID, "TWILIO_AUTH_TOKEN=" + authToken, "TWILIO_FROM=" + fromNumber,
		"TWILIO_API_URL=" + providerURL, "MYGOV_PUBLIC_URL=" + publicURL, "MYGOV_LOG_LEVEL=warn",
		"TELEGRAM_BOT_TOKEN=" + botToken, "TELEGRAM_API_URL=" + providerURL,
		"TELEGRAM_WEBHOOK_URL=" + publicURL + telegramPath, "TELEGRAM_WEBHOOK_SECRET=" + telegramSecret,
	}, cfg.Env...)
	if cfg.DatabaseURL != "" {
		return append(env, "DATABASE_URL="+cfg.DatabaseURL)
	}
	return append(env, "DATABASE_URL=", "MYGOV_DB="+cfg.SQLitePath)
}

// newClient returns the HTTP client of the simulated citizens: one transport whose idle
// connections (up to conns per replica) are kept and reused, so a webhook call does not
// dial, and leave a socket in TIME_WAIT, as the default transport's 2 kept connections a
// host made it do under load. Each connection dialled is counted on dialled.
func newClient(conns int, dialled *atomic.Int64) *http.Client {
	d := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			dialled.Add(1)
			return d.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}}
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
