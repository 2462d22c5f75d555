package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/catalonia/mygov/records"
)

// testDeliveryClaims checks the claims that send each reply once, in order: the queued
// replies of a conversation claimed oldest first, up to the first held by another worker,
// an expired claim taken again as unsure, a release that says whether the send may have
// happened, claims given back untouched.
func testDeliveryClaims(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	const addr = "+34600000001"
	ids, conv := queueReplies(t, s, addr, 3)
	if q, err := s.QueuedOutbound(ctx); err != nil || q[chSMS] != 3 {
		t.Errorf("QueuedOutbound = %v, %v; want 3 on sms", q, err)
	}

	cs, err := s.ClaimOutbound(ctx, conv, ids[1], time.Minute)
	if err != nil || len(cs) != 2 || cs[0].ID != ids[0] || cs[1].ID != ids[1] || cs[0].Unsure || cs[0].OptedOut {
		t.Fatalf("claim up to the second = %+v, %v; want the first two, in order, sure", cs, err)
	}
	if c := cs[0]; c.Address != addr || c.Channel != chSMS || c.ConversationID != conv || len(c.Reply.Lines) != 1 {
		t.Errorf("claimed reply = %+v", c)
	}
	if cs, err := s.ClaimOutbound(ctx, conv, ids[2], time.Minute); err != nil || len(cs) != 0 {
		t.Errorf("claim while the first is held = %+v, %v; want none", cs, err)
	}
	if q, err := s.OutboundQueued(ctx, ids[2]); err != nil || !q {
		t.Errorf("OutboundQueued(third) = %v, %v; want true", q, err)
	}
	// The first is sent; the second's claim is given back untouched: the third waits no more.
	if err := s.MarkOutbound(ctx, ids[0], dialog.DeliverySent, "SM1"); err != nil {
		t.Fatal(err)
	}
	if err := s.UnclaimOutbound(ctx, cs[1]); err != nil {
		t.Fatal(err)
	}
	cs, err = s.ClaimOutbound(ctx, conv, ids[2], time.Minute)
	if err != nil || len(cs) != 2 || cs[0].ID != ids[1] || cs[0].Unsure || cs[1].ID != ids[2] {
		t.Fatalf("claim after the first was sent = %+v, %v; want the second (sure) and the third", cs, err)
	}
	if err := s.ReleaseOutbound(ctx, cs[0], true); err != nil {
		t.Fatal(err)
	}
	if err := s.UnclaimOutbound(ctx, cs[1]); err != nil {
		t.Fatal(err)
	}
	cs, err = s.ClaimOutbound(ctx, conv, ids[1], time.Minute)
	if err != nil || len(cs) != 1 || !cs[0].Unsure || cs[0].Since.IsZero() {
		t.Fatalf("claim after an unsure release = %+v, %v; want the second, unsure since its first try", cs, err)
	}
	// Given back, an unsure claim stays unsure.
	if err := s.UnclaimOutbound(ctx, cs[0]); err != nil {
		t.Fatal(err)
	}
	if cs, err = s.ClaimOutbound(ctx, conv, ids[1], -time.Second); err != nil || len(cs) != 1 || !cs[0].Unsure {
		t.Fatalf("claim after giving back an unsure one = %+v, %v; want it unsure", cs, err)
	}
	if err := s.ReleaseOutbound(ctx, cs[0], false); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.ClaimOutbound(ctx, conv, ids[1], -time.Second); err != nil || len(cs) != 1 || cs[0].Unsure {
		t.Errorf("claim after a sure release = %+v, %v; want it sure", cs, err)
	}
	// The claim above expired at once, as a crashed worker's does: the next is unsure.
	if cs, err := s.ClaimOutbound(ctx, conv, ids[1], time.Minute); err != nil || len(cs) != 1 || !cs[0].Unsure {
		t.Errorf("claim after an expired one = %+v, %v; want it unsure", cs, err)
	}
	if err := s.MarkOutbound(ctx, ids[1], dialog.DeliverySent, "SM2"); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.ClaimOutbound(ctx, conv, ids[1], time.Minute); err != nil || len(cs) != 0 {
		t.Errorf("claim of sent replies = %+v, %v; want none", cs, err)
	}
	if q, err := s.OutboundQueued(ctx, ids[1]); err != nil || q {
		t.Errorf("OutboundQueued(sent) = %v, %v; want false", q, err)
	}
	if used, err := s.ProviderIDRecorded(ctx, "SM1"); err != nil || !used {
		t.Errorf("ProviderIDRecorded(SM1) = %v, %v", used, err)
	}
	if used, err := s.ProviderIDRecorded(ctx, "SM3"); err != nil || used {
		t.Errorf("ProviderIDRecorded(SM3) = %v, %v", used, err)
	}
	if err := s.SetOptedOut(ctx, chSMS, addr, true); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.ClaimOutbound(ctx, conv, ids[2], time.Minute); err != nil || len(cs) != 1 || !cs[0].OptedOut {
		t.Errorf("claim to an opted-out address = %+v, %v; want the third, opted out", cs, err)
	}
	if err := s.Ready(ctx); err != nil {
		t.Errorf("Ready = %v", err)
	}
}

