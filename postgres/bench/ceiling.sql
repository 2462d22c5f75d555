-- The ceiling of BenchmarkEngineTurn on PostgreSQL: one transaction of six small writes,
-- from one client. After setup.sql:
-- pgbench -n -c 1 -T 10 -M prepared -f postgres/bench/ceiling.sql postgres://postgres@127.0.0.1:5432/test
BEGIN;
INSERT INTO ceiling.msg (conv, dir, body, at) VALUES (1, 'in', 'com va la meva sol·licitud? ' || :client_id, now());
INSERT INTO ceiling.access (who, what, at) VALUES ('engine', 'application status read by its holder', now());
UPDATE ceiling.conv SET state = 'status', data = '{"offset": 0, "lang": "ca"}', updated_at = now() WHERE id = 1;
INSERT INTO ceiling.msg (conv, dir, body, at) VALUES (1, 'out', 'La teva sol·licitud està en tràmit. Et direm quan hi hagi novetats.', now());
INSERT INTO ceiling.job (kind, args, state, at) VALUES ('delivery', '{"channel": "sms", "to": "+34600000001", "message": 1}', 'available', now());
INSERT INTO ceiling.access (who, what, at) VALUES ('delivery', 'outbound message queued', now());
END;
