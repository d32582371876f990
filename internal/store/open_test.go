package store

import (
	"context"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
)

func TestOpenSQLiteMigrates(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "tl.db")
	for range 2 { // the second open finds the schema current
		db, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'events'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Fatalf("events table: got %d, want 1", n)
		}
		var mode string
		if err := db.SQL().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
			t.Fatalf("journal_mode = %q, %v; want wal", mode, err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	base := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	var ids []string
	seen := map[string]bool{}
	for i := range 2000 {
		id := NewID(base.Add(time.Duration(i/10) * time.Millisecond))
		if len(id) != 26 {
			t.Fatalf("len(%q) = %d, want 26", id, len(id))
		}
		if seen[id] {
			t.Fatalf("duplicate id %s", id)
		}
		seen[id] = true
		ids = append(ids, id)
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatal("ids made in time order do not sort in time order")
	}
	if a, b := NewID(base.Add(time.Hour)), NewID(base); a <= b {
		t.Fatalf("later id %s sorts before earlier %s", a, b)
	}
}

// TestOpenPostgresBadConnectionString: a connection string pgx cannot
// read is the operator's mistake (EINVALID, with the form to write), and
// its password is not repeated.
func TestOpenPostgresBadConnectionString(t *testing.T) {
	for _, dsn := range []string{
		"postgres://u:SECRETPW@127.0.0.1:notaport/db",
		"postgres://u:SECRETPW@127.0.0.1:5432/db?pool_max_conns=abc",
	} {
		_, err := Open(context.Background(), dsn)
		if tl.ErrorCode(err) != tl.EINVALID {
			t.Fatalf("%s: %v, want EINVALID", dsn, err)
		}
		msg := tl.ErrorMessage(err)
		if strings.Contains(msg, "SECRETPW") || !strings.Contains(msg, "postgres://USER:PASSWORD@HOST:PORT/DATABASE") {
			t.Errorf("%s: %q", dsn, msg)
		}
	}
}
