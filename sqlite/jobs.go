package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

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
// statement before it inserted, and which returns it.
var outboxJobSQL = jobInsert(`json_set(?, '$.id', last_insert_rowid())`) + ` RETURNING json_extract(args, '$.id')`

// InsertWithJob runs insert, then writes the job as insertJobSQL does, its arguments
// carrying the row's id: two statements of the turn's batch, no JSON encoded again.
func (*dialect) InsertWithJob(insert string, args []any, job sqlstore.JobRow) []sqlstore.Statement {
	return []sqlstore.Statement{{Query: insert, Args: args},
		{Query: outboxJobSQL, Args: []any{string(job.Args), job.Kind, job.MaxAttempts, riverPriority, job.Queue}}}
}

// NotifyJob returns nothing: River's workers poll SQLite.
func (*dialect) NotifyJob(string) (string, []any) { return "", nil }

// jobInserter writes River jobs with one statement prepared once per connection: River's
// SQLite driver builds its insert from a JSON array through json_each, and modernc's
// driver parses it again on every call, which measured a quarter of a turn's CPU.
type jobInserter struct {
	once sync.Once
	stmt *sql.Stmt
	err  error
}

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

// insert writes the job in tx, or reports false when it must go through River.
func (j *jobInserter) insert(ctx context.Context, db *sql.DB, tx sqlstore.Tx, args river.JobArgs, opts *river.InsertOpts) (bool, error) {
	if !direct(args, opts) {
		return false, nil
	}
	j.once.Do(func() { j.stmt, j.err = db.Prepare(insertJobSQL) })
	if j.err != nil {
		return false, nil
	}
	if opts == nil {
		opts = &river.InsertOpts{}
	}
	queue := cmp.Or(opts.Queue, riverQueue)
	encoded, err := json.Marshal(args)
	if err != nil {
		return true, fmt.Errorf("job args: %w", err)
	}
	jobArgs := []any{encoded, args.Kind(), cmp.Or(opts.MaxAttempts, riverMaxAttempts), cmp.Or(opts.Priority, riverPriority), queue}
	if tx.Tx == nil { // a turn's (sqlstore.DirectTx)
		return true, tx.Conn.Raw(func(dc any) error {
			return sqlstore.RunDirect(ctx, dc, []sqlstore.BatchStmt{{Query: insertJobSQL, Args: jobArgs}})
		})
	}
	_, err = tx.StmtContext(ctx, j.stmt).ExecContext(ctx, jobArgs...)
	return true, err
}
