// Package migrations lists the embedded, versioned SQL migrations of a store.
package migrations

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// File is one embedded migration, "migrations/0001_name.sql".
type File struct {
	Version int
	Name    string
	Path    string
}

// Files lists the migrations of fsys, "migrations/NNNN_name.sql", in version order.
func Files(fsys fs.FS) ([]File, error) {
	paths, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []File
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
		ms = append(ms, File{Version: v, Name: name, Path: p})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}
