package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	tl "github.com/trustledger/trustledger"
)

// An outage is why the database cannot serve a request right now, though
// it may a moment later: the request was sound and nothing was saved. The
// store says so with tl.EUNAVAILABLE, which the web and the API answer
// with 503 and Retry-After, and the CLI with its own exit code
// (docs/OPERATIONS.md, "When the database is unavailable").
type outage int

const (
	serving  outage = iota
	down            // cannot be reached, or refuses work for now
	full            // cannot grow: the disk (or the size it may have) is full
	readOnly        // takes no writes: a standby after a failover, a read-only file
)

// How long a caller is told to wait, by outage: a restart or a failover
// takes seconds; room on a full disk takes someone doing something.
var retryAfter = map[outage]time.Duration{down: 5 * time.Second, readOnly: 5 * time.Second, full: 30 * time.Second}

var outageMessage = map[outage]string{
	down:     "the database is not available right now: nothing was saved; try again in a few seconds",
	full:     "the database is full (its disk has no room left): nothing was saved; try again once there is room (the operator has to make some)",
	readOnly: "the database takes no changes right now (it is read-only): nothing was saved; try again in a few seconds",
}

// classify says whether err is an outage of either database. A cancelled
// or timed-out context is not: that is the caller giving up.
func classify(err error) outage {
	if err == nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return serving
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "53100": // disk_full
			return full
		case pe.Code == "25006": // read_only_sql_transaction: a standby, or default_transaction_read_only
			return readOnly
		case len(pe.Code) == 5 && (pe.Code[:2] == "08" || pe.Code[:2] == "53"):
			// Connection exceptions; insufficient resources (out of
			// memory, too many connections).
			return down
		case pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03":
			// Admin shutdown, crash shutdown, cannot connect now
			// (starting up, or in recovery).
			return down
		}
		return serving
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff { // the primary result code
		case sqlite3.SQLITE_FULL:
			return full
		case sqlite3.SQLITE_READONLY:
			return readOnly
		case sqlite3.SQLITE_IOERR, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PROTOCOL:
			// A disk that fails to read or write, a lock held past the
			// busy timeout, a file that cannot be opened.
			return down
		}
		return serving
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne),
		errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, driver.ErrBadConn), errors.Is(err, sql.ErrConnDone),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, errClosed):
		return down
	}
	return serving
}

// uncertainMessage is what a write is told when the database went away
// while its COMMIT was on the way: PostgreSQL may have committed it (and
// a synchronous standby have it) or not, and nobody can tell the client
// which. A retry with the same Idempotency-Key is safe either way: the
// key is kept in the write's own transaction (idempotency.go).
const uncertainMessage = "the database went away while this was being saved, so it may or may not have been: " +
	"look before doing it again (the JSON API: send it again with the same Idempotency-Key, which cannot create it twice); try again in a few seconds"

// uncertain turns an outage met while committing into the answer that
// says the outcome is unknown; other errors pass.
func uncertain(err error) error {
	var te *tl.Error
	if !errors.As(err, &te) || te.Code != tl.EUNAVAILABLE {
		return err
	}
	u := *te
	u.Message = uncertainMessage
	return &u
}

// unavailable is the error of op for an outage, with the driver's error
// kept as its cause for the log.
func unavailable(op string, o outage, err error) *tl.Error {
	return &tl.Error{Code: tl.EUNAVAILABLE, Op: op, Message: outageMessage[o], RetryAfter: retryAfter[o],
		Err: fmt.Errorf("%s: %w", op, err)}
}

// readyHeadroom is the room a database must have left to be ready: writes
// need new pages as it grows (SQLite), and its WAL grows before a
// checkpoint.
const readyHeadroom = 1 << 20

// readyFor is how long Ready reuses a success: /readyz is public, and a
// flood of probes then costs one committed write a second. A failure is
// not reused, so a database that comes back is seen at once.
const readyFor = time.Second

// Ready reports whether the database can serve, for /readyz: it answers
// a read, and it can take a write (its write lock, a committed write, and
// room to grow). It returns nil, or an EUNAVAILABLE error whose message
// says why in a sentence anyone may read, its cause the details for the
// log. It is cheap: one read and one
// small transaction through the writers' queue, not counted in
// WriteStats.
func (db *DB) Ready(ctx context.Context) error {
	db.readyMu.Lock()
	fresh := !db.readyAt.IsZero() && time.Since(db.readyAt) < readyFor
	db.readyMu.Unlock()
	if fresh {
		return nil
	}
	err := db.ready(ctx)
	if err == nil {
		db.readyMu.Lock()
		db.readyAt = time.Now()
		db.readyMu.Unlock()
	}
	return err
}

