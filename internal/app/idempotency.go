package app

import (
	"context"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// ClaimKey implements tl.IdempotencyService. A key older than
// tl.IdempotencyLifetime is forgotten and claimed afresh.
func (a *App) ClaimKey(ctx context.Context, userID, key, requestHash string) (*tl.StoredResponse, error) {
	key = strings.TrimSpace(key)
	if key == "" || len(key) > tl.MaxIdempotencyKeyLength {
		return nil, tl.Errorf(tl.EINVALID, "the Idempotency-Key header must have 1 to %d characters (a random UUID is a good key)", tl.MaxIdempotencyKeyLength)
	}
	now := a.clock()
	var out *tl.StoredResponse
	err := a.db.WriteAlone(ctx, func(tx *store.Tx) error {
		ok, err := tx.ClaimIdempotencyKey(ctx, userID, key, requestHash, now)
		if err != nil || ok {
			return err
		}
		k, err := tx.IdempotencyKey(ctx, userID, key)
		if err != nil {
			return err
		}
		if now.Sub(k.CreatedAt) > tl.IdempotencyLifetime {
			if err := tx.DeleteIdempotencyKey(ctx, userID, key); err != nil {
				return err
			}
			ok, err := tx.ClaimIdempotencyKey(ctx, userID, key, requestHash, now)
			if err == nil && !ok {
				err = tl.Errorf(tl.ECONFLICT, "a request with this Idempotency-Key is still running: wait for it before retrying")
			}
			return err
		}
		switch {
		case k.RequestHash != requestHash:
			return tl.Errorf(tl.EINVALID, "this Idempotency-Key was already used for a different request: use a new key for each new create")
		case k.State != "done":
			return tl.Errorf(tl.ECONFLICT, "a request with this Idempotency-Key is still running (or its server stopped before answering): check whether it was created before retrying with a new key")
		}
		out = &k.Response
		return nil
	})
	return out, err
}

// CompleteKey implements tl.IdempotencyService.
func (a *App) CompleteKey(ctx context.Context, userID, key string, resp tl.StoredResponse) error {
	return a.db.WriteAlone(ctx, func(tx *store.Tx) error {
		return tx.CompleteIdempotencyKey(ctx, userID, strings.TrimSpace(key), resp)
	})
}

// ReleaseKey implements tl.IdempotencyService.
func (a *App) ReleaseKey(ctx context.Context, userID, key string) error {
	return a.db.WriteAlone(ctx, func(tx *store.Tx) error {
		return tx.DeleteIdempotencyKey(ctx, userID, strings.TrimSpace(key))
	})
}
