package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// Fewer round trips on PostgreSQL. A lane's transaction runs on a
// connection of its own, begun by the lane itself, so that statements
// whose outcome the write does not read (appending an entry, storing the
// new running state, a savepoint, even BEGIN and the locks) need not each
// wait for their answer: they are held (Tx.later, Tx.hold) and sent in one
// pipeline with the next statement whose answer is read (through list:
// the answer is read with pgx's own rows), which is often the next
// write's first read, or with the COMMIT. A held statement that fails
// fails the write that held it, as if it had run at once: that write is
// rolled back to its savepoint, the rest is sent again, and the others go
// on. What the round trips were, and what they are now, is in
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
	fail  func(error) error      // what its error becomes (nil: translate)
	owner int                    // the write of the lane's batch that held it, or byLane
	each  func(rowScanner) error // if not nil, called with each row of its answer
}

// byLane owns the statements a lane holds itself (BEGIN, the locks,
// savepoints, COMMIT): one that fails fails the whole batch.
const byLane = -1

// heldQuery is a statement whose answer is read, sent after what is held.
type heldQuery struct {
	query string
	args  []any
	each  func(rowScanner) error // called with each row of the answer
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
	tx.held = append(tx.held, heldExec{op: op, query: query, args: args, fail: fail, owner: tx.owner})
	return nil
}

// hold holds statements of the lane's own, without parameters.
func (tx *Tx) hold(queries ...string) {
	for _, q := range queries {
		tx.held = append(tx.held, heldExec{op: q, query: q, owner: byLane})
	}
}

// flushHeld sends what is held before a statement whose answer is read
// on its own (not through list): the held statements belong before it.
func (tx *Tx) flushHeld(ctx context.Context) error {
	if len(tx.held) == 0 {
		return nil
	}
	return tx.send(ctx, nil)
}

// send sends what is held, and then q if there is one, in one round trip,
// and empties the hold. After an error PostgreSQL skips the rest of the
// pipeline, so nothing after the failed statement ran; whose statement it
// was decides what happens:
//   - the lane's own, or the connection failed: the batch fails (tx.fatal);
//   - the running write's own: that write fails (tx.heldErr), as if the
//     statement had run when it was held;
//   - an earlier write's, held until now because nothing since needed an
//     answer: that write alone fails (tx.lost), is rolled back to its
//     savepoint, and the rest is sent again.
//
// An error of q's own is returned as the driver gave it.
func (tx *Tx) send(ctx context.Context, q *heldQuery) error {
	ctx = context.WithoutCancel(ctx)
	for {
		held := tx.held
		tx.held = nil
		at, err := tx.pipe(ctx, held, q)
		if err == nil {
			return nil
		}
		if at == len(held) && q != nil {
			return err
		}
		var pe *pgconn.PgError
		if at >= len(held) || held[at].owner == byLane || !errors.As(err, &pe) {
			op := "commit"
			if at < len(held) {
				op = held[at].op
			}
			err = translate(op, err)
			if tx.fatal == nil {
				tx.fatal = err
			}
			return err
		}
		h := held[at]
		if h.fail != nil {
			err = h.fail(err)
		} else {
			err = translate(h.op, err)
		}
		if h.owner == tx.owner {
			if tx.heldErr == nil {
				tx.heldErr = err
			}
			return err
		}
		tx.lost(h.owner, err)
		if rerr := tx.simple(ctx, "ROLLBACK TO SAVEPOINT w"); rerr != nil {
			if tx.fatal == nil {
				tx.fatal = rerr
			}
			return rerr
		}
		tx.held = slices.DeleteFunc(held[at+1:], func(x heldExec) bool { return x.owner == h.owner })
	}
}

// pipe sends held and then q in one round trip. It returns how many of
// held ran before the error, and the error as the driver gave it.
func (tx *Tx) pipe(ctx context.Context, held []heldExec, q *heldQuery) (at int, err error) {
	if q == nil && !slices.ContainsFunc(held, func(h heldExec) bool { return h.owner != byLane || len(h.args) > 0 }) {
		// The lane's own statements alone go as one simple query.
		var qs []string
		for _, h := range held {
			qs = append(qs, h.query)
		}
		if err := tx.simple(ctx, qs...); err != nil {
			return 0, err
		}
		return len(held), nil
	}
	err = tx.conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		b := &pgx.Batch{}
		for _, h := range held {
			b.Queue(h.query, h.args...)
		}
		if q != nil {
			b.Queue(q.query, q.args...)
		}
		br := pc.SendBatch(ctx, b)
		for ; at < len(held); at++ {
			if held[at].each != nil {
				if err := readRows(br, held[at].each); err != nil {
					_ = br.Close()
					return err
				}
				continue
			}
			if _, err := br.Exec(); err != nil {
				_ = br.Close()
				return err
			}
		}
		if q != nil {
			if err := readRows(br, q.each); err != nil {
				_ = br.Close()
				return err
			}
		}
		if err := br.Close(); err != nil {
			at = len(held) + 1 // the connection, after every statement
			return err
		}
		return nil
	})
	return at, err
}

// readRows reads the answer of a batch's next statement, row by row.
func readRows(br pgx.BatchResults, each func(rowScanner) error) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	for rows.Next() {
		if err := each(rows); err != nil {
			rows.Close()
			return err
		}
	}
	rows.Close()
	return rows.Err()
}

