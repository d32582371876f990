-- +goose Up
-- Times are unix milliseconds UTC (0: unset); booleans are INTEGER 0/1;
-- names are matched case-insensitively through their *_lower column.
CREATE TABLE leaders (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE teams (
    id TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    name TEXT NOT NULL,
    name_lower TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (leader_id, name_lower)
);

CREATE TABLE relationships (
    id TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    person TEXT NOT NULL,
    person_lower TEXT NOT NULL,
    team_id TEXT REFERENCES teams (id),
    kind TEXT NOT NULL,
    base_legitimate INTEGER NOT NULL,
    base_reward INTEGER NOT NULL,
    base_coercive INTEGER NOT NULL,
    base_informational INTEGER NOT NULL,
    base_expert INTEGER NOT NULL,
    base_referent INTEGER NOT NULL,
    active INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    UNIQUE (leader_id, person_lower)
);
CREATE INDEX relationships_team ON relationships (team_id);

CREATE TABLE events (
    id TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    subject TEXT NOT NULL,
    relationship_id TEXT REFERENCES relationships (id),
    team_id TEXT REFERENCES teams (id),
    kind TEXT NOT NULL,
    occurred_at INTEGER NOT NULL,
    recorded_at INTEGER NOT NULL,
    source TEXT NOT NULL,
    severity TEXT NOT NULL,
    note TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    reverses TEXT,
    repairs TEXT,
    acknowledges INTEGER NOT NULL,
    offers_repair INTEGER NOT NULL,
    power_base TEXT NOT NULL,
    power_shift INTEGER NOT NULL,
    commitment_id TEXT,
    decision_id TEXT
);
CREATE UNIQUE INDEX events_leader_time ON events (leader_id, occurred_at, id);
CREATE INDEX events_reverses ON events (reverses) WHERE reverses IS NOT NULL;
CREATE INDEX events_repairs ON events (repairs) WHERE repairs IS NOT NULL;

-- One row per relationship an event was applied to (a team event fans out).
CREATE TABLE event_targets (
    event_id TEXT NOT NULL REFERENCES events (id),
    relationship_id TEXT NOT NULL REFERENCES relationships (id),
    occurred_at INTEGER NOT NULL,
    PRIMARY KEY (event_id, relationship_id)
);
CREATE INDEX event_targets_rel ON event_targets (relationship_id, occurred_at, event_id);

-- The running state of one relationship (engine.State): accumulators
-- r|s_<dim>_<source>, t_last, and the check-in and pulse snapshots.
CREATE TABLE rel_state (
    relationship_id TEXT NOT NULL PRIMARY KEY REFERENCES relationships (id),
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    r_ability_self REAL NOT NULL,
    r_ability_system REAL NOT NULL,
    r_ability_confirmed REAL NOT NULL,
    r_benevolence_self REAL NOT NULL,
    r_benevolence_system REAL NOT NULL,
    r_benevolence_confirmed REAL NOT NULL,
    r_integrity_self REAL NOT NULL,
    r_integrity_system REAL NOT NULL,
    r_integrity_confirmed REAL NOT NULL,
    s_ability_self REAL NOT NULL,
    s_ability_system REAL NOT NULL,
    s_ability_confirmed REAL NOT NULL,
    s_benevolence_self REAL NOT NULL,
    s_benevolence_system REAL NOT NULL,
    s_benevolence_confirmed REAL NOT NULL,
    s_integrity_self REAL NOT NULL,
    s_integrity_system REAL NOT NULL,
    s_integrity_confirmed REAL NOT NULL,
    t_last INTEGER NOT NULL,
    has_checkin INTEGER NOT NULL,
    checkin_at INTEGER NOT NULL,
    checkin_p_ability REAL NOT NULL,
    checkin_p_benevolence REAL NOT NULL,
    checkin_p_integrity REAL NOT NULL,
    checkin_rwg_ability REAL NOT NULL,
    checkin_rwg_benevolence REAL NOT NULL,
    checkin_rwg_integrity REAL NOT NULL,
    checkin_n INTEGER NOT NULL,
    has_pulse INTEGER NOT NULL,
    pulse_at INTEGER NOT NULL,
    pulse_p_ability REAL NOT NULL,
    pulse_p_benevolence REAL NOT NULL,
    pulse_p_integrity REAL NOT NULL,
    pulse_rwg_ability REAL NOT NULL,
    pulse_rwg_benevolence REAL NOT NULL,
    pulse_rwg_integrity REAL NOT NULL,
    pulse_n INTEGER NOT NULL
);
CREATE INDEX rel_state_leader ON rel_state (leader_id);

CREATE TABLE commitments (
    id TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    relationship_id TEXT REFERENCES relationships (id),
    team_id TEXT REFERENCES teams (id),
    recipient TEXT NOT NULL,
    what TEXT NOT NULL,
    due_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER NOT NULL,
    step_id TEXT
);
CREATE INDEX commitments_leader_due ON commitments (leader_id, due_at);
CREATE INDEX commitments_status_due ON commitments (status, due_at);

CREATE TABLE decisions (
    id TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    what TEXT NOT NULL,
    why TEXT NOT NULL,
    relationship_id TEXT REFERENCES relationships (id),
    team_id TEXT REFERENCES teams (id),
    affects TEXT NOT NULL,
    decided_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX decisions_leader_time ON decisions (leader_id, decided_at);

CREATE TABLE steps (
    id TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    relationship_id TEXT REFERENCES relationships (id),
    person TEXT NOT NULL,
    week_start INTEGER NOT NULL,
    rule TEXT NOT NULL,
    dim TEXT NOT NULL,
    move TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    commitment_id TEXT,
    baseline_e REAL NOT NULL,
    baseline_quadrant TEXT NOT NULL,
    baseline_n REAL NOT NULL,
    created_at INTEGER NOT NULL,
    accepted_at INTEGER NOT NULL,
    closed_at INTEGER NOT NULL
);
CREATE INDEX steps_leader_week ON steps (leader_id, week_start);

CREATE TABLE journal (
    id TEXT NOT NULL PRIMARY KEY,
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    week_start INTEGER NOT NULL,
    question INTEGER NOT NULL,
    body TEXT NOT NULL,
    shared INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX journal_leader_time ON journal (leader_id, created_at);

CREATE TABLE settings (
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    name TEXT NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (leader_id, name)
);

-- +goose Down
DROP TABLE settings;
DROP TABLE journal;
DROP TABLE steps;
DROP TABLE decisions;
DROP TABLE commitments;
DROP TABLE rel_state;
DROP TABLE event_targets;
DROP TABLE events;
DROP TABLE relationships;
DROP TABLE teams;
DROP TABLE leaders;
