// Package metrics exposes MyGov's Prometheus metrics (names prefixed mygov_). It
// instruments at the edges: a dialog.Handler and a dialog.Classifier wrapper for turns,
// the delivery.Observer for sends, and gauges read at scrape time; the domain packages
// import no metrics library.
package metrics

import (
	"context"
	"crypto/subtle"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
)

// Metrics holds MyGov's collectors on their own registry. It is safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	turns          *prometheus.CounterVec
	turnDuration   *prometheus.HistogramVec
	duplicates     *prometheus.CounterVec
	turnErrors     *prometheus.CounterVec
	lowConfidence  prometheus.Counter
	fallbacks      *prometheus.CounterVec
	escalations    *prometheus.CounterVec
	attempts       *prometheus.CounterVec
	failures       *prometheus.CounterVec
	retries        *prometheus.CounterVec
	segments       prometheus.Counter
	threshold      float64
	queueDepthFunc func(ctx context.Context) (map[string]int64, error)
}

var _ delivery.Observer = (*Metrics)(nil)

// New returns the metrics of one process. threshold is the classifier's confidence
// threshold: a classification below it counts as low confidence.
func New(threshold float64) *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), threshold: threshold}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.turns = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mygov_turns_total",
		Help: "Turns handled, by channel and intent (\"none\" when the turn classified nothing)."}, []string{"channel", "intent"})
	m.turnDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mygov_turn_duration_seconds",
		Help:    "Time to handle one inbound message, webhook to committed turn.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5}}, []string{"channel"})
	m.duplicates = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mygov_inbound_duplicates_total",
		Help: "Inbound messages received again and not answered twice."}, []string{"channel"})
	m.turnErrors = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mygov_turn_errors_total",
		Help: "Turns that failed (the provider is asked to redeliver)."}, []string{"channel"})
	m.lowConfidence = prometheus.NewCounter(prometheus.CounterOpts{Name: "mygov_low_confidence_total",
		Help: "Classifications below the confidence threshold."})
	m.fallbacks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mygov_fallbacks_total",
		Help: "Turns answered out of scope or with a clarifying question."}, []string{"channel"})
	m.escalations = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mygov_escalations_total",
		Help: "Conversations handed to a social worker, by reason."}, []string{"reason"})
	m.attempts = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mygov_delivery_attempts_total",
		Help: "Calls to a provider to send a reply, by channel and outcome."}, []string{"channel", "outcome"})
	m.failures = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mygov_delivery_failures_total",
		Help: "Replies marked failed, by channel and reason."}, []string{"channel", "reason"})
	m.retries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mygov_delivery_retries_total",
		Help: "Delivery jobs scheduled again, by channel and reason."}, []string{"channel", "reason"})
	m.segments = prometheus.NewCounter(prometheus.CounterOpts{Name: "mygov_sms_segments_sent_total",
		Help: "SMS segments sent (what the carrier bills)."})
	for _, c := range []prometheus.Collector{m.turns, m.turnDuration, m.duplicates, m.turnErrors, m.lowConfidence,
		m.fallbacks, m.escalations, m.attempts, m.failures, m.retries, m.segments,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	f(&queueDepth{m: m, desc: prometheus.NewDesc("mygov_delivery_queue_depth",
		"Replies stored and not yet sent, by channel.", []string{"channel"}, nil)})
	return m
}

// SetQueueDepth sets the function that counts the replies waiting by channel, read at
// each scrape. Each of channels (the channels that are on) reads 0 when f counts none
// waiting, not nothing.
func (m *Metrics) SetQueueDepth(f func(ctx context.Context) (map[string]int64, error), channels ...string) {
	m.queueDepthFunc = func(ctx context.Context) (map[string]int64, error) {
		depth, err := f(ctx)
		if err != nil {
			return nil, err
		}
		if depth == nil {
			depth = map[string]int64{}
		}
		for _, name := range channels {
			if _, ok := depth[name]; !ok {
				depth[name] = 0
			}
		}
		return depth, nil
	}
}

// Attempted counts a call to a provider (delivery.Observer).
func (m *Metrics) Attempted(channel, outcome string) {
	m.attempts.WithLabelValues(channel, outcome).Inc()
}

// Failed counts a reply marked failed (delivery.Observer).
func (m *Metrics) Failed(channel, reason string) { m.failures.WithLabelValues(channel, reason).Inc() }

