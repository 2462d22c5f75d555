-- MyGov schema, SQLite dialect. Times are TEXT in UTC, "2006-01-02T15:04:05.000000Z"
-- (fixed width, so they sort as text); JSON is TEXT; booleans are 0 or 1.

CREATE TABLE conversations (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	channel    TEXT    NOT NULL,
	address    TEXT    NOT NULL,
	citizen_id TEXT    NOT NULL DEFAULT '',
	opted_out  INTEGER NOT NULL DEFAULT 0,
	state      TEXT    NOT NULL,
	lang       TEXT    NOT NULL DEFAULT '',
	data       TEXT    NOT NULL DEFAULT '{}', -- the rest of dialog.Conversation
	created_at TEXT    NOT NULL,
	updated_at TEXT    NOT NULL,
	UNIQUE (channel, address)
) STRICT;

CREATE INDEX conversations_citizen_id ON conversations (citizen_id) WHERE citizen_id <> '';

CREATE TABLE messages (
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
	UNIQUE (channel, channel_message_id)
) STRICT;

CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_provider_id ON messages (provider_id) WHERE provider_id IS NOT NULL;

CREATE TABLE receipts (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	provider_id TEXT NOT NULL,
	status      TEXT NOT NULL,
	error_code  TEXT NOT NULL DEFAULT '',
	at          TEXT NOT NULL,
	UNIQUE (provider_id, status)
) STRICT;

CREATE TABLE lockouts (
	key          TEXT    PRIMARY KEY,
	failures     INTEGER NOT NULL DEFAULT 0,
	locks        INTEGER NOT NULL DEFAULT 0,
	locked_until TEXT,
	updated_at   TEXT    NOT NULL
) STRICT;

CREATE TABLE administrations (
	id   TEXT PRIMARY KEY,
	name TEXT NOT NULL
) STRICT;

CREATE TABLE citizens (
	id           TEXT PRIMARY KEY,
	national_id  TEXT UNIQUE, -- NULL when unknown
	given_name   TEXT NOT NULL,
	surnames     TEXT NOT NULL,
	birth_date   TEXT, -- "2006-01-02"
	phone        TEXT NOT NULL,
	lang         TEXT NOT NULL,
	street       TEXT NOT NULL,
	municipality TEXT NOT NULL,
	profile      TEXT NOT NULL
) STRICT;

CREATE INDEX citizens_phone ON citizens (phone);

CREATE TABLE applications (
	ref               TEXT PRIMARY KEY,
	citizen_id        TEXT NOT NULL REFERENCES citizens (id),
	procedure_id      TEXT NOT NULL,
	procedure         TEXT NOT NULL,
	administration_id TEXT NOT NULL,
	unit              TEXT NOT NULL,
	status            TEXT NOT NULL,
	updated_at        TEXT NOT NULL,
	missing_documents TEXT NOT NULL,
	deadline          TEXT,
	next_step         TEXT NOT NULL
) STRICT;

CREATE INDEX applications_citizen ON applications (citizen_id, updated_at DESC);

CREATE TABLE application_history (
	ref    TEXT    NOT NULL REFERENCES applications (ref) ON DELETE CASCADE,
	seq    INTEGER NOT NULL,
	status TEXT    NOT NULL,
	at     TEXT    NOT NULL,
	note   TEXT    NOT NULL,
	PRIMARY KEY (ref, seq)
) STRICT;

CREATE TABLE data_holdings (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	citizen_id        TEXT NOT NULL REFERENCES citizens (id),
	administration_id TEXT NOT NULL,
	category          TEXT NOT NULL,
	register          TEXT NOT NULL,
	legal_basis       TEXT NOT NULL
) STRICT;

CREATE INDEX data_holdings_citizen ON data_holdings (citizen_id, id);

CREATE TABLE access_events (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	citizen_id        TEXT NOT NULL REFERENCES citizens (id),
	at                TEXT NOT NULL,
	administration_id TEXT NOT NULL,
	unit              TEXT NOT NULL,
	category          TEXT NOT NULL,
	purpose           TEXT NOT NULL,
	legal_basis       TEXT NOT NULL,
	channel           TEXT NOT NULL,
	reason            TEXT NOT NULL DEFAULT '' -- MyGov's own reads: why it read
) STRICT;

CREATE INDEX access_events_citizen ON access_events (citizen_id, at DESC, id DESC);

CREATE TABLE benefits (
	id                TEXT    PRIMARY KEY,
	position          INTEGER NOT NULL, -- catalog order, as seeded
	name              TEXT    NOT NULL,
	administration_id TEXT    NOT NULL,
	summary           TEXT    NOT NULL,
	why               TEXT    NOT NULL,
	rule              TEXT    NOT NULL,
	link              TEXT    NOT NULL,
	phone             TEXT    NOT NULL,
	documents         TEXT    NOT NULL,
	illustrative      INTEGER NOT NULL,
	aliases           TEXT    NOT NULL
) STRICT;
