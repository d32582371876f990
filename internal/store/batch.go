package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"sync"

	tl "github.com/trustledger/trustledger"
)

// Group commit, in lanes. A write names the leader whose data it changes
// (WriteLeader) or changes data of no single leader (Write). What the
// model must take one at a time is the running state of one leader's
// relationships (docs/ARCHITECTURE.md, "Writes"), so writes of one leader
// are serialized and writes of different leaders are not: on PostgreSQL a
// write holds a transaction advisory lock on its leader (and a shared
// lock on the database's key, which a write of no single leader takes
// exclusively), and the instances of a schema share a few writer lanes
// (share.go), a leader's writes always in the same lane of an instance.
// SQLite has one writer connection, so it has one lane and needs no lock.
//
// Every commit waits for the disk (synchronous=FULL; fsync of the WAL on
// PostgreSQL). So the writes that queue in a lane while it commits are
// run together, one after the other, in its next transaction, each inside
// a savepoint of its own, and share one commit: a write that fails is
// rolled back to its savepoint and fails alone; a failed commit fails all
// of them; nobody hears "done" before the commit is durable. Under load
// this turns many fsyncs into one; alone, a write costs what it did
// before.

// maxBatch bounds how many writes share one transaction, so one slow
// write does not hold many callers for long.
const maxBatch = 64

type writeReq struct {
	ctx    context.Context
	fn     func(tx *Tx) error
	done   chan writeResult
	quiet  bool   // not counted in WriteStats (see WriteQuiet)
	leader string // the leader whose data the write changes; "" for all
}

type writeResult struct {
	err      error
	panicked bool
	value    any  // the panic's value
	put      bool // not run: put off to the lane's next batch (pipeline.go)
}

// startWriter starts the goroutines that run every Write, one per lane.
func (db *DB) startWriter() {
	n := 1
	if db.dialect == Postgres {
		n = db.share.budget
	}
	db.lanes = make([]chan *writeReq, n)
	db.quit = make(chan struct{})
	db.writerDone = make(chan struct{})
	if db.dialect == SQLite {
		db.cache = &stmtCache{stmts: map[string]*sql.Stmt{}, wanted: map[string]bool{}}
	}
	var running sync.WaitGroup
	for i := range db.lanes {
		db.lanes[i] = make(chan *writeReq)
		running.Go(func() { db.writer(db.lanes[i]) })
	}
	go func() {
		running.Wait()
		close(db.writerDone)
	}()
}

// stopWriter ends the lanes after the batches they are running.
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

// lane is the lane that runs a write for leader: always the same one for
// a leader, so an instance never has two of its lanes wait on each other
// for one leader's lock; writes of no single leader go to the first.
//
// Only the instance's share of the lanes takes writes (share.go). When the
// share changes, a leader's writes may move to another lane while the old
// one still runs a batch of them; the two then take the leader's lock in
// turn, as two instances do.
func (db *DB) lane(leader string) chan *writeReq {
	n := len(db.lanes)
	if db.share != nil {
		n = min(n, int(db.share.active.Load()))
	}
	if leader == "" || n <= 1 {
		return db.lanes[0]
	}
	h := fnv.New32a()
	h.Write([]byte(leader))
	return db.lanes[h.Sum32()%uint32(n)]
}

