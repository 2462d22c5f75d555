-- The administrations' API (package ingest) and the notices (package notices).

CREATE TABLE api_keys (
	id                INTEGER PRIMARY KEY AUTOINCREMENT,
	administration_id TEXT NOT NULL REFERENCES administrations (id),
	hash              BLOB NOT NULL UNIQUE, -- SHA-256 of the token; the token is never stored
	created_at        TEXT NOT NULL,
	revoked_at        TEXT
) STRICT;

CREATE TABLE idempotency_keys (
	administration_id TEXT    NOT NULL,
	key               TEXT    NOT NULL,
	request_hash      BLOB    NOT NULL,
	status            INTEGER NOT NULL,
	body              BLOB    NOT NULL,
	created_at        TEXT    NOT NULL,
	PRIMARY KEY (administration_id, key)
) STRICT;

CREATE TABLE notice_items (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	citizen_id TEXT NOT NULL,
	cause      TEXT NOT NULL,
	kind       TEXT NOT NULL,
	item       TEXT NOT NULL, -- notices.Item
	created_at TEXT NOT NULL,
	claimed_at TEXT,
	outcome    TEXT, -- NULL until tried: "sent" or why not
	tried_at   TEXT,
	UNIQUE (citizen_id, cause)
) STRICT;

CREATE INDEX notice_items_pending ON notice_items (citizen_id, id) WHERE outcome IS NULL;
CREATE INDEX notice_items_sent ON notice_items (citizen_id, tried_at) WHERE outcome = 'sent';

CREATE TABLE citizen_benefits (
	citizen_id TEXT PRIMARY KEY,
	benefits   TEXT NOT NULL, -- ids of the benefits the last sweep found likely, JSON
	swept_at   TEXT NOT NULL
) STRICT;
