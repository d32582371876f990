-- +goose Up
-- A pulse or a decision whose anonymous rows (pulse_responses,
-- decision_reactions) were added to since they were last shuffled. The
-- answer's transaction marks it; the mixer (internal/store/mix.go)
-- rewrites the rows in a random order, touches who answered or reacted,
-- and deletes the mark, so that neither the order of rows on disk nor the
-- transaction that wrote them says who gave which answer
-- (docs/ANONYMITY.md). kind is 'pulse' or 'decision'; ref_id its id.
CREATE TABLE voice_mix (
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    PRIMARY KEY (kind, ref_id)
);

-- +goose Down
DROP TABLE voice_mix;
