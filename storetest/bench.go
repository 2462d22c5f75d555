package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
)

// BenchmarkTurn measures the store's side of one turn, one turn after another on one
// conversation: lock and read the conversation, add an inbound message, read Maria's
// applications, save the conversation and add one outbound reply with its job. s is
// seeded first. It reports allocations and turns/s.
func BenchmarkTurn(b *testing.B, s Store) {
	ctx := context.Background()
	if err := s.Seed(ctx, dataset(time.Now())); err != nil {
		b.Fatalf("Seed: %v", err)
	}
	maria, err := s.FindCitizenByPhone(ctx, MariaPhone)
	if err != nil {
		b.Fatalf("FindCitizenByPhone: %v", err)
	}
	run := time.Now().UnixNano()
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		err := s.Turn(ctx, chSMS, MariaPhone, func(ctx context.Context, tx dialog.Tx) error {
			return benchTurn(ctx, tx, maria.ID, fmt.Sprintf("bench-%d-%d", run, i))
		})
		if err != nil {
			b.Fatalf("turn: %v", err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
}

// BenchmarkTurnParallel is BenchmarkTurn with turns on many conversations at once, four
// goroutines per GOMAXPROCS, as webhooks of many citizens arrive together.
func BenchmarkTurnParallel(b *testing.B, s Store) {
	ctx := context.Background()
	if err := s.Seed(ctx, dataset(time.Now())); err != nil {
		b.Fatalf("Seed: %v", err)
	}
	maria, err := s.FindCitizenByPhone(ctx, MariaPhone)
	if err != nil {
		b.Fatalf("FindCitizenByPhone: %v", err)
	}
	run := time.Now().UnixNano()
	var workers atomic.Int64
	b.SetParallelism(4)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		w := workers.Add(1)
		addr := fmt.Sprintf("+3461%07d", w)
		for i := 0; pb.Next(); i++ {
			err := s.Turn(ctx, chSMS, addr, func(ctx context.Context, tx dialog.Tx) error {
				return benchTurn(ctx, tx, maria.ID, fmt.Sprintf("bench-%d-%d-%d", run, w, i))
			})
			if err != nil {
				b.Errorf("turn: %v", err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "turns/s")
}

func benchTurn(ctx context.Context, tx dialog.Tx, citizenID, messageID string) error {
	c := tx.Conversation()
	if _, err := tx.AddInbound(ctx, c.ID, dialog.Inbound{
		Channel: c.Channel, Address: c.Address, MessageID: messageID, Kind: dialog.KindText,
		Text: "com va la meva beca?", Phone: c.Address, ReceivedAt: time.Now(),
	}); err != nil {
		return err
	}
	apps, err := tx.FindApplicationsByCitizen(ctx, citizenID)
	if err != nil {
		return err
	}
	if len(apps) == 0 {
		return fmt.Errorf("no applications")
	}
	c.CitizenID = citizenID
	c.Lang = dialog.LangCA
	c.State = dialog.StateAnswering
	c.List = "applications"
	c.Offset++
	c.LastSeen = time.Now()
	if err := tx.SaveConversation(ctx, c); err != nil {
		return err
	}
	return tx.AddOutbound(ctx, &dialog.Outbound{
		ConversationID: c.ID, Channel: c.Channel, Address: c.Address, Lang: c.Lang,
		Reply: dialog.Reply{
			Lines: []dialog.Text{dialog.T("status.one", "ref", apps[0].Ref, "date", apps[0].UpdatedAt.Format("02/01/2006")).
				WithKey("status", "status."+string(apps[0].Status))},
			Options: []dialog.Option{{Label: dialog.T("menu.more"), Value: "more"}, {Label: dialog.T("menu.human"), Value: "human"}},
		},
	})
}
