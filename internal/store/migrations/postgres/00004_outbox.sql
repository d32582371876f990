-- +goose Up
-- The mail outbox: a message is queued in the same transaction as what
-- caused it, and a worker sends it, retrying with backoff. dedupe_key is
-- unique, so queuing the same message twice is a no-op. The body is not
-- stored: the worker renders it at send time, and a message that carries
-- a link issues the link's token then, so no token is ever written down.
CREATE TABLE outbox (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL, -- pulse-invite, pulse-reminder, checkin, window
    dedupe_key TEXT NOT NULL UNIQUE,
    to_addr TEXT NOT NULL,
    to_name TEXT NOT NULL,
    ref_id TEXT NOT NULL, -- the pulse, check-in or relationship
    ref2 TEXT NOT NULL, -- the relationship, for pulse mail
    status TEXT NOT NULL, -- pending, sent or failed
    attempts INTEGER NOT NULL,
    next_at BIGINT NOT NULL, -- not before (backoff)
    lease_until BIGINT NOT NULL, -- a worker holds it until then
    created_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    last_error TEXT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_at);

-- +goose Down
DROP TABLE outbox;
