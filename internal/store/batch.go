package store

import (
	"context"
	"database/sql"
	"errors"

	tl "github.com/trustledger/trustledger"
)

// Group commit. Writers are serialized anyway (one SQLite writer
// connection; an advisory lock on PostgreSQL), and every commit waits for
// the disk (synchronous=FULL; fsync of the WAL on PostgreSQL). So the
// writes that queue while one transaction commits are run together, one
// after the other, in the next transaction, each inside a savepoint of
// its own, and share one commit: a write that fails is rolled back to its
// savepoint and fails alone; a failed commit fails all of them; nobody
// hears "done" before the commit is durable. Under load this turns many
// fsyncs into one; alone, a write costs what it did before.

// maxBatch bounds how many writes share one transaction, so one slow
// write does not hold many callers for long.
const maxBatch = 64

type writeReq struct {
	ctx   context.Context
	fn    func(tx *Tx) error
	done  chan writeResult
	quiet bool // not counted in WriteStats (see WriteQuiet)
}

type writeResult struct {
	err      error
	panicked bool
	value    any // the panic's value
}

// startWriter starts the goroutine that runs every Write.
func (db *DB) startWriter() {
	db.writes = make(chan *writeReq)
	db.quit = make(chan struct{})
	db.writerDone = make(chan struct{})
	if db.dialect == SQLite {
		db.cache = &stmtCache{stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
	}
	go db.writer()
}

// stopWriter ends the writer after the batch it is running.
func (db *DB) stopWriter() {
	if db.quit == nil {
		return
	}
	db.stopOnce.Do(func() {
		close(db.quit)
		<-db.writerDone
		db.closeStmts()
	})
}

func (db *DB) writer() {
	defer close(db.writerDone)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		batch = batch[:0]
		select {
		case r := <-db.writes:
			batch = append(batch, r)
		case <-db.quit:
			return
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-db.writes:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		db.runBatch(batch)
	}
}

// errClosed is what a write gets once the database is closed.
var errClosed = errors.New("the database is closed")

// Write runs fn in a read-write transaction; fn's error rolls back what
// fn did. Writers are serialized on both databases (the one SQLite writer
// connection; a transaction advisory lock on PostgreSQL) so that the
// read-modify-write of running state never loses an update; writes that
// queue together share one commit (see above). Once fn has started it
// runs to the end even if ctx is cancelled (its statements do not see the
// cancellation), so a client that goes away never leaves half a write.
// fn must not call Read or Write, and must not keep tx.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return db.write(ctx, fn, false)
}

// WriteQuiet is Write for what a team member does through their links
// (opening one, answering, reacting) and for the mixer: writes that
// change nothing a leader's cached reads show, so they are not counted in
// WriteStats. Counted, they would make a leader's next read recompute,
// and the recompute's time and its "at" would say the moment a member
// answered (docs/ANONYMITY.md, rule 3).
func (db *DB) WriteQuiet(ctx context.Context, fn func(tx *Tx) error) error {
	return db.write(ctx, fn, true)
}

func (db *DB) write(ctx context.Context, fn func(tx *Tx) error, quiet bool) error {
	if err := ctx.Err(); err != nil {
		return translate("begin", err)
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1), quiet: quiet}
	select {
	case db.writes <- req:
	case <-db.quit:
		return internal("write", errClosed)
	case <-ctx.Done():
		return translate("begin", ctx.Err())
	}
	res := <-req.done
	if res.panicked {
		panic(res.value)
	}
	return res.err
}

// WriteStats counts the writes run and the transactions they shared.
type WriteStats struct {
	Writes, Commits int64
}

// WriteStats reports how many writes ran in how many transactions. The
// count grows after each transaction ends: a cache that remembers the
// count with what it read is stale exactly when the count has moved.
func (db *DB) WriteStats() WriteStats {
	return WriteStats{Writes: db.nWrites.Load(), Commits: db.nCommits.Load()}
}

// WriteAlone runs fn in a read-write transaction of its own, without the
// writers' lock: for writes that are atomic by themselves (one statement
// whose outcome no read-modify-write depends on, such as claiming an
// idempotency key with INSERT … ON CONFLICT DO NOTHING). On PostgreSQL
// they run beside the serialized writers instead of queueing behind them;
// SQLite has one writer connection, so there it is Write.
func (db *DB) WriteAlone(ctx context.Context, fn func(tx *Tx) error) error {
	if db.dialect != Postgres {
		return db.Write(ctx, fn)
	}
	return db.run(ctx, db.w, nil, fn)
}

