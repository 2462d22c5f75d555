package twiliotest

import (
	"context"
	"sync"

	"github.com/catalonia/mygov/channels/twilio"
	"github.com/catalonia/mygov/dialog"
)

// Outbox is a twilio.Outbox that records the receipts and opt-outs a channel reports. It
// is safe for concurrent use; read its fields once the requests are done.
type Outbox struct {
	mu       sync.Mutex
	Receipts []Receipt
	OptOuts  []OptOut
	// RecordErr, when set, is the error of every RecordReceipt.
	RecordErr error
	seen      map[Receipt]bool
}

var _ twilio.Outbox = (*Outbox)(nil)

// Receipt is one RecordReceipt call.
type Receipt struct{ SID, Status, Code string }

// OptOut is one SetOptedOut call.
type OptOut struct {
	Channel, Address string
	Out              bool
}

// RecordReceipt records the receipt; it is new the first time a (sid, status) is seen.
func (o *Outbox) RecordReceipt(ctx context.Context, providerID, status, errorCode string) (bool, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.RecordErr != nil {
		return false, o.RecordErr
	}
	r := Receipt{providerID, status, errorCode}
	o.Receipts = append(o.Receipts, r)
	if o.seen == nil {
		o.seen = map[Receipt]bool{}
	}
	fresh := !o.seen[r]
	o.seen[r] = true
	return fresh, nil
}

// Distinct returns how many different receipts were recorded.
func (o *Outbox) Distinct() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	return len(o.seen)
}

// SetOptedOut records the call.
func (o *Outbox) SetOptedOut(ctx context.Context, channel, address string, optedOut bool) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.OptOuts = append(o.OptOuts, OptOut{channel, address, optedOut})
	return nil
}

// Handler is a dialog.Handler that records the inbound messages; HandleFunc, when set,
// answers them. It is safe for concurrent use.
type Handler struct {
	mu         sync.Mutex
	got        []dialog.Inbound
	HandleFunc func(ctx context.Context, in dialog.Inbound) (dialog.Result, error)
}

var _ dialog.Handler = (*Handler)(nil)

// Handle records in and answers it.
func (h *Handler) Handle(ctx context.Context, in dialog.Inbound) (dialog.Result, error) {
	h.mu.Lock()
	h.got = append(h.got, in)
	h.mu.Unlock()
	if h.HandleFunc != nil {
		return h.HandleFunc(ctx, in)
	}
	return dialog.Result{}, nil
}

// Calls returns the inbound messages handled so far.
func (h *Handler) Calls() []dialog.Inbound {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]dialog.Inbound(nil), h.got...)
}
