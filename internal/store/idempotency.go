package store

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"time"

	tl "github.com/trustledger/trustledger"
)

// keyClaim is an idempotency key that a request's first write keeps, in
// its own transaction (batch.go): a write rolled back leaves the key free.
type keyClaim struct {
	userID, key, hash string
	at                time.Time
	kept              atomic.Bool // a write that kept it has committed
	taken             atomic.Bool // a write found it kept by another request
}

type keyClaimCtx struct{}

// WithIdempotencyKey returns a context whose first write (Write,
// WriteLeader, WriteQuiet) also keeps the key, pending, in the same
// transaction. If another request kept it first, the write fails with
// ECONFLICT.
func WithIdempotencyKey(ctx context.Context, userID, key, hash string, at time.Time) context.Context {
	return context.WithValue(ctx, keyClaimCtx{}, &keyClaim{userID: userID, key: key, hash: hash, at: at})
}

// IdempotencyKeyTaken reports whether a write run with ctx found its key
// kept by another request (and failed with ECONFLICT).
func IdempotencyKeyTaken(ctx context.Context) bool {
	c, _ := ctx.Value(keyClaimCtx{}).(*keyClaim)
	return c != nil && c.taken.Load()
}

// IdempotencyKeyKept reports whether a write run with ctx kept its key.
func IdempotencyKeyKept(ctx context.Context) bool {
	c, _ := ctx.Value(keyClaimCtx{}).(*keyClaim)
	return c != nil && c.kept.Load()
}

// withoutKey is ctx for a write that must not keep its request's key
// (WriteAlone and WriteOne, which are Write on SQLite): only the writes
// that are the request's own keep it.
func withoutKey(ctx context.Context) context.Context {
	if ctx.Value(keyClaimCtx{}) == nil {
		return ctx
	}
	return context.WithValue(ctx, keyClaimCtx{}, (*keyClaim)(nil))
}

// claimFor is the key a write run with ctx must keep, or nil.
func claimFor(ctx context.Context) *keyClaim {
	c, _ := ctx.Value(keyClaimCtx{}).(*keyClaim)
	if c == nil || c.kept.Load() {
		return nil
	}
	return c
}

// keepKey adds the key's INSERT to the write (held for the write's
// pipeline on PostgreSQL).
func (tx *Tx) keepKey(ctx context.Context, c *keyClaim) error {
	taken := func(err error) error {
		if isUnique(err) {
			c.taken.Store(true)
		}
		return conflict("claim idempotency key", err, "a request with this Idempotency-Key is still running, or has just finished: send it again to get its answer")
	}
	return tx.later(ctx, "claim idempotency key", taken,
		"INSERT INTO idempotency_keys (user_id, key, request_hash, state, status, body, created_at) VALUES ($1, $2, $3, 'pending', 0, '', $4)",
		c.userID, c.key, c.hash, ms(c.at))
}

// IdempotencyKey is one row of idempotency_keys.
type IdempotencyKey struct {
	RequestHash string
	State       string // pending or done
	Response    tl.StoredResponse
	CreatedAt   time.Time
}

// IdempotencyKey reads a claimed key.
func (tx *Tx) IdempotencyKey(ctx context.Context, userID, key string) (*IdempotencyKey, error) {
	return one(ctx, tx, "idempotency key", "SELECT request_hash, state, status, body, created_at FROM idempotency_keys WHERE user_id = $1 AND key = $2",
		[]any{userID, key}, func(rows rowScanner, k *IdempotencyKey) error {
			return rows.Scan(&k.RequestHash, &k.State, &k.Response.Status, &k.Response.Body, msTime{&k.CreatedAt})
		}, notFound("no idempotency key %q", key))
}

// KeyAnswer is the answer to keep for one idempotency key.
type KeyAnswer struct {
	UserID, Key string
	Response    tl.StoredResponse
}

// completeRows bounds the keys one statement completes (four parameters
// each, well under both databases' limits).
const completeRows = 200

// CompleteIdempotencyKeys stores the answers of many pending keys, in one
// statement per completeRows keys: one round trip and, for the caller's
// transaction, one commit for all of them.
func (tx *Tx) CompleteIdempotencyKeys(ctx context.Context, answers []KeyAnswer) error {
	for start := 0; start < len(answers); start += completeRows {
		chunk := answers[start:min(start+completeRows, len(answers))]
		var b strings.Builder
		args := make([]any, 0, 4*len(chunk))
		b.WriteString("UPDATE idempotency_keys SET state = 'done', status = v.status, body = v.body FROM (")
		for i, a := range chunk {
			if i > 0 {
				b.WriteString(" UNION ALL ")
			}
			n := len(args)
			fmt.Fprintf(&b, "SELECT CAST($%d AS TEXT) AS user_id, CAST($%d AS TEXT) AS k, CAST($%d AS INTEGER) AS status, CAST($%d AS TEXT) AS body", n+1, n+2, n+3, n+4)
			args = append(args, a.UserID, a.Key, a.Response.Status, a.Response.Body)
		}
		b.WriteString(") AS v WHERE idempotency_keys.user_id = v.user_id AND idempotency_keys.key = v.k")
		if _, err := tx.exec(ctx, "complete idempotency keys", b.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// DeleteIdempotencyKey forgets one key.
func (tx *Tx) DeleteIdempotencyKey(ctx context.Context, userID, key string) error {
	_, err := tx.exec(ctx, "delete idempotency key", "DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2", userID, key)
	return err
}

// ExpireIdempotencyKeys deletes keys created before cutoff.
func (tx *Tx) ExpireIdempotencyKeys(ctx context.Context, cutoff time.Time) (int64, error) {
	res, err := tx.exec(ctx, "expire idempotency keys", "DELETE FROM idempotency_keys WHERE created_at < $1", ms(cutoff))
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}
