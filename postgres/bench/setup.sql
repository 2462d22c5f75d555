-- Tables of the PostgreSQL ceiling (ceiling.sql): rows of the size a turn writes.
-- psql postgres://postgres@127.0.0.1:5432/test -f postgres/bench/setup.sql
DROP SCHEMA IF EXISTS ceiling CASCADE;
CREATE SCHEMA ceiling;
CREATE TABLE ceiling.conv (id bigint PRIMARY KEY, state text NOT NULL, data jsonb NOT NULL, updated_at timestamptz NOT NULL);
CREATE TABLE ceiling.msg (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, conv bigint NOT NULL, dir text NOT NULL, body text NOT NULL, at timestamptz NOT NULL);
CREATE TABLE ceiling.access (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, who text NOT NULL, what text NOT NULL, at timestamptz NOT NULL);
CREATE TABLE ceiling.job (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, kind text NOT NULL, args jsonb NOT NULL, state text NOT NULL, at timestamptz NOT NULL);
INSERT INTO ceiling.conv VALUES (1, 'start', '{}', now());
