package sqlite

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/catalonia/mygov/internal/sqlstore"
)

// River's defaults for a job inserted without options (river.Config.MaxAttempts,
// rivercommon.PriorityDefault, rivercommon.QueueDefault).
const (
	riverMaxAttempts = 25
	riverPriority    = 1
	riverQueue       = "default"
)

// insertJobSQL writes the row River's InsertManyFastTx writes for a job with no
// uniqueness, schedule, tags or metadata, with the same defaults and time format.
// TestDirectJobInsertMatchesRiver compares the two rows column by column.
var insertJobSQL = jobInsert("?")

// jobInsert returns insertJobSQL with args, an SQL expression, as the job's JSON arguments.
func jobInsert(args string) string {
	return `INSERT INTO river_job (args, kind, max_attempts, metadata, priority, queue, state, tags, created_at, scheduled_at)
	VALUES (jsonb(` + args + `), ?, ?, jsonb('{}'), ?, ?, 'available', jsonb('[]'), datetime('now', 'subsec'), datetime('now', 'subsec'))`
}

var _ sqlstore.OutboxWriter = (*dialect)(nil)

// outboxJobSQL is insertJobSQL whose arguments get the id SQLite gave the row the
// statement before it inserted.
var outboxJobSQL = jobInsert(`json_set(?, '$.id', last_insert_rowid())`)

// InsertWithJob runs insert, which returns the row's id, then writes the job as
// insertJobSQL does, its arguments carrying that id: two statements of the turn's batch,
// no JSON encoded again.
func (*dialect) InsertWithJob(insert string, args []any, job sqlstore.JobRow) []sqlstore.Statement {
	return []sqlstore.Statement{{Query: insert, Args: args},
		{Query: outboxJobSQL, Args: []any{string(job.Args), job.Kind, job.MaxAttempts, riverPriority, job.Queue}}}
}

// NotifyJob returns nothing: River's workers poll SQLite.
func (*dialect) NotifyJob(string) (string, []any) { return "", nil }

// direct reports whether opts and args ask nothing insertJobSQL does not write, with a
// queue name River accepts: anything else goes through River, which validates it.
func direct(args river.JobArgs, opts *river.InsertOpts) bool {
	if _, ok := args.(river.JobArgsWithInsertOpts); ok {
		return false
	}
	if opts == nil {
		return true
	}
	return sqlstore.ValidQueue(cmp.Or(opts.Queue, riverQueue)) && opts.ScheduledAt.IsZero() && opts.Tags == nil && len(opts.Metadata) == 0 && !opts.Pending &&
		!unique(opts.UniqueOpts) && opts.Priority >= 0 && opts.Priority <= 4
}

// unique reports whether u asks River to keep the job unique.
func unique(u river.UniqueOpts) bool {
	return u.ByArgs || u.ByPeriod != 0 || u.ByQueue || u.ByState != nil || u.ExcludeKind
}

// insertJob writes the job in tx with insertJobSQL, on the transaction's connection through
// the driver (the statement stays prepared there), or reports false when it must go
// through River: River's SQLite insert builds its rows from a JSON array through
// json_each, which measured a quarter of a turn's CPU.
func insertJob(ctx context.Context, tx sqlstore.Tx, args river.JobArgs, opts *river.InsertOpts) (bool, error) {
	if !direct(args, opts) {
		return false, nil
	}
	if opts == nil {
		opts = &river.InsertOpts{}
	}
	encoded, err := json.Marshal(args)
	if err != nil {
		return true, fmt.Errorf("job args: %w", err)
	}
	jobArgs := []any{encoded, args.Kind(), cmp.Or(opts.MaxAttempts, riverMaxAttempts), cmp.Or(opts.Priority, riverPriority),
		cmp.Or(opts.Queue, riverQueue)}
	if ctx, err = holding(ctx); err != nil {
		return true, err
	}
	return true, tx.Conn.Raw(func(dc any) error {
		return sqlstore.RunDirect(ctx, dc, []sqlstore.BatchStmt{{What: "insert job", Query: insertJobSQL, Args: jobArgs}})
	})
}
