-- The delivery worker's claim on a queued reply: one worker sends a reply at a time, in
-- the conversation's order, and a send whose outcome is unknown (a crash, a timeout) is
-- looked up before it is repeated.
ALTER TABLE messages ADD COLUMN send_lease      TEXT;                       -- claimed until
ALTER TABLE messages ADD COLUMN send_tries      INTEGER NOT NULL DEFAULT 0; -- claims since the last known outcome
ALTER TABLE messages ADD COLUMN send_started_at TEXT;                       -- first claim of those
CREATE INDEX messages_queued ON messages (conversation_id, id) WHERE status = 'queued';
