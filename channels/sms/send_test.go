package sms

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/dialog"
)

func testOutbound() dialog.Outbound {
	return dialog.Outbound{
		ID: 42, ConversationID: 7, Channel: Name, Address: "+34600000001", Lang: "ca",
		Reply: dialog.Reply{
			Lines:   []dialog.Text{lit("El teu expedient EXP-2026-000101 està en tràmit.")},
			Options: []dialog.Option{{Label: lit("Historial"), Value: "hist:1"}, {Label: lit("Parlar amb una persona"), Value: "i:human"}},
		},
	}
}

func TestSend(t *testing.T) {
	tw := twiliotest.NewAPI(t)
	cfg := testConfig()
	cfg.APIURL = tw.URL
	c := newTestChannel(t, cfg, nil, nil)
	sid, err := c.Send(context.Background(), testOutbound())
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if want := fmt.Sprintf("SM%032d", 1); sid != want {
		t.Errorf("sid = %q, want %q", sid, want)
	}
	msgs := tw.Messages()
	if len(msgs) != 1 {
		t.Fatalf("sent %d messages, want 1", len(msgs))
	}
	if want := "POST /2010-04-01/Accounts/" + testSID + "/Messages.json"; tw.Requests()[0] != want {
		t.Errorf("request = %q, want %q", tw.Requests()[0], want)
	}
	if want := testSID + ":" + testToken; tw.Auth()[0] != want {
		t.Errorf("basic auth = %q, want %q", tw.Auth()[0], want)
	}
	got := msgs[0]
	want := url.Values{
		"To":             {"+34600000001"},
		"From":           {testFrom},
		"Body":           {"El teu expedient EXP-2026-000101 està en tràmit.\n1. Historial\n2. Parlar amb una persona\nRespon 1 o 2"},
		"StatusCallback": {testPublicURL + PathStatus},
	}
	if got.Encode() != want.Encode() {
		t.Errorf("form =\n%v\nwant\n%v", got, want)
	}
}

