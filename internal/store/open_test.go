package store

import (
	"context"
	"path/filepath"
	"sort"
	"testing"
	"time"
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
