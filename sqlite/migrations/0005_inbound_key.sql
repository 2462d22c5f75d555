-- Only inbound messages carry their channel's id: the key that recognises a message
-- delivered twice becomes a partial unique index, so that storing a reply (whose id is
-- NULL) writes one index fewer. SQLite keeps a table's UNIQUE constraint for the table's
-- life, so the table is rebuilt, its ids and its AUTOINCREMENT counter kept.
CREATE TABLE messages_new (
	id                 INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id    INTEGER NOT NULL REFERENCES conversations (id),
	citizen_id         TEXT    NOT NULL DEFAULT '',
	direction          TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
	channel            TEXT    NOT NULL,
	channel_message_id TEXT, -- inbound dedupe key; NULL for outbound and unkeyed inbound
	kind               TEXT    NOT NULL,
	text               TEXT    NOT NULL DEFAULT '',
	meta               TEXT, -- inbound: command, payload, contact, phone, language hint
	reply              TEXT, -- outbound: dialog.Reply
	lang               TEXT    NOT NULL DEFAULT '',
	seq                INTEGER NOT NULL DEFAULT 0,
	status             TEXT, -- outbound delivery status
	provider_id        TEXT,
	received_at        TEXT,
	created_at         TEXT    NOT NULL,
	updated_at         TEXT    NOT NULL,
	send_lease         TEXT,                       -- claimed until
	send_tries         INTEGER NOT NULL DEFAULT 0, -- claims since the last known outcome
	send_started_at    TEXT                        -- first claim of those
) STRICT;

INSERT INTO messages_new (id, conversation_id, citizen_id, direction, channel, channel_message_id, kind, text, meta,
	reply, lang, seq, status, provider_id, received_at, created_at, updated_at, send_lease, send_tries, send_started_at)
SELECT id, conversation_id, citizen_id, direction, channel, channel_message_id, kind, text, meta,
	reply, lang, seq, status, provider_id, received_at, created_at, updated_at, send_lease, send_tries, send_started_at
FROM messages;

DELETE FROM sqlite_sequence WHERE name = 'messages_new';
INSERT INTO sqlite_sequence (name, seq) SELECT 'messages_new', seq FROM sqlite_sequence WHERE name = 'messages';

DROP TABLE messages;
ALTER TABLE messages_new RENAME TO messages;

CREATE UNIQUE INDEX messages_inbound_key ON messages (channel, channel_message_id) WHERE channel_message_id IS NOT NULL;
CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL;
CREATE INDEX messages_queued ON messages (conversation_id, id) WHERE status = 'queued';