func TestSendMessagingService(t *testing.T) {
	tw := twiliotest.NewAPI(t)
	cfg := testConfig()
	cfg.APIURL = tw.URL + "/"
	cfg.MessagingServiceSID = "MG0123456789abcdef0123456789abcdef"
	c := newTestChannel(t, cfg, nil, nil)
	if _, err := c.Send(context.Background(), testOutbound()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	got := tw.Messages()[0]
	if got.Get("MessagingServiceSid") != cfg.MessagingServiceSID || got.Has("From") {
		t.Errorf("form = %v, want MessagingServiceSid and no From", got)
	}
}

func TestSendAPIURLPath(t *testing.T) {
	tw := twiliotest.NewAPI(t)
	cfg := testConfig()
	cfg.APIURL = tw.URL + "/twilio"
	c := newTestChannel(t, cfg, nil, nil)
	if _, err := c.Send(context.Background(), testOutbound()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if want := "POST /twilio/2010-04-01/Accounts/" + testSID + "/Messages.json"; tw.Requests()[0] != want {
		t.Errorf("request = %q, want %q", tw.Requests()[0], want)
	}
}

func TestSendErrors(t *testing.T) {
	tests := []struct {
		name       string
		respond    func(w http.ResponseWriter, form url.Values) bool
		optedOut   bool
		permanent  bool
		retryAfter time.Duration // > 0: a *dialog.RetryAfterError
	}{
		{"OptedOut", twiliotest.Error(400, 21610, "Attempt to send to unsubscribed recipient +34600000001"), true, true, 0},
		{"InvalidNumber", twiliotest.Error(400, 21211, "Invalid 'To' Phone Number: +34600000001"), false, true, 0},
		{"NotMobile", twiliotest.Error(400, 21614, "'To' number +34600000001 is not a valid mobile number"), false, true, 0},
		{"Unreachable", twiliotest.Error(400, 21612, "The 'To' phone number is not currently reachable"), false, true, 0},
		{"OtherBadRequest", twiliotest.Error(400, 21602, "Message body is required."), false, true, 0},
		{"Unauthorized", twiliotest.Error(401, 20003, "Authenticate"), false, false, 0},
		{"TooManyRequests", twiliotest.Error(429, 20429, "Too Many Requests"), false, false, 0},
		{"TooManyRequestsRetryAfter", func(w http.ResponseWriter, form url.Values) bool {
			w.Header().Set("Retry-After", "7")
			return twiliotest.Error(429, 20429, "Too Many Requests")(w, form)
		}, false, false, 7 * time.Second},
		{"ServerError", twiliotest.Error(500, 20500, "Internal Server Error"), false, false, 0},
		{"BadGatewayNotJSON", func(w http.ResponseWriter, form url.Values) bool {
			http.Error(w, "<html>bad gateway</html>", http.StatusBadGateway)
			return true
		}, false, false, 0},
		{"UnavailableRetryAfterDate", func(w http.ResponseWriter, form url.Values) bool {
			w.Header().Set("Retry-After", time.Now().Add(90*time.Second).UTC().Format(http.TimeFormat))
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return true
		}, false, false, 90 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tw := twiliotest.NewAPI(t)
			tw.Respond(tt.respond)
			cfg := testConfig()
			cfg.APIURL = tw.URL
			c := newTestChannel(t, cfg, nil, nil)
			sid, err := c.Send(context.Background(), testOutbound())
			if err == nil {
				t.Fatalf("Send: sid %q, no error", sid)
			}
			if got := errors.Is(err, dialog.ErrOptedOut); got != tt.optedOut {
				t.Errorf("errors.Is(%v, ErrOptedOut) = %v, want %v", err, got, tt.optedOut)
			}
			if got := errors.Is(err, dialog.ErrPermanent); got != tt.permanent {
				t.Errorf("errors.Is(%v, ErrPermanent) = %v, want %v", err, got, tt.permanent)
			}
			var ra *dialog.RetryAfterError
			if got := errors.As(err, &ra); got != (tt.retryAfter > 0) {
				t.Errorf("errors.As(%v, RetryAfterError) = %v, want %v", err, got, tt.retryAfter > 0)
			} else if got && (ra.After > tt.retryAfter || ra.After < tt.retryAfter-2*time.Second) {
				t.Errorf("retry after %v, want %v", ra.After, tt.retryAfter)
			}
			if s := err.Error(); strings.Contains(s, "600000001") || strings.Contains(s, "EXP-2026") {
				t.Errorf("error %q carries the number or the text", s)
			}
		})
	}
}

func TestSendNetworkError(t *testing.T) {
	tw := twiliotest.NewAPI(t)
	cfg := testConfig()
	cfg.APIURL = tw.URL
	tw.Close()
	c := newTestChannel(t, cfg, nil, nil)
	_, err := c.Send(context.Background(), testOutbound())
	if err == nil || errors.Is(err, dialog.ErrPermanent) {
		t.Errorf("Send to a closed server: err = %v, want a retryable error", err)
	}
}

func TestSendContext(t *testing.T) {
	release := make(chan struct{})
	tw := twiliotest.NewAPI(t)
	tw.Respond(func(w http.ResponseWriter, form url.Values) bool { <-release; return true })
	defer close(release)
	cfg := testConfig()
	cfg.APIURL = tw.URL
	c := newTestChannel(t, cfg, nil, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := c.Send(ctx, testOutbound())
	if err == nil || errors.Is(err, dialog.ErrPermanent) {
		t.Errorf("Send with a cancelled context: err = %v, want a retryable error", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Send took %v after its context ended", d)
	}
}

func TestSendEmpty(t *testing.T) {
	tw := twiliotest.NewAPI(t)
	cfg := testConfig()
	cfg.APIURL = tw.URL
	c := newTestChannel(t, cfg, nil, nil)
	for name, o := range map[string]dialog.Outbound{
		"NoLines":   {ID: 1, Channel: "sms", Address: "+34600000001"},
		"NoAddress": {ID: 2, Channel: "sms", Reply: dialog.Reply{Lines: []dialog.Text{lit("hola")}}},
	} {
		if _, err := c.Send(context.Background(), o); !errors.Is(err, dialog.ErrPermanent) {
			t.Errorf("%s: err = %v, want ErrPermanent", name, err)
		}
	}
	if n := len(tw.Messages()); n != 0 {
		t.Errorf("sent %d messages", n)
	}
}

// TestLogsRedacted sends and receives with a logger that keeps everything, and checks that
// no phone number or message text reaches the log.
func TestLogsRedacted(t *testing.T) {
	var logs strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logs.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	tw := twiliotest.NewAPI(t)
	cfg := testConfig()
	cfg.APIURL = tw.URL
	c, err := New(cfg, &twiliotest.Handler{}, &twiliotest.Outbox{}, catalog(), logger)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Send(context.Background(), testOutbound()); err != nil {
		t.Fatal(err)
	}
	tw.Respond(twiliotest.Error(400, 21610, "Attempt to send to unsubscribed recipient +34600000001"))
	if _, err := c.Send(context.Background(), testOutbound()); err == nil {
		t.Fatal("Send: no error")
	}
	post(t, c, PathInbound, inboundForm("+34600000001", "el meu DNI és 12345678Z"), "")
	post(t, c, PathInbound, inboundForm("+34600000001", strings.Repeat("llarg ", 400)), "")
	post(t, c, PathStatus, statusForm("SM1", "undelivered", "21610", "+34600000001"), "")
	mu.Lock()
	defer mu.Unlock()
	s := logs.String()
	for _, secret := range []string{"600000001", "EXP-2026", "12345678Z", "llarg", "Historial"} {
		if strings.Contains(s, secret) {
			t.Errorf("the log has %q:\n%s", secret, s)
		}
	}
	if !strings.Contains(s, "sms: sent") || !strings.Contains(s, "sms: inbound handled") {
		t.Errorf("the log misses the events:\n%s", s)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// Sends at once from many delivery workers reuse the connections the earlier ones opened,
// instead of dialling (a TLS handshake with Twilio) for all but two.
func TestSendReusesConnections(t *testing.T) {
	tw := twiliotest.NewAPI(t)
	cfg := testConfig()
	cfg.APIURL = tw.URL
	c := newTestChannel(t, cfg, nil, nil)
	const rounds, atOnce = 3, 40
	for range rounds {
		var wg sync.WaitGroup
		for range atOnce {
			wg.Go(func() {
				if _, err := c.Send(context.Background(), testOutbound()); err != nil {
					t.Errorf("Send: %v", err)
				}
			})
		}
		wg.Wait()
	}
	if n := tw.Conns(); n > atOnce+atOnce/4 {
		t.Errorf("%d connections for %d rounds of %d sends at once: kept connections are not reused", n, rounds, atOnce)
	}
}
