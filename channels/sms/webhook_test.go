package sms

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/dialog"
)

func inboundForm(from, body string) url.Values {
	return url.Values{
		"MessageSid": {"SM00000000000000000000000000000001"},
		"AccountSid": {testSID},
		"From":       {from},
		"To":         {testFrom},
		"Body":       {body},
		"NumMedia":   {"0"},
	}
}

func TestInbound(t *testing.T) {
	h := &twiliotest.Handler{}
	c := newTestChannel(t, testConfig(), h, nil)
	resp := post(t, c, PathInbound, inboundForm("+34600000001", "com va la meva sol·licitud?"), "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200", resp.StatusCode)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/xml" {
		t.Errorf("Content-Type = %q, want text/xml", ct)
	}
	if got := readBody(t, resp); got != twilio.EmptyTwiML {
		t.Errorf("body = %q, want %q", got, twilio.EmptyTwiML)
	}
	calls := h.Calls()
	if len(calls) != 1 {
		t.Fatalf("handled %d messages, want 1", len(calls))
	}
	want := dialog.Inbound{
		Channel:    Name,
		Caps:       Capabilities,
		Address:    "+34600000001",
		MessageID:  "SM00000000000000000000000000000001",
		Kind:       dialog.KindText,
		Text:       "com va la meva sol·licitud?",
		Phone:      "+34600000001",
		ReceivedAt: testNow,
	}
	if got := calls[0]; got != want {
		t.Errorf("inbound = %+v, want %+v", got, want)
	}
}

func TestInboundSignature(t *testing.T) {
	form := inboundForm("+34600000001", "hola")
	tests := []struct {
		name string
		sig  string
		want int
	}{
		{"Valid", "", http.StatusOK},
		{"Missing", "-", http.StatusForbidden},
		{"WrongToken", twiliotest.Sign("ffffffffffffffffffffffffffffffff", testPublicURL+PathInbound, form), http.StatusForbidden},
		{"WrongURL", twiliotest.Sign(testToken, "https://other.example"+PathInbound, form), http.StatusForbidden},
		{"OtherPath", twiliotest.Sign(testToken, testPublicURL+PathStatus, form), http.StatusForbidden},
		{"Garbage", "not-a-signature", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &twiliotest.Handler{}
			c := newTestChannel(t, testConfig(), h, nil)
			resp := post(t, c, PathInbound, form, tt.sig)
			if resp.StatusCode != tt.want {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.want)
			}
			if n := len(h.Calls()); tt.want != http.StatusOK && n != 0 {
				t.Errorf("handled %d messages with a bad signature", n)
			}
		})
	}
	t.Run("TamperedBody", func(t *testing.T) {
		h := &twiliotest.Handler{}
		c := newTestChannel(t, testConfig(), h, nil)
		sig := twiliotest.Sign(testToken, testPublicURL+PathInbound, form)
		tampered := inboundForm("+34600000001", "hola!")
		if resp := post(t, c, PathInbound, tampered, sig); resp.StatusCode != http.StatusForbidden {
			t.Errorf("status = %d, want 403", resp.StatusCode)
		}
		if n := len(h.Calls()); n != 0 {
			t.Errorf("handled %d messages", n)
		}
	})
	t.Run("PublicURLWithSlash", func(t *testing.T) {
		cfg := testConfig()
		cfg.PublicURL = testPublicURL + "/"
		c := newTestChannel(t, cfg, nil, nil)
		if resp := post(t, c, PathInbound, form, ""); resp.StatusCode != http.StatusOK {
			t.Errorf("status = %d, want 200", resp.StatusCode)
		}
	})
}

