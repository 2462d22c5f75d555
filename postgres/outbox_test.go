package postgres

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/internal/pgtest"
	"github.com/catalonia/mygov/internal/sqlstore"
)

// TestOutboxJobIsRivers writes one reply job with River's own insert and the same job with
// InsertWithJob, and checks that the two rows are the same but for their ids and times:
// if a new River version writes its rows differently, this fails.
func TestOutboxJobIsRivers(t *testing.T) {
	url := pgtest.URL(t)
	schema := pgtest.Schema(t, url)
	openSchema(t, schema) // migrates
	ctx := context.Background()
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = schema
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE TABLE probe (id bigserial PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	inserter, err := river.NewClient(riverpgxv5.New(nil), &river.Config{Schema: schema})
	if err != nil {
		t.Fatal(err)
	}
	job := delivery.Job{ID: 1, ConversationID: 41, Channel: "sms"} // the probe's first id
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := inserter.InsertTx(ctx, tx, job, &river.InsertOpts{MaxAttempts: delivery.MaxAttempts, Queue: "sms"}); err != nil {
		t.Fatalf("River's insert: %v", err)
	}
	d := &dialect{}
	sts := d.InsertWithJob(`INSERT INTO probe DEFAULT VALUES RETURNING id`, nil, sqlstore.JobRow{
		Kind: delivery.Job{}.Kind(), Queue: "sms", Args: mustJSON(t, delivery.Job{ConversationID: job.ConversationID, Channel: job.Channel}), MaxAttempts: delivery.MaxAttempts})
	if len(sts) != 1 {
		t.Fatalf("InsertWithJob returned %d statements, want one", len(sts))
	}
	var id int64
	if err := tx.QueryRow(ctx, sqlstore.NumberedPlaceholders(sts[0].Query), sts[0].Args...).Scan(&id); err != nil {
		t.Fatalf("InsertWithJob: %v", err)
	}
	if nq, nargs := d.NotifyJob("sms"); nq == "" {
		t.Error("the first NotifyJob of a queue is empty")
	} else if _, err := tx.Exec(ctx, sqlstore.NumberedPlaceholders(nq), nargs...); err != nil {
		t.Errorf("NotifyJob: %v", err)
	}
	if nq, _ := d.NotifyJob("sms"); nq != "" {
		t.Error("a second NotifyJob at once is not empty")
	}
	if err := tx.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	type row struct {
		Args, Kind, Metadata, Queue, State, Tags string
		MaxAttempts, Priority, Attempt           int
		UniqueKey                                []byte
		Due, Fresh                               bool
	}
	rows, err := conn.Query(ctx, `SELECT (args - 'id')::text, kind, metadata::text, queue, state::text, tags::text,
		max_attempts, priority, attempt, unique_key, scheduled_at <= now(), created_at > now() - interval '1 minute'
		FROM river_job ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	got, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (row, error) {
		var v row
		err := r.Scan(&v.Args, &v.Kind, &v.Metadata, &v.Queue, &v.State, &v.Tags, &v.MaxAttempts, &v.Priority, &v.Attempt,
			&v.UniqueKey, &v.Due, &v.Fresh)
		return v, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("%d jobs, want 2", len(got))
	}
	if a, b := got[0], got[1]; a.Args != b.Args || a.Kind != b.Kind || a.Metadata != b.Metadata || a.Queue != b.Queue ||
		a.State != b.State || a.Tags != b.Tags || a.MaxAttempts != b.MaxAttempts || a.Priority != b.Priority ||
		a.Attempt != b.Attempt || a.UniqueKey != nil || b.UniqueKey != nil || a.Due != b.Due || !b.Fresh {
		t.Errorf("rows differ:\nRiver:        %+v\nInsertWithJob: %+v", a, b)
	}
	var jobID int64
	if err := conn.QueryRow(ctx, `SELECT (args->>'id')::bigint FROM river_job ORDER BY id DESC LIMIT 1`).Scan(&jobID); err != nil || jobID != id {
		t.Errorf("job's id = %d, %v; the row's is %d", jobID, err, id)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
