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
// A create sent with a key runs at most once per user and key: the first
// request claims the key, its response is stored, and a retry gets that
// response back.
type IdempotencyService interface {
	// ClaimKey claims key for userID and a hash of the request. It returns
	// (nil, nil) when the caller should run the request, or the stored
	// response to replay. The same key with a different request is
	// EINVALID; a key whose first request has not finished is ECONFLICT.
	ClaimKey(ctx context.Context, userID, key, requestHash string) (*StoredResponse, error)
	// CompleteKey stores the response of a claimed key.
	CompleteKey(ctx context.Context, userID, key string, resp StoredResponse) error
	// ReleaseKey forgets a claimed key whose request failed on the
	// server's side, so a retry runs again.
	ReleaseKey(ctx context.Context, userID, key string) error
}
