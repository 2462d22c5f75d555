package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
)

// testDeliveryClaims checks the claims that send each reply once, in order: the pending
// replies of a conversation oldest first, one claim at a time, an expired claim taken
// again as unsure, a release that says whether the send may have happened.
func testDeliveryClaims(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	var ids []int64
	var conv int64
	turn(t, s, chSMS, "+34600000001", func(ctx context.Context, tx dialog.Tx) error {
		conv = tx.Conversation().ID
		for i := range 3 {
			o := outbound(tx.Conversation(), i, "aprovada")
			if err := tx.AddOutbound(ctx, o); err != nil {
				return err
			}
			ids = append(ids, o.ID)
		}
		return nil
	})
	pending, err := s.PendingOutbound(ctx, conv, ids[1])
	if err != nil || len(pending) != 2 || pending[0].ID != ids[0] || pending[1].ID != ids[1] {
		t.Fatalf("PendingOutbound up to the second = %+v, %v; want the first two, in order", pending, err)
	}
	if pending[0].Address != "+34600000001" || pending[0].Channel != chSMS || len(pending[0].Reply.Lines) != 1 {
		t.Errorf("pending reply = %+v", pending[0])
	}
	if q, err := s.QueuedOutbound(ctx); err != nil || q[chSMS] != 3 {
		t.Errorf("QueuedOutbound = %v, %v; want 3 on sms", q, err)
	}

	c, err := s.ClaimOutbound(ctx, ids[0], time.Minute)
	if err != nil || !c.OK || c.Unsure {
		t.Fatalf("first claim = %+v, %v; want OK, sure", c, err)
	}
	if c, err := s.ClaimOutbound(ctx, ids[0], time.Minute); err != nil || c.OK || !c.Held {
		t.Errorf("second claim = %+v, %v; want held by the first", c, err)
	}
	if err := s.ReleaseOutbound(ctx, ids[0], true); err != nil {
		t.Fatal(err)
	}
	c, err = s.ClaimOutbound(ctx, ids[0], time.Minute)
	if err != nil || !c.OK || !c.Unsure || c.Since.IsZero() {
		t.Errorf("claim after an unsure release = %+v, %v; want OK, unsure since the first try", c, err)
	}
	if err := s.ReleaseOutbound(ctx, ids[0], false); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ClaimOutbound(ctx, ids[0], -time.Second); err != nil || !c.OK || c.Unsure {
		t.Errorf("claim after a sure release = %+v, %v; want OK, sure", c, err)
	}
	// The claim above expired at once, as a crashed worker's does: the next is unsure.
	if c, err := s.ClaimOutbound(ctx, ids[0], time.Minute); err != nil || !c.OK || !c.Unsure {
		t.Errorf("claim after an expired one = %+v, %v; want OK, unsure", c, err)
	}
	if err := s.MarkOutbound(ctx, ids[0], dialog.DeliverySent, "SM1"); err != nil {
		t.Fatal(err)
	}
	if c, err := s.ClaimOutbound(ctx, ids[0], time.Minute); err != nil || c.OK || c.Held {
		t.Errorf("claim of a sent reply = %+v, %v; want neither", c, err)
	}
	if used, err := s.ProviderIDRecorded(ctx, "SM1"); err != nil || !used {
		t.Errorf("ProviderIDRecorded(SM1) = %v, %v", used, err)
	}
	if used, err := s.ProviderIDRecorded(ctx, "SM2"); err != nil || used {
		t.Errorf("ProviderIDRecorded(SM2) = %v, %v", used, err)
	}
	if pending, err := s.PendingOutbound(ctx, conv, ids[2]); err != nil || len(pending) != 2 || pending[0].ID != ids[1] {
		t.Errorf("pending after the first was sent = %+v, %v", pending, err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Errorf("Ready = %v", err)
	}
}
