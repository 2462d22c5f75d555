package sqlite

import (
	"context"
	"database/sql"
	"testing"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"

	"github.com/catalonia/mygov/delivery"
	"github.com/catalonia/mygov/dialog"
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

// TestDirectJobInsertMatchesRiver writes one job with River's InsertManyFastTx and the same
// job with the direct insert, and checks that the rows are the same but for their ids and
// times: if a new River version writes its rows differently, this fails.
func TestDirectJobInsertMatchesRiver(t *testing.T) {
	path := tempPath(t)
	openFile(t, path) // migrates
	db, err := sql.Open("sqlite", dsn(path, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := &dialect{db: db, river: riversqlite.New(db)}
	if d.inserter, err = river.NewClient(d.river, &river.Config{}); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	job := delivery.Job{Outbound: dialog.Outbound{ID: 7, Channel: "sms", Address: "+34600000001", Lang: "ca"}}
	opts := &river.InsertOpts{MaxAttempts: delivery.MaxAttempts, Queue: "sms"}
	for _, viaRiver := range []bool{true, false} {
		tx, err := sqlstore.BeginOn(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if viaRiver {
			_, err = d.inserter.InsertManyFastTx(ctx, tx.Tx, []river.InsertManyParams{{Args: job, InsertOpts: opts}})
		} else {
			var ok bool
			if ok, err = d.jobs.insert(ctx, db, tx, job, opts); !ok {
				t.Fatal("the reply job did not take the direct insert")
			}
		}
		if err != nil {
			t.Fatalf("insert (via River %v): %v", viaRiver, err)
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
	if len(got) != 2 {
		t.Fatalf("%d jobs, want 2", len(got))
	}
	if got[0] != got[1] {
		t.Errorf("rows differ:\nRiver:  %+v\ndirect: %+v", got[0], got[1])
	}
	if !got[1].Due || got[1].State != "available" {
		t.Errorf("direct job not available now: %+v", got[1])
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
		var j jobInserter
		if ok, _ := j.insert(context.Background(), nil, sqlstore.Tx{}, job, opts); ok {
			t.Errorf("%s: took the direct insert", name)
		}
	}
}
