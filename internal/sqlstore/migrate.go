package sqlstore

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Migration is one file of a dialect's migrations, "migrations/NNNN_name.sql".
type Migration struct {
	Version int
	Name    string // the file name without ".sql"
	Path    string
}

// Migrations lists the migrations of fsys, "migrations/NNNN_name.sql", in version order.
func Migrations(fsys fs.FS) ([]Migration, error) {
	paths, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Migration
	seen := map[int]string{}
	for _, p := range paths {
		name := strings.TrimSuffix(path.Base(p), ".sql")
		num, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if err != nil || v <= 0 {
			return nil, fmt.Errorf("migration %s: name must start with a version number", p)
		}
		if other, ok := seen[v]; ok {
			return nil, fmt.Errorf("migrations %s and %s share version %d", other, p, v)
		}
		seen[v] = p
		ms = append(ms, Migration{Version: v, Name: name, Path: p})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// migrate applies the dialect's migrations that the schema_migrations table does not
// list, each in its own transaction, under the dialect's migration lock.
func (s *Store) migrate(ctx context.Context) error {
	unlock, err := s.d.LockMigrations(ctx)
	if err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer unlock()
	if _, err := s.db.ExecContext(ctx, s.d.MigrationsTable()); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	files, err := Migrations(s.d.Migrations())
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, f := range files {
		if err := s.write(ctx, "", func(q conn) error { return s.apply(ctx, q, f) }); err != nil {
			return fmt.Errorf("migrate %s: %w", f.Name, err)
		}
	}
	return nil
}

func (s *Store) apply(ctx context.Context, q conn, f Migration) error {
	var n int
	if err := q.queryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, f.Version).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(s.d.Migrations(), f.Path)
	if err != nil {
		return err
	}
	// No arguments: the whole file runs, every statement of it.
	if _, err := q.q.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	_, err = q.exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		f.Version, f.Name, q.ts(s.now()))
	return err
}
