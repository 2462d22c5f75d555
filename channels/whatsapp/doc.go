// Package whatsapp is MyGov's WhatsApp channel on Twilio. Twilio serves WhatsApp through
// the Messages API and the signed webhooks of SMS, with addresses that start with
// "whatsapp:", so what both channels share lives in channels/twilio; this package only
// translates, like channels/sms: Twilio's inbound webhooks become dialog.Inbound messages
// handed to a dialog.Handler, and the replies the delivery worker takes from the outbox
// become WhatsApp messages.
//
// # Inbound
//
// POST /whatsapp/twilio receives a message, signed like SMS (X-Twilio-Signature over
// Config.PublicURL + the path). The sender "whatsapp:+34600000001" is the conversation's
// address and its number proves possession of the phone (trust level 1, Inbound.Phone
// "+34600000001"); level 2 is the engine's usual verification. A retried webhook (same
// MessageSid) is stored and answered once. Carrier-style keywords alone (STOP, BAIXA,
// ALTA, AJUDA…) opt out, in and ask for help as on SMS. A pressed quick-reply button is a
// KindButton with the option's value; the typed number answers too. A photo, PDF or any
// attachment is acknowledged and neither fetched nor stored: the stored message is of kind
// media with its content types only ("[media: application/pdf]"), so a social worker
// holding the conversation sees that one was sent.
//
// # Delivery receipts
//
// POST /whatsapp/twilio/status records Twilio's status callbacks (sent, delivered, read,
// undelivered, failed) once per message and status; a message refused with 63016 (outside
// the window) is recorded as failed with its code.
//
// # Outbound
//
// Channel.Send renders a reply for WhatsApp (see Render): no segment budget, but a length
// limit per message, so a long reply is split between its items; the arguments of the
// lines are shown as written, never as WhatsApp formatting; a menu is numbered, and of up
// to three options also sent as quick-reply buttons when a twilio/quick-reply content is
// configured. Free-form messages are sent only inside the 24-hour customer service window
// (dialog.Outbound.LastInbound, when the citizen last wrote); outside it a reply is sent as
// the approved template of its kind (dialog.Reply.Notice) and language, with
// ContentVariables filled from the reply (see Templates), and never as free text.
package whatsapp
