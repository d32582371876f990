-- +goose Up
-- A leader's calendar feed of promises: a secret URL, of which only the
-- token's hex SHA-256 is stored; deleting the row revokes it.
CREATE TABLE calendar_feeds (
    leader_id TEXT NOT NULL PRIMARY KEY REFERENCES leaders (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

-- +goose Down
DROP TABLE calendar_feeds;
