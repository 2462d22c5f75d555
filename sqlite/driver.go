package sqlite

import (
	"context"
	"database/sql"

	"github.com/catalonia/mygov/internal/sqlstore"
)

// openDB opens the database of dsn with modernc's driver, its connections keeping the
// statements of Batch prepared (sqlstore.DirectConnector).
func openDB(dsn string) (*sql.DB, error) {
	probe, err := sql.Open("sqlite", dsn) // finds the registered driver; opens nothing
	if err != nil {
		return nil, err
	}
	drv := probe.Driver()
	probe.Close()
	return sql.OpenDB(sqlstore.DirectConnector(drv, dsn)), nil
}

var _ sqlstore.Batcher = (*dialect)(nil)

// Batch runs the statements one after the other on the transaction's connection, through
// the driver itself (sqlstore.RunDirect): a statement costs no round trip here, but
// database/sql's work around it costs more than SQLite's for a turn's small writes.
func (d *dialect) Batch(ctx context.Context, tx sqlstore.Tx, stmts []sqlstore.BatchStmt) error {
	ctx, err := holding(ctx)
	if err != nil {
		return err
	}
	return tx.Conn.Raw(func(dc any) error { return sqlstore.RunDirect(ctx, dc, stmts) })
}

// holding returns the context for the statements of a turn's transaction (BeginDirect), or
// ctx's error when it has ended. For a context that can end, the driver arms SQLite's
// interrupt around every statement with a goroutine of its own, which wakes another
// thread: with a webhook's context, that measured an eighth of a turn's CPU. A statement
// of the transaction waits for no lock once BEGIN IMMEDIATE has it, and runs to its end,
// microseconds away; BEGIN itself waits for the Store's other turns in writeLock, which
// ctx ends, and for another process's up to the busy timeout.
func holding(ctx context.Context) (context.Context, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return context.WithoutCancel(ctx), nil
}
