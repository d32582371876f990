-- +goose Up
-- The weekly loop by mail (docs/OPERATIONS.md, "The weekly mail").
--
-- When each leader's weekly email goes out, in the leader's zone; a leader
-- without a row has the default (Monday 08:00, mail on).
CREATE TABLE digest_schedules (
    leader_id TEXT NOT NULL PRIMARY KEY REFERENCES leaders (id),
    weekday INTEGER NOT NULL, -- 0 Monday … 6 Sunday
    hour INTEGER NOT NULL,    -- 0–23
    mail_off INTEGER NOT NULL, -- 1: no weekly email and no due-day reminders
    updated_at BIGINT NOT NULL
);
-- One row per leader and week the digest went out in: the primary key is
-- what makes it go exactly once, however many instances tick. It holds no
-- text of its own (what the mail says is read when it is sent), so erasing
-- a person reaches everything stored here.
CREATE TABLE digests (
    id TEXT NOT NULL UNIQUE,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    week BIGINT NOT NULL,       -- the week's name (WeekStartIn)
    since BIGINT NOT NULL,      -- what arrived from here …
    created_at BIGINT NOT NULL, -- … to here is in it
    expires_at BIGINT NOT NULL, -- its step links work until then: the week's end
    step_id TEXT REFERENCES steps (id),
    used_at BIGINT NOT NULL,    -- one of its step links was used (0: none) …
    used_action TEXT NOT NULL, -- … doing this
    PRIMARY KEY (leader_id, week)
);
-- The links a mail carries, by the SHA-256 of their token (made when the
-- message is sent, never stored): a digest's step links (accept, skip,
-- done) and every mail's unsubscribe link.
CREATE TABLE mail_links (
    token_hash TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    digest_id TEXT REFERENCES digests (id),
    action TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL -- 0: never
);
CREATE INDEX mail_links_digest ON mail_links (digest_id);

-- +goose Down
DROP TABLE mail_links;
DROP TABLE digests;
DROP TABLE digest_schedules;
