package whatsapp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/channels/twilio/twiliotest"
)

// TestLateOutsideWindow: Twilio accepts a free-form reply, then reports it failed with
// 63016 in the status callback; the receipt is recorded and the template goes instead.
func TestLateOutsideWindow(t *testing.T) {
	receipt := func(sid string) url.Values {
		return url.Values{"MessageSid": {sid}, "MessageStatus": {"failed"}, "ErrorCode": {strconv.Itoa(twilio.CodeOutsideWindow)},
			"To": {maria}, "From": {sender}}
	}
	api := twiliotest.NewAPI(t)
	ob := &twiliotest.Outbox{}
	c := channel(t, config(), nil, ob, api)
	o := notice()
	o.LastInbound = now.Add(-23 * time.Hour) // the engine thought the window open
	sid, err := c.Send(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // a repeated receipt sends nothing more
		if resp := signed(t, c, PathStatus, receipt(sid)); resp.StatusCode != http.StatusOK {
			t.Fatalf("status callback answered %d", resp.StatusCode)
		}
	}
	msgs := api.Messages()
	if len(msgs) != 2 || !msgs[0].Has("Body") || msgs[1].Get("ContentSid") != sidStatus {
		t.Errorf("messages = %v, want the free-form reply, then the template", msgs)
	}
	if len(ob.Receipts) != 2 || ob.Receipts[0].Code != "63016" {
		t.Errorf("receipts = %v, want the 63016 recorded", ob.Receipts)
	}
	t.Run("UnknownSid", func(t *testing.T) {
		if resp := signed(t, c, PathStatus, receipt("SMunknown")); resp.StatusCode != http.StatusOK {
			t.Fatalf("status callback answered %d", resp.StatusCode)
		}
		if n := len(api.Messages()); n != 2 {
			t.Errorf("%d messages, want no more", n)
		}
	})
}

func TestRecentIsBounded(t *testing.T) {
	var r recent
	for i := range maxRecent + 10 {
		r.add("SM"+strconv.Itoa(i), reply())
	}
	if _, ok := r.take("SM0"); ok {
		t.Error("the oldest reply is still remembered")
	}
	if _, ok := r.take("SM" + strconv.Itoa(maxRecent+9)); !ok {
		t.Error("the newest reply is forgotten")
	}
	if len(r.bySID) != maxRecent-1 || len(r.order) != maxRecent {
		t.Errorf("%d remembered, %d in order", len(r.bySID), len(r.order))
	}
}
