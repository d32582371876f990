-- +goose Up
-- Team voice (docs/ANONYMITY.md). Anonymity lives in this schema as much as in the
-- code: a pulse response has no time, no person, no token and no link to
-- the used-token record; its key is random, so the table's order says
-- nothing about the order of submission. Tokens are stored only as the
-- hex SHA-256 of the token. Times are unix milliseconds UTC (0: unset).

-- A person's contact address, for pulse and check-in invitations.
ALTER TABLE relationships ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- The measurement a check-in or pulse event carries (engine.Snapshot).
CREATE TABLE event_snapshots (
    event_id TEXT NOT NULL PRIMARY KEY REFERENCES events (id),
    p_ability REAL NOT NULL,
    p_benevolence REAL NOT NULL,
    p_integrity REAL NOT NULL,
    rwg_ability REAL NOT NULL,
    rwg_benevolence REAL NOT NULL,
    rwg_integrity REAL NOT NULL,
    n INTEGER NOT NULL
);

CREATE TABLE pulses (
    id TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    team_id TEXT NOT NULL REFERENCES teams (id),
    wave INTEGER NOT NULL,
    question TEXT NOT NULL,
    k INTEGER NOT NULL,
    comments_k INTEGER NOT NULL,
    delivery TEXT NOT NULL,
    status TEXT NOT NULL,
    population INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    closes_at INTEGER NOT NULL,
    closed_at INTEGER NOT NULL,
    shared_hash TEXT UNIQUE, -- the shared link's token hash (delivery link)
    self_answers TEXT NOT NULL, -- the leader's own answers, "item=value;…"
    released INTEGER NOT NULL, -- results may be shown
    withheld TEXT NOT NULL, -- why results are not shown, once closed
    event_id TEXT REFERENCES events (id), -- the pulse snapshot event
    UNIQUE (team_id, wave)
);
CREATE INDEX pulses_leader ON pulses (leader_id, created_at);
CREATE INDEX pulses_open ON pulses (status, closes_at);

-- Who was invited: the population a result stands for.
CREATE TABLE pulse_population (
    pulse_id TEXT NOT NULL REFERENCES pulses (id),
    relationship_id TEXT NOT NULL REFERENCES relationships (id),
    PRIMARY KEY (pulse_id, relationship_id)
);

-- A member's single-use link. token_hash is NULL until the mail is sent
-- and changes when a reminder issues a new link; used says the member
-- answered, and nothing here points at the answer.
CREATE TABLE pulse_tokens (
    pulse_id TEXT NOT NULL REFERENCES pulses (id),
    relationship_id TEXT NOT NULL REFERENCES relationships (id),
    token_hash TEXT UNIQUE,
    used INTEGER NOT NULL,
    PRIMARY KEY (pulse_id, relationship_id)
);

-- One anonymous response. id is random; answers is "item=value;…".
CREATE TABLE pulse_responses (
    pulse_id TEXT NOT NULL REFERENCES pulses (id),
    id TEXT NOT NULL,
    answers TEXT NOT NULL,
    comment TEXT NOT NULL,
    PRIMARY KEY (pulse_id, id)
) WITHOUT ROWID;

-- A short-lived pass a link's token was exchanged for (the cookie).
-- purpose is pulse, checkin or window; ref_id the pulse, check-in or
-- relationship; token_hash the member token it stands for (pulse).
CREATE TABLE passes (
    pass_hash TEXT NOT NULL PRIMARY KEY,
    purpose TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    token_hash TEXT,
    expires_at INTEGER NOT NULL
);
CREATE INDEX passes_expires ON passes (expires_at);

-- A named check-in: not anonymous, and the person is told so.
CREATE TABLE checkins (
    id TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    relationship_id TEXT NOT NULL REFERENCES relationships (id),
    delivery TEXT NOT NULL,
    token_hash TEXT UNIQUE,
    created_at INTEGER NOT NULL,
    answered_at INTEGER NOT NULL,
    ratings TEXT NOT NULL, -- "ca=4;cb=3;ci=5", "" until answered
    comment TEXT NOT NULL,
    event_id TEXT REFERENCES events (id)
);
CREATE INDEX checkins_leader ON checkins (leader_id, created_at);

-- A person's link to their leader's window (one live link per person).
CREATE TABLE window_links (
    relationship_id TEXT NOT NULL PRIMARY KEY REFERENCES relationships (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

-- A member's named confirmation or dispute of a kept promise.
CREATE TABLE promise_confirmations (
    commitment_id TEXT NOT NULL REFERENCES commitments (id),
    relationship_id TEXT NOT NULL REFERENCES relationships (id),
    state TEXT NOT NULL, -- confirmed or disputed
    event_id TEXT REFERENCES events (id),
    created_at INTEGER NOT NULL,
    PRIMARY KEY (commitment_id, relationship_id)
);

-- Decision reactions are anonymous: reacted says who reacted (one each),
-- reactions holds what was said under a random key, with no link between.
CREATE TABLE decision_reacted (
    decision_id TEXT NOT NULL REFERENCES decisions (id),
    relationship_id TEXT NOT NULL REFERENCES relationships (id),
    PRIMARY KEY (decision_id, relationship_id)
);
CREATE TABLE decision_reactions (
    decision_id TEXT NOT NULL REFERENCES decisions (id),
    id TEXT NOT NULL,
    reaction TEXT NOT NULL,
    PRIMARY KEY (decision_id, id)
) WITHOUT ROWID;
-- The counts shown, released in batches of k.
CREATE TABLE decision_reaction_counts (
    decision_id TEXT NOT NULL PRIMARY KEY REFERENCES decisions (id),
    n INTEGER NOT NULL,
    understood INTEGER NOT NULL,
    not_clear INTEGER NOT NULL,
    disagree INTEGER NOT NULL,
    event_id TEXT REFERENCES events (id)
);

-- +goose Down
DROP TABLE decision_reaction_counts;
DROP TABLE decision_reactions;
DROP TABLE decision_reacted;
DROP TABLE promise_confirmations;
DROP TABLE window_links;
DROP TABLE checkins;
DROP TABLE passes;
DROP TABLE pulse_responses;
DROP TABLE pulse_tokens;
DROP TABLE pulse_population;
DROP TABLE pulses;
DROP TABLE event_snapshots;
ALTER TABLE relationships DROP COLUMN email;