func TestInboundForm(t *testing.T) {
	long := strings.Repeat("Necessito ajuda amb la sol·licitud. ", 60) // 2,160 characters
	tests := []struct {
		name   string
		form   func(f url.Values)
		status int
		check  func(t *testing.T, in dialog.Inbound)
	}{
		{"NoFrom", func(f url.Values) { f.Del("From") }, http.StatusBadRequest, nil},
		{"EmptyFrom", func(f url.Values) { f.Set("From", "") }, http.StatusBadRequest, nil},
		{"NoBody", func(f url.Values) { f.Del("Body") }, http.StatusBadRequest, nil},
		{"EmptyBodyNoMedia", func(f url.Values) { f.Set("Body", "") }, http.StatusBadRequest, nil},
		{"NoMessageSid", func(f url.Values) { f.Del("MessageSid") }, http.StatusBadRequest, nil},
		{"BadNumMedia", func(f url.Values) { f.Set("NumMedia", "x") }, http.StatusBadRequest, nil},
		{"FromInvalidUTF8", func(f url.Values) { f.Set("From", "+34\xff") }, http.StatusBadRequest, nil},
		{"Media", func(f url.Values) { f.Set("Body", ""); f.Set("NumMedia", "1") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if in.Kind != dialog.KindMedia || in.Text != "" {
					t.Errorf("kind, text = %q, %q; want media, empty", in.Kind, in.Text)
				}
			}},
		{"MediaWithCaption", func(f url.Values) { f.Set("Body", "la carta"); f.Set("NumMedia", "2") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if in.Kind != dialog.KindMedia || in.Text != "la carta" {
					t.Errorf("kind, text = %q, %q; want media, %q", in.Kind, in.Text, "la carta")
				}
			}},
		{"MediaWithStop", func(f url.Values) { f.Set("Body", "STOP"); f.Set("NumMedia", "1") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if in.Kind != dialog.KindOptOut {
					t.Errorf("kind = %q, want opt-out", in.Kind)
				}
			}},
		{"NoNumMedia", func(f url.Values) { f.Del("NumMedia") }, http.StatusOK, nil},
		{"TooLong", func(f url.Values) { f.Set("Body", long) }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if n := utf8.RuneCountInString(in.Text); n != MaxBodyLimit || !strings.HasPrefix(long, in.Text) {
					t.Errorf("text is %d characters, want the first %d", n, MaxBodyLimit)
				}
				if !in.Truncated {
					t.Errorf("Truncated = false for a cut body")
				}
			}},
		{"InvalidUTF8", func(f url.Values) { f.Set("Body", "hola\xff\xfe\x00adéu") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if want := "hola\uFFFDadéu"; in.Text != want {
					t.Errorf("text = %q, want %q", in.Text, want)
				}
			}},
		{"ShortCode", func(f url.Values) { f.Set("From", "12345") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if in.Phone != "" || in.Address != "12345" {
					t.Errorf("phone, address = %q, %q; want empty, 12345", in.Phone, in.Address)
				}
			}},
		{"NotE164", func(f url.Values) { f.Set("From", "+34 600") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if in.Phone != "" {
					t.Errorf("phone = %q, want empty", in.Phone)
				}
			}},
		{"Alphanumeric", func(f url.Values) { f.Set("From", "MyGovTest") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if in.Phone != "" {
					t.Errorf("phone = %q, want empty", in.Phone)
				}
			}},
		{"WhatsApp", func(f url.Values) { f.Set("From", "whatsapp:+34600000001") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if in.Phone != "" {
					t.Errorf("phone = %q, want empty", in.Phone)
				}
			}},
		{"LeadingZero", func(f url.Values) { f.Set("From", "+0600000001") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if in.Phone != "" {
					t.Errorf("phone = %q, want empty", in.Phone)
				}
			}},
		{"OptOut", func(f url.Values) { f.Set("Body", " Baixa ") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if in.Kind != dialog.KindOptOut || in.Text != " Baixa " {
					t.Errorf("kind, text = %q, %q", in.Kind, in.Text)
				}
			}},
		{"StopWithNumber", func(f url.Values) { f.Set("Body", "stop 12345") }, http.StatusOK,
			func(t *testing.T, in dialog.Inbound) {
				if in.Kind != dialog.KindText {
					t.Errorf("kind = %q, want text", in.Kind)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &twiliotest.Handler{}
			c := newTestChannel(t, testConfig(), h, nil)
			form := inboundForm("+34600000001", "hola")
			tt.form(form)
			resp := post(t, c, PathInbound, form, "")
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d (%s)", resp.StatusCode, tt.status, readBody(t, resp))
			}
			calls := h.Calls()
			if tt.status != http.StatusOK {
				if len(calls) != 0 {
					t.Errorf("handled %d messages", len(calls))
				}
				return
			}
			if len(calls) != 1 {
				t.Fatalf("handled %d messages, want 1", len(calls))
			}
			if tt.check != nil {
				tt.check(t, calls[0])
			}
		})
	}
}

