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
// free, so the retry runs.
type IdempotencyService interface {
	// ClaimKey looks key up for userID and a hash of the request. It
	// returns the stored response to replay, or the context to run the
	// request with: the request's first write keeps the key. The same key
	// with a different request is EINVALID; a key whose first request has
	// not finished is ECONFLICT, and so is a write that finds the key kept
	// by another request meanwhile.
	ClaimKey(ctx context.Context, userID, key, requestHash string) (context.Context, *StoredResponse, error)
	// CompleteKey stores the response of the request run with ctx (the
	// context ClaimKey gave), if a write of it kept the key; else it does
	// nothing, and a retry runs the request again.
	CompleteKey(ctx context.Context, userID, key string, resp StoredResponse) error
}
