package whatsapp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/dialog"
)

func TestInbound(t *testing.T) {
	h := &twiliotest.Handler{}
	c := channel(t, config(), h, nil, nil)
	resp := signed(t, c, PathInbound, message("com va la meva sol·licitud?"))
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != twilio.EmptyTwiML {
		t.Fatalf("answer %d %q, want 200 and the empty TwiML", resp.StatusCode, body)
	}
	want := dialog.Inbound{
		Channel: Name, Caps: Capabilities, Address: maria, MessageID: "SM00000000000000000000000000000001",
		Kind: dialog.KindText, Text: "com va la meva sol·licitud?", Phone: "+34600000001", ReceivedAt: now,
	}
	if calls := h.Calls(); len(calls) != 1 || calls[0] != want {
		t.Errorf("inbound = %+v, want %+v", calls, want)
	}
}

func TestInboundKinds(t *testing.T) {
	tests := []struct {
		name    string
		form    url.Values
		kind    dialog.Kind
		text    string
		payload string
	}{
		{"Stop", message("STOP"), dialog.KindOptOut, "STOP", ""},
		{"Baixa", message(" baixa! "), dialog.KindOptOut, " baixa! ", ""},
		{"Alta", message("ALTA"), dialog.KindOptIn, "ALTA", ""},
		{"Ajuda", message("Ajuda"), dialog.KindSMSHelp, "Ajuda", ""},
		{"CancelarIsText", message("Cancelar"), dialog.KindText, "Cancelar", ""},
		{"ProuIsText", message("prou"), dialog.KindText, "prou", ""},
		{"Photo", message("", "NumMedia", "1", "MediaContentType0", "image/jpeg",
			"MediaUrl0", "https://api.twilio.com/2010-04-01/Accounts/AC/Messages/MM/Media/ME"),
			dialog.KindMedia, "[media: image/jpeg]", ""},
		{"PDFWithCaption", message("la carta", "NumMedia", "1", "MediaContentType0", "application/pdf"),
			dialog.KindMedia, "[media: application/pdf]\nla carta", ""},
		{"TwoFiles", message("", "NumMedia", "2", "MediaContentType0", "image/png", "MediaContentType1", "audio/ogg"),
			dialog.KindMedia, "[media: image/png, audio/ogg]", ""},
		{"HostileMediaType", message("", "NumMedia", "1", "MediaContentType0", "<script>alert(1)</script>"),
			dialog.KindMedia, "[media: unknown]", ""},
		{"ManyMediaCapped", message("", "NumMedia", "999"), dialog.KindMedia,
			"[media: " + strings.TrimSuffix(strings.Repeat("unknown, ", 10), ", ") + "]", ""},
		{"StopWithPhotoOptsOut", message("STOP", "NumMedia", "1", "MediaContentType0", "image/jpeg"), dialog.KindOptOut, "STOP", ""},
		{"Button", message("Els meus tràmits", "ButtonText", "Els meus tràmits", "ButtonPayload", "i:status"),
			dialog.KindButton, "Els meus tràmits", "i:status"},
		{"HostileButtonIgnored", message("hola", "ButtonPayload", "i:\x00status"), dialog.KindText, "hola", ""},
		{"InvalidUTF8", message("hola \xff\xfe"), dialog.KindText, "hola \uFFFD", ""},
		{"NUL", message("ho\x00la"), dialog.KindText, "hola", ""},
		{"Formatting", message("*hola* _tu_"), dialog.KindText, "*hola* _tu_", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &twiliotest.Handler{}
			c := channel(t, config(), h, nil, nil)
			if resp := signed(t, c, PathInbound, tt.form); resp.StatusCode != http.StatusOK {
				t.Fatalf("answer %d, want 200", resp.StatusCode)
			}
			calls := h.Calls()
			if len(calls) != 1 {
				t.Fatalf("handled %d messages, want 1", len(calls))
			}
			got := calls[0]
			if got.Kind != tt.kind || got.Text != tt.text || got.Payload != tt.payload || got.Phone != "+34600000001" {
				t.Errorf("inbound kind %q text %q payload %q phone %q; want %q %q %q", got.Kind, got.Text, got.Payload, got.Phone,
					tt.kind, tt.text, tt.payload)
			}
		})
	}
}

