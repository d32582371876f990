package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/cli"
	"github.com/trustledger/trustledger/internal/store"
)

// FuzzImport feeds arbitrary bytes to the path `trustledger import` takes
// (decode into a trustledger.Backup, then Import on a real SQLite store).
// It must never panic; a failed import must leave the database exactly as
// it was and explain itself in one line; a successful one adds exactly the
// leaders the file holds.
//
// One database serves the whole run, so later inputs meet the data
// earlier ones imported (conflicting ids and names). The seed corpus in
// testdata/fuzz/FuzzImport holds a real export and damaged variants of it.
func FuzzImport(f *testing.F) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(f.TempDir(), "fuzz.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { db.Close() })
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	svc := app.New(db, app.Options{Now: func() time.Time { return now }})

	export := func(t *testing.T) string {
		t.Helper()
		b, err := svc.Export(ctx, "")
		if err != nil {
			t.Fatalf("export: %v", err)
		}
		var buf bytes.Buffer
		if err := cli.WriteJSON(&buf, b); err != nil {
			t.Fatalf("encode export: %v", err)
		}
		return buf.String()
	}

	f.Fuzz(func(t *testing.T, data []byte) {
		before := export(t)
		sum, err := importBackup(ctx, svc, tl.Operator, "fuzz.json", bytes.NewReader(data))
		after := export(t)
		if err != nil {
			if after != before {
				t.Fatalf("a failed import (%v) changed the database", err)
			}
			msg := tl.ErrorMessage(err)
			if msg == "" || strings.Contains(msg, "\n") {
				t.Fatalf("error message is not one line: %q", msg)
			}
			if !strings.HasPrefix(msg, "fuzz.json") && tl.ErrorCode(err) != tl.EINTERNAL {
				t.Fatalf("error does not name the file: %q", msg)
			}
			return
		}
		// Success: exactly the file's leaders were added.
		b, derr := cli.DecodeBackup("fuzz.json", bytes.NewReader(data))
		if derr != nil {
			t.Fatalf("import succeeded but the file does not decode: %v", derr)
		}
		got, err := svc.Leaders(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range b.Leaders {
			found := false
			for _, g := range got {
				if g.ID == l.ID {
					found = true
				}
			}
			if !found {
				t.Fatalf("imported leader %s is not in the database", l.ID)
			}
		}
		if sum.Leaders != len(b.Leaders) || sum.Events != len(b.Events) {
			t.Fatalf("summary %+v does not match the file", sum)
		}
	})
}
