package store

import (
	"context"
	"database/sql"
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
}

type keyClaimCtx struct{}

// WithIdempotencyKey returns a context whose first write (Write,
// WriteLeader, WriteQuiet) also keeps the key, pending, in the same
// transaction. If another request kept it first, the write fails with
// ECONFLICT.
func WithIdempotencyKey(ctx context.Context, userID, key, hash string, at time.Time) context.Context {
	return context.WithValue(ctx, keyClaimCtx{}, &keyClaim{userID: userID, key: key, hash: hash, at: at})
}

// IdempotencyKeyKept reports whether a write run with ctx kept its key.
func IdempotencyKeyKept(ctx context.Context) bool {
	c, _ := ctx.Value(keyClaimCtx{}).(*keyClaim)
	return c != nil && c.kept.Load()
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
		[]any{userID, key}, func(rows *sql.Rows, k *IdempotencyKey) error {
			return rows.Scan(&k.RequestHash, &k.State, &k.Response.Status, &k.Response.Body, msTime{&k.CreatedAt})
		}, notFound("no idempotency key %q", key))
}

// CompleteIdempotencyKey stores the response of a pending key.
func (tx *Tx) CompleteIdempotencyKey(ctx context.Context, userID, key string, resp tl.StoredResponse) error {
	_, err := tx.exec(ctx, "complete idempotency key",
		"UPDATE idempotency_keys SET state = 'done', status = $1, body = $2 WHERE user_id = $3 AND key = $4",
		resp.Status, resp.Body, userID, key)
	return err
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
