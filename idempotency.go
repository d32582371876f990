package trustledger

import (
	"context"
	"time"
)

// IdempotencyLifetime is how long an API response is kept for retries
// with the same Idempotency-Key.
const IdempotencyLifetime = 24 * time.Hour

// StoredResponse is the answer kept for an idempotency key.
type StoredResponse struct {
	Status int    `json:"status"`
	Body   string `json:"body"`
}

// IdempotencyService keeps the JSON API's idempotency keys (docs/API.md).
// A create sent with a key runs at most once per user and key: the key is
// kept by the create's write, in that write's own transaction, its
// response is stored after, and a retry gets that response back. A write
// that does not commit (the database failed over, say) leaves the key
// free, so the retry runs. The key is not looked up before the request
// runs: a retry finds it taken when its write tries to keep it.
type IdempotencyService interface {
	// ClaimKey checks key and returns the context to run the request
	// with: the request's first write keeps the key.
	ClaimKey(ctx context.Context, userID, key, requestHash string) (context.Context, error)
	// SettleKey is called with that context once the request has run,
	// with its response. If a write of the request found the key kept by
	// another request (or the request failed, and the key is kept), it
	// returns that request's stored response to
	// replay (ECONFLICT while that request still runs, EINVALID if it was
	// a different request), or rerun when the key had expired and is now
	// forgotten. Otherwise it stores resp as the key's answer, if a write
	// kept the key and resp is not a server error, and returns nothing.
	SettleKey(ctx context.Context, userID, key, requestHash string, resp StoredResponse) (replay *StoredResponse, rerun bool, err error)
}
