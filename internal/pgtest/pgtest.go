// Package pgtest gives tests a PostgreSQL server and fresh schemas on it.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is the server of the tests when DATABASE_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test"

// URL returns the server of the tests. When none answers (or scripts/test found none and
// set MYGOV_SKIP_POSTGRES), the test is skipped, loudly, except on CI (CI set), where it
// fails.
func URL(tb testing.TB) string {
	tb.Helper()
	url := os.Getenv("DATABASE_URL")
	if url == "" {
		url = DefaultURL
	}
	var err error
	if os.Getenv("MYGOV_SKIP_POSTGRES") != "" { // scripts/test found no server
		err = errors.New("MYGOV_SKIP_POSTGRES is set")
	} else {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var conn *pgx.Conn
		if conn, err = pgx.Connect(ctx, url); err == nil {
			err = conn.Ping(ctx)
			conn.Close(ctx)
		}
	}
	if err != nil {
		msg := "\n\n*** NO POSTGRESQL: the postgres store was NOT tested ***\n" +
			"*** set DATABASE_URL (default " + DefaultURL + "): " + err.Error() + " ***\n"
		if os.Getenv("CI") != "" {
			tb.Fatal(msg)
		}
		tb.Skip(msg)
	}
	return url
}

// Schema returns the name of a new schema on url, dropped when the test ends.
func Schema(tb testing.TB, url string) string {
	tb.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "storetest_" + hex.EncodeToString(b)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, url)
		if err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return schema
}
