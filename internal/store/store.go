package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"hash/fnv"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// Dialect names returned by DB.Dialect.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrations embed.FS

// sqlitePragmas are the connection settings every SQLite connection gets:
// wait for a busy database rather than fail, WAL so readers never block
// the writer, synchronous=FULL so an acknowledged commit survives a crash
// or kill -9, foreign keys enforced, and a 64 MiB page cache per
// connection (at most; SQLite's default of 2 MiB made bulk loads of a
// million events thrash the indexes).
//
// The last two keep what was deleted or overwritten out of the files, for
// an operator who copies them (docs/ANONYMITY.md): secure_delete zeroes a
// deleted row's bytes (a used pass, a response the mixer rewrote) instead
// of leaving them in the page's free space or on a free page. And after a
// checkpoint SQLite writes the WAL again from its start but keeps the
// file's length, so frames of earlier transactions stay readable past the
// new ones (salted as stale, but intact); journal_size_limit(0) cuts the
// file back to the first transaction written after the restart. Tried on
// 3.54: a deleted row written 900 frames into the WAL was still in it 100
// frames after the restart by default, and gone with the limit. The limit
// does not empty the WAL: the mixer does that with
// wal_checkpoint(TRUNCATE) (mix.go).
const sqlitePragmas = "_pragma=busy_timeout(5000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_pragma=cache_size(-65536)" +
	"&_pragma=secure_delete(1)&_pragma=journal_size_limit(0)"

// DB is an open, migrated trustledger database. On SQLite it holds one
// writer connection (so writers queue in Go instead of failing with
// SQLITE_BUSY) beside a read-only pool; on PostgreSQL one pgx pool serves
// both.
type DB struct {
	dialect string
	path    string  // SQLite: the file, for the room left on its disk (Ready)
	w       *sql.DB // writer (SQLite: one connection)
	r       *sql.DB // readers (PostgreSQL: same as w)
	pool    *pgxpool.Pool
	lockKey int64    // PostgreSQL: the database's write lock (batch.go)
	schema  string   // PostgreSQL: the schema, which leaders' lock keys include
	share   *sharing // PostgreSQL: this instance's share of the lanes (share.go)

	// The writer lanes (batch.go).
	lanes      []chan *writeReq
	quit       chan struct{}
	writerDone chan struct{}
	stopOnce   sync.Once
	nWrites    atomic.Int64
	nCommits   atomic.Int64
	cache      *stmtCache // used by the writer goroutine only

	// Ready's last success (ready.go), reused for readyFor.
	readyMu sync.Mutex
	readyAt time.Time
}

// Open opens (creating if needed) and migrates the database. A dsn that
// starts with "postgres://" or "postgresql://" selects PostgreSQL;
// anything else is a SQLite file path ("file:" prefix allowed, query
// parameters are dropped: the pragmas are fixed).
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options (migrate.go).
func OpenWith(ctx context.Context, dsn string, o Options) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn, o)
	}
	return openSQLite(ctx, dsn, o)
}

// SQLiteDSN returns the modernc DSN for path with the house pragmas; with
// write it also asks for BEGIN IMMEDIATE so a write transaction takes the
// write lock up front instead of failing on upgrade. Benchmarks use it to
// measure raw SQLite with the very same settings.
func SQLiteDSN(path string, write bool) string {
	dsn := "file:" + path + "?" + sqlitePragmas
	if write {
		return dsn + "&_txlock=immediate"
	}
	return dsn + "&_pragma=query_only(1)"
}