func TestInboundRejected(t *testing.T) {
	valid := message("hola")
	long := message(strings.Repeat("a", 70<<10))
	tests := []struct {
		name   string
		body   string
		sig    string
		status int
	}{
		{"NoSignature", valid.Encode(), "", http.StatusForbidden},
		{"WrongSignature", valid.Encode(), twiliotest.Sign("ffffffffffffffffffffffffffffffff", publicURL+PathInbound, valid), http.StatusForbidden},
		{"SMSPathSignature", valid.Encode(), twiliotest.Sign(authToken, publicURL+"/sms/twilio", valid), http.StatusForbidden},
		{"Oversized", long.Encode(), twiliotest.Sign(authToken, publicURL+PathInbound, long), http.StatusRequestEntityTooLarge},
		{"MalformedForm", "Body=%zz&From=x", "c2lnbmF0dXJl", http.StatusBadRequest},
	}
	for name, form := range map[string]url.Values{
		"Empty":          {},
		"NoSid":          message("hola", "MessageSid", ""),
		"NoFrom":         message("hola", "From", ""),
		"SMSNumber":      message("hola", "From", "+34600000001"),
		"PrefixOnly":     message("hola", "From", "whatsapp:"),
		"NotE164":        message("hola", "From", "whatsapp:600000001"),
		"HostileFrom":    message("hola", "From", "whatsapp:+34600000001\r\nX: y"),
		"NoBody":         func() url.Values { f := message(""); f.Del("Body"); return f }(),
		"EmptyBody":      message(""),
		"BadNumMedia":    message("hola", "NumMedia", "-1"),
		"HostileSid":     message("hola", "MessageSid", "SM\x01\x02"),
		"OversizedField": message("hola", "MessageSid", strings.Repeat("S", 65)),
	} {
		tests = append(tests, struct {
			name   string
			body   string
			sig    string
			status int
		}{name, form.Encode(), twiliotest.Sign(authToken, publicURL+PathInbound, form), http.StatusBadRequest})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &twiliotest.Handler{}
			c := channel(t, config(), h, nil, nil)
			resp := twiliotest.Webhook(t, c.Routes, PathInbound, tt.body, tt.sig)
			if resp.StatusCode != tt.status {
				t.Errorf("answer %d, want %d", resp.StatusCode, tt.status)
			}
			if n := len(h.Calls()); n != 0 {
				t.Errorf("handled %d messages", n)
			}
		})
	}
}

func TestInboundTruncated(t *testing.T) {
	h := &twiliotest.Handler{}
	c := channel(t, config(), h, nil, nil)
	signed(t, c, PathInbound, message(strings.Repeat("é", MaxBodyLimit+10)))
	calls := h.Calls()
	if len(calls) != 1 || !calls[0].Truncated || len([]rune(calls[0].Text)) != MaxBodyLimit {
		t.Errorf("a long message was not truncated to %d characters: %d calls", MaxBodyLimit, len(calls))
	}
}

func TestInboundHandlerError(t *testing.T) {
	h := &twiliotest.Handler{HandleFunc: func(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
		return dialog.Result{}, errors.New("database down")
	}}
	c := channel(t, config(), h, nil, nil)
	if resp := signed(t, c, PathInbound, message("hola")); resp.StatusCode != http.StatusInternalServerError {
		t.Errorf("answer %d, want 500 so that Twilio retries", resp.StatusCode)
	}
}

func TestStatusReceipts(t *testing.T) {
	for _, tt := range []struct {
		status, code string
		want         []twiliotest.Receipt
		optOuts      int
	}{
		{"read", "", []twiliotest.Receipt{{SID: "SM1", Status: "read"}}, 0},
		{"delivered", "", []twiliotest.Receipt{{SID: "SM1", Status: "delivered"}}, 0},
		{"failed", "63016", []twiliotest.Receipt{{SID: "SM1", Status: "failed", Code: "63016"}}, 0},
		{"undelivered", "21610", []twiliotest.Receipt{{SID: "SM1", Status: "undelivered", Code: "21610"}}, 1},
		{"sending", "", nil, 0},
	} {
		t.Run(tt.status+tt.code, func(t *testing.T) {
			ob := &twiliotest.Outbox{}
			c := channel(t, config(), nil, ob, nil)
			form := url.Values{"MessageSid": {"SM1"}, "MessageStatus": {tt.status}, "To": {maria}, "From": {sender}}
			if tt.code != "" {
				form.Set("ErrorCode", tt.code)
			}
			if resp := signed(t, c, PathStatus, form); resp.StatusCode != http.StatusOK {
				t.Fatalf("answer %d", resp.StatusCode)
			}
			if len(ob.Receipts) != len(tt.want) || (len(tt.want) > 0 && ob.Receipts[0] != tt.want[0]) {
				t.Errorf("receipts = %v, want %v", ob.Receipts, tt.want)
			}
			if len(ob.OptOuts) != tt.optOuts || (tt.optOuts > 0 && ob.OptOuts[0] != twiliotest.OptOut{Channel: Name, Address: maria, Out: true}) {
				t.Errorf("opt-outs = %v", ob.OptOuts)
			}
		})
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		name string
		edit func(c *Config)
		ok   bool
	}{
		{"Valid", func(c *Config) {}, true},
		{"Service", func(c *Config) { c.From = ""; c.MessagingServiceSID = "MG0123" }, true},
		{"NoSender", func(c *Config) { c.From = "" }, false},
		{"SenderWithoutPrefix", func(c *Config) { c.From = "+14155238886" }, false},
		{"NoToken", func(c *Config) { c.AuthToken = "" }, false},
		{"NoPublicURL", func(c *Config) { c.PublicURL = "" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config()
			tt.edit(&cfg)
			_, err := New(cfg, &twiliotest.Handler{}, &twiliotest.Outbox{}, cat(), nil)
			if (err == nil) != tt.ok {
				t.Errorf("New: err = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
