-- +goose Up
-- Sign-in with OpenID Connect: which account an identity at an issuer
-- (its stable subject) signs in as. An account links at most one
-- identity per issuer; email is the verified address it was linked by.
CREATE TABLE identities (
    issuer TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    email TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL,
    PRIMARY KEY (issuer, subject),
    UNIQUE (user_id, issuer)
);

-- +goose Down
DROP TABLE identities;
