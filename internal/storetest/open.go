package storetest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/testenv"

	"github.com/jackc/pgx/v5"

	"github.com/trustledger/trustledger/internal/store"
)

// EnvPostgres names the variable that holds the PostgreSQL URL tests use;
// EnvStrict, when "1", turns a missing PostgreSQL into a failure (CI).
const (
	EnvPostgres = "TRUSTLEDGER_TEST_POSTGRES"
	EnvStrict   = testenv.Strict
)

// OpenSQLite opens a fresh, migrated SQLite database in a temp dir,
// closed when the test ends.
func OpenSQLite(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "trustledger.db"))
	if err != nil {
		tb.Fatalf("open sqlite: %v", err)
	}
	tb.Cleanup(func() {
		if err := db.Close(); err != nil {
			tb.Errorf("close sqlite: %v", err)
		}
	})
	return db
}

// PostgresURL returns the PostgreSQL URL from TRUSTLEDGER_TEST_POSTGRES.
// When it is unset the test is skipped with a message saying how to run
// it, or fails when TRUSTLEDGER_TEST_STRICT=1.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		msg := EnvPostgres + " is not set: set it to a PostgreSQL URL " +
			"(e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable) to run the PostgreSQL tests"
		testenv.Missing(tb, msg)
	}
	return dsn
}

// OpenPostgres opens a fresh, migrated PostgreSQL database in a schema of
// its own (tl_<random>, dropped when the test ends), so tests run in
// parallel without seeing each other. See PostgresURL for skipping.
func OpenPostgres(tb testing.TB) *store.DB {
	tb.Helper()
	ctx := context.Background()
	dsn := PostgresSchemaURL(tb)
	db, err := store.Open(ctx, dsn)
	if err != nil {
		tb.Fatalf("open postgres: %v", err)
	}
	tb.Cleanup(func() { // runs before the schema is dropped (LIFO)
		if err := db.Close(); err != nil {
			tb.Errorf("close postgres: %v", err)
		}
	})
	return db
}

// PostgresSchemaURL creates an empty schema of its own (dropped when the
// test ends) and returns a URL that uses it, for tests that hand the
// database to other processes. See PostgresURL for skipping.
func PostgresSchemaURL(tb testing.TB) string {
	tb.Helper()
	base := PostgresURL(tb)
	ctx := context.Background()
	schema := "tl_" + strings.ToLower(rand.Text()[:16])
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connect to %s: %v", EnvPostgres, err)
	}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close(ctx)
		tb.Fatalf("create schema %s: %v", schema, err)
	}
	admin.Close(ctx)
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			tb.Errorf("connect to drop schema %s: %v", schema, err)
			return
		}
		defer admin.Close(ctx)
		if _, err := admin.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("drop schema %s: %v", schema, err)
		}
	})
	dsn, err := withSearchPath(base, schema)
	if err != nil {
		tb.Fatal(err)
	}
	return dsn
}

// withSearchPath adds search_path=schema to a PostgreSQL URL; pgx sends
// unknown URL parameters as run-time parameters at connect time.
func withSearchPath(dsn, schema string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("%s is not a URL: %w", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
