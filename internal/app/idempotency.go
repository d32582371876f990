package app

import (
	"context"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// ClaimKey implements tl.IdempotencyService. A key older than
// tl.IdempotencyLifetime is forgotten and claimed afresh. Looking the key
// up is one read; keeping it costs the request's write nothing more (on
// PostgreSQL its INSERT goes in the write's pipeline: store/pipeline.go).
func (a *App) ClaimKey(ctx context.Context, userID, key, requestHash string) (context.Context, *tl.StoredResponse, error) {
	key = strings.TrimSpace(key)
	if key == "" || len(key) > tl.MaxIdempotencyKeyLength {
		return nil, nil, tl.Errorf(tl.EINVALID, "the Idempotency-Key header must have 1 to %d characters (a random UUID is a good key)", tl.MaxIdempotencyKeyLength)
	}
	now := a.clock()
	var k *store.IdempotencyKey
	err := a.db.ReadOne(ctx, func(tx *store.Tx) error {
		var err error
		k, err = tx.IdempotencyKey(ctx, userID, key)
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			k, err = nil, nil
		}
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	if k != nil && now.Sub(k.CreatedAt) > tl.IdempotencyLifetime {
		if err := a.db.WriteOne(ctx, func(tx *store.Tx) error { return tx.DeleteIdempotencyKey(ctx, userID, key) }); err != nil {
			return nil, nil, err
		}
		k = nil
	}
	switch {
	case k == nil:
		return store.WithIdempotencyKey(ctx, userID, key, requestHash, now), nil, nil
	case k.RequestHash != requestHash:
		return nil, nil, tl.Errorf(tl.EINVALID, "this Idempotency-Key was already used for a different request: use a new key for each new create")
	case k.State != "done":
		return nil, nil, tl.Errorf(tl.ECONFLICT, "a request with this Idempotency-Key is still running (or its server stopped after saving and before answering): check whether it was created before retrying with a new key")
	}
	return nil, &k.Response, nil
}

// CompleteKey implements tl.IdempotencyService.
func (a *App) CompleteKey(ctx context.Context, userID, key string, resp tl.StoredResponse) error {
	if !store.IdempotencyKeyKept(ctx) {
		return nil
	}
	return a.db.WriteOne(ctx, func(tx *store.Tx) error {
		return tx.CompleteIdempotencyKey(ctx, userID, strings.TrimSpace(key), resp)
	})
}
