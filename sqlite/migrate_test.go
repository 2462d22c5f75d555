package sqlite

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/catalonia/mygov/internal/sqlstore"
)

// TestInboundKeyMigrationKeepsMessages brings a database to the schema before migration
// 0005 with messages in it, some since deleted, then opens it: the table is rebuilt with
// every message and the AUTOINCREMENT counter as they were (a deleted reply's id is not
// given again), and an inbound message delivered twice is still recognised.
func TestInboundKeyMigrationKeepsMessages(t *testing.T) {
	path := tempPath(t)
	db, err := openDB(dsn(path, 0))
	if err != nil {
		t.Fatal(err)
	}
	d := &dialect{}
	if _, err := db.Exec(d.MigrationsTable()); err != nil {
		t.Fatal(err)
	}
	ms, err := sqlstore.Migrations(migrationsFS)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if m.Version >= 5 {
			break
		}
		body, err := fs.ReadFile(migrationsFS, m.Path)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.Exec(string(body)); err != nil {
			t.Fatalf("%s: %v", m.Name, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations VALUES (?, ?, '2026-11-29T00:00:00.000000Z')`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	const at = `'2026-11-29T10:00:00.000000Z'`
	for _, q := range []string{
		`INSERT INTO conversations (channel, address, state, created_at, updated_at) VALUES ('sms', '+34600000001', 'idle', ` + at + `, ` + at + `)`,
		`INSERT INTO messages (conversation_id, direction, channel, channel_message_id, kind, text, created_at, updated_at)
			VALUES (1, 'in', 'sms', 'SM1', 'text', 'hola', ` + at + `, ` + at + `)`,
		`INSERT INTO messages (conversation_id, direction, channel, kind, reply, status, send_tries, created_at, updated_at)
			VALUES (1, 'out', 'sms', 'reply', '{"lines":[]}', 'queued', 2, ` + at + `, ` + at + `)`,
		`INSERT INTO messages (conversation_id, direction, channel, kind, reply, status, created_at, updated_at)
			VALUES (1, 'out', 'sms', 'reply', '{"lines":[]}', 'sent', ` + at + `, ` + at + `)`,
		`DELETE FROM messages WHERE id = 3`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s := openFile(t, path)
	var rows []string
	r, err := s.DB().Query(`SELECT id || ' ' || direction || ' ' || coalesce(channel_message_id, '-') || ' ' || coalesce(status, '-') || ' ' || send_tries
		FROM messages ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var row string
		if err := r.Scan(&row); err != nil {
			t.Fatal(err)
		}
		rows = append(rows, row)
	}
	r.Close()
	if got, want := strings.Join(rows, "; "), "1 in SM1 - 0; 2 out - queued 2"; got != want {
		t.Errorf("messages after the migration: %s, want %s", got, want)
	}
	ctx := context.Background()
	var id int64
	err = s.DB().QueryRowContext(ctx, `INSERT INTO messages (conversation_id, direction, channel, kind, created_at, updated_at)
		VALUES (1, 'out', 'sms', 'reply', `+at+`, `+at+`) RETURNING id`).Scan(&id)
	if err != nil || id != 4 {
		t.Errorf("next id = %d, %v; want 4 (3 was given before)", id, err)
	}
	res, err := s.DB().ExecContext(ctx, `INSERT INTO messages (conversation_id, direction, channel, channel_message_id, kind, created_at, updated_at)
		VALUES (1, 'in', 'sms', 'SM1', 'text', `+at+`, `+at+`)
		ON CONFLICT (channel, channel_message_id) WHERE channel_message_id IS NOT NULL DO NOTHING`)
	if n, _ := res.RowsAffected(); err != nil || n != 0 {
		t.Errorf("a second SM1: %d rows, %v; want none stored", n, err)
	}
}
