// Package dialog is the domain of a conversation: what arrives (Inbound), what the assistant
// answers (Reply, as catalog keys with arguments, never text), the persisted Conversation
// with its state, and the Engine that runs one turn. It declares the interfaces it needs
// (Store, Tx, Classifier, Matcher, Escalator) and imports no database,
// channel, HTTP or ML package.
//
// # A turn
//
// Engine.Handle runs inside one Store.Turn, a transaction that holds the conversation's
// lock: the inbound message is stored (a repeated (channel, message id) ends the turn: it
// was answered before), the citizen is identified by the phone the channel proves, the text
// is classified, the state machine is rebuilt from the stored state and moved, records are
// read (each read written to the citizen's access log), and the new state and the replies
// are written. Replies are jobs of the outbox, committed with the state, and sent later by
// the delivery worker: a crash never loses a reply the state assumes was sent. When the turn
// fails, the message is still stored, with an apology.
//
// # States
//
//	idle ──verify──▶ verifying ──verified──▶ idle      (DNI/NIE, then birth date)
//	idle ──list────▶ answering ──list/reset─▶ …         (menus, pages, "MÉS")
//	idle ──confirm─▶ confirm  ──reset──────▶ idle       (erasure asks for a yes)
//	any  ──escalate▶ escalated ──release───▶ idle       (a social worker answers; the bot is quiet)
//	any  ──opt_out─▶ idle, with the OptedOut flag set        (STOP; ALTA clears the flag)
//
// Opting out is a flag of the conversation, not a state: a carrier's opt-out sets it
// outside any turn. While it is set, a channel with CarrierOptOut gets no reply.
//
// # Trust
//
// Level 0 (anonymous) gets greetings, help, general benefits and a person to talk to;
// level 1 (the channel proves the phone) the status of the citizen's applications and the
// benefits for them; level 2 (level 1 plus the national id and birth date, within the
// verification window, WithVerifyWindow) the data held and who used it. Asking above the current level
// starts identification and answers the question once it succeeds.
package dialog
