package app_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/store"
)

type backend struct {
	name string
	open func(t testing.TB) *store.DB
}

// backends lists the databases every service test runs on: SQLite always,
// PostgreSQL when TRUSTLEDGER_TEST_POSTGRES names a server.
func backends(t testing.TB) []backend {
	t.Helper()
	bs := []backend{{"sqlite", openSQLite}}
	if os.Getenv("TRUSTLEDGER_TEST_POSTGRES") != "" {
		bs = append(bs, backend{"postgres", openPostgres})
	} else if os.Getenv("TRUSTLEDGER_TEST_STRICT") == "1" {
		t.Fatal("TRUSTLEDGER_TEST_STRICT=1 but TRUSTLEDGER_TEST_POSTGRES is not set: the PostgreSQL suite must run")
	}
	return bs
}

func openSQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "trustledger.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

var schemaSeq atomic.Int64

// openPostgres gives each test its own schema on the test server.
func openPostgres(t testing.TB) *store.DB {
	t.Helper()
	dsn := os.Getenv("TRUSTLEDGER_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("set TRUSTLEDGER_TEST_POSTGRES to run the PostgreSQL tests")
	}
	ctx := context.Background()
	admin, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	schema := fmt.Sprintf("app_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.Add(1))
	if _, err := admin.SQL().ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	sep := "?"
	if strings.Contains(dsn, "?") {
		sep = "&"
	}
	db, err := store.Open(ctx, dsn+sep+"search_path="+schema)
	if err != nil {
		admin.Close()
		t.Fatalf("open postgres schema: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		_, _ = admin.SQL().ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	return db
}