// Retried counts a delivery job scheduled again (delivery.Observer).
func (m *Metrics) Retried(channel, reason string) { m.retries.WithLabelValues(channel, reason).Inc() }

// SMSSent counts the segments of an SMS sent.
func (m *Metrics) SMSSent(segments int) { m.segments.Add(float64(segments)) }

// Handler returns the /metrics handler. With a token, a request must carry
// "Authorization: Bearer TOKEN".
func (m *Metrics) Handler(token string, log *slog.Logger) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{ErrorLog: slogAdapter{log}})
	if token == "" {
		return h
	}
	want := []byte("Bearer " + token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// turnKey carries the intent of the turn from the classifier to the handler.
type turnKey struct{}

type turnInfo struct{ intent string }

// Handle wraps h: it times each turn and counts it by channel and intent.
func (m *Metrics) Handle(h dialog.Handler) dialog.Handler {
	return handlerFunc(func(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
		info := &turnInfo{}
		start := time.Now()
		res, err := h.Handle(context.WithValue(ctx, turnKey{}, info), in)
		m.turnDuration.WithLabelValues(in.Channel).Observe(time.Since(start).Seconds())
		switch {
		case err != nil:
			m.turnErrors.WithLabelValues(in.Channel).Inc()
			return res, err
		case res.Duplicate:
			m.duplicates.WithLabelValues(in.Channel).Inc()
			return res, nil
		}
		m.turns.WithLabelValues(in.Channel, or(info.intent, "none")).Inc()
		if fallback(res) {
			m.fallbacks.WithLabelValues(in.Channel).Inc()
		}
		return res, nil
	})
}

type handlerFunc func(ctx context.Context, in dialog.Inbound) (dialog.Result, error)

func (f handlerFunc) Handle(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
	return f(ctx, in)
}

// Classify wraps c: it counts low-confidence classifications and tells Handle the intent.
func (m *Metrics) Classify(c dialog.Classifier) dialog.Classifier { return classifier{c, m} }

type classifier struct {
	c dialog.Classifier
	m *Metrics
}

func (c classifier) Classify(ctx context.Context, text string) dialog.Classification {
	cls := c.c.Classify(ctx, text)
	if cls.Confidence < c.m.threshold {
		c.m.lowConfidence.Inc()
	}
	if info, ok := ctx.Value(turnKey{}).(*turnInfo); ok && info.intent == "" {
		info.intent = cls.Intent
	}
	return cls
}

// Escalate wraps e (nil stays nil): it counts the hand-overs by reason.
func (m *Metrics) Escalate(e dialog.Escalator) dialog.Escalator {
	if e == nil {
		return nil
	}
	return escalator{e, m}
}

type escalator struct {
	e dialog.Escalator
	m *Metrics
}

func (e escalator) Escalate(ctx context.Context, tx dialog.Tx, c *dialog.Conversation, x dialog.Escalation) (dialog.Handoff, error) {
	h, err := e.e.Escalate(ctx, tx, c, x)
	if err == nil {
		e.m.escalations.WithLabelValues(x.Reason).Inc()
	}
	return h, err
}

// fallback reports whether a turn answered with the fallback or a clarifying question.
func fallback(res dialog.Result) bool {
	for _, o := range res.Outbound {
		for _, l := range o.Reply.Lines {
			if l.Key == dialog.KeyOutOfScope || l.Key == dialog.KeyClarify {
				return true
			}
		}
	}
	return false
}

// queueDepth is the gauge of replies waiting, read from the store at scrape time.
type queueDepth struct {
	m    *Metrics
	desc *prometheus.Desc
}

func (q *queueDepth) Describe(ch chan<- *prometheus.Desc) { ch <- q.desc }

func (q *queueDepth) Collect(ch chan<- prometheus.Metric) {
	if q.m.queueDepthFunc == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	depth, err := q.m.queueDepthFunc(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(q.desc, err)
		return
	}
	for channel, n := range depth {
		ch <- prometheus.MustNewConstMetric(q.desc, prometheus.GaugeValue, float64(n), channel)
	}
}

type slogAdapter struct{ log *slog.Logger }

func (a slogAdapter) Println(v ...any) {
	a.log.Error("metrics: " + strings.TrimSpace(fmt.Sprintln(v...)))
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