func (db *DB) writer(lane chan *writeReq) {
	batch := make([]*writeReq, 0, maxBatch)
	var carried []*writeReq
	for {
		// Writes a batch put off (their leader's lock was another
		// instance's) come first, the first of them with its lock waited
		// for, so each is run in a batch or two.
		batch = append(batch[:0], carried...)
		if len(batch) == 0 {
			select {
			case r := <-lane:
				batch = append(batch, r)
			case <-db.quit:
				return
			}
		}
	fill:
		for len(batch) < maxBatch {
			select {
			case r := <-lane:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		carried = db.runBatch(batch)
	}
}

// errClosed is what a write gets once the database is closed.
var errClosed = errors.New("the database is closed")

// Write runs fn in a read-write transaction; fn's error rolls back what
// fn did. It is for writes that change data of no single leader
// (accounts, programs, the mixer): it waits for every other write and
// holds every other back while it runs (see the top of this file), so
// the read-modify-write of running state never loses an update; writes
// that queue together share one commit. Once fn has started it runs to
// the end even if ctx is cancelled (its statements do not see the
// cancellation), so a client that goes away never leaves half a write.
// fn must not call Read or Write, and must not keep tx.
func (db *DB) Write(ctx context.Context, fn func(tx *Tx) error) error {
	return db.write(ctx, "", fn, false)
}

// WriteLeader is Write for a write that changes the data of one leader
// only (their relationships, entries, running state, promises, steps):
// it waits only for other writes of that leader, so writers of different
// leaders run in parallel. fn must not change another leader's data.
// An empty leaderID makes it Write (fn then says what is missing).
func (db *DB) WriteLeader(ctx context.Context, leaderID string, fn func(tx *Tx) error) error {
	return db.write(ctx, leaderID, fn, false)
}

// WriteQuiet is Write for what a team member does through their links
// (opening one, answering, reacting) and for the mixer: writes that
// change nothing a leader's cached reads show, so they are not counted in
// WriteStats. Counted, they would make a leader's next read recompute,
// and the recompute's time and its "at" would say the moment a member
// answered (docs/ANONYMITY.md, rule 3).
func (db *DB) WriteQuiet(ctx context.Context, fn func(tx *Tx) error) error {
	return db.write(ctx, "", fn, true)
}

func (db *DB) write(ctx context.Context, leader string, fn func(tx *Tx) error, quiet bool) error {
	if err := ctx.Err(); err != nil {
		return translate("begin", err)
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1), quiet: quiet, leader: leader}
	select {
	case db.lane(leader) <- req:
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
		return db.Write(withoutKey(ctx), fn)
	}
	return db.run(ctx, db.w, nil, fn)
}

// runBatch runs the writes of one batch in one transaction: on
// PostgreSQL through runBatchLane (pipeline.go), on SQLite here. It
// returns the writes it put off, not run, for the lane's next batch.
func (db *DB) runBatch(batch []*writeReq) (carried []*writeReq) {
	ctx := context.Background()
	results := make([]writeResult, len(batch))
	finish := func() {
		// Counted once the transaction has ended and before anyone hears
		// of it: a reader who saw the count before a write became visible
		// sees it changed afterwards.
		counted := 0
		for i, r := range batch {
			if !r.quiet && !results[i].put {
				counted++
			}
		}
		db.nWrites.Add(int64(counted))
		db.nCommits.Add(1)
		for i, r := range batch {
			if results[i].put {
				carried = append(carried, r)
				continue
			}
			r.done <- results[i]
		}
	}
	failAll := func(op string, err error) {
		for i := range results {
			if results[i].err == nil && !results[i].panicked && !results[i].put {
				results[i].err = translate(op, err)
			}
		}
		finish()
	}
	claims := make([]*keyClaim, len(batch))
	committed := func() {
		for i, c := range claims {
			if c != nil && results[i].err == nil && !results[i].panicked {
				c.kept.Store(true)
			}
		}
		finish()
	}
	if db.dialect == Postgres {
		if err := db.runBatchLane(batch, results, claims); err != nil {
			failAll("commit", err)
			return carried
		}
		committed()
		return carried
	}
	stx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		failAll("begin", err)
		return nil
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
				return nil
			}
		}
		results[i] = runWrite(tx, r, &claims[i])
		failed := results[i].err != nil || results[i].panicked
		switch {
		case single && failed:
			_ = stx.Rollback()
			finish()
			return nil
		case single:
		case failed:
			if _, err := stx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT w"); err != nil {
				_ = stx.Rollback()
				failAll("rollback to savepoint", err)
				return nil
			}
			fallthrough
		default:
			if _, err := stx.ExecContext(ctx, "RELEASE SAVEPOINT w"); err != nil {
				_ = stx.Rollback()
				failAll("release savepoint", err)
				return nil
			}
		}
	}
	err = stx.Commit()
	db.prepareWanted()
	if err != nil {
		failAll("commit", err)
		return nil
	}
	committed()
	return nil
}