// testLateRelease checks that a worker whose claim expired — its send held past the lease
// — and was taken by another worker gives back nothing of the other's claim: a late release
// or unclaim that freed it let a third worker send the reply while the second was sending
// it (replies sent twice by the load generator's fault runs).
func testLateRelease(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	ids, conv := queueReplies(t, s, "+34600000002", 1)
	late, err := s.ClaimOutbound(ctx, conv, ids[0], -time.Second) // expired at once
	if err != nil || len(late) != 1 {
		t.Fatalf("first claim = %+v, %v", late, err)
	}
	second, err := s.ClaimOutbound(ctx, conv, ids[0], time.Minute)
	if err != nil || len(second) != 1 || !second[0].Unsure {
		t.Fatalf("claim after the first expired = %+v, %v; want it, unsure", second, err)
	}
	for _, give := range []func() error{
		func() error { return s.ReleaseOutbound(ctx, late[0], false) },
		func() error { return s.ReleaseOutbound(ctx, late[0], true) },
		func() error { return s.UnclaimOutbound(ctx, late[0]) },
	} {
		if err := give(); err != nil {
			t.Fatal(err)
		}
		if cs, err := s.ClaimOutbound(ctx, conv, ids[0], time.Minute); err != nil || len(cs) != 0 {
			t.Fatalf("claim while the second worker holds the reply, after the first gave its claim back late = %+v, %v; want none", cs, err)
		}
	}
	if err := s.ReleaseOutbound(ctx, second[0], true); err != nil {
		t.Fatal(err)
	}
	if cs, err := s.ClaimOutbound(ctx, conv, ids[0], time.Minute); err != nil || len(cs) != 1 || !cs[0].Unsure {
		t.Errorf("claim after the holder released it = %+v, %v; want it, unsure", cs, err)
	}
}

// testDeliveryClaimsConcurrent checks that workers claiming one conversation's replies at
// once, each up to its own reply, never hold a reply while another holds an earlier one,
// and between them claim each reply once.
func testDeliveryClaimsConcurrent(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	const n = 12
	ids, conv := queueReplies(t, s, "+34600000002", n)
	var (
		mu      sync.Mutex
		claimed = map[int64]int{}
		wg      sync.WaitGroup
	)
	for i := range n {
		wg.Go(func() {
			cs, err := s.ClaimOutbound(ctx, conv, ids[i], time.Minute)
			if err != nil {
				t.Errorf("claim: %v", err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			for _, c := range cs {
				claimed[c.ID]++
			}
		})
	}
	wg.Wait()
	// Every claim is live, so what was claimed is a prefix, each reply once.
	for i, id := range ids {
		if claimed[id] > 1 {
			t.Errorf("reply %d claimed %d times", i, claimed[id])
		}
		if i > 0 && claimed[id] > claimed[ids[i-1]] {
			t.Errorf("reply %d claimed while reply %d was not", i, i-1)
		}
	}
	if claimed[ids[0]] != 1 {
		t.Errorf("the oldest reply was not claimed: %v", claimed)
	}
}

// queueReplies stores n replies to addr in one turn and returns their ids and the
// conversation's.
func queueReplies(t *testing.T, s Store, addr string, n int) ([]int64, int64) {
	t.Helper()
	var outs []*dialog.Outbound
	var conv int64
	turn(t, s, chSMS, addr, func(ctx context.Context, tx dialog.Tx) error {
		conv = tx.Conversation().ID
		for i := range n {
			o := outbound(tx.Conversation(), i, "aprovada")
			if err := tx.AddOutbound(ctx, o); err != nil {
				return err
			}
			outs = append(outs, o)
		}
		return nil
	})
	ids := make([]int64, len(outs))
	for i, o := range outs { // set by the turn's commit at the latest
		ids[i] = o.ID
	}
	return ids, conv
}

// testMarksTogether checks marks made at once, which the store may write together: each
// is recorded with its provider id, an early receipt still wins, and a mark of a reply
// that does not exist fails alone.
func testMarksTogether(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	ctx := t.Context()
	const n = 40
	ids, _ := queueReplies(t, s, "+34600000003", n)
	if _, err := s.RecordReceipt(ctx, "SMT5", dialog.DeliveryDelivered, ""); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, n+1)
	for i := range n + 1 {
		wg.Go(func() {
			id := int64(-1) // no such reply
			if i < n {
				id = ids[i]
			}
			errs[i] = s.MarkOutbound(ctx, id, dialog.DeliverySent, fmt.Sprintf("SMT%d", i))
		})
	}
	wg.Wait()
	for i, err := range errs[:n] {
		if err != nil {
			t.Errorf("mark %d: %v", i, err)
		}
	}
	if records.ErrorCode(errs[n]) != records.ENOTFOUND {
		t.Errorf("mark of a missing reply = %v, want ENOTFOUND", errs[n])
	}
	for i := range n {
		if used, err := s.ProviderIDRecorded(ctx, fmt.Sprintf("SMT%d", i)); err != nil || !used {
			t.Errorf("SMT%d recorded = %v, %v", i, used, err)
		}
	}
	if got := strs(t, s, fmt.Sprintf(`SELECT status FROM messages WHERE id = %d`, ids[5])); len(got) != 1 || got[0] != dialog.DeliveryDelivered {
		t.Errorf("status after an early delivered receipt = %q, want delivered", got)
	}
	if q, err := s.QueuedOutbound(ctx); err != nil || q[chSMS] != 0 {
		t.Errorf("QueuedOutbound = %v, %v; want none queued", q, err)
	}
}
