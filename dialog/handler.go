package dialog

import "context"

// Result is what one turn did.
type Result struct {
	// Duplicate is true when the inbound message had been handled before: nothing was
	// stored or answered again.
	Duplicate bool
	// Outbound are the replies stored in the outbox, in order.
	Outbound []Outbound
}

// Handler runs turns. Channel adapters depend on it, not on the Engine.
type Handler interface {
	Handle(ctx context.Context, in Inbound) (Result, error)
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(ctx context.Context, in Inbound) (Result, error)

// Handle calls f.
func (f HandlerFunc) Handle(ctx context.Context, in Inbound) (Result, error) { return f(ctx, in) }