func openSQLite(ctx context.Context, dsn string, o Options) (*DB, error) {
	path := strings.TrimPrefix(dsn, "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return nil, errorf("open sqlite", tl.EINVALID, "no database given: pass a file path such as ./trustledger.db or a postgres:// URL")
	}
	if dir := filepath.Dir(path); dir != "" {
		if _, err := os.Stat(dir); err != nil {
			return nil, errorf("open sqlite", tl.EINVALID, "cannot create the database %s: the folder %s does not exist", path, dir)
		}
	}
	w, err := sql.Open("sqlite", SQLiteDSN(path, true))
	if err != nil {
		return nil, internal("open sqlite", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, internal("open sqlite "+path, err)
	}
	db := &DB{dialect: SQLite, path: path, w: w}
	if err := db.migrate(ctx, o); err != nil {
		w.Close()
		return nil, err
	}
	db.startWriter()
	// The read pool opens after migration so query_only never meets an
	// empty file that still needs its WAL set up.
	r, err := sql.Open("sqlite", SQLiteDSN(path, false))
	if err != nil {
		w.Close()
		return nil, internal("open sqlite", err)
	}
	n := runtime.NumCPU()
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	db.r = r
	return db, nil
}

func openPostgres(ctx context.Context, dsn string, o Options) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, errorf("open postgres", tl.EINVALID, "the PostgreSQL connection string cannot be read (%v): write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE?sslmode=…", err)
	}
	budget := o.WriteLanes
	switch {
	case budget == 0:
		budget = DefaultWriteLanes
	case budget < 0 || budget > MaxWriteLanes:
		return nil, errorf("open postgres", tl.EINVALID, "%d write lanes cannot be run: give a number from 1 to %d (docs/OPERATIONS.md, \"Several instances on PostgreSQL\")", budget, MaxWriteLanes)
	}
	if !strings.Contains(dsn, "pool_max_conns") {
		cfg.MaxConns = int32(max(pgPoolConns, 2*budget))
	}
	share := newSharing(budget, cfg.ConnConfig.RuntimeParams["application_name"])
	cfg.BeforeConnect = share.beforeConnect
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, internal("open postgres", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, internal("connect to postgres "+redact(dsn), err)
	}
	// Asked of the pool, not of w, so that the connection goes back to the
	// pool, which nameConnections can then close.
	var schema string
	if err := pool.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		pool.Close()
		return nil, internal("postgres current_schema", err)
	}
	w := stdlib.OpenDBFromPool(pool)
	db := &DB{dialect: Postgres, w: w, r: w, pool: pool, share: share}
	db.schema = schema
	db.lockKey = lockKey("trustledger write " + schema)
	db.nameConnections()
	if err := db.migrate(ctx, o); err != nil {
		db.Close()
		return nil, err
	}
	db.startWriter()
	// A server that cannot count its sessions (a PostgreSQL-wire engine
	// without pg_stat_activity) leaves the instance the whole budget, as
	// a failed recount keeps the last share.
	_ = db.Share(ctx)
	go db.shareLoop()
	return db, nil
}

// pgPoolConns is the pool's size when the connection string does not set
// pool_max_conns (twice the write budget, when that is bigger): room for
// the lanes and for reads (pgx's own default, four on a small machine,
// left writes waiting for connections). Three instances take 48 of
// PostgreSQL's default 100.
const pgPoolConns = 16

// redact drops the password from a PostgreSQL URL for error messages.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres"
	}
	return u.Redacted()
}

// lockKey turns a name into a PostgreSQL advisory lock key.
func lockKey(name string) int64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return int64(h.Sum64() & 0x7fffffffffffffff)
}

// Close releases every connection.
func (db *DB) Close() error {
	db.stopWriter()
	var err error
	if db.r != nil && db.r != db.w {
		err = db.r.Close()
	}
	if db.w != nil {
		err = errors.Join(err, db.w.Close())
	}
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.dialect }

// SQL returns the writer handle, for tests and benchmarks.
func (db *DB) SQL() *sql.DB { return db.w }

// ReadSQL returns the read-only handle (the writer's on PostgreSQL).
func (db *DB) ReadSQL() *sql.DB { return db.r }

