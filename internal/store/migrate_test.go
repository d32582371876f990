package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/pressly/goose/v3"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// backend is one database the upgrade tests run on: a DSN for a new,
// empty database, and how to reach it with database/sql.
type backend struct {
	dialect string // store.SQLite or store.Postgres
	driver  string
	goose   goose.Dialect
	fresh   func(t *testing.T) string
}

func backends() []backend {
	return []backend{
		{store.SQLite, "sqlite", goose.DialectSQLite3, func(t *testing.T) string {
			return filepath.Join(t.TempDir(), "tl.db")
		}},
		{store.Postgres, "pgx", goose.DialectPostgres, func(t *testing.T) string { return storetest.PostgresSchemaURL(t) }},
	}
}

// raw opens dsn without trustledger, as another tool (or another
// version) would.
func (b backend) raw(t *testing.T, dsn string) *sql.DB {
	t.Helper()
	db, err := sql.Open(b.driver, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// older makes dsn a database as the previous schema version left it,
// with the repository's migrations up to the one before the last, and
// returns that version and the last.
func (b backend) older(t *testing.T, dsn string) (prev, last int64) {
	t.Helper()
	p, err := goose.NewProvider(b.goose, b.raw(t, dsn), os.DirFS(filepath.Join("migrations", b.dialect)))
	if err != nil {
		t.Fatal(err)
	}
	src := p.ListSources()
	prev, last = src[len(src)-2].Version, src[len(src)-1].Version
	if _, err := p.UpTo(context.Background(), prev); err != nil {
		t.Fatalf("migrate up to %d: %v", prev, err)
	}
	return prev, last
}

// upgrades records the calls of store.Options.Upgrading.
type upgrades struct {
	mu    sync.Mutex
	calls []string
}

func (u *upgrades) options() store.Options {
	return store.Options{Upgrading: func(from, to int64) {
		u.mu.Lock()
		defer u.mu.Unlock()
		u.calls = append(u.calls, fmt.Sprintf("%d→%d", from, to))
	}}
}

// open opens dsn with o, and closes it.
func open(t *testing.T, dsn string, o store.Options) {
	t.Helper()
	db, err := store.OpenWith(context.Background(), dsn, o)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	db.Close()
}

// TestUpgradeFromTheLastVersion opens a database the previous schema
// left: it is migrated, and Upgrading is told once, before; a new
// database and a current one are migrated (or not) without it.
func TestUpgradeFromTheLastVersion(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.dialect, func(t *testing.T) {
			var u upgrades
			open(t, b.fresh(t), u.options())
			if len(u.calls) != 0 {
				t.Fatalf("a new database: Upgrading called %v, want never", u.calls)
			}
			dsn := b.fresh(t)
			prev, last := b.older(t, dsn)
			open(t, dsn, u.options())
			if want := fmt.Sprintf("%d→%d", prev, last); len(u.calls) != 1 || u.calls[0] != want {
				t.Fatalf("the previous version's database: Upgrading called %v, want [%s]", u.calls, want)
			}
			var n int
			if err := b.raw(t, dsn).QueryRow("SELECT count(*) FROM goose_db_version WHERE version_id = $1", last).Scan(&n); err != nil || n != 1 {
				t.Fatalf("version %d recorded %d times (%v), want once", last, n, err)
			}
			open(t, dsn, u.options())
			if len(u.calls) != 1 {
				t.Fatalf("a current database: Upgrading called again: %v", u.calls)
			}
		})
	}
}

// TestNewerDatabaseIsRefused opens a database that a newer trustledger
// migrated past what this one knows: Open refuses with what to do, and
// writes nothing.
func TestNewerDatabaseIsRefused(t *testing.T) {
	for _, b := range backends() {
		t.Run(b.dialect, func(t *testing.T) {
			dsn := b.fresh(t)
			open(t, dsn, store.Options{})
			known, err := store.SchemaVersion(b.dialect)
			if err != nil {
				t.Fatal(err)
			}
			raw := b.raw(t, dsn)
			count := func() (n int) {
				t.Helper()
				if err := raw.QueryRow("SELECT count(*) FROM goose_db_version").Scan(&n); err != nil {
					t.Fatal(err)
				}
				return n
			}
			if _, err := raw.Exec("INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, TRUE)", known+5); err != nil {
				t.Fatal(err)
			}
			before := count()
			var u upgrades
			db, err := store.OpenWith(context.Background(), dsn, u.options())
			if err == nil {
				db.Close()
				t.Fatal("a newer database opened")
			}
			want := fmt.Sprintf("this database was upgraded by a newer trustledger (schema %d, this binary knows up to %d): run the newer version, or restore a backup made before the upgrade", known+5, known)
			if tl.ErrorCode(err) != tl.ECONFLICT || tl.ErrorMessage(err) != want {
				t.Fatalf("error %v (code %s), want %s: %q", err, tl.ErrorCode(err), tl.ECONFLICT, want)
			}
			if len(u.calls) != 0 {
				t.Fatalf("Upgrading called %v for a newer database", u.calls)
			}
			if after := count(); after != before {
				t.Fatalf("goose_db_version has %d rows after the refusal, %d before", after, before)
			}
		})
	}
}

// TestInstancesStartingTogetherMigrateOnce starts four instances at once
// on a new PostgreSQL schema, then four on one the previous version left:
// every one opens, each migration is recorded once, and only one instance
// says it upgrades.
func TestInstancesStartingTogetherMigrateOnce(t *testing.T) {
	b := backends()[1]
	for _, older := range []bool{false, true} {
		t.Run(fmt.Sprintf("older=%v", older), func(t *testing.T) {
			dsn := b.fresh(t)
			if older {
				b.older(t, dsn)
			}
			var u upgrades
			var wg sync.WaitGroup
			errs := make(chan error, 4)
			for range 4 {
				wg.Go(func() {
					db, err := store.OpenWith(context.Background(), dsn, u.options())
					if err == nil {
						db.Close()
					}
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatalf("an instance did not start: %v", err)
				}
			}
			var dup string
			if err := b.raw(t, dsn).QueryRow(`SELECT COALESCE(string_agg(version_id::text, ','), '')
				FROM (SELECT version_id FROM goose_db_version GROUP BY version_id HAVING count(*) > 1) d`).Scan(&dup); err != nil {
				t.Fatal(err)
			}
			if dup != "" {
				t.Fatalf("versions migrated more than once: %s", dup)
			}
			if want := map[bool]int{false: 0, true: 1}[older]; len(u.calls) != want {
				t.Fatalf("Upgrading called %v, want %d time(s)", u.calls, want)
			}
		})
	}
}
