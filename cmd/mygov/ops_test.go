package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/internal/config"
	"github.com/catalonia/mygov/internal/metrics"
	"github.com/catalonia/mygov/sqlite"
)

// runOut runs mygov with args and the environment kv, and returns its exit code and output.
func runOut(t *testing.T, args []string, kv ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, env(kv...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestHelpEverywhere(t *testing.T) {
	for _, args := range [][]string{
		{"--help"}, {"-h"}, {"help"}, {"serve", "--help"}, {"migrate", "--help"}, {"migrate", "-h"},
		{"chat", "-h"}, {"seed", "--help"}, {"privacy", "--help"}, {"config", "--help"}, {"version", "-h"},
		{"train", "--help"}, {"eval", "-h"}, {"classify", "--help"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			// An invalid setting must not stop help, and help must not run the command.
			code, out, errs := runOut(t, args, config.EnvSMSSegments, "abc", config.EnvDB, t.TempDir()+"/never.db")
			if code != 0 || !strings.Contains(out, "Usage:") {
				t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errs)
			}
		})
	}
}

func TestUnknownCommandHelp(t *testing.T) {
	if code, _, _ := runOut(t, []string{"frobnicate", "--help"}); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}

func TestVersion(t *testing.T) {
	code, out, _ := runOut(t, []string{"version"})
	if code != 0 || !strings.HasPrefix(out, "mygov ") {
		t.Errorf("exit %d, output %q", code, out)
	}
}

// TestInvalidConfiguration: every invalid value is an error naming the variable, where it
// used to become the default in silence.
func TestInvalidConfiguration(t *testing.T) {
	tests := []struct {
		name string
		kv   []string
		want []string
	}{
		{"Segments", []string{config.EnvSMSSegments, "abc"}, []string{config.EnvSMSSegments, "whole number"}},
		{"LogLevel", []string{config.EnvLogLevel, "verbose"}, []string{config.EnvLogLevel, "debug, info"}},
		{"LogFormat", []string{config.EnvLogFormat, "xml"}, []string{config.EnvLogFormat, "json"}},
		{"DurationWithoutUnit", []string{config.EnvVerifyIdle, "30"}, []string{config.EnvVerifyIdle, "unit"}},
		{"ThresholdAsPercent", []string{config.EnvConfidenceThresh, "60"}, []string{config.EnvConfidenceThresh, "0 to 1"}},
		{"GSM7", []string{config.EnvSMSGSM7, "maybe"}, []string{config.EnvSMSGSM7}},
		{"Retention", []string{config.EnvRetentionDays, "-3"}, []string{config.EnvRetentionDays}},
		{"Workers", []string{config.EnvDeliveryWorkers, "0"}, []string{config.EnvDeliveryWorkers}},
		{"RescueShorterThanTimeout", []string{config.EnvDeliveryTimeout, "30s", config.EnvDeliveryRescue, "10s"}, []string{config.EnvDeliveryRescue}},
		{"Addr", []string{config.EnvAddr, "8080"}, []string{config.EnvAddr}},
		{"SMSRate", []string{config.EnvSMSRate, "fast"}, []string{config.EnvSMSRate, "messages a second"}},
		{"TelegramRate", []string{config.EnvTelegramRate, "-1"}, []string{config.EnvTelegramRate}},
		{"DatabaseURL", []string{config.EnvDatabaseURL, "mysql://x"}, []string{config.EnvDatabaseURL}},
		{"PublicURL", []string{config.EnvPublicURL, "mygov.example"}, []string{config.EnvPublicURL}},
		{"TwilioWithoutToken", []string{config.EnvTwilioSID, "AC1", config.EnvTwilioFrom, "+34600000000", config.EnvPublicURL, "https://x.example"},
			[]string{config.EnvTwilioToken, "missing"}},
		{"TwilioShortFrom", []string{config.EnvTwilioSID, "AC1", config.EnvTwilioToken, "t0k", config.EnvTwilioFrom, "600", config.EnvPublicURL, "https://x.example"},
			[]string{config.EnvTwilioFrom, "E.164"}},
		{"SMSWithoutPublicURL", []string{config.EnvTwilioSID, "AC1", config.EnvTwilioToken, "t0k", config.EnvTwilioFrom, "+34600000000"},
			[]string{config.EnvPublicURL, "missing"}},
		{"TelegramSecretWithoutToken", []string{config.EnvTelegramSecret, "s"}, []string{config.EnvTelegramSecret, config.EnvTelegramToken}},
		{"TelegramWebhookWithoutSecret", []string{config.EnvTelegramToken, "1:a", config.EnvTelegramWebhook, "https://x.example/tg"}, []string{config.EnvTelegramSecret}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runOut(t, []string{"serve"}, tt.kv...)
			if code == 0 {
				t.Fatalf("serve started with %v", tt.kv)
			}
			for _, w := range tt.want {
				if !strings.Contains(errs, w) {
					t.Errorf("message lacks %q:\n%s", w, errs)
				}
			}
			if code, out, _ := runOut(t, []string{"config", "check"}, tt.kv...); code == 0 {
				t.Errorf("config check passed:\n%s", out)
			}
		})
	}
}

func TestConfigErrorsHideSecrets(t *testing.T) {
	_, _, errs := runOut(t, []string{"serve"}, config.EnvTwilioSID, "AC1", config.EnvTwilioToken, "sec-ret!", config.EnvTwilioFrom, "+34600000000", config.EnvPublicURL, "https://x.example")
	if strings.Contains(errs, "sec-ret!") || !strings.Contains(errs, config.EnvTwilioToken) {
		t.Errorf("message:\n%s", errs)
	}
}

func TestConfigCheckValid(t *testing.T) {
	code, out, errs := runOut(t, []string{"config", "check"}, config.EnvTwilioSID, "AC1", config.EnvTwilioToken, "tok", config.EnvTwilioFrom, "+34600000000",
		config.EnvPublicURL, "https://mygov.example", config.EnvLogFormat, "json", config.EnvDeliveryWorkers, "50")
	if code != 0 || !strings.Contains(out, "sms: on") || !strings.Contains(out, "50 workers") || strings.Contains(out, "tok\n") {
		t.Errorf("exit %d\n%s\n%s", code, out, errs)
	}
}

// /readyz says 503 when the database is gone, where /healthz said ok; /metrics answers
// Prometheus text and wants the token when one is set.
func TestReadyzAndMetrics(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "mygov.db"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := config.Load(env(config.EnvMetricsToken, "tok"))
	m := &Main{Config: cfg, Log: slog.New(slog.DiscardHandler), Store: st, Metrics: metrics.New(0.5)}
	mux := http.NewServeMux()
	m.routeOps(mux, map[string]delivery.Sender{"sms": nil})
	get := func(path, auth string) (int, string) {
		req := httptest.NewRequest(http.MethodGet, path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	if code, body := get("/readyz", ""); code != 200 || !strings.Contains(body, "database: ok") || !strings.Contains(body, "sms: ok") {
		t.Errorf("/readyz = %d %q", code, body)
	}
	if code, _ := get("/metrics", ""); code != 401 {
		t.Errorf("/metrics without the token = %d, want 401", code)
	}
	if code, body := get("/metrics", "Bearer tok"); code != 200 || !strings.Contains(body, "mygov_delivery_queue_depth") {
		t.Errorf("/metrics = %d, lacks the queue depth:\n%.300s", code, body)
	}
	st.Close()
	if code, body := get("/readyz", ""); code != 503 || !strings.Contains(body, "database: not ready") {
		t.Errorf("/readyz with the database closed = %d %q, want 503", code, body)
	}
}
