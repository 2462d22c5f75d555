package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/catalonia/mygov/dialog"
)

func scrape(t *testing.T, h http.Handler, auth string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

func TestTurnsAndDelivery(t *testing.T) {
	m := New(0.5)
	m.SetQueueDepth(func(context.Context) (map[string]int64, error) { return map[string]int64{"sms": 3}, nil })
	cls := m.Classify(classifierFunc(func(ctx context.Context, s string) dialog.Classification {
		return dialog.Classification{Intent: "status", Confidence: 0.4}
	}))
	h := m.Handle(handlerFunc(func(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
		cls.Classify(ctx, in.Text)
		return dialog.Result{Outbound: []dialog.Outbound{{Reply: dialog.Reply{Lines: []dialog.Text{dialog.T(dialog.KeyOutOfScope)}}}}}, nil
	}))
	h.Handle(context.Background(), dialog.Inbound{Channel: "sms", Text: "hola"})
	m.Attempted("sms", "sent")
	m.Failed("sms", "gave_up")
	m.Retried("sms", "error")
	m.SMSSent(2)
	code, body := scrape(t, m.Handler("", slog.New(slog.DiscardHandler)), "")
	if code != 200 {
		t.Fatalf("status %d", code)
	}
	for _, want := range []string{
		`mygov_turns_total{channel="sms",intent="status"} 1`,
		`mygov_turn_duration_seconds_count{channel="sms"} 1`,
		`mygov_low_confidence_total 1`,
		`mygov_fallbacks_total{channel="sms"} 1`,
		`mygov_delivery_attempts_total{channel="sms",outcome="sent"} 1`,
		`mygov_delivery_failures_total{channel="sms",reason="gave_up"} 1`,
		`mygov_delivery_retries_total{channel="sms",reason="error"} 1`,
		`mygov_sms_segments_sent_total 2`,
		`mygov_delivery_queue_depth{channel="sms"} 3`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

func TestTurnErrorsAndDuplicates(t *testing.T) {
	m := New(0.5)
	fail := m.Handle(handlerFunc(func(context.Context, dialog.Inbound) (dialog.Result, error) { return dialog.Result{}, errors.New("db") }))
	dup := m.Handle(handlerFunc(func(context.Context, dialog.Inbound) (dialog.Result, error) {
		return dialog.Result{Duplicate: true}, nil
	}))
	fail.Handle(context.Background(), dialog.Inbound{Channel: "telegram"})
	dup.Handle(context.Background(), dialog.Inbound{Channel: "telegram"})
	_, body := scrape(t, m.Handler("", slog.New(slog.DiscardHandler)), "")
	for _, want := range []string{`mygov_turn_errors_total{channel="telegram"} 1`, `mygov_inbound_duplicates_total{channel="telegram"} 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
	if strings.Contains(body, "mygov_turns_total{") {
		t.Error("a failed or duplicate turn counted as a turn")
	}
}

func TestBearerToken(t *testing.T) {
	h := New(0.5).Handler("s3cret", slog.New(slog.DiscardHandler))
	for _, tc := range []struct {
		auth string
		want int
	}{{"", 401}, {"Bearer wrong", 401}, {"s3cret", 401}, {"Bearer s3cret", 200}} {
		if code, _ := scrape(t, h, tc.auth); code != tc.want {
			t.Errorf("Authorization %q: status %d, want %d", tc.auth, code, tc.want)
		}
	}
}

func TestQueueDepthError(t *testing.T) {
	m := New(0.5)
	m.SetQueueDepth(func(context.Context) (map[string]int64, error) { return nil, errors.New("database down") })
	if code, _ := scrape(t, m.Handler("", slog.New(slog.DiscardHandler)), ""); code != 500 {
		t.Errorf("status %d with the database down, want 500", code)
	}
}

// An empty queue of a channel that is on reads 0, not nothing; a channel that is off and
// has replies waiting still shows them.
func TestQueueDepthZeroForChannelsOn(t *testing.T) {
	m := New(0.5)
	m.SetQueueDepth(func(context.Context) (map[string]int64, error) { return map[string]int64{"telegram": 2}, nil }, "sms", "whatsapp")
	_, body := scrape(t, m.Handler("", slog.New(slog.DiscardHandler)), "")
	for _, want := range []string{
		`mygov_delivery_queue_depth{channel="sms"} 0`,
		`mygov_delivery_queue_depth{channel="whatsapp"} 0`,
		`mygov_delivery_queue_depth{channel="telegram"} 2`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("scrape lacks %s", want)
		}
	}
}

type classifierFunc func(ctx context.Context, s string) dialog.Classification

func (f classifierFunc) Classify(ctx context.Context, s string) dialog.Classification {
	return f(ctx, s)
}
