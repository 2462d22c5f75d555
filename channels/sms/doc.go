// Package sms is MyGov's SMS channel on Twilio (github.com/twilio/twilio-go). It only
// translates: Twilio's inbound webhooks become dialog.Inbound messages handed to a
// dialog.Handler, and the replies the delivery worker takes from the outbox become
// outbound SMS sent with Twilio's REST API.
//
// # Inbound
//
// POST /sms/twilio receives a message. The X-Twilio-Signature header is checked over
// Config.PublicURL + the request path and the form parameters (Twilio signs the public
// URL it called, so the check holds behind a proxy); a missing or wrong signature is
// answered 403 and nothing is handled. The message is handed to the Handler, which only
// stores it and its replies, and Twilio gets an empty TwiML response at once: the replies
// leave later through the outbox, and a webhook that Twilio retries with the same
// MessageSid is stored once. The sender's number gives trust level 1 when it is E.164;
// a short code or any other sender is anonymous. Carrier-style keywords (STOP, BAIXA,
// ALTA, AJUDA, …) alone in a message become opt-out, opt-in and help messages; the engine
// keeps the opt-out state.
//
// # Delivery receipts
//
// POST /sms/twilio/status records Twilio's status callbacks (queued, sent, delivered,
// undelivered, failed) once per message and status; error 21610 marks the number opted
// out.
//
// # Outbound
//
// Channel.Send renders a dialog.Reply in the SMS style of the catalog: the lines, then a
// numbered menu ("1. …") and a prompt ("Respon 1, 2 o 3"). Segments computes the
// encoding (GSM-7 or UCS-2) and segment count exactly; when Config.GSM7 is on, the text
// is transliterated to GSM-7 (á → a, ç → c, · → .) if that saves segments, and a reply
// over the segment budget is shortened at a line boundary, ending in "…".
package sms
