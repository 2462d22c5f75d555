package whatsapp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/channels/twilio/twiliotest"
	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
)

var _ delivery.Sender = (*Channel)(nil)

// reply is an answer to Maria, who wrote an hour ago.
func reply() dialog.Outbound {
	return dialog.Outbound{
		ID: 42, ConversationID: 7, Channel: Name, Address: maria, Lang: "ca", LastInbound: now.Add(-time.Hour),
		Reply: dialog.Reply{Lines: []dialog.Text{dialog.T("status.item", "Ref", "EXP-2026-000101", "Procedure", "Renda garantida",
			"Administration", "Generalitat", "Date", "01/03/2026").WithKey("Status", "status.word.in_review")}},
	}
}

// notice is a status-change notice to Maria, who wrote two days ago.
func notice() dialog.Outbound {
	o := reply()
	o.LastInbound = now.Add(-48 * time.Hour)
	o.Reply.Notice = dialog.NoticeStatusChange
	return o
}

func vars(t *testing.T, form url.Values) map[string]string {
	t.Helper()
	var m map[string]string
	if err := json.Unmarshal([]byte(form.Get("ContentVariables")), &m); err != nil {
		t.Fatalf("ContentVariables %q: %v", form.Get("ContentVariables"), err)
	}
	return m
}

