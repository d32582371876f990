-- +goose Up
-- Accounts for the web app. Tokens are never stored: sessions
-- and invitations keep the hex SHA-256 of theirs. Times are unix
-- milliseconds UTC (0: unset).
CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE, -- lower-cased
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    leader_id TEXT UNIQUE REFERENCES leaders (id), -- NULL for roles that do not lead
    password_hash TEXT NOT NULL, -- argon2id, PHC string
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    token_hash TEXT NOT NULL PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    last_seen INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen);
CREATE INDEX sessions_created ON sessions (created_at);

CREATE TABLE invitations (
    id TEXT NOT NULL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL, -- lower-cased
    role TEXT NOT NULL,
    invited_by TEXT NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER NOT NULL -- 0 until used
);
CREATE INDEX invitations_created ON invitations (created_at);

-- One row per failed (or in-flight) login attempt, keyed by the hex
-- SHA-256 of the lower-cased email so that unknown emails are throttled
-- the same way and the table holds no address typed by a stranger. Rows
-- older than the login window are pruned.
CREATE TABLE login_failures (
    email_key TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX login_failures_key ON login_failures (email_key, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- +goose Down
DROP TABLE login_failures;
DROP TABLE invitations;
DROP TABLE sessions;
DROP TABLE users;
