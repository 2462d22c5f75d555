package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/catalonia/mygov/dialog"
	"github.com/jackc/pgx/v5"
)

var _ dialog.Privacy = (*Store)(nil)

// eraseSQL empties the messages of a citizen's conversations, and those stored while the
// citizen was linked to a conversation since unlinked.
const eraseSQL = `UPDATE messages SET text = '', meta = NULL, reply = NULL, updated_at = $1
	WHERE (citizen_id = $2 OR conversation_id IN (SELECT id FROM conversations WHERE citizen_id = $2))
	AND (text <> '' OR meta IS NOT NULL OR reply IS NOT NULL)`

// eraseJobsSQL deletes the finished delivery jobs of the citizen's conversations: their
// arguments hold the replies' text. Jobs still to run are left to deliver.
const eraseJobsSQL = `DELETE FROM river_job WHERE kind = 'deliver_reply' AND finalized_at IS NOT NULL
	AND (args->>'conversation_id')::bigint IN (SELECT id FROM conversations WHERE citizen_id = $1)`

func erase(ctx context.Context, q querier, now time.Time, citizenID string) (int64, error) {
	if citizenID == "" {
		return 0, nil
	}
	tag, err := q.Exec(ctx, eraseSQL, ts(now), citizenID)
	if err != nil {
		return 0, fmt.Errorf("postgres: erase transcripts: %w", err)
	}
	if _, err := q.Exec(ctx, eraseJobsSQL, citizenID); err != nil {
		return 0, fmt.Errorf("postgres: erase delivery jobs: %w", err)
	}
	return tag.RowsAffected(), nil
}

// EraseTranscripts empties the messages of the citizen's conversations inside the turn.
func (t *tx) EraseTranscripts(ctx context.Context, citizenID string) (int64, error) {
	return erase(ctx, t.tx, t.s.now(), citizenID)
}

// EraseTranscripts empties the messages of the citizen's conversations.
func (s *Store) EraseTranscripts(ctx context.Context, citizenID string) (int64, error) {
	return erase(ctx, s.pool, s.now(), citizenID)
}

// PurgeTranscripts deletes the messages created before the given time.
func (s *Store) PurgeTranscripts(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM messages WHERE created_at < $1`, ts(before))
	if err != nil {
		return 0, fmt.Errorf("postgres: purge transcripts: %w", err)
	}
	return tag.RowsAffected(), nil
}

// Transcripts returns the citizen's conversations with their messages, oldest first.
func (s *Store) Transcripts(ctx context.Context, citizenID string) ([]dialog.Transcript, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+conversationColumns+` FROM conversations
		WHERE citizen_id = $1 OR id IN (SELECT conversation_id FROM messages WHERE citizen_id = $1) ORDER BY id`, citizenID)
	if err != nil {
		return nil, fmt.Errorf("postgres: transcripts: %w", err)
	}
	var out []dialog.Transcript
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("postgres: transcripts: %w", err)
		}
		out = append(out, dialog.Transcript{Conversation: *c})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: transcripts: %w", err)
	}
	for i := range out {
		rows, err := s.pool.Query(ctx, `SELECT id, direction, kind, text, reply, COALESCE(status, ''), created_at
			FROM messages WHERE conversation_id = $1 ORDER BY id`, out[i].Conversation.ID)
		if err != nil {
			return nil, fmt.Errorf("postgres: messages: %w", err)
		}
		msgs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (dialog.Message, error) {
			var m dialog.Message
			err := row.Scan(&m.ID, &m.Direction, &m.Kind, &m.Text, &m.Reply, &m.Status, &m.CreatedAt)
			return m, err
		})
		if err != nil {
			return nil, fmt.Errorf("postgres: messages: %w", err)
		}
		out[i].Messages = msgs
	}
	return out, nil
}
