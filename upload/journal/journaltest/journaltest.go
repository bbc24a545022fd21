// Package journaltest gives tests a PostgreSQL database of their own for
// the journal: a fresh schema in the server named by CFONB_TEST_POSTGRES,
// dropped when the test ends.
package journaltest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// EnvURL names the environment variable holding the URL of a PostgreSQL
// server for the tests (a role that may create schemas).
const EnvURL = "CFONB_TEST_POSTGRES"

// HowTo says how to run the PostgreSQL tests.
const HowTo = "set " + EnvURL + "=postgres://USER@HOST:PORT/DB (a role that may create schemas), or start a throwaway server with `. .ci/postgres.sh` (see README, \"Running the PostgreSQL tests\")"

// PostgresURL returns the URL of an empty schema of its own in the test
// server, dropped at the end of the test. Without CFONB_TEST_POSTGRES the
// test is skipped, except in CI (CI=true), where it fails: CI must run
// the PostgreSQL tests.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvURL)
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true but %s is not set: .ci/run starts PostgreSQL with .ci/postgres.sh; the PostgreSQL tests must run in CI", EnvURL)
		}
		t.Skip("PostgreSQL tests skipped: " + HowTo)
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	defer func() { _ = db.Close() }()
	var b [6]byte
	rand.Read(b[:])
	schema := "cfonb_test_" + hex.EncodeToString(b[:])
	ctx := context.Background()
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("%s: creating a schema: %v", EnvURL, err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			t.Errorf("%s: dropping the test schema %s: %v", EnvURL, schema, err)
			return
		}
		defer func() { _ = db.Close() }()
		if _, err := db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("%s: dropping the test schema %s (left behind): %v", EnvURL, schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
