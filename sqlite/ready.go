package sqlite

import (
	"context"
	"fmt"

	"github.com/catalonia/mygov/internal/migrations"
)

// Ready reports whether the database answers and holds every migration this build embeds.
func (s *Store) Ready(ctx context.Context) error {
	files, err := migrations.Files(migrationsFS)
	if err != nil {
		return fmt.Errorf("sqlite: ready: %w", err)
	}
	var latest int
	if err := s.db.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return fmt.Errorf("sqlite: ready: %w", err)
	}
	if want := files[len(files)-1].Version; latest < want {
		return fmt.Errorf("sqlite: ready: schema at migration %d, this build needs %d", latest, want)
	}
	return nil
}

// QueuedOutbound counts the replies stored and not yet sent, by channel.
func (s *Store) QueuedOutbound(ctx context.Context) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT channel, count(*) FROM messages
		WHERE status = 'queued' AND direction = 'out' GROUP BY channel`)
	if err != nil {
		return nil, fmt.Errorf("sqlite: queued outbound: %w", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var ch string
		var n int64
		if err := rows.Scan(&ch, &n); err != nil {
			return nil, fmt.Errorf("sqlite: queued outbound: %w", err)
		}
		out[ch] = n
	}
	return out, rows.Err()
}
