package sqlstore

import (
	"context"
	"database/sql"
	"io/fs"
	"time"

	"github.com/catalonia/mygov/records"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
)

// Dialect is what one database does its own way; everything else of the store is written
// once, in this package. Packages sqlite and postgres implement it.
type Dialect interface {
	// Name prefixes the store's errors ("sqlite", "postgres").
	Name() string
	// Rebind returns query, written with ? placeholders, in the database's own form.
	Rebind(query string) string
	// Begin starts a write transaction holding the lock named lock ("" for none) until it
	// ends: the lock of a conversation or of a provider's receipts. end is called once the
	// transaction has ended.
	Begin(ctx context.Context, db *sql.DB, lock string) (tx *sql.Tx, end func(), err error)
	// NoLimit is the LIMIT argument that means no limit.
	NoLimit() any
	// Time and Date return the argument of a time and of a date column (never the zero
	// time: the store writes NULL for it). Scanning takes the drivers' forms as they come
	// (see timeCol).
	Time(t time.Time) any
	Date(t time.Time) any
	// JSONInt returns the SQL expression of the integer at key of the JSON column col.
	JSONInt(col, key string) string
	// ResetIdentity returns the statement that moves the identity of table past the ids
	// written explicitly into it ("" when the database does it itself).
	ResetIdentity(table string) string
	// ErrorCode returns the records error code of a constraint error: records.ECONFLICT for
	// a unique violation, records.EINVALID for a foreign key; "" for any other error.
	ErrorCode(err error) records.Code
	// River returns the River driver over the store's database, and Configure adjusts a
	// River client's configuration (schema, polling) before the store builds the client.
	River() riverdriver.Driver[*sql.Tx]
	Configure(c *river.Config)
	// Migrations holds the dialect's migrations, "migrations/NNNN_name.sql", and
	// MigrationsTable the statement that creates the schema_migrations table when missing.
	Migrations() fs.FS
	MigrationsTable() string
	// LockMigrations keeps other processes from migrating the database until unlock.
	LockMigrations(ctx context.Context) (unlock func(), err error)
	// Close releases what the dialect opened beside the *sql.DB, after the store closed it.
	Close() error
}
