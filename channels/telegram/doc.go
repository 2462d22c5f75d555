// Package telegram is MyGov's Telegram channel, built on github.com/go-telegram/bot.
//
// The Channel only translates. Inbound, it turns a Telegram update into a dialog.Inbound and
// hands it to a dialog.Handler (the engine), which stores the turn and its replies in one
// transaction. Outbound, its Send method (a delivery.Sender) turns a stored dialog.Outbound
// into Telegram messages. It holds no dialog logic: what to answer to a command, a button, a
// contact or a sticker is the engine's decision.
//
// # Receiving
//
// Updates arrive either through a webhook (Config.WebhookURL set: Run registers it with
// setWebhook and Routes mounts POST /telegram/webhook) or by long polling (Run deletes any
// webhook, then calls getUpdates in a loop). Both paths feed the same code:
//
//   - The webhook checks the X-Telegram-Bot-Api-Secret-Token header in constant time before
//     anything else (401 when wrong), refuses bodies over 1 MiB (413) and malformed JSON
//     (400), ignores update types it does not know (200), and answers 500 only when the
//     handler failed, so that Telegram delivers the update again.
//   - Turns of one chat run one at a time in arrival order; different chats run in
//     parallel. go-telegram/bot's own dispatch would start a goroutine per update, so the
//     channel decodes and dispatches updates itself and uses the library to call the API.
//   - The dedupe key of an update is "u<update_id>": a redelivered update is recognised by
//     the store and not answered twice.
//   - A long-polling batch is confirmed (its offset advanced) only after its turns ran; a
//     failed turn is fetched again after a backoff, a few times at most.
//   - Every pressed inline button is answered with answerCallbackQuery, also when the turn
//     failed, so the client's spinner stops.
//   - Only private chats are served: a citizen's data must never be answered in a group.
//
// # Sending
//
// Send renders each line of the reply from the catalog, escapes it for the HTML parse mode
// and joins the lines with blank lines. Options become an inline keyboard whose callback data
// is the option's value (at most 64 bytes; longer values are skipped and logged). Text longer
// than Telegram's 4,096 characters is split at line boundaries into several messages; only
// the last one carries the keyboard. Reply.AskContact becomes a one-time reply keyboard with a
// request_contact button, removed again by a later reply. Sends keep under Telegram's limits
// (about one message a second per chat, 30 a second overall); a 429 becomes a
// *dialog.RetryAfterError, a 403 (the user blocked the bot) and other 4xx answers wrap
// dialog.ErrPermanent, and network errors and 5xx answers are returned as they are, to be
// retried.
//
// Nothing the citizen wrote, no phone number and no name is ever logged.
package telegram
