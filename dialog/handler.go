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
