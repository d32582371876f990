package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// Fewer round trips on PostgreSQL. A lane's transaction runs on a
// connection of its own, begun by the lane itself, so that statements
// whose outcome the write does not read (appending an entry, storing the
// new running state, a savepoint) need not each wait for their answer:
// they are held (Tx.later) and sent in one pipeline with the next
// statement that ends a write or the transaction (RELEASE SAVEPOINT,
// COMMIT), or before the next statement whose answer the write does read.
// A held statement that fails fails its write, as if it had run at once:
// the write is rolled back to its savepoint and the others go on. What
// the round trips were, and what they are now, is in
// docs/PERFORMANCE.md, "API ingest".

// runner is what a transaction's statements run on: a *sql.Tx, or the
// *sql.Conn whose transaction a PostgreSQL lane began itself.
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// heldExec is a statement held for the next pipeline.
type heldExec struct {
	op    string
	query string
	args  []any
	fail  func(error) error // what its error becomes (nil: translate)
}

// later runs a statement whose result the write does not read: at once,
// or on a PostgreSQL lane, held for the next pipeline. fail, if not nil,
// turns its error into the write's (as conflict does).
func (tx *Tx) later(ctx context.Context, op string, fail func(error) error, query string, args ...any) error {
	tx.forgetStates()
	if tx.conn == nil {
		_, err := tx.execContext(ctx, query, args...)
		if err != nil && fail != nil {
			return fail(err)
		}
		return translate(op, err)
	}
	tx.held = append(tx.held, heldExec{op: op, query: query, args: args, fail: fail})
	return nil
}

// flushHeld sends what is held before a statement whose answer is read:
// the held statements belong before it. Their error is also kept as the
// write's (heldErr), in case the write goes on without looking.
func (tx *Tx) flushHeld(ctx context.Context) error {
	if len(tx.held) == 0 {
		return nil
	}
	if _, err := tx.pipeline(ctx); err != nil {
		if tx.heldErr == nil {
			tx.heldErr = err
		}
		return err
	}
	return nil
}

// pipeline sends the held statements and then tail (statements without
// parameters: savepoints, COMMIT) in one round trip, and empties the
// hold. It reports whether the first error came from a held statement
// (the write's own) rather than from tail; after an error PostgreSQL
// skips the rest of the pipeline, so nothing after it ran.
func (tx *Tx) pipeline(ctx context.Context, tail ...string) (failedHeld bool, err error) {
	held := tx.held
	tx.held = tx.held[:0]
	ctx = context.WithoutCancel(ctx)
	err = tx.conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if len(held) == 0 {
			// Savepoints and the end of the transaction alone go as one
			// simple query: nothing to prepare, which a transaction that
			// a failed statement has aborted would refuse, even for the
			// ROLLBACK TO SAVEPOINT that rescues it.
			_, err := pc.PgConn().Exec(ctx, strings.Join(tail, "; ")).ReadAll()
			return translate(strings.Join(tail, "; "), err)
		}
		b := &pgx.Batch{}
		for _, h := range held {
			b.Queue(h.query, h.args...)
		}
		for _, q := range tail {
			b.Queue(q)
		}
		br := pc.SendBatch(ctx, b)
		for i := range held {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				failedHeld = true
				if held[i].fail != nil {
					return held[i].fail(err)
				}
				return translate(held[i].op, err)
			}
		}
		for _, q := range tail {
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return translate(q, err)
			}
		}
		return br.Close()
	})
	return failedHeld, err
}

// runBatchLane runs one batch of a PostgreSQL lane in one transaction on
// a connection of its own, in as few round trips as the writes allow: the
// BEGIN, the locks and the first savepoint go together; each write's held
// statements go with its RELEASE and the next write's SAVEPOINT; the last
// write's go with the COMMIT.
func (db *DB) runBatchLane(batch []*writeReq, results []writeResult, claims []*keyClaim) error {
	ctx := context.Background()
	conn, err := db.w.Conn(ctx)
	if err != nil {
		return translate("begin", err)
	}
	tx := &Tx{tx: conn, conn: conn, dialect: db.dialect, detached: true}
	defer func() {
		// A connection must go back to the pool outside any transaction;
		// one whose state is unknown is closed instead.
		_ = conn.Raw(func(dc any) error {
			pc := dc.(*stdlib.Conn).Conn()
			if pc.PgConn().TxStatus() != 'I' {
				if _, err := pc.Exec(ctx, "ROLLBACK"); err != nil || pc.PgConn().TxStatus() != 'I' {
					return driver.ErrBadConn
				}
			}
			return nil
		})
		conn.Close()
	}()
	lock, args := db.lockFor(batch)
	tx.held = append(tx.held, heldExec{op: "begin", query: "BEGIN"}, heldExec{op: "write lock", query: lock, args: args})
	single := len(batch) == 1
	var open []string // what the next write needs opened first
	if !single {
		open = []string{"SAVEPOINT w"}
	}
	if _, err := tx.pipeline(ctx, open...); err != nil {
		return err
	}
	for i, r := range batch {
		last := i == len(batch)-1
		if err := r.ctx.Err(); err != nil {
			// The caller gave up before its turn: it is not run.
			results[i].err = translate("begin", err)
			if last {
				_, err := tx.pipeline(ctx, "COMMIT")
				return uncertain(err)
			}
			continue
		}
		results[i] = runWrite(tx, r, &claims[i])
		if tx.heldErr != nil {
			results[i], tx.heldErr = writeResult{err: tx.heldErr}, nil
		}
		failed := results[i].err != nil || results[i].panicked
		var tail []string
		switch {
		case single && failed:
			tx.held = tx.held[:0]
			_, err := tx.pipeline(ctx, "ROLLBACK")
			return err
		case single:
			tail = []string{"COMMIT"}
		case failed:
			tx.held = tx.held[:0]
			tail = []string{"ROLLBACK TO SAVEPOINT w", "RELEASE SAVEPOINT w"}
		default:
			tail = []string{"RELEASE SAVEPOINT w"}
		}
		if !single {
			if last {
				tail = append(tail, "COMMIT")
			} else {
				tail = append(tail, "SAVEPOINT w")
			}
		}
		failedHeld, err := tx.pipeline(ctx, tail...)
		if err == nil {
			continue
		}
		if slices.Contains(tail, "COMMIT") {
			err = uncertain(err)
		}
		switch {
		case single && failedHeld:
			// The write's own statement failed, and with it the commit.
			results[i] = writeResult{err: err}
			return nil
		case !failedHeld:
			// A savepoint, a release or the commit failed: all fail.
			return err
		}
		// The write's own statement failed: it alone is rolled back.
		results[i] = writeResult{err: err}
		recover := []string{"ROLLBACK TO SAVEPOINT w", "RELEASE SAVEPOINT w"}
		if last {
			recover = append(recover, "COMMIT")
		} else {
			recover = append(recover, "SAVEPOINT w")
		}
		if _, err := tx.pipeline(ctx, recover...); err != nil {
			if last {
				err = uncertain(err)
			}
			return err
		}
	}
	return nil
}
