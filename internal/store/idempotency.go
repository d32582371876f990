package store

import (
	"context"
	"database/sql"
	"time"

	tl "github.com/trustledger/trustledger"
)

// IdempotencyKey is one row of idempotency_keys.
type IdempotencyKey struct {
	RequestHash string
	State       string // pending or done
	Response    tl.StoredResponse
	CreatedAt   time.Time
}

// ClaimIdempotencyKey inserts a pending key; it reports false when the
// key is already there (claimed by an earlier request).
func (tx *Tx) ClaimIdempotencyKey(ctx context.Context, userID, key, hash string, at time.Time) (bool, error) {
	res, err := tx.exec(ctx, "claim idempotency key",
		"INSERT INTO idempotency_keys (user_id, key, request_hash, state, status, body, created_at) VALUES ($1, $2, $3, 'pending', 0, '', $4) ON CONFLICT (user_id, key) DO NOTHING",
		userID, key, hash, ms(at))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("claim idempotency key", err)
	}
	return n == 1, nil
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
