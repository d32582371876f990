package app

import (
	"context"
	"strings"
	"sync"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// ClaimKey implements tl.IdempotencyService. The key is not looked up
// here: a new key, by far the most common, costs the request nothing but
// its INSERT, in the write's own pipeline on PostgreSQL
// (store/pipeline.go); a key seen before is found by that INSERT, and
// SettleKey looks at it.
func (a *App) ClaimKey(ctx context.Context, userID, key, requestHash string) (context.Context, error) {
	key = strings.TrimSpace(key)
	if key == "" || len(key) > tl.MaxIdempotencyKeyLength {
		return nil, tl.Errorf(tl.EINVALID, "the Idempotency-Key header must have 1 to %d characters (a random UUID is a good key)", tl.MaxIdempotencyKeyLength)
	}
	return store.WithIdempotencyKey(ctx, userID, key, requestHash, a.clock()), nil
}

// SettleKey implements tl.IdempotencyService. A key older than
// tl.IdempotencyLifetime is forgotten, and the request runs again.
func (a *App) SettleKey(ctx context.Context, userID, key, requestHash string, resp tl.StoredResponse) (*tl.StoredResponse, bool, error) {
	key = strings.TrimSpace(key)
	// A request that failed before a write of it could keep the key (it
	// keeps it last: store/batch.go) may be a retry whose first request
	// changed what it found (the pulse launched is open now): its key is
	// looked up too, and the first answer wins.
	taken := store.IdempotencyKeyTaken(ctx)
	probing := !taken && !store.IdempotencyKeyKept(ctx) && resp.Status >= 400
	if !taken && !probing {
		if resp.Status < 500 {
			a.completeKey(ctx, userID, key, resp)
		}
		return nil, false, nil
	}
	if err := a.awaitAnswer(ctx, userID, key); err != nil {
		return nil, false, err
	}
	var k *store.IdempotencyKey
	err := a.db.ReadOne(ctx, func(tx *store.Tx) error {
		var err error
		k, err = tx.IdempotencyKey(ctx, userID, key)
		return err
	})
	switch {
	case tl.ErrorCode(err) == tl.ENOTFOUND:
		// Probing: no first request; its own answer stands. Else it was
		// forgotten between the two (expired and cleared): run again.
		return nil, !probing, nil
	case err != nil && probing:
		// The request's own answer stands; the key is what failed.
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	switch {
	case a.clock().Sub(k.CreatedAt) > tl.IdempotencyLifetime:
		if err := a.db.WriteOne(ctx, func(tx *store.Tx) error { return tx.DeleteIdempotencyKey(ctx, userID, key) }); err != nil {
			return nil, false, err
		}
		return nil, true, nil
	case k.RequestHash != requestHash:
		return nil, false, tl.Errorf(tl.EINVALID, "this Idempotency-Key was already used for a different request: use a new key for each new create")
	case k.State != "done":
		return nil, false, tl.Errorf(tl.ECONFLICT, "a request with this Idempotency-Key is still running (or its server stopped after saving and before answering): check whether it was created before retrying with a new key")
	}
	return &k.Response, false, nil
}

// Storing an answer. The answer is on its way to the client when its key
// is completed, so the request does not wait for that: answers are stored
// in batches, one statement and one commit for all that queue while the
// previous batch commits (on PostgreSQL a commit for each answer was a
// third of what a create cost: docs/PERFORMANCE.md, "API ingest"). A
// retry of the same key on this instance waits for its answer to be
// stored, and is replayed. One on another instance in that moment is told
// the first request is still running (409), and one after a crash that
// lost the batch is told it stopped after saving: the key stays pending,
// never free, so nothing is created twice.

// answerQueue holds the answers waiting to be stored.
type answerQueue struct {
	mu      sync.Mutex
	queue   []queuedAnswer
	waiting map[answerKey]chan struct{} // keys queued or being stored
	running sync.WaitGroup              // the goroutine storing them, if any
	busy    bool
}

type answerKey struct{ user, key string }

type queuedAnswer struct {
	answer store.KeyAnswer
	done   chan struct{}
}

// completeKey queues the answer of a request run with ctx to be stored
// for its key, if a write of it kept the key (see above).
func (a *App) completeKey(ctx context.Context, userID, key string, resp tl.StoredResponse) {
	if !store.IdempotencyKeyKept(ctx) {
		return
	}
	q := &a.answers
	done := make(chan struct{})
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.waiting == nil {
		q.waiting = map[answerKey]chan struct{}{}
	}
	q.waiting[answerKey{userID, key}] = done
	q.queue = append(q.queue, queuedAnswer{answer: store.KeyAnswer{UserID: userID, Key: key, Response: resp}, done: done})
	if !q.busy {
		q.busy = true
		q.running.Go(a.storeAnswers)
	}
}

// storeAnswers stores the queued answers, batch after batch, until none
// is left.
func (a *App) storeAnswers() {
	q := &a.answers
	ctx := context.Background()
	for {
		q.mu.Lock()
		batch := q.queue
		q.queue = nil
		if len(batch) == 0 {
			q.busy = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		answers := make([]store.KeyAnswer, len(batch))
		for i, b := range batch {
			answers[i] = b.answer
		}
		if err := a.db.WriteAlone(ctx, func(tx *store.Tx) error { return tx.CompleteIdempotencyKeys(ctx, answers) }); err != nil {
			// The keys stay pending: a retry is told to look first.
			a.log.Error("idempotency keys", "op", tl.ErrorOp(err), "err", err, "keys", len(answers))
		}
		q.mu.Lock()
		for _, b := range batch {
			k := answerKey{b.answer.UserID, b.answer.Key}
			if q.waiting[k] == b.done {
				delete(q.waiting, k)
			}
			close(b.done)
		}
		q.mu.Unlock()
	}
}

// awaitAnswer waits until an answer queued for the key is stored.
func (a *App) awaitAnswer(ctx context.Context, userID, key string) error {
	q := &a.answers
	q.mu.Lock()
	done := q.waiting[answerKey{userID, key}]
	q.mu.Unlock()
	if done == nil {
		return nil
	}
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return tl.Errorf(tl.ECONFLICT, "a request with this Idempotency-Key is still running: wait for it before retrying")
	}
}

// StoreAnswers waits until every queued answer is stored, for a shutdown
// that closes the database next.
func (a *App) StoreAnswers() { a.answers.running.Wait() }