// runBatch runs the writes of one batch in one transaction.
func (db *DB) runBatch(batch []*writeReq) {
	ctx := context.Background()
	results := make([]writeResult, len(batch))
	finish := func() {
		// Counted once the transaction has ended and before anyone hears
		// of it: a reader who saw the count before a write became visible
		// sees it changed afterwards.
		counted := 0
		for _, r := range batch {
			if !r.quiet {
				counted++
			}
		}
		db.nWrites.Add(int64(counted))
		db.nCommits.Add(1)
		for i, r := range batch {
			r.done <- results[i]
		}
	}
	failAll := func(op string, err error) {
		for i := range results {
			if results[i].err == nil && !results[i].panicked {
				results[i].err = translate(op, err)
			}
		}
		finish()
	}
	stx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		failAll("begin", err)
		return
	}
	if db.dialect == Postgres {
		if _, err := stx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", db.lockKey); err != nil {
			_ = stx.Rollback()
			failAll("write lock", err)
			return
		}
	}
	tx := &Tx{tx: stx, dialect: db.dialect, detached: true, cache: db.cache}
	single := len(batch) == 1
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			// The caller gave up before its turn: it is not run.
			results[i].err = translate("begin", err)
			continue
		}
		if !single {
			if _, err := stx.ExecContext(ctx, "SAVEPOINT w"); err != nil {
				_ = stx.Rollback()
				failAll("savepoint", err)
				return
			}
		}
		results[i] = runFn(r.fn, tx)
		failed := results[i].err != nil || results[i].panicked
		switch {
		case single && failed:
			_ = stx.Rollback()
			finish()
			return
		case single:
		case failed:
			if _, err := stx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT w"); err != nil {
				_ = stx.Rollback()
				failAll("rollback to savepoint", err)
				return
			}
			fallthrough
		default:
			if _, err := stx.ExecContext(ctx, "RELEASE SAVEPOINT w"); err != nil {
				_ = stx.Rollback()
				failAll("release savepoint", err)
				return
			}
		}
	}
	err = stx.Commit()
	db.prepareWanted()
	if err != nil {
		failAll("commit", err)
		return
	}
	finish()
}

// runFn runs one write's fn, catching a panic to hand it back to the
// caller's goroutine.
func runFn(fn func(tx *Tx) error, tx *Tx) (res writeResult) {
	defer func() {
		if p := recover(); p != nil {
			res = writeResult{panicked: true, value: p}
		}
	}()
	if err := fn(tx); err != nil {
		var te *tl.Error
		if errors.As(err, &te) {
			return writeResult{err: err}
		}
		return writeResult{err: translate("transaction", err)}
	}
	return writeResult{}
}

// ctx is the context a statement runs with: a write's statements do not
// see their caller's cancellation (see Write).
func (tx *Tx) ctx(ctx context.Context) context.Context {
	if tx.detached {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// The SQLite writer keeps its statements prepared: parsing SQL was close
// to half of the writer's time under load. A statement seen in a batch is
// prepared on the writer's one connection after that batch commits (the
// connection is busy until then) and reused from the next batch on.
// PostgreSQL needs none of this: pgx caches prepared statements itself.

// maxStmts bounds the cache (queries built for a number of rows vary).
const maxStmts = 512

type stmtCache struct {
	stmts  map[string]*sql.Stmt
	wanted map[string]bool
}

// stmt is the cached statement for query inside tx, or nil.
func (tx *Tx) stmt(ctx context.Context, query string) *sql.Stmt {
	c := tx.cache
	if c == nil {
		return nil
	}
	if s, ok := c.stmts[query]; ok {
		return tx.tx.StmtContext(ctx, s)
	}
	if len(c.stmts)+len(c.wanted) < maxStmts {
		c.wanted[query] = true
	}
	return nil
}

// prepareWanted prepares the statements the last batch asked for, on the
// writer connection, now free.
func (db *DB) prepareWanted() {
	c := db.cache
	if c == nil || len(c.wanted) == 0 {
		return
	}
	for q := range c.wanted {
		if s, err := db.w.PrepareContext(context.Background(), q); err == nil {
			c.stmts[q] = s
		}
		delete(c.wanted, q)
	}
}

// closeStmts releases the prepared statements.
func (db *DB) closeStmts() {
	if db.cache == nil {
		return
	}
	for _, s := range db.cache.stmts {
		s.Close()
	}
	db.cache = nil
}

func (tx *Tx) execContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = tx.ctx(ctx)
	if s := tx.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, query, args...)
}

func (tx *Tx) queryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = tx.ctx(ctx)
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, query, args...)
}

func (tx *Tx) queryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = tx.ctx(ctx)
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, query, args...)
}
