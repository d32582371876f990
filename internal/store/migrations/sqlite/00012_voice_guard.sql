-- +goose Up
-- Who counts toward k (docs/ANONYMITY.md, rule 1): a person's address is
-- confirmed from that mailbox, and approved by an administrator who is not
-- the leader where the installation has one. Both start again when the
-- address changes. Times are unix milliseconds UTC (0: not yet).
ALTER TABLE relationships ADD COLUMN email_confirmed_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE relationships ADD COLUMN approved_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE relationships ADD COLUMN approved_by TEXT NOT NULL DEFAULT '';

-- A confirmation waiting for its person: the address it confirms, and the
-- hash of the link's token once the message carrying it was sent.
CREATE TABLE address_confirmations (
    relationship_id TEXT NOT NULL PRIMARY KEY REFERENCES relationships (id),
    email TEXT NOT NULL,
    token_hash TEXT UNIQUE,
    created_at INTEGER NOT NULL
);

-- The address each person was asked at (rule 3): an open pulse's
-- invitations and reminders go there, whatever the address becomes later.
ALTER TABLE pulse_population ADD COLUMN email TEXT NOT NULL DEFAULT '';

-- The rough count a leader sees while a pulse is open, published at fixed
-- times rather than as answers arrive (rule 3).
ALTER TABLE pulses ADD COLUMN band TEXT NOT NULL DEFAULT 'below-k';

-- Whether a released pulse's comments may be shown: decided once, at
-- close, on who was asked in every pulse whose comments were shown
-- (docs/ANONYMITY.md, rule 4). Comments shown before keep being shown.
ALTER TABLE pulses ADD COLUMN comments_shown INTEGER NOT NULL DEFAULT 0;
ALTER TABLE pulses ADD COLUMN comments_withheld TEXT NOT NULL DEFAULT '';
UPDATE pulses SET comments_shown = 1 WHERE released = 1 AND question <> ''
    AND (SELECT COUNT(*) FROM pulse_responses r WHERE r.pulse_id = pulses.id) >= comments_k;

-- When the voice's counts were last published (open pulses' bands,
-- decision reactions): one row, so that several instances publish once.
CREATE TABLE voice_publications (
    name TEXT NOT NULL PRIMARY KEY,
    published_at INTEGER NOT NULL
);

-- An account's address proved by a link sent there (rule 6): accepting an
-- invitation that came by mail, or signing in through a provider that
-- vouches for the address.
ALTER TABLE users ADD COLUMN email_verified_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE invitations ADD COLUMN by_mail INTEGER NOT NULL DEFAULT 0;
UPDATE invitations SET by_mail = 1 WHERE id IN (SELECT ref_id FROM outbox WHERE kind = 'invitation');

-- Window links were shown to the leader who made them: from now on they go
-- only by mail, and the links made before stop working.
DELETE FROM passes WHERE purpose = 'window';
DELETE FROM window_links;

-- Who reacted is kept by its key alone: a rowid would number people in the
-- order they reacted (docs/ANONYMITY.md, rule 7).
CREATE TABLE decision_reacted_keyed (
    decision_id TEXT NOT NULL REFERENCES decisions (id),
    relationship_id TEXT NOT NULL REFERENCES relationships (id),
    PRIMARY KEY (decision_id, relationship_id)
) WITHOUT ROWID;
INSERT INTO decision_reacted_keyed (decision_id, relationship_id)
    SELECT decision_id, relationship_id FROM decision_reacted ORDER BY decision_id, relationship_id;
DROP TABLE decision_reacted;
ALTER TABLE decision_reacted_keyed RENAME TO decision_reacted;

-- +goose Down
DROP TABLE voice_publications;
DROP TABLE address_confirmations;
ALTER TABLE pulses DROP COLUMN comments_withheld;
ALTER TABLE pulses DROP COLUMN comments_shown;
ALTER TABLE invitations DROP COLUMN by_mail;
ALTER TABLE users DROP COLUMN email_verified_at;
ALTER TABLE pulses DROP COLUMN band;
ALTER TABLE pulse_population DROP COLUMN email;
ALTER TABLE relationships DROP COLUMN approved_by;
ALTER TABLE relationships DROP COLUMN approved_at;
ALTER TABLE relationships DROP COLUMN email_confirmed_at;
