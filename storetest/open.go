package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/catalonia/mygov/dialog"
)

// Reopening returns the open function of Run: fresh makes a test's storage once (a file,
// a schema) and returns its name, open opens a Store on a storage; a later call in the
// same test opens that same storage again.
func Reopening(fresh func(t *testing.T) string, open func(t *testing.T, storage string) Store) func(t *testing.T) Store {
	var mu sync.Mutex
	storages := map[*testing.T]string{}
	return func(t *testing.T) Store {
		t.Helper()
		mu.Lock()
		storage, ok := storages[t]
		if !ok {
			storage = fresh(t)
			storages[t] = storage
			t.Cleanup(func() {
				mu.Lock()
				delete(storages, t)
				mu.Unlock()
			})
		}
		mu.Unlock()
		return open(t, storage)
	}
}

// SQLInspector is an Inspector over a database/sql database. JobArgsQuery selects the
// JSON text of the arguments of the River jobs of a kind (its only argument), in
// insertion order.
type SQLInspector struct {
	DB           *sql.DB
	JobArgsQuery string
}

// QueryInt returns the integer of a query's single row.
func (i SQLInspector) QueryInt(ctx context.Context, query string) (int64, error) {
	var n int64
	err := i.DB.QueryRowContext(ctx, query).Scan(&n)
	return n, err
}

// QueryStrings returns the text column of a query's rows.
func (i SQLInspector) QueryStrings(ctx context.Context, query string) ([]string, error) {
	return i.strings(ctx, query)
}

// JobArgs returns the JSON arguments of the River jobs of the kind, in insertion order.
func (i SQLInspector) JobArgs(ctx context.Context, kind string) ([]string, error) {
	return i.strings(ctx, i.JobArgsQuery, kind)
}

func (i SQLInspector) strings(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := i.DB.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// testReopen checks that opening a migrated store again applies no migration twice.
func testReopen(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	const migrations = `SELECT count(*) FROM schema_migrations`
	n := count(t, s, migrations)
	if n == 0 {
		t.Fatalf("schema_migrations is empty after Open")
	}
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	s = open(t)
	if got := count(t, s, migrations); got != n {
		t.Errorf("schema_migrations has %d rows after reopening, want %d", got, n)
	}
}

// testLockoutConcurrent checks that a lockout counter counts every failure when turns of
// different conversations (a citizen over SMS and Telegram at once) count on the same key
// together: Lockout holds the counter until its turn ends, so no update is lost and no
// more guesses than MaxFailures are evaluated before the lock (issue 13, defect 7).
func testLockoutConcurrent(t *testing.T, open func(t *testing.T) Store) {
	s := open(t)
	const key, n = "citizen:cit-maria", 8
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		ch, addr := chSMS, fmt.Sprintf("+34600000%03d", 100+i)
		if i%2 == 1 {
			ch, addr = chTelegram, strconv.Itoa(7000+i)
		}
		wg.Go(func() {
			errs <- s.Turn(t.Context(), ch, addr, func(ctx context.Context, tx dialog.Tx) error {
				l, err := tx.Lockout(ctx, key)
				if err != nil {
					return err
				}
				time.Sleep(5 * time.Millisecond) // the engine checks the answer here
				l.Failures++
				return tx.SaveLockout(ctx, l)
			})
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("turn: %v", err)
		}
	}
	turn(t, s, chSMS, "+34600000100", func(ctx context.Context, tx dialog.Tx) error {
		l, err := tx.Lockout(ctx, key)
		if l.Failures != n {
			t.Errorf("failures = %d after %d concurrent failed turns: updates were lost", l.Failures, n)
		}
		return err
	})
}
