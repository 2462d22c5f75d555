package dialog

import (
	"context"
	"errors"
	"fmt"
	"sync"

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

// machines keeps the state machines that fire is done with: building one (its maps of
// transitions) cost more than the event itself.
var machines = sync.Pool{New: func() any { return fsm.NewFSM(string(StateIdle), transitions, fsm.Callbacks{}) }}

// machine returns the state machine of one conversation for one turn, set to the persisted
// state: looplab/fsm is not safe for concurrent use, so every turn gets its own, from
// machines. A state it does not know restarts at idle: "opted_out", which earlier versions
// stored, is now the conversation's OptedOut flag.
func machine(s State) *fsm.FSM {
	switch s {
	case StateIdle, StateVerifying, StateAnswering, StateConfirm, StateEscalated:
	default:
		s = StateIdle
	}
	m := machines.Get().(*fsm.FSM)
	m.SetState(string(s))
	return m
}

// fire moves c through event ev. A self-transition is not an error.
func fire(ctx context.Context, c *Conversation, ev string) error {
	m := machine(c.State)
	err := m.Event(ctx, ev)
	var noTransition fsm.NoTransitionError
	if err != nil && !errors.As(err, &noTransition) {
		// Not given back: a transition that failed midway (a cancelled context) may
		// leave the machine in it.
		return fmt.Errorf("%w: %s in %s: %v", ErrTransition, ev, c.State, err)
	}
	c.State = State(m.Current())
	machines.Put(m)
	return nil
}