func TestInboundRaw(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		sig    string
		status int
	}{
		{"MalformedEncoding", "From=%2B34600000001&Body=%zz&MessageSid=SM1", "anything", http.StatusBadRequest},
		{"Oversized", "Body=" + strings.Repeat("a", MaxFormBytes), "anything", http.StatusRequestEntityTooLarge},
		{"OversizedWithoutSignature", "Body=" + strings.Repeat("a", MaxFormBytes), "-", http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &twiliotest.Handler{}
			c := newTestChannel(t, testConfig(), h, nil)
			resp := postRaw(t, c, PathInbound, tt.body, tt.sig)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if n := len(h.Calls()); n != 0 {
				t.Errorf("handled %d messages", n)
			}
		})
	}
	t.Run("NotForm", func(t *testing.T) {
		h := &twiliotest.Handler{}
		c := newTestChannel(t, testConfig(), h, nil)
		mux := http.NewServeMux()
		c.Routes(mux)
		form := inboundForm("+34600000001", "hola")
		req := newJSONRequest(form)
		req.Header.Set("X-Twilio-Signature", twiliotest.Sign(testToken, testPublicURL+PathInbound, form))
		rec := newRecorder()
		mux.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden {
			t.Errorf("status = %d, want 403", rec.Code)
		}
	})
	t.Run("MethodGet", func(t *testing.T) {
		c := newTestChannel(t, testConfig(), nil, nil)
		mux := http.NewServeMux()
		c.Routes(mux)
		rec := newRecorder()
		mux.ServeHTTP(rec, newGetRequest(PathInbound))
		if rec.Code != http.StatusMethodNotAllowed {
			t.Errorf("status = %d, want 405", rec.Code)
		}
	})
}

func TestInboundHandlerError(t *testing.T) {
	h := &twiliotest.Handler{HandleFunc: func(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
		return dialog.Result{}, errors.New("database is locked")
	}}
	c := newTestChannel(t, testConfig(), h, nil)
	resp := post(t, c, PathInbound, inboundForm("+34600000001", "hola"), "")
	if resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("status = %d, want 500", resp.StatusCode)
	}
	if body := readBody(t, resp); strings.Contains(body, "database") {
		t.Errorf("body %q leaks the error", body)
	}
}

func TestInboundDuplicate(t *testing.T) {
	h := &twiliotest.Handler{HandleFunc: func(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
		return dialog.Result{Duplicate: true}, nil
	}}
	c := newTestChannel(t, testConfig(), h, nil)
	resp := post(t, c, PathInbound, inboundForm("+34600000001", "hola"), "")
	if resp.StatusCode != http.StatusOK || readBody(t, resp) != twilio.EmptyTwiML {
		t.Errorf("status = %d, want 200 with empty TwiML", resp.StatusCode)
	}
}

func statusForm(sid, status, code, to string) url.Values {
	f := url.Values{
		"MessageSid":    {sid},
		"SmsSid":        {sid},
		"MessageStatus": {status},
		"AccountSid":    {testSID},
		"From":          {testFrom},
		"To":            {to},
	}
	if code != "" {
		f.Set("ErrorCode", code)
	}
	return f
}

