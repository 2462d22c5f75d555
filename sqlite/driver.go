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
	return tx.Conn.Raw(func(dc any) error { return sqlstore.RunDirect(ctx, dc, stmts) })
}