// simple sends the lane's own statements as one simple query, at once:
// nothing to prepare, which a transaction that a failed statement has
// aborted would refuse, even for the ROLLBACK TO SAVEPOINT that rescues
// it.
func (tx *Tx) simple(ctx context.Context, queries ...string) error {
	q := strings.Join(queries, "; ")
	return tx.conn.Raw(func(dc any) error {
		_, err := dc.(*stdlib.Conn).Conn().PgConn().Exec(context.WithoutCancel(ctx), q).ReadAll()
		return translate(q, err)
	})
}

// txStatus is the lane connection's transaction status as PostgreSQL
// last reported it: 'I' outside a transaction, 'T' inside one, 'E' in
// one that a failed statement has aborted.
func (tx *Tx) txStatus() byte {
	var st byte
	_ = tx.conn.Raw(func(dc any) error {
		st = dc.(*stdlib.Conn).Conn().PgConn().TxStatus()
		return nil
	})
	return st
}

// runBatchLane runs one batch of a PostgreSQL lane in one transaction on
// a connection of its own, in as few round trips as the writes allow.
// Nothing is sent until a write needs an answer: the BEGIN, the locks and
// the first savepoint go with the first write's first read; each write's
// held statements and the savepoint after it go with the next write's
// first read; the last write's go with the COMMIT. So a batch of n writes
// that each read once costs n+1 round trips.
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
	tx.lost = func(i int, err error) {
		results[i], claims[i] = writeResult{err: err}, nil
	}
	lock, args, tried := db.lockFor(batch)
	// The leaders whose lock the batch holds, known once the lock's
	// answer is back: it goes with the first write's first read.
	var locked map[string]bool
	lockHeld := heldExec{op: "write lock", query: lock, args: args, owner: byLane}
	if len(tried) > 0 {
		lockHeld.each = func(row rowScanner) error {
			got := make([]bool, len(tried))
			dest := []any{nil, nil}
			for k := range got {
				dest = append(dest, &got[k])
			}
			if err := row.Scan(dest...); err != nil {
				return err
			}
			locked = map[string]bool{batch[0].leader: true}
			for k, l := range tried {
				locked[l] = got[k]
			}
			return nil
		}
	}
	tx.held = []heldExec{{op: "begin", query: "BEGIN", owner: byLane}, lockHeld}
	single := len(batch) == 1
	if !single {
		tx.hold("SAVEPOINT w")
	}
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			// The caller gave up before its turn: it is not run.
			results[i].err = translate("begin", err)
			continue
		}
		tx.owner = i
		if len(tried) > 0 && r.leader != batch[0].leader {
			if locked == nil {
				// Nothing read yet (the writes before did not read):
				// the locks' answer is needed now. What the writes
				// before held goes with it, as an earlier write's.
				if err := tx.flushHeld(ctx); err != nil && tx.fatal != nil {
					return tx.fatal
				}
			}
			if !locked[r.leader] {
				// Another instance's lane holds the leader: the write
				// waits for the lane's next batch rather than hold this
				// one, and every other leader in it, back.
				results[i].put = true
				continue
			}
		}
		// A write starts from what the database holds: a state kept from
		// an earlier write may yet be undone, if that write's held
		// statements fail when they are sent.
		tx.forgetStates()
		results[i] = runWrite(tx, r, &claims[i])
		if tx.fatal != nil {
			return tx.fatal
		}
		if tx.heldErr != nil {
			results[i], tx.heldErr = writeResult{err: tx.heldErr}, nil
		}
		if results[i].err == nil && !results[i].panicked {
			if !single && i < len(batch)-1 {
				// A new savepoint of the same name, without releasing the
				// last: one statement fewer per write. ROLLBACK TO
				// SAVEPOINT goes to the newest of that name, which is the
				// start of the write that needs it; the COMMIT ends them
				// all. A batch's writes are at most maxBatch, and so are
				// its subtransactions, whose ids PostgreSQL keeps in
				// shared memory up to 64 of them (released or not).
				tx.hold("SAVEPOINT w")
			}
			continue
		}
		// The write failed: what it held is dropped, what it sent undone.
		tx.held = slices.DeleteFunc(tx.held, func(h heldExec) bool { return h.owner == i })
		switch {
		case single && tx.txStatus() == 'I':
			return nil // nothing was sent
		case single:
			return tx.simple(ctx, "ROLLBACK")
		case tx.txStatus() == 'E':
			// Aborted: only a simple query is taken now.
			if err := tx.simple(ctx, "ROLLBACK TO SAVEPOINT w"); err != nil {
				return err
			}
		default:
			tx.hold("ROLLBACK TO SAVEPOINT w")
		}
	}
	// Every write's statements now count as an earlier write's: one that
	// fails with the COMMIT fails alone and the rest is sent again.
	// A single write's own fails it, and the transaction with it.
	if !single {
		tx.owner = len(batch)
	}
	tx.hold("COMMIT")
	if err := tx.send(ctx, nil); err != nil {
		if single && tx.heldErr != nil {
			results[0], tx.heldErr = writeResult{err: tx.heldErr}, nil
			return nil
		}
		return uncertain(err)
	}
	return nil
}