func TestStatusCallback(t *testing.T) {
	tests := []struct {
		name     string
		form     url.Values
		sig      string
		status   int
		receipts []twiliotest.Receipt
		optOuts  []twiliotest.OptOut
	}{
		{"Delivered", statusForm("SM1", "delivered", "", "+34600000001"), "", 200,
			[]twiliotest.Receipt{{SID: "SM1", Status: "delivered", Code: ""}}, nil},
		{"Queued", statusForm("SM1", "queued", "", "+34600000001"), "", 200,
			[]twiliotest.Receipt{{SID: "SM1", Status: "queued", Code: ""}}, nil},
		{"Sent", statusForm("SM1", "sent", "", "+34600000001"), "", 200,
			[]twiliotest.Receipt{{SID: "SM1", Status: "sent", Code: ""}}, nil},
		{"Failed", statusForm("SM1", "failed", "30006", "+34600000001"), "", 200,
			[]twiliotest.Receipt{{SID: "SM1", Status: "failed", Code: "30006"}}, nil},
		{"UndeliveredOptedOut", statusForm("SM1", "undelivered", "21610", "+34600000001"), "", 200,
			[]twiliotest.Receipt{{SID: "SM1", Status: "undelivered", Code: "21610"}}, []twiliotest.OptOut{{Channel: "sms", Address: "+34600000001", Out: true}}},
		{"Sending", statusForm("SM1", "sending", "", "+34600000001"), "", 200, nil, nil},
		{"NoSid", statusForm("", "delivered", "", "+34600000001"), "", 200, nil, nil},
		{"BadSignature", statusForm("SM1", "undelivered", "21610", "+34600000001"), "bad", 403, nil, nil},
		{"NoSignature", statusForm("SM1", "delivered", "", "+34600000001"), "-", 403, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ob := &twiliotest.Outbox{}
			c := newTestChannel(t, testConfig(), nil, ob)
			resp := post(t, c, PathStatus, tt.form, tt.sig)
			if resp.StatusCode != tt.status {
				t.Fatalf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if tt.status == http.StatusOK && readBody(t, resp) != twilio.EmptyTwiML {
				t.Errorf("body is not the empty TwiML")
			}
			if !equal(ob.Receipts, tt.receipts) {
				t.Errorf("receipts = %v, want %v", ob.Receipts, tt.receipts)
			}
			if !equal(ob.OptOuts, tt.optOuts) {
				t.Errorf("opt-outs = %v, want %v", ob.OptOuts, tt.optOuts)
			}
		})
	}
	t.Run("RecordError", func(t *testing.T) {
		ob := &twiliotest.Outbox{RecordErr: errors.New("disk full")}
		c := newTestChannel(t, testConfig(), nil, ob)
		resp := post(t, c, PathStatus, statusForm("SM1", "undelivered", "21610", "+34600000001"), "")
		if resp.StatusCode != http.StatusOK {
			t.Errorf("status = %d, want 200", resp.StatusCode)
		}
		if len(ob.OptOuts) != 1 {
			t.Errorf("opt-outs = %v, want one", ob.OptOuts)
		}
	})
	t.Run("Repeated", func(t *testing.T) {
		ob := &twiliotest.Outbox{}
		c := newTestChannel(t, testConfig(), nil, ob)
		for range 2 {
			if resp := post(t, c, PathStatus, statusForm("SM1", "delivered", "", "+34600000001"), ""); resp.StatusCode != 200 {
				t.Fatalf("status = %d", resp.StatusCode)
			}
		}
		// The outbox dedupes on (sid, status); the channel passes both on.
		if len(ob.Receipts) != 2 || ob.Distinct() != 1 {
			t.Errorf("receipts = %v", ob.Receipts)
		}
	})
}

func equal[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestNew(t *testing.T) {
	h, ob := &twiliotest.Handler{}, &twiliotest.Outbox{}
	tests := []struct {
		name string
		edit func(c *Config)
		ok   bool
	}{
		{"Valid", func(c *Config) {}, true},
		{"ServiceOnly", func(c *Config) { c.From = ""; c.MessagingServiceSID = "MG0123" }, true},
		{"APIURL", func(c *Config) { c.APIURL = "http://127.0.0.1:9999" }, true},
		{"NoSID", func(c *Config) { c.AccountSID = "" }, false},
		{"SIDNotAlphanumeric", func(c *Config) { c.AccountSID = "AC-1" }, false},
		{"NoToken", func(c *Config) { c.AuthToken = "" }, false},
		{"TokenNotAlphanumeric", func(c *Config) { c.AuthToken = "abc$" }, false},
		{"NoSender", func(c *Config) { c.From = "" }, false},
		{"NoPublicURL", func(c *Config) { c.PublicURL = "" }, false},
		{"RelativePublicURL", func(c *Config) { c.PublicURL = "mygov.example" }, false},
		{"BadAPIURL", func(c *Config) { c.APIURL = "ftp://x" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			tt.edit(&cfg)
			c, err := New(cfg, h, ob, catalog(), nil)
			if (err == nil) != tt.ok {
				t.Fatalf("New: err = %v, want ok %v", err, tt.ok)
			}
			if err != nil && strings.Contains(err.Error(), testToken) {
				t.Errorf("error %q leaks the token", err)
			}
			if c != nil && (c.cfg.SegmentBudget != 2 || c.cfg.MaxBody != MaxBodyLimit) {
				t.Errorf("defaults not applied: %+v", c.cfg)
			}
		})
	}
	t.Run("Nils", func(t *testing.T) {
		if _, err := New(testConfig(), nil, nil, nil, nil); err == nil {
			t.Error("New with no handler, outbox or catalog: no error")
		}
	})
}
