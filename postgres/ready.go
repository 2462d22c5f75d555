package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/catalonia/mygov/internal/migrations"
)

// Ready reports whether the database answers and holds every migration this build embeds.
func (s *Store) Ready(ctx context.Context) error {
	files, err := migrations.Files(migrationsFS)
	if err != nil {
		return fmt.Errorf("postgres: ready: %w", err)
	}
	var latest int
	if err := s.pool.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&latest); err != nil {
		return fmt.Errorf("postgres: ready: %w", err)
	}
	if want := files[len(files)-1].Version; latest < want {
		return fmt.Errorf("postgres: ready: schema at migration %d, this build needs %d", latest, want)
	}
	return nil
}

// QueuedOutbound counts the replies stored and not yet sent, by channel.
func (s *Store) QueuedOutbound(ctx context.Context) (map[string]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT channel, count(*) FROM messages
		WHERE status = 'queued' AND direction = 'out' GROUP BY channel`)
	if err != nil {
		return nil, fmt.Errorf("postgres: queued outbound: %w", err)
	}
	out := map[string]int64{}
	var ch string
	var n int64
	_, err = pgx.ForEachRow(rows, []any{&ch, &n}, func() error { out[ch] = n; return nil })
	if err != nil {
		return nil, fmt.Errorf("postgres: queued outbound: %w", err)
	}
	return out, nil
}
