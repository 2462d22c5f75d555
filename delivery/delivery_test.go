package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// fakeOutbox records what the worker tells the store.
type fakeOutbox struct {
	mu       sync.Mutex
	optedOut map[string]bool
	marks    []string
	failOpt  error
}

func (f *fakeOutbox) MarkOutbound(ctx context.Context, id int64, status, providerID string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.marks = append(f.marks, fmt.Sprintf("%d:%s:%s", id, status, providerID))
	return nil
}

func (f *fakeOutbox) RecordReceipt(ctx context.Context, providerID, status, errorCode string) (bool, error) {
	return true, nil
}

func (f *fakeOutbox) OptedOut(ctx context.Context, channel, address string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.optedOut[channel+":"+address], f.failOpt
}

func (f *fakeOutbox) SetOptedOut(ctx context.Context, channel, address string, out bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.optedOut == nil {
		f.optedOut = map[string]bool{}
	}
	f.optedOut[channel+":"+address] = out
	return nil
}

func job(o dialog.Outbound) *river.Job[Job] {
	return &river.Job[Job]{JobRow: &rivertype.JobRow{ID: 1, Attempt: 1}, Args: Job{o}}
}

func TestWork(t *testing.T) {
	out := dialog.Outbound{ID: 7, Channel: "sms", Address: "+34600000001", Reply: dialog.Reply{Lines: []dialog.Text{dialog.T("greeting")}}}
	tests := []struct {
		name      string
		optedOut  bool
		final     bool
		sendErr   error
		wantSends int
		wantMark  string
		check     func(t *testing.T, err error)
		wantOpted bool
	}{
		{name: "Sent", wantSends: 1, wantMark: "7:sent:P1", check: noErr},
		{name: "OptedOutSkipped", optedOut: true, wantSends: 0, wantMark: "7:skipped:", check: noErr, wantOpted: true},
		{name: "FinalReplyReachesOptedOut", optedOut: true, final: true, wantSends: 1, wantMark: "7:sent:P1", check: noErr, wantOpted: true},
		{name: "RetryAfterSnoozes", sendErr: &dialog.RetryAfterError{After: 3 * time.Second, Err: errors.New("429")}, wantSends: 1,
			check: func(t *testing.T, err error) {
				var snooze *river.JobSnoozeError
				if !errors.As(err, &snooze) || snooze.Duration != 3*time.Second {
					t.Errorf("err = %v, want a 3s snooze", err)
				}
			}},
		{name: "PermanentCancels", sendErr: fmt.Errorf("403 blocked: %w", dialog.ErrPermanent), wantSends: 1, wantMark: "7:failed:P1", check: isCancel},
		{name: "CarrierOptOutMarksAddress", sendErr: fmt.Errorf("21610: %w", dialog.ErrOptedOut), wantSends: 1, wantMark: "7:failed:P1", check: isCancel, wantOpted: true},
		{name: "TransientRetries", sendErr: errors.New("connection reset"), wantSends: 1,
			check: func(t *testing.T, err error) {
				var cancel *river.JobCancelError
				var snooze *river.JobSnoozeError
				if err == nil || errors.As(err, &cancel) || errors.As(err, &snooze) {
					t.Errorf("err = %v, want a plain error River retries", err)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ob := &fakeOutbox{}
			if tt.optedOut {
				ob.SetOptedOut(context.Background(), out.Channel, out.Address, true)
			}
			sends := 0
			w := &Worker{Outbox: ob, Logger: slog.New(slog.DiscardHandler), Senders: map[string]Sender{
				"sms": SenderFunc(func(ctx context.Context, o dialog.Outbound) (string, error) {
					sends++
					return "P1", tt.sendErr
				}),
			}}
			o := out
			o.Reply.Final = tt.final
			err := w.Work(context.Background(), job(o))
			tt.check(t, err)
			if sends != tt.wantSends {
				t.Errorf("sends = %d, want %d", sends, tt.wantSends)
			}
			if tt.wantMark != "" && (len(ob.marks) != 1 || ob.marks[0] != tt.wantMark) {
				t.Errorf("marks = %v, want [%s]", ob.marks, tt.wantMark)
			}
			if got := ob.optedOut[out.Channel+":"+out.Address]; got != tt.wantOpted {
				t.Errorf("opted out = %v, want %v", got, tt.wantOpted)
			}
		})
	}
}

func TestWorkUnknownChannel(t *testing.T) {
	w := &Worker{Outbox: &fakeOutbox{}, Logger: slog.New(slog.DiscardHandler)}
	isCancel(t, w.Work(context.Background(), job(dialog.Outbound{Channel: "fax"})))
}

func TestWorkOptOutLookupFails(t *testing.T) {
	sends := 0
	w := &Worker{Outbox: &fakeOutbox{failOpt: errors.New("db down")}, Logger: slog.New(slog.DiscardHandler),
		Senders: map[string]Sender{"sms": SenderFunc(func(context.Context, dialog.Outbound) (string, error) { sends++; return "", nil })}}
	if err := w.Work(context.Background(), job(dialog.Outbound{Channel: "sms"})); err == nil || sends != 0 {
		t.Errorf("err = %v, sends = %d: a reply must not go out when opt-out is unknown", err, sends)
	}
}

func TestNextRetry(t *testing.T) {
	w := &Worker{}
	prev := time.Duration(0)
	for attempt := 1; attempt <= 25; attempt++ {
		j := &river.Job[Job]{JobRow: &rivertype.JobRow{Attempt: attempt}}
		d := time.Until(w.NextRetry(j))
		if d < prev-time.Second || d > 10*time.Minute+time.Second {
			t.Errorf("attempt %d: retry in %v (previous %v)", attempt, d, prev)
		}
		prev = d
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Errorf("err = %v", err)
	}
}

func isCancel(t *testing.T, err error) {
	t.Helper()
	var cancel *river.JobCancelError
	if !errors.As(err, &cancel) {
		t.Errorf("err = %v, want the job cancelled", err)
	}
}
