// Package sqlstore is MyGov's one SQL store: every store interface of dialog and records,
// the delivery outbox, the citizens' privacy rights and the seeding of records, written
// once over database/sql for SQLite and PostgreSQL. What the two databases do their own
// way is a Dialect, implemented by package sqlite and package postgres, which hold only
// their connection, their lock, their River driver and their migration files.
//
// # Queries
//
// A query is written once, in SQL that both databases accept, with ? placeholders, and
// runs through a conn (the database, or a transaction): conn.exec, conn.query,
// conn.queryRow, or scanAll for a list. conn rebinds the placeholders for the dialect
// (once per query text: the one place to prepare statements) and cleans every string
// argument (Clean: NUL bytes and invalid UTF-8 become U+FFFD, as PostgreSQL requires).
// Arguments and columns that the databases store differently go through the encodings
// here, never as raw Go values:
//
//   - a time: conn.ts(t), conn.nullTS(t) (NULL for the zero time), conn.nullDate(t);
//     scan it with timeCol{&t}. SQLite keeps TEXT in TimeLayout, PostgreSQL timestamptz.
//   - JSON: jsonArgs.of(v) (or marshal); scan it with jsonCol{&v}. SQLite keeps TEXT,
//     PostgreSQL jsonb.
//   - an optional text: nullString(s).
//   - LIMIT "all": Dialect.NoLimit(); a JSON field in SQL: Dialect.JSONInt.
//
// Errors are wrapped once with Store.errorf(op, err) ("sqlite: find citizen: …"); a
// constraint error gets its records code with conn.mapConstraint, and Dialect.ErrorCode
// tells a unique violation (records.ECONFLICT) from a missing reference (records.EINVALID).
//
// # Writing
//
// A turn (Store.Turn) is one transaction holding its conversation's lock: the row its first
// statement upserts (on SQLite, the database's write lock, taken by a transaction begun on
// the driver itself: DirectBeginner, DirectTx; the turn then only reads its row). Inside a
// turn, a write whose result the turn does not need at once goes through conn.later: it
// waits and runs with the turn's next statement (conn.flush), on a Batcher dialect
// in one batch (PostgreSQL: one round trip; SQLite: on the driver, past database/sql); a
// read flushes the waiting writes first, so a turn always reads what it wrote. A write that
// needs its new row's id ends its insert in RETURNING id and sets write.id: where the driver
// reports the id itself (Dialect.LastInsertID, SQLite), the clause is left out. AddOutbound
// flushes them with the reply's insert, and on an OutboxWriter dialect the reply's delivery
// job goes in that same batch, written by the dialect's own statement. Other writes run in
// Store.write(ctx, lock, fn), with lockName(kind, key...) naming the lock they share with
// the writers they must not interleave with, or "" for none. Inside a transaction,
// conn.insertJob(ctx, args, opts) enqueues a River job that exists only if the transaction
// commits: the transactional outbox. AddOutbound enqueues a delivery.Job that way;
// proactive notices are jobs of their own kind, inserted the same way.
//
// Delivery's writes — a reply's claim (ClaimOutbound, one statement that locks the
// conversation's queued rows in order: Dialect.ForUpdate) and its mark (MarkOutbound,
// written in groups by marks.go) — go through deliveryWrite: on delivery's own connections
// where the dialect has them (Config.DeliveryDB, PostgreSQL) and Urgent, so that where one
// lock serializes every write (SQLite) they pass the turns waiting for it. Store.StartWorkers
// starts a River client that works the named queues with the given workers (delivery's
// queues are named after channels).
//
// # Adding a table
//
//  1. Write one migration per dialect with the next version number:
//     sqlite/migrations/NNNN_name.sql (TEXT times and JSON, INTEGER booleans, STRICT
//     tables) and postgres/migrations/NNNN_name.sql (timestamptz, jsonb, boolean, identity
//     ids). Open applies the migrations that schema_migrations does not list, in order,
//     each in its own transaction; never edit one that has shipped.
//  2. Write the queries once, in a new file of this package, as methods of Store (outside
//     a turn), of tx (inside one) or of reader (reads in both), with the encodings above.
//  3. Declare the interface next to the code that uses it (the inbox, the notices API), and
//     assert here that Store implements it.
//  4. Test the behaviour in storetest (both stores run it) with a real database.
package sqlstore
