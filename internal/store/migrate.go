package store

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io/fs"
	"time"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	tl "github.com/trustledger/trustledger"
)

// Options are what a caller may ask of OpenWith beyond the database.
type Options struct {
	// Upgrading is called before the migrations of this binary are
	// applied to a database that an earlier trustledger made (its schema
	// is from, above 0 and below to), so the caller can say that a backup
	// made before the upgrade is wise (docs/OPERATIONS.md, "Upgrading").
	// On PostgreSQL it runs under the migration lock: of several instances
	// that start together, only the one that migrates calls it. It is not
	// called for a new, empty database.
	Upgrading func(from, to int64)

	// WriteLanes is how many write transactions all the instances that
	// serve one PostgreSQL schema run at once, together: they split it
	// among themselves (share.go). 0 means DefaultWriteLanes. SQLite has
	// one writer and ignores it.
	WriteLanes int
}

// migrationWait is how long an instance waits for another that is
// migrating the same PostgreSQL schema.
const migrationWait = 5 * time.Minute

// migrate brings the schema to the newest version this binary knows, and
// refuses a schema newer than that: the binary would run queries that do
// not fit it. On PostgreSQL a session advisory lock (keyed by schema)
// makes several processes that start together migrate once; goose's own
// lock inside it keeps older binaries, which take only goose's, out too.
func (db *DB) migrate(ctx context.Context, o Options) error {
	sub, err := fs.Sub(migrations, "migrations/"+db.dialect)
	if err != nil {
		return internal("migrations", err)
	}
	dialect := goose.DialectSQLite3
	// A database that met a later migration first (a development copy)
	// still gets an earlier one that was added beside it.
	opts := []goose.ProviderOption{goose.WithAllowOutofOrder(true)}
	if db.dialect == Postgres {
		dialect = goose.DialectPostgres
		locker, err := lock.NewPostgresSessionLocker(
			lock.WithLockID(db.lockKey^1),
			lock.WithLockTimeout(1, 300),
		)
		if err != nil {
			return internal("migration lock", err)
		}
		opts = append(opts, goose.WithSessionLocker(locker))
		unlock, err := db.lockMigrations(ctx)
		if err != nil {
			return err
		}
		defer unlock()
	}
	p, err := goose.NewProvider(dialect, db.w, sub, opts...)
	if err != nil {
		return internal("migrations", err)
	}
	// GetVersions creates goose's table in a new database, so the
	// highest version recorded can be read from it.
	if _, _, err := p.GetVersions(ctx); err != nil {
		return internal("migrate "+db.dialect, err)
	}
	var current int64
	if err := db.w.QueryRowContext(ctx, "SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied").Scan(&current); err != nil {
		return internal("migrate "+db.dialect, err)
	}
	sources := p.ListSources()
	known := sources[len(sources)-1].Version
	if current > known {
		return errorf("migrate", tl.ECONFLICT, "this database was upgraded by a newer trustledger (schema %d, this binary knows up to %d): run the newer version, or restore a backup made before the upgrade", current, known)
	}
	pending, err := p.HasPending(ctx)
	if err != nil {
		return internal("migrate "+db.dialect, err)
	}
	if pending && current > 0 && o.Upgrading != nil {
		o.Upgrading(current, known)
	}
	if _, err := p.Up(ctx); err != nil {
		return internal("migrate "+db.dialect, err)
	}
	return nil
}

// lockMigrations takes the PostgreSQL session lock under which one
// instance checks and migrates the schema, waiting up to migrationWait
// for another that holds it. The returned func releases it.
func (db *DB) lockMigrations(ctx context.Context) (func(), error) {
	key := db.lockKey ^ 2
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return nil, internal("migration lock", err)
	}
	wctx, cancel := context.WithTimeout(ctx, migrationWait)
	defer cancel()
	if _, err := conn.ExecContext(wctx, "SELECT pg_advisory_lock($1)", key); err != nil {
		conn.Close()
		if wctx.Err() != nil && ctx.Err() == nil {
			return nil, errorf("migration lock", tl.ECONFLICT, "another trustledger has been migrating this database for %s and is not done: check the other instances' logs, then start this one again", migrationWait)
		}
		return nil, internal("migration lock", err)
	}
	return func() {
		if _, err := conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", key); err != nil {
			// The pool must not keep a connection that may still hold
			// the lock: closing the session releases it.
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		conn.Close()
	}, nil
}

// SchemaVersion is the highest schema version this binary's migrations
// reach for dialect (SQLite or Postgres), as the error for a newer
// database states it.
func SchemaVersion(dialect string) (int64, error) {
	entries, err := fs.ReadDir(migrations, "migrations/"+dialect)
	if err != nil {
		return 0, err
	}
	var v int64
	for _, e := range entries {
		var n int64
		if _, err := fmt.Sscanf(e.Name(), "%d_", &n); err == nil && n > v {
			v = n
		}
	}
	return v, nil
}
