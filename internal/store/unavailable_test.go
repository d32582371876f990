package store_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// wantUnavailable checks err is EUNAVAILABLE with a retry delay and a
// message that says nothing was saved.
func wantUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	var te *tl.Error
	if tl.ErrorCode(err) != tl.EUNAVAILABLE {
		t.Errorf("%s: %v (code %q), want %q", what, err, tl.ErrorCode(err), tl.EUNAVAILABLE)
		return
	}
	if !strings.Contains(tl.ErrorMessage(err), "nothing was saved") {
		t.Errorf("%s: message %q does not say nothing was saved", what, tl.ErrorMessage(err))
	}
	if errors.As(err, &te); te.RetryAfter <= 0 {
		t.Errorf("%s: no RetryAfter", what)
	}
}

func newUser(id string) *tl.User {
	return &tl.User{ID: id, Email: id + "@example.com", Name: id, Role: tl.RoleAdmin, CreatedAt: time.Now()}
}

// TestPostgresReadOnlyIsUnavailable: a PostgreSQL session that takes no
// writes (default_transaction_read_only, as on a standby after a failover)
// refuses a write with SQLSTATE 25006: EUNAVAILABLE, not EINTERNAL, and
// Ready says the database is read-only.
func TestPostgresReadOnlyIsUnavailable(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.PostgresSchemaURL(t)
	db, err := store.Open(ctx, dsn) // migrates
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ready(ctx); err != nil {
		t.Fatalf("ready: %v", err)
	}
	ro, err := store.Open(ctx, dsn+"&default_transaction_read_only=on")
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	wantUnavailable(t, "write", ro.Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, newUser("u1"), "") }))
	err = ro.Ready(ctx)
	if tl.ErrorCode(err) != tl.EUNAVAILABLE || !strings.Contains(tl.ErrorMessage(err), "read-only") {
		t.Errorf("ready on a read-only session: %v, want EUNAVAILABLE saying read-only", err)
	}
}

// TestSQLiteLockedIsUnavailable: a SQLite file whose write lock another
// process holds past the busy timeout refuses a write with SQLITE_BUSY:
// EUNAVAILABLE, and Ready says the database cannot take writes; once the
// lock is let go both work. (It waits out the five-second busy timeout.)
func TestSQLiteLockedIsUnavailable(t *testing.T) {
	if testing.Short() {
		t.Skip("waits out SQLite's busy timeout")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tl.db")
	db, err := store.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	wantUnavailable(t, "write", db.Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, newUser("u1"), "") }))
	if err := db.Ready(ctx); tl.ErrorCode(err) != tl.EUNAVAILABLE {
		t.Errorf("ready with the write lock held elsewhere: %v, want EUNAVAILABLE", err)
	}
	if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	if err := db.Ready(ctx); err != nil {
		t.Errorf("ready once the lock is let go: %v", err)
	}
	if err := db.Write(ctx, func(tx *store.Tx) error { return tx.CreateUser(ctx, newUser("u2"), "") }); err != nil {
		t.Errorf("write once the lock is let go: %v", err)
	}
}

// TestReadyIsCheap: /readyz is public, so many probes within a second
// cost one committed write, not one each; and they are no change a cached
// page must follow (WriteStats.Writes does not move).
func TestReadyIsCheap(t *testing.T) {
	ctx := context.Background()
	db := storetest.OpenSQLite(t)
	before := db.WriteStats()
	for range 50 {
		if err := db.Ready(ctx); err != nil {
			t.Fatal(err)
		}
	}
	after := db.WriteStats()
	if n := after.Commits - before.Commits; n < 1 || n > 2 {
		t.Errorf("50 probes made %d commits, want 1 (2 if a second went by)", n)
	}
	if after.Writes != before.Writes {
		t.Errorf("the probes counted %d writes, want none", after.Writes-before.Writes)
	}
}