func (db *DB) ready(ctx context.Context) error {
	const op = "ready"
	err := db.Read(ctx, func(tx *Tx) error {
		var one int
		return tx.queryRowContext(ctx, "SELECT 1").Scan(&one)
	})
	if err != nil {
		return notReady(op, "the database does not answer", err)
	}
	err = db.WriteQuiet(ctx, func(tx *Tx) error {
		if db.dialect == Postgres {
			return tx.postgresWritable(ctx)
		}
		return tx.sqliteWritable(ctx, db.path)
	})
	if err != nil {
		return notReady(op, "the database cannot take writes", err)
	}
	return nil
}

// Why /readyz says it is not ready, in words anyone may read: the details
// (how much room is left, which setting) go to the log, with the error.
const (
	fullWhy     = "the database is full: it cannot take writes until there is room on its disk"
	readOnlyWhy = "the database is read-only: it cannot take writes (a standby, or a read-only file or session)"
)

// notReady is Ready's error: why, in words that depend on the outage.
func notReady(op, why string, err error) error {
	o := classify(err)
	var te *tl.Error
	if errors.As(err, &te) && te.Code == tl.EUNAVAILABLE && te.Op == "ready" {
		return err // the probe's own finding
	}
	switch o {
	case full:
		why = fullWhy
	case readOnly:
		why = readOnlyWhy
	case down:
		why = "the database does not answer"
	}
	return &tl.Error{Code: tl.EUNAVAILABLE, Op: op, Message: why, RetryAfter: retryAfter[down], Err: err}
}

// postgresWritable checks that PostgreSQL takes writes: it is no standby,
// the session is not read-only, and a transaction id is assigned and its
// commit written to the WAL (what fails first on a full disk).
func (tx *Tx) postgresWritable(ctx context.Context) error {
	var recovery bool
	var readOnlySetting string
	err := tx.queryRowContext(ctx, "SELECT pg_is_in_recovery(), current_setting('transaction_read_only')").Scan(&recovery, &readOnlySetting)
	if err != nil {
		return err
	}
	if recovery || readOnlySetting == "on" {
		return &tl.Error{Code: tl.EUNAVAILABLE, Op: "ready", RetryAfter: retryAfter[readOnly], Message: readOnlyWhy,
			Err: fmt.Errorf("pg_is_in_recovery %v, transaction_read_only %s", recovery, readOnlySetting)}
	}
	var xid string
	return tx.queryRowContext(ctx, "SELECT pg_current_xact_id()::text").Scan(&xid)
}

// sqliteWritable checks that SQLite can grow by readyHeadroom (the pages
// it may still have, and the room on the disk that holds it) and commits
// a write of the file's header (user_version, which trustledger leaves
// unused, set to itself): the write lock, a read-only file and a failing
// disk show here.
func (tx *Tx) sqliteWritable(ctx context.Context, path string) error {
	var pageSize, pages, maxPages, free int64
	for _, p := range []struct {
		q string
		v *int64
	}{{"PRAGMA page_size", &pageSize}, {"PRAGMA page_count", &pages}, {"PRAGMA max_page_count", &maxPages}, {"PRAGMA freelist_count", &free}} {
		if err := tx.queryRowContext(ctx, p.q).Scan(p.v); err != nil {
			return err
		}
	}
	if (maxPages-pages+free)*pageSize < readyHeadroom {
		return &tl.Error{Code: tl.EUNAVAILABLE, Op: "ready", RetryAfter: retryAfter[full], Message: fullWhy,
			Err: fmt.Errorf("SQLite may grow by %d more pages of %d bytes (max_page_count)", maxPages-pages+free, pageSize)}
	}
	if avail, ok := diskFree(path); ok && avail < readyHeadroom {
		return &tl.Error{Code: tl.EUNAVAILABLE, Op: "ready", RetryAfter: retryAfter[full], Message: fullWhy,
			Err: fmt.Errorf("the disk that holds %s has %d KiB free", path, avail>>10)}
	}
	var v int64
	if err := tx.queryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return err
	}
	_, err := tx.execContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v))
	return err
}
