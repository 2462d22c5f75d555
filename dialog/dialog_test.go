package dialog

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/looplab/fsm"
)

func TestSanitize(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"Plain", "hola", "hola"},
		{"Trimmed", "  hola \n", "hola"},
		{"InvalidUTF8", "a\xffb", "a\uFFFDb"},
		{"ControlCharacters", "a\x00b\x1bc", "abc"},
		{"KeepsNewlinesAndTabs", "a\nb\tc", "a\nb\tc"},
		{"ZeroWidth", "\u200bhola\ufeff", "hola"},
		{"Empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Sanitize(tt.in); got != tt.want {
				t.Errorf("Sanitize(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestHasWords(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{{"hola", true}, {"1", true}, {"🙂👍", false}, {"?!...", false}, {"\uFFFD\uFFFD", false}, {"", false}}
	for _, tt := range tests {
		if got := hasWords(tt.in); got != tt.want {
			t.Errorf("hasWords(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestTransitions(t *testing.T) {
	tests := []struct {
		name  string
		from  State
		event string
		want  State
		ok    bool
	}{
		{"VerifyFromIdle", StateIdle, EventVerify, StateVerifying, true},
		{"VerifiedBackToIdle", StateVerifying, EventVerified, StateIdle, true},
		{"ListSelf", StateAnswering, EventList, StateAnswering, true},
		{"EscalatedIgnoresList", StateEscalated, EventList, StateEscalated, false},
		{"OptOutFromEscalated", StateEscalated, EventOptOut, StateIdle, true},
		{"OptOutFromVerifying", StateVerifying, EventOptOut, StateIdle, true},
		{"StoredOptedOutIsIdle", "opted_out", EventVerify, StateVerifying, true},
		{"UnknownStateIsIdle", "\x00garbage", EventReset, StateIdle, true},
		{"VerifiedOnlyWhileVerifying", StateIdle, EventVerified, StateIdle, false},
		{"EmptyIsIdle", "", EventVerify, StateVerifying, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Conversation{State: tt.from}
			err := fire(context.Background(), c, tt.event)
			if (err == nil) != tt.ok {
				t.Fatalf("fire(%s, %s) error = %v, want ok %v", tt.from, tt.event, err, tt.ok)
			}
			if c.State != tt.want {
				t.Errorf("state = %s, want %s", c.State, tt.want)
			}
		})
	}
}

func TestTrust(t *testing.T) {
	e := NewEngine(nil, nil, nil, nil)
	now := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		c    Conversation
		want Trust
	}{
		{"Anonymous", Conversation{}, TrustAnonymous},
		{"Possession", Conversation{CitizenID: "c1"}, TrustPossession},
		{"Verified", Conversation{CitizenID: "c1", VerifiedAt: now.Add(-time.Hour), LastSeen: now.Add(-time.Minute)}, TrustVerified},
		{"IdleTooLong", Conversation{CitizenID: "c1", VerifiedAt: now.Add(-time.Hour), LastSeen: now.Add(-31 * time.Minute)}, TrustPossession},
		{"MaxWindow", Conversation{CitizenID: "c1", VerifiedAt: now.Add(-25 * time.Hour), LastSeen: now}, TrustPossession},
		{"VerifiedButUnlinked", Conversation{VerifiedAt: now, LastSeen: now}, TrustAnonymous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.Trust(&tt.c, now); got != tt.want {
				t.Errorf("Trust = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestLogValueRedacts(t *testing.T) {
	in := Inbound{Channel: "sms", Address: "+34600000001", Phone: "+34600000001", Text: "el meu DNI és 12345678Z"}
	got := in.LogValue().String()
	for _, secret := range []string{"+34600000001", "12345678Z", "DNI"} {
		if strings.Contains(got, secret) {
			t.Errorf("LogValue %q contains %q", got, secret)
		}
	}
	o := Outbound{Address: "+34600000001", Reply: Reply{Lines: []Text{T("x", "Name", "Maria")}}}
	if s := o.LogValue().String(); strings.Contains(s, "+34600000001") || strings.Contains(s, "Maria") {
		t.Errorf("Outbound LogValue %q leaks", s)
	}
}

func TestMenuValuesFitTelegram(t *testing.T) {
	for _, v := range append(mainMenuValues, ValueMore, ValueCancel, ValueLang+LangCA, ValueLang+LangES) {
		if len(v) > 64 {
			t.Errorf("option value %q is over Telegram's 64 bytes", v)
		}
	}
}

func TestDeliveryRank(t *testing.T) {
	tests := []struct {
		status  string
		rank    int
		receipt bool
	}{
		{DeliveryQueued, 0, false}, {DeliverySent, 1, true}, {DeliveryDelivered, 2, true},
		{DeliveryUndelivered, 2, true}, {DeliveryFailed, 2, true}, {DeliveryRead, 3, true},
		{"accepted", 0, false},
	}
	for _, tt := range tests {
		rank, ok := ReceiptRank(tt.status)
		if ok != tt.receipt || (ok && rank != tt.rank) {
			t.Errorf("ReceiptRank(%q) = %d, %v; want %d, %v", tt.status, rank, ok, tt.rank, tt.receipt)
		}
	}
	if DeliveryRank(DeliverySkipped) != 2 || DeliveryRank(DeliveryQueued) != 0 {
		t.Errorf("DeliveryRank of skipped/queued wrong")
	}
}

// TestFireWithReusedMachines: fire, whose machines are reused from turn to turn, moves a
// conversation as a machine built for it alone does, for every state and event in a long
// random order, from four goroutines, with cancelled contexts among them.
func TestFireWithReusedMachines(t *testing.T) {
	states := []State{StateIdle, StateVerifying, StateAnswering, StateConfirm, StateEscalated, "opted_out", ""}
	events := []string{EventVerify, EventVerified, EventList, EventConfirm, EventEscalate, EventRelease, EventOptOut, EventReset, "unknown"}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(g), 13))
			var moved, refused int
			for range 3000 {
				from, ev := states[rng.IntN(len(states))], events[rng.IntN(len(events))]
				ctx := context.Background()
				if rng.IntN(10) == 0 {
					ctx = cancelled
				}
				fresh := fsm.NewFSM(string(from), transitions, fsm.Callbacks{})
				if !slices.Contains(states[:5], from) {
					fresh.SetState(string(StateIdle))
				}
				wantErr := fresh.Event(ctx, ev)
				var noTransition fsm.NoTransitionError
				wantOK := wantErr == nil || errors.As(wantErr, &noTransition)
				c := &Conversation{State: from}
				err := fire(ctx, c, ev)
				switch {
				case (err == nil) != wantOK:
					t.Errorf("fire(%q, %s) = %v; a new machine says %v", from, ev, err, wantErr)
				case err == nil && c.State != State(fresh.Current()):
					t.Errorf("fire(%q, %s): state %s, a new machine says %s", from, ev, c.State, fresh.Current())
				case err == nil:
					moved++
				default:
					refused++
				}
			}
			if moved == 0 || refused == 0 {
				t.Errorf("%d events moved, %d refused: both must be tried", moved, refused)
			}
		})
	}
	wg.Wait()
}

// BenchmarkFire measures one state transition of a turn, as a status answer fires it.
func BenchmarkFire(b *testing.B) {
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if err := fire(ctx, &Conversation{State: StateIdle}, EventList); err != nil {
			b.Fatal(err)
		}
	}
}
