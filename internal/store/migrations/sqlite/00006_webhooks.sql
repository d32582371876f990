-- +goose Up
-- Outgoing webhooks: a leader's endpoints and the events they want. The
-- signing secret is kept (HMAC needs it to sign); it is shown once and
-- never logged. Deliveries go through the outbox, which gains a body for
-- them (mail keeps rendering at send time and leaves it empty).
CREATE TABLE webhooks (
    id TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    url TEXT NOT NULL,
    secret TEXT NOT NULL,
    events TEXT NOT NULL, -- comma-separated event names
    created_at INTEGER NOT NULL
);
CREATE INDEX webhooks_leader ON webhooks (leader_id);

ALTER TABLE outbox ADD COLUMN body TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE outbox DROP COLUMN body;
DROP TABLE webhooks;
