package main

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestUpgradeAndNewerDatabase runs the CLI on a database the previous
// schema version left, then on one a newer trustledger migrated: the
// first is upgraded with a line on stderr naming `trustledger backup`,
// the second is refused by serve with what to do (docs/OPERATIONS.md,
// "Upgrading"), on SQLite and on PostgreSQL.
func TestUpgradeAndNewerDatabase(t *testing.T) {
	for _, tc := range []struct {
		dialect, driver string
		goose           goose.Dialect
		dsn             func(t *testing.T) string
	}{
		{store.SQLite, "sqlite", goose.DialectSQLite3, func(t *testing.T) string { return filepath.Join(t.TempDir(), "tl.db") }},
		{store.Postgres, "pgx", goose.DialectPostgres, func(t *testing.T) string { return storetest.PostgresSchemaURL(t) }},
	} {
		t.Run(tc.dialect, func(t *testing.T) {
			dsn := tc.dsn(t)
			raw, err := sql.Open(tc.driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			p, err := goose.NewProvider(tc.goose, raw, os.DirFS(filepath.Join("..", "..", "internal", "store", "migrations", tc.dialect)))
			if err != nil {
				t.Fatal(err)
			}
			src := p.ListSources()
			prev, last := src[len(src)-2].Version, src[len(src)-1].Version
			if _, err := p.UpTo(context.Background(), prev); err != nil {
				t.Fatal(err)
			}
			env := map[string]string{"TRUSTLEDGER_DB": dsn, "TRUSTLEDGER_NOW": "2026-11-02T09:00:00Z", "TZ": "UTC"}
			code, _, errOut := runArgs(t, env, "init", "--leader", "Lena")
			if code != 0 {
				t.Fatalf("init on the previous version's database: %d %s", code, errOut)
			}
			if want := fmt.Sprintf("from schema %d to %d", prev, last); !strings.Contains(errOut, want) || !strings.Contains(errOut, "trustledger backup") {
				t.Errorf("upgrading: stderr %q, want a line with %q naming trustledger backup", errOut, want)
			}
			if code, _, errOut := runArgs(t, env, "person", "add", "Ana", "--kind", "peer"); code != 0 || errOut != "" {
				t.Errorf("after the upgrade: %d, stderr %q; want 0 and nothing", code, errOut)
			}

			if _, err := raw.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, TRUE)", last+1); err != nil {
				t.Fatal(err)
			}
			code, out, errOut := runArgs(t, env, "serve", "--addr", "127.0.0.1:0")
			want := fmt.Sprintf("this database was upgraded by a newer trustledger (schema %d, this binary knows up to %d): run the newer version, or restore a backup made before the upgrade", last+1, last)
			if code == 0 || !strings.Contains(errOut, want) || strings.Contains(out, "ready") {
				t.Errorf("serve on a newer database: code %d, stdout %q, stderr %q; want a failure saying %q", code, out, errOut, want)
			}
		})
	}
}
