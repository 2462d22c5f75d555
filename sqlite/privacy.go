package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/catalonia/mygov/dialog"
)

var (
	_ dialog.Privacy = (*Store)(nil)
)

// eraseSQL empties the messages of a citizen's conversations, and those stored while the
// citizen was linked to a conversation since unlinked.
const eraseSQL = `UPDATE messages SET text = '', meta = NULL, reply = NULL, updated_at = ?
	WHERE (citizen_id = ? OR conversation_id IN (SELECT id FROM conversations WHERE citizen_id = ?))
	AND (text <> '' OR meta IS NOT NULL OR reply IS NOT NULL)`

// eraseJobsSQL deletes the finished delivery jobs of the citizen's conversations: their
// arguments hold the replies' text. Jobs still to run are left to deliver.
const eraseJobsSQL = `DELETE FROM river_job WHERE kind = 'deliver_reply' AND finalized_at IS NOT NULL
	AND json_extract(args, '$.conversation_id') IN (SELECT id FROM conversations WHERE citizen_id = ?)`

func erase(ctx context.Context, q querier, now time.Time, citizenID string) (int64, error) {
	if citizenID == "" {
		return 0, nil
	}
	res, err := q.ExecContext(ctx, eraseSQL, ts(now), citizenID, citizenID)
	if err != nil {
		return 0, fmt.Errorf("sqlite: erase transcripts: %w", err)
	}
	if _, err := q.ExecContext(ctx, eraseJobsSQL, citizenID); err != nil {
		return 0, fmt.Errorf("sqlite: erase delivery jobs: %w", err)
	}
	return res.RowsAffected()
}

// EraseTranscripts empties the messages of the citizen's conversations inside the turn.
func (t *tx) EraseTranscripts(ctx context.Context, citizenID string) (int64, error) {
	return erase(ctx, t.tx, t.s.now(), citizenID)
}

// EraseTranscripts empties the messages of the citizen's conversations.
func (s *Store) EraseTranscripts(ctx context.Context, citizenID string) (int64, error) {
	return erase(ctx, s.db, s.now(), citizenID)
}

// PurgeTranscripts deletes the messages created before the given time.
func (s *Store) PurgeTranscripts(ctx context.Context, before time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM messages WHERE created_at < ?`, ts(before))
	if err != nil {
		return 0, fmt.Errorf("sqlite: purge transcripts: %w", err)
	}
	return res.RowsAffected()
}

// Transcripts returns the citizen's conversations with their messages, oldest first.
func (s *Store) Transcripts(ctx context.Context, citizenID string) ([]dialog.Transcript, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE citizen_id = ? OR id IN (SELECT conversation_id FROM messages WHERE citizen_id = ?) ORDER BY id`, citizenID, citizenID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: transcripts: %w", err)
	}
	var out []dialog.Transcript
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("sqlite: transcripts: %w", err)
		}
		out = append(out, dialog.Transcript{Conversation: *c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: transcripts: %w", err)
	}
	for i := range out {
		msgs, err := s.messages(ctx, out[i].Conversation.ID)
		if err != nil {
			return nil, err
		}
		out[i].Messages = msgs
	}
	return out, nil
}

func (s *Store) messages(ctx context.Context, conversationID int64) ([]dialog.Message, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, direction, kind, text, reply, COALESCE(status, ''), created_at
		FROM messages WHERE conversation_id = ? ORDER BY id`, conversationID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: messages: %w", err)
	}
	defer rows.Close()
	var out []dialog.Message
	for rows.Next() {
		var (
			m     dialog.Message
			reply sql.NullString
		)
		if err := rows.Scan(&m.ID, &m.Direction, &m.Kind, &m.Text, &reply, &m.Status, timeCol{&m.CreatedAt}); err != nil {
			return nil, fmt.Errorf("sqlite: messages: %w", err)
		}
		if reply.Valid {
			m.Reply = new(dialog.Reply)
			if err := json.Unmarshal([]byte(reply.String), m.Reply); err != nil {
				return nil, fmt.Errorf("sqlite: messages: reply %d: %w", m.ID, err)
			}
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
