package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/internal/sqlstore"
)

// jobRow is a river_job row as River reads it, without its id and times.
type jobRow struct {
	Args, Kind, Metadata, Queue, State, Tags string
	MaxAttempts, Priority, Attempt           int
	UniqueKey                                sql.NullString
	UniqueStates                             sql.NullInt64
	CreatedLen, ScheduledLen                 int  // the time format: "2006-01-02 15:04:05.000"
	Due                                      bool // scheduled_at <= now, as River's fetch compares
}

// TestDirectJobInsertMatchesRiver writes one job with River's InsertManyFastTx, the same
// job with the direct insert, and the same job as the outbox writes it with its row
// (InsertWithJob), and checks that the rows are the same but for their ids and times: if a
// new River version writes its rows differently, this fails.
func TestDirectJobInsertMatchesRiver(t *testing.T) {
	path := tempPath(t)
	openFile(t, path) // migrates
	db, err := openDB(dsn(path, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE probe (id INTEGER PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	d := &dialect{river: riversqlite.New(db)}
	if d.inserter, err = river.NewClient(d.river, &river.Config{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	job := delivery.Job{ID: 7, ConversationID: 3, Channel: "sms"}
	opts := &river.InsertOpts{MaxAttempts: delivery.MaxAttempts, Queue: "sms"}
	vias := []string{"River", "direct", "direct in a turn", "outbox"}
	for _, via := range vias {
		begin := func(ctx context.Context, db *sql.DB) (sqlstore.Tx, error) { return sqlstore.BeginOn(ctx, db) }
		if via == "direct in a turn" || via == "outbox" {
			begin = d.BeginDirect
		}
		tx, err := begin(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		switch via {
		case "River":
			_, err = d.inserter.InsertManyFastTx(ctx, tx.Tx, []river.InsertManyParams{{Args: job, InsertOpts: opts}})
		case "direct", "direct in a turn":
			var ok bool
			if ok, err = insertJob(ctx, tx, job, opts); !ok {
				t.Fatal("the reply job did not take the direct insert")
			}
		case "outbox":
			unset := job
			unset.ID = 0 // the statement sets it
			raw, err := json.Marshal(unset)
			if err != nil {
				t.Fatal(err)
			}
			sts := d.InsertWithJob(`INSERT INTO probe (id) VALUES (?) RETURNING id`, []any{7},
				sqlstore.JobRow{Kind: job.Kind(), Queue: opts.Queue, Args: raw, MaxAttempts: opts.MaxAttempts})
			var id int64
			batch := make([]sqlstore.BatchStmt, len(sts))
			for i, st := range sts {
				batch[i] = sqlstore.BatchStmt{Query: st.Query, Args: st.Args}
			}
			batch[0].Scan = func(r sqlstore.Row) error { return r.Scan(&id) }
			if err = d.Batch(ctx, tx, batch); err == nil && id != 7 {
				t.Errorf("InsertWithJob returned id %d, want 7", id)
			}
		}
		if err != nil {
			t.Fatalf("insert (via %s): %v", via, err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
		tx.End()
	}
	rows, err := db.Query(`SELECT json(args), kind, json(metadata), queue, state, json(tags), max_attempts, priority, attempt,
		hex(unique_key), unique_states, length(created_at), length(scheduled_at), scheduled_at <= datetime('now', 'subsec')
		FROM river_job ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []jobRow
	for rows.Next() {
		var r jobRow
		if err := rows.Scan(&r.Args, &r.Kind, &r.Metadata, &r.Queue, &r.State, &r.Tags, &r.MaxAttempts, &r.Priority, &r.Attempt,
			&r.UniqueKey, &r.UniqueStates, &r.CreatedLen, &r.ScheduledLen, &r.Due); err != nil {
			t.Fatal(err)
		}
		got = append(got, r)
	}
	if len(got) != len(vias) {
		t.Fatalf("%d jobs, want %d", len(got), len(vias))
	}
	for i, via := range vias[1:] {
		if got[0] != got[i+1] {
			t.Errorf("rows differ:\nRiver: %+v\n%s: %+v", got[0], via, got[i+1])
		}
		if !got[i+1].Due || got[i+1].State != "available" {
			t.Errorf("%s job not available now: %+v", via, got[i+1])
		}
	}
}

// TestDirectJobInsertFallsBack: what the direct insert does not write goes through River.
func TestDirectJobInsertFallsBack(t *testing.T) {
	job := delivery.Job{}
	for name, opts := range map[string]*river.InsertOpts{
		"unique":    {UniqueOpts: river.UniqueOpts{ByArgs: true}},
		"tags":      {Tags: []string{"a"}},
		"metadata":  {Metadata: []byte(`{"a":1}`)},
		"pending":   {Pending: true},
		"priority":  {Priority: 9},
		"bad queue": {Queue: "SMS queue"},
	} {
		if ok, _ := insertJob(context.Background(), sqlstore.Tx{}, job, opts); ok {
			t.Errorf("%s: took the direct insert", name)
		}
	}
}
