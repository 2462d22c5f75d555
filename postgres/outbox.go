package postgres

import (
	"strconv"
	"sync"
	"time"

	"github.com/catalonia/mygov/internal/sqlstore"
)

var _ sqlstore.OutboxWriter = (*dialect)(nil)

// InsertWithJob writes the row and its River job in one statement: the row's insert as a
// common table expression, then the job row River's own insert writes (TestOutboxJobIsRivers
// compares them), its arguments carrying the new id.
func (*dialect) InsertWithJob(insert string, args []any, job sqlstore.JobRow) []sqlstore.Statement {
	return []sqlstore.Statement{{Query: `WITH inserted AS (` + insert + `)
		INSERT INTO river_job (args, kind, max_attempts, priority, queue)
		SELECT jsonb_set(CAST(? AS jsonb), '{id}', to_jsonb(inserted.id)), ?, ?, 1, ? FROM inserted
		RETURNING CAST(args->>'id' AS bigint)`, Args: append(args[:len(args):len(args)], string(job.Args), job.Kind, job.MaxAttempts, job.Queue)}}
}

// notifyEvery is how often a process wakes a queue's workers at most: River's default
// fetch cooldown, which its own inserts wait between two notifications too.
const notifyEvery = 100 * time.Millisecond

// notifier remembers when each queue was last woken.
type notifier struct {
	mu   sync.Mutex
	last map[string]time.Time
}

// NotifyJob wakes the workers listening on the queue's River topic in the store's schema,
// as River's insert does, at most once every notifyEvery.
func (d *dialect) NotifyJob(queue string) (string, []any) {
	now := time.Now()
	d.notifier.mu.Lock()
	defer d.notifier.mu.Unlock()
	if now.Sub(d.notifier.last[queue]) < notifyEvery {
		return "", nil
	}
	if d.notifier.last == nil {
		d.notifier.last = map[string]time.Time{}
	}
	d.notifier.last[queue] = now
	return `SELECT pg_notify(current_schema() || '.river_insert', ?)`, []any{`{"queue": ` + strconv.Quote(queue) + `}`}
}