// Tx is one transaction. Its methods are the only queries of trustledger,
// written once for both databases.
type Tx struct {
	tx       runner        // a *sql.Tx, or a lane's *sql.Conn (pipeline.go)
	conn     *sql.Conn     // a PostgreSQL lane's connection: statements may be held
	pool     *pgxpool.Pool // PostgreSQL outside a transaction: queries go to pgx itself (single.go)
	held     []heldExec
	heldErr  error                       // a held statement failed (pipeline.go)
	owner    int                         // the write of a lane's batch now running
	lost     func(write int, err error)  // an earlier write of the batch failed
	fatal    error                       // the batch failed as a whole
	states   map[string]engine.State     // running states read or stored (state.go)
	people   map[string]*tl.Relationship // people looked up (entrycontext.go)
	dialect  string
	detached bool       // a write: statements ignore the caller's cancellation
	cache    *stmtCache // the SQLite writer's prepared statements
	readOnly bool       // begun by Read
	writes   int64      // WriteStats().Writes before Read began it
}

// Read runs fn in a read-only transaction. fn must not call Write.
func (db *DB) Read(ctx context.Context, fn func(tx *Tx) error) error {
	writes := db.nWrites.Load()
	return db.run(ctx, db.r, &sql.TxOptions{ReadOnly: db.dialect == Postgres}, func(tx *Tx) error {
		tx.readOnly, tx.writes = true, writes
		return fn(tx)
	})
}

// KeptUntilWrite reports whether what the transaction reads may be kept
// for other reads until the next write through this DB: it was begun by
// Read (it holds no write of its own that could still be rolled back),
// and writes is the count of writes done before it began, so everything
// counted is in what it reads (WriteStats).
func (tx *Tx) KeptUntilWrite() (writes int64, ok bool) { return tx.writes, tx.readOnly }

func (db *DB) run(ctx context.Context, h *sql.DB, opts *sql.TxOptions, fn func(tx *Tx) error) (err error) {
	stx, err := h.BeginTx(ctx, opts)
	if err != nil {
		return translate("begin", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = stx.Rollback()
			panic(p)
		}
	}()
	if err := fn(&Tx{tx: stx, dialect: db.dialect}); err != nil {
		_ = stx.Rollback()
		var te *tl.Error
		if errors.As(err, &te) {
			return err
		}
		return translate("transaction", err)
	}
	if err := stx.Commit(); err != nil {
		return translate("commit", err)
	}
	return nil
}

// Dialect returns the database's dialect, for the rare caller that must
// know.
func (tx *Tx) Dialect() string { return tx.dialect }

// internal wraps a driver error as EINTERNAL, but for text PostgreSQL
// cannot hold, which is the user's to fix (SQLite stores it as given), and
// for a database that cannot serve right now, EUNAVAILABLE (ready.go).
func internal(op string, err error) error {
	if o := classify(err); o != serving {
		return unavailable(op, o, err)
	}
	if isBadText(err) {
		return &tl.Error{Code: tl.EINVALID, Op: op, Err: err,
			Message: "the text holds a NUL character (U+0000) or bytes that are not UTF-8, which cannot be stored: remove them and send it again"}
	}
	return &tl.Error{Code: tl.EINTERNAL, Op: op, Err: fmt.Errorf("%s: %w", op, err)}
}

// isBadText reports whether PostgreSQL refused a value as no UTF-8 text
// (SQLSTATE 22021: a NUL, or bytes that are not UTF-8), in a value
// written or a key looked up.
func isBadText(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "22021"
}

// isUnique reports whether err is a unique or primary-key violation on
// either database.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// translate is the one place driver errors become domain errors: unique
// violations are ECONFLICT, a *tl.Error passes through, a database that
// cannot serve right now (down, full, read-only) is EUNAVAILABLE, anything
// else is EINTERNAL with the cause wrapped.
func translate(op string, err error) error {
	if err == nil {
		return nil
	}
	var te *tl.Error
	if errors.As(err, &te) {
		return err
	}
	if isUnique(err) {
		return &tl.Error{Code: tl.ECONFLICT, Op: op, Message: "it already exists", Err: err}
	}
	return internal(op, err)
}

// conflict is translate with a message that names what already exists.
func conflict(op string, err error, format string, args ...any) error {
	if err != nil && isUnique(err) {
		return &tl.Error{Code: tl.ECONFLICT, Op: op, Message: fmt.Sprintf(format, args...), Err: err}
	}
	return translate(op, err)
}