// runWrite runs one write: fn, then the INSERT that keeps its request's
// idempotency key, if it carries one not kept yet (noted in *claim, so
// the key counts as kept once the transaction commits). The INSERT comes
// last so that on PostgreSQL it goes in the pipeline that ends the write,
// not in a round trip of its own before fn's first read (pipeline.go); a
// key another request kept fails the write all the same.
func runWrite(tx *Tx, r *writeReq, claim **keyClaim) writeResult {
	res := runFn(r.fn, tx)
	if res.err != nil || res.panicked {
		return res
	}
	if c := claimFor(r.ctx); c != nil {
		if err := tx.keepKey(r.ctx, c); err != nil {
			return writeResult{err: err}
		}
		*claim = c
	}
	return res
}

// lockFor is the statement that takes a batch's locks on PostgreSQL, in
// one round trip: the database's key exclusively when a write in the
// batch is of no single leader. Else the database's key shared, the first
// write's leader's key waited for, and each other leader's key only if it
// is free (pg_try_advisory_xact_lock): tried lists those leaders, in the
// order of the statement's boolean columns, and a write whose leader's
// key was taken is put off to the lane's next batch (runBatchLane). A
// batch waits for a lock only before it holds any leader's, so two
// batches (on two instances) never wait on each other in a circle, and
// one batch never waits for all the leaders of another.
func (db *DB) lockFor(batch []*writeReq) (query string, args []any, tried []string) {
	for _, r := range batch {
		if r.leader == "" {
			return "SELECT pg_advisory_xact_lock($1)", []any{db.lockKey}, nil
		}
	}
	first := batch[0].leader
	var q strings.Builder
	q.WriteString("SELECT pg_advisory_xact_lock_shared($1), pg_advisory_xact_lock($2)")
	args = []any{db.lockKey, db.leaderKey(first)}
	for _, r := range batch[1:] {
		if r.leader == first || slices.Contains(tried, r.leader) {
			continue
		}
		tried = append(tried, r.leader)
		args = append(args, db.leaderKey(r.leader))
		fmt.Fprintf(&q, ", pg_try_advisory_xact_lock($%d)", len(args))
	}
	return q.String(), args, tried
}

// leaderKey is the advisory lock key of one leader's running state.
func (db *DB) leaderKey(leader string) int64 {
	return lockKey("trustledger write " + db.schema + " leader " + leader)
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
	stx, ok := tx.tx.(*sql.Tx)
	if !ok {
		return nil
	}
	if s, ok := c.stmts[query]; ok {
		return stx.StmtContext(ctx, s)
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
	tx.forgetStates()
	if err := tx.flushHeld(ctx); err != nil {
		return nil, err
	}
	if s := tx.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, query, args...)
}

func (tx *Tx) queryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = tx.ctx(ctx)
	tx.forgetUnlessSelect(query)
	if err := tx.flushHeld(ctx); err != nil {
		return nil, err
	}
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, query, args...)
}

// forgetUnlessSelect forgets the states kept before a query that may
// change them (UPDATE … RETURNING).
func (tx *Tx) forgetUnlessSelect(query string) {
	if !strings.HasPrefix(query, "SELECT") {
		tx.forgetStates()
	}
}

func (tx *Tx) queryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = tx.ctx(ctx)
	// A failed held statement leaves the transaction aborted, so this
	// query fails too; the write's error is the held one (heldErr).
	_ = tx.flushHeld(ctx)
	if s := tx.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, query, args...)
}
