-- The delivery worker's claim on a queued reply: one worker sends a reply at a time, in
-- the conversation's order, and a send whose outcome is unknown (a crash, a timeout) is
-- looked up before it is repeated.
ALTER TABLE messages ADD COLUMN send_lease      timestamptz;               -- claimed until
ALTER TABLE messages ADD COLUMN send_tries      integer NOT NULL DEFAULT 0; -- claims since the last known outcome
ALTER TABLE messages ADD COLUMN send_started_at timestamptz;               -- first claim of those
CREATE INDEX messages_queued ON messages (conversation_id, id) WHERE status = 'queued';
