package dialog

import (
	"context"
	"errors"
	"fmt"

	"github.com/looplab/fsm"
)

// Events of the conversation state machine.
const (
	EventVerify   = "verify"   // ask for the national id and birth date
	EventVerified = "verified" // verification succeeded or was given up
	EventList     = "list"     // a menu or a paginated list is open
	EventConfirm  = "confirm"  // ask to confirm an irreversible action
	EventEscalate = "escalate" // a social worker takes the conversation
	EventRelease  = "release"  // the social worker hands the conversation back
	EventOptOut   = "opt_out"  // the citizen asked not to be messaged: back to idle, from anywhere
	EventReset    = "reset"    // back to idle: done, cancelled, or a new topic
)

var transitions = fsm.Events{
	{Name: EventVerify, Src: []string{string(StateIdle), string(StateAnswering), string(StateVerifying), string(StateConfirm)}, Dst: string(StateVerifying)},
	{Name: EventVerified, Src: []string{string(StateVerifying)}, Dst: string(StateIdle)},
	{Name: EventList, Src: []string{string(StateIdle), string(StateAnswering), string(StateVerifying), string(StateConfirm)}, Dst: string(StateAnswering)},
	{Name: EventConfirm, Src: []string{string(StateIdle), string(StateAnswering), string(StateConfirm)}, Dst: string(StateConfirm)},
	{Name: EventEscalate, Src: []string{string(StateIdle), string(StateAnswering), string(StateVerifying), string(StateConfirm)}, Dst: string(StateEscalated)},
	{Name: EventRelease, Src: []string{string(StateEscalated)}, Dst: string(StateIdle)},
	{Name: EventOptOut, Src: []string{string(StateIdle), string(StateAnswering), string(StateVerifying), string(StateConfirm), string(StateEscalated)}, Dst: string(StateIdle)},
	{Name: EventReset, Src: []string{string(StateIdle), string(StateAnswering), string(StateVerifying), string(StateConfirm)}, Dst: string(StateIdle)},
}

// ErrTransition is returned when an event is not allowed in the conversation's state.
var ErrTransition = errors.New("dialog: transition not allowed")

// machine rebuilds the state machine of one conversation for one turn: looplab/fsm is not
// safe for concurrent use, so every turn gets its own, restored from the persisted state.
// A state it does not know restarts at idle: "opted_out", which earlier versions stored,
// is now the conversation's OptedOut flag.
func machine(s State) *fsm.FSM {
	switch s {
	case StateIdle, StateVerifying, StateAnswering, StateConfirm, StateEscalated:
	default:
		s = StateIdle
	}
	return fsm.NewFSM(string(s), transitions, fsm.Callbacks{})
}

// fire moves c through event ev. A self-transition is not an error.
func fire(ctx context.Context, c *Conversation, ev string) error {
	m := machine(c.State)
	err := m.Event(ctx, ev)
	var noTransition fsm.NoTransitionError
	if err != nil && !errors.As(err, &noTransition) {
		return fmt.Errorf("%w: %s in %s: %v", ErrTransition, ev, c.State, err)
	}
	c.State = State(m.Current())
	return nil
}
