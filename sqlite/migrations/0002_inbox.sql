-- The social workers' inbox (package inbox), SQLite dialect.

CREATE TABLE staff (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	email          TEXT    NOT NULL UNIQUE, -- lower case: the login
	name           TEXT    NOT NULL,
	municipality   TEXT    NOT NULL,
	team           TEXT    NOT NULL,
	role           TEXT    NOT NULL CHECK (role IN ('worker', 'coordinator')),
	administration TEXT    NOT NULL, -- named in the citizens' access log
	password_hash  TEXT    NOT NULL, -- argon2id, PHC string format
	disabled       INTEGER NOT NULL DEFAULT 0,
	created_at     TEXT    NOT NULL
) STRICT;

CREATE TABLE staff_sessions (
	token_hash TEXT    PRIMARY KEY, -- SHA-256 of the cookie's token; the token itself is never stored
	staff_id   INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
	csrf       TEXT    NOT NULL,
	lang       TEXT    NOT NULL,
	created_at TEXT    NOT NULL,
	expires_at TEXT    NOT NULL
) STRICT;

CREATE INDEX staff_sessions_expires ON staff_sessions (expires_at);

CREATE TABLE inbox_cases (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	conversation_id INTEGER NOT NULL REFERENCES conversations (id),
	channel         TEXT    NOT NULL,
	address         TEXT    NOT NULL,
	citizen_id      TEXT    NOT NULL DEFAULT '',
	lang            TEXT    NOT NULL DEFAULT '',
	municipality    TEXT    NOT NULL,
	team            TEXT    NOT NULL,
	reason          TEXT    NOT NULL,
	distress        TEXT    NOT NULL DEFAULT '',
	priority        INTEGER NOT NULL DEFAULT 0,
	assigned_to     INTEGER REFERENCES staff (id), -- NULL while unclaimed
	opened_at       TEXT    NOT NULL,
	warned_at       TEXT, -- the citizen was told nobody had claimed it yet
	closed_at       TEXT,
	close_reason    TEXT    NOT NULL DEFAULT '',
	updated_at      TEXT    NOT NULL
) STRICT;

CREATE UNIQUE INDEX inbox_cases_open_conversation ON inbox_cases (conversation_id) WHERE closed_at IS NULL;
CREATE INDEX inbox_cases_queue ON inbox_cases (municipality, priority DESC, opened_at) WHERE closed_at IS NULL;

CREATE TABLE inbox_notes (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id    INTEGER NOT NULL REFERENCES inbox_cases (id),
	staff_id   INTEGER NOT NULL REFERENCES staff (id),
	text       TEXT    NOT NULL,
	created_at TEXT    NOT NULL
) STRICT;

CREATE INDEX inbox_notes_case ON inbox_notes (case_id, id);
