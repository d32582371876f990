-- +goose Up
-- Coaching programs: leaders grouped for coaches, with each leader's
-- consent; the weekly record of quadrants a coach's rollup reads; and the
-- released results of pulses (the means the leader saw, above k).
CREATE TABLE programs (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE TABLE program_coaches (
    program_id TEXT NOT NULL REFERENCES programs (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (program_id, user_id)
);
CREATE INDEX program_coaches_user ON program_coaches (user_id);
CREATE TABLE program_leaders (
    program_id TEXT NOT NULL REFERENCES programs (id),
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    added_at BIGINT NOT NULL,
    consented_at BIGINT NOT NULL,
    withdrawn_at BIGINT NOT NULL,
    PRIMARY KEY (program_id, leader_id)
);
CREATE INDEX program_leaders_leader ON program_leaders (leader_id);
CREATE TABLE leader_weeks (
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    week_start BIGINT NOT NULL,
    quadrant TEXT NOT NULL,
    relationships BIGINT NOT NULL,
    PRIMARY KEY (leader_id, week_start, quadrant)
);
CREATE TABLE pulse_results (
    pulse_id TEXT NOT NULL PRIMARY KEY REFERENCES pulses (id),
    leader_id TEXT NOT NULL REFERENCES leaders (id),
    closed_at BIGINT NOT NULL,
    n BIGINT NOT NULL,
    scales TEXT NOT NULL
);
CREATE INDEX pulse_results_leader ON pulse_results (leader_id, closed_at);

-- +goose Down
DROP TABLE pulse_results;
DROP TABLE leader_weeks;
DROP TABLE program_leaders;
DROP TABLE program_coaches;
DROP TABLE programs;