func TestSendInWindow(t *testing.T) {
	api := twiliotest.NewAPI(t)
	c := channel(t, config(), nil, nil, api)
	sid, err := c.Send(context.Background(), reply())
	if err != nil || sid == "" {
		t.Fatalf("Send: %q, %v", sid, err)
	}
	msgs := api.Messages()
	if len(msgs) != 1 {
		t.Fatalf("sent %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.Get("From") != sender || m.Get("To") != maria || m.Get("StatusCallback") != publicURL+PathStatus {
		t.Errorf("From %q To %q StatusCallback %q", m.Get("From"), m.Get("To"), m.Get("StatusCallback"))
	}
	if !strings.Contains(m.Get("Body"), "EXP-2026-000101") || m.Has("ContentSid") {
		t.Errorf("free-form message = %v", m)
	}
}

func TestSendOutsideWindow(t *testing.T) {
	api := twiliotest.NewAPI(t)
	c := channel(t, config(), nil, nil, api)
	if _, err := c.Send(context.Background(), notice()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	m := api.Messages()[0]
	if m.Get("ContentSid") != sidStatus || m.Has("Body") || m.Get("From") != sender {
		t.Fatalf("outside the window: %v, want the status-change template and no Body", m)
	}
	v := vars(t, m)
	if v["1"] != "EXP-2026-000101" || v["2"] != "en revisió" || !strings.Contains(v["3"], "Renda garantida") || strings.Contains(v["3"], "\n") {
		t.Errorf("variables = %q", v)
	}
}

func TestSendWindowEdges(t *testing.T) {
	for _, tt := range []struct {
		name     string
		last     time.Time
		template bool
	}{
		{"JustWrote", now, false},
		{"InsideMargin", now.Add(-Window + DefaultWindowMargin + time.Minute), false},
		{"WithinMargin", now.Add(-Window + time.Minute), true},
		{"Closed", now.Add(-Window - time.Second), true},
		{"NeverWrote", time.Time{}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := twiliotest.NewAPI(t)
			c := channel(t, config(), nil, nil, api)
			o := notice()
			o.LastInbound = tt.last
			if _, err := c.Send(context.Background(), o); err != nil {
				t.Fatal(err)
			}
			if got := api.Messages()[0].Has("ContentSid"); got != tt.template {
				t.Errorf("template = %v, want %v", got, tt.template)
			}
		})
	}
}

func TestSendNoTemplate(t *testing.T) {
	api := twiliotest.NewAPI(t)
	cfg := config()
	cfg.Templates = nil
	c := channel(t, cfg, nil, nil, api)
	_, err := c.Send(context.Background(), notice())
	if !errors.Is(err, dialog.ErrPermanent) {
		t.Errorf("err = %v, want ErrPermanent", err)
	}
	if n := len(api.Messages()); n != 0 {
		t.Errorf("sent %d messages outside the window without a template", n)
	}
}

func TestSendLateAnswerUsesReplyTemplate(t *testing.T) {
	api := twiliotest.NewAPI(t)
	c := channel(t, config(), nil, nil, api)
	o := reply()
	o.Lang = "es"
	o.LastInbound = now.Add(-25 * time.Hour)
	if _, err := c.Send(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	m := api.Messages()[0]
	if m.Get("ContentSid") != sidReply || !strings.Contains(vars(t, m)["1"], "EXP-2026-000101") {
		t.Errorf("late answer = %v", m)
	}
}

func TestSendRefusedOutsideWindow(t *testing.T) {
	t.Run("FallsBackToTemplate", func(t *testing.T) {
		api := twiliotest.NewAPI(t)
		api.Respond(func(w http.ResponseWriter, form url.Values) bool {
			return form.Has("Body") && twiliotest.Error(400, twilio.CodeOutsideWindow, "Message failed to send because more than 24 hours have passed")(w, form)
		})
		c := channel(t, config(), nil, nil, api)
		o := notice()
		o.LastInbound = now.Add(-time.Hour) // the engine thought the window open
		sid, err := c.Send(context.Background(), o)
		if err != nil || sid == "" {
			t.Fatalf("Send: %q, %v", sid, err)
		}
		msgs := api.Messages()
		if len(msgs) != 2 || msgs[1].Get("ContentSid") != sidStatus {
			t.Errorf("messages = %v, want the refused one and the template", msgs)
		}
	})
	t.Run("NoTemplateIsPermanent", func(t *testing.T) {
		api := twiliotest.NewAPI(t)
		api.Respond(twiliotest.Error(400, twilio.CodeOutsideWindow, "outside window"))
		cfg := config()
		cfg.Templates = nil
		c := channel(t, cfg, nil, nil, api)
		_, err := c.Send(context.Background(), reply())
		if !errors.Is(err, dialog.ErrPermanent) || !strings.Contains(err.Error(), "63016") {
			t.Errorf("err = %v, want ErrPermanent naming 63016", err)
		}
	})
}

func TestSendErrors(t *testing.T) {
	for _, tt := range []struct {
		name      string
		respond   func(w http.ResponseWriter, form url.Values) bool
		permanent bool
		retry     bool
	}{
		{"TooManyRequests", func(w http.ResponseWriter, form url.Values) bool {
			w.Header().Set("Retry-After", "3")
			return twiliotest.Error(429, 20429, "Too Many Requests")(w, form)
		}, false, true},
		{"ServerError", twiliotest.Error(500, 20500, "Internal Server Error"), false, false},
		{"NotOnWhatsApp", twiliotest.Error(400, twilio.CodeNotOnWhatsApp, "Twilio could not find a Channel with the To address whatsapp:+34600000001"), true, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := twiliotest.NewAPI(t)
			api.Respond(tt.respond)
			c := channel(t, config(), nil, nil, api)
			_, err := c.Send(context.Background(), reply())
			var ra *dialog.RetryAfterError
			if err == nil || errors.Is(err, dialog.ErrPermanent) != tt.permanent || errors.As(err, &ra) != tt.retry {
				t.Errorf("err = %v; want permanent %v, retry-after %v", err, tt.permanent, tt.retry)
			}
			if strings.Contains(err.Error(), "600000001") {
				t.Errorf("error %q carries the number", err)
			}
		})
	}
}

func TestSendQuickReply(t *testing.T) {
	api := twiliotest.NewAPI(t)
	c := channel(t, config(), nil, nil, api)
	o := reply()
	o.Reply.Options = []dialog.Option{
		{Label: dialog.T("menu.status"), Value: "i:status"},
		{Label: dialog.T("menu.my_data"), Value: "i:my_data"},
		{Label: lit("Una etiqueta massa llarga per a un botó"), Value: "i:human"},
	}
	if _, err := c.Send(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	m := api.Messages()[0]
	if m.Get("ContentSid") != sidQuick3 || m.Has("Body") {
		t.Fatalf("menu of three = %v, want the quick reply", m)
	}
	v := vars(t, m)
	if !strings.Contains(v["1"], "1. ") || !strings.Contains(v["1"], "3. Una etiqueta massa llarga per a un botó") {
		t.Errorf("body %q lacks the numbered options", v["1"])
	}
	if v["3"] != "i:status" || v["7"] != "i:human" || utf8.RuneCountInString(v["6"]) > maxButtonTitle {
		t.Errorf("buttons = %q", v)
	}
}

func TestSendEmpty(t *testing.T) {
	api := twiliotest.NewAPI(t)
	c := channel(t, config(), nil, nil, api)
	for name, o := range map[string]dialog.Outbound{
		"NoLines":   {ID: 1, Channel: Name, Address: maria, LastInbound: now},
		"NoAddress": {ID: 2, Channel: Name, LastInbound: now, Reply: dialog.Reply{Lines: []dialog.Text{lit("hola")}}},
	} {
		if _, err := c.Send(context.Background(), o); !errors.Is(err, dialog.ErrPermanent) {
			t.Errorf("%s: err = %v, want ErrPermanent", name, err)
		}
	}
	if n := len(api.Messages()); n != 0 {
		t.Errorf("sent %d messages", n)
	}
}
