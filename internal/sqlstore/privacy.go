package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
)

// erase empties the messages of a citizen's conversations, and those stored while the
// citizen was linked to a conversation since unlinked, and deletes the finished delivery
// jobs of the citizen's conversations (a job names its reply; the jobs of earlier versions
// held its text too). Jobs still to run are left to deliver.
func (c conn) erase(ctx context.Context, citizenID string) (int64, error) {
	if citizenID == "" {
		return 0, nil
	}
	res, err := c.exec(ctx, `UPDATE messages SET text = '', meta = NULL, reply = NULL, updated_at = ?
		WHERE (citizen_id = ? OR conversation_id IN (SELECT id FROM conversations WHERE citizen_id = ?))
		AND (text <> '' OR meta IS NOT NULL OR reply IS NOT NULL)`, c.ts(c.s.now()), citizenID, citizenID)
	if err != nil {
		return 0, c.s.errorf("erase transcripts", err)
	}
	if _, err := c.exec(ctx, `DELETE FROM river_job WHERE kind = ? AND finalized_at IS NOT NULL
		AND `+c.s.d.JSONInt("args", "conversation_id")+` IN (SELECT id FROM conversations WHERE citizen_id = ?)`,
		delivery.Job{}.Kind(), citizenID); err != nil {
		return 0, c.s.errorf("erase delivery jobs", err)
	}
	n, err := res.RowsAffected()
	return n, c.s.errorf("erase transcripts", err)
}

// EraseTranscripts empties the messages of the citizen's conversations inside the turn.
func (t *tx) EraseTranscripts(ctx context.Context, citizenID string) (int64, error) {
	return t.erase(ctx, citizenID)
}

// EraseTranscripts empties the messages of the citizen's conversations.
func (s *Store) EraseTranscripts(ctx context.Context, citizenID string) (int64, error) {
	return s.conn(s.db).erase(ctx, citizenID)
}

// PurgeTranscripts deletes the messages created before the given time.
func (s *Store) PurgeTranscripts(ctx context.Context, before time.Time) (int64, error) {
	q := s.conn(s.db)
	res, err := q.exec(ctx, `DELETE FROM messages WHERE created_at < ?`, q.ts(before))
	if err != nil {
		return 0, s.errorf("purge transcripts", err)
	}
	n, err := res.RowsAffected()
	return n, s.errorf("purge transcripts", err)
}

// Transcripts returns the citizen's conversations with their messages, oldest first.
func (s *Store) Transcripts(ctx context.Context, citizenID string) ([]dialog.Transcript, error) {
	q := s.conn(s.db)
	out, err := scanAll(ctx, q, func(row *sql.Rows, t *dialog.Transcript) error {
		c, err := scanConversation(row)
		if err == nil {
			t.Conversation = *c
		}
		return err
	}, `SELECT `+conversationColumns+` FROM conversations
		WHERE citizen_id = ? OR id IN (SELECT conversation_id FROM messages WHERE citizen_id = ?) ORDER BY id`, citizenID, citizenID)
	if err != nil {
		return nil, s.errorf("transcripts", err)
	}
	for i := range out {
		if out[i].Messages, err = q.messages(ctx, out[i].Conversation.ID); err != nil {
			return nil, s.errorf("transcripts: messages", err)
		}
	}
	return out, nil
}

func (c conn) messages(ctx context.Context, conversationID int64) ([]dialog.Message, error) {
	return scanAll(ctx, c, func(row *sql.Rows, m *dialog.Message) error {
		var reply sql.NullString
		if err := row.Scan(&m.ID, &m.Direction, &m.Kind, &m.Text, &reply, &m.Status, timeCol{&m.CreatedAt}); err != nil {
			return err
		}
		if reply.Valid {
			m.Reply = new(dialog.Reply)
			if err := json.Unmarshal([]byte(reply.String), m.Reply); err != nil {
				return fmt.Errorf("reply %d: %w", m.ID, err)
			}
		}
		return nil
	}, `SELECT id, direction, kind, text, reply, COALESCE(status, ''), created_at
		FROM messages WHERE conversation_id = ? ORDER BY id`, conversationID)
}
