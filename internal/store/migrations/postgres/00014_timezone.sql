-- +goose Up
-- Time zones (docs/MODEL.md, choice 39): IANA names such as Asia/Tokyo.
-- Times stay unix milliseconds UTC everywhere; a zone says where a
-- leader's weeks begin, when a day given without a time ends, and how
-- times are shown.
--
-- leaders.tz is the one zone a leader's weeks and due dates follow, and
-- the zone of the account that leads (if any). Leaders with an account
-- followed UTC until now and keep it; a leader made by the CLI without an
-- account has none ('') and follows the zone of the CLI at hand.
ALTER TABLE leaders ADD COLUMN tz TEXT NOT NULL DEFAULT '';
UPDATE leaders SET tz = 'UTC' WHERE id IN (SELECT leader_id FROM users WHERE leader_id IS NOT NULL);

-- users.tz is the zone of an account that leads no one (a coach, a
-- member); an account that leads shows its leader's instead.
ALTER TABLE users ADD COLUMN tz TEXT NOT NULL DEFAULT 'UTC';

-- +goose Down
ALTER TABLE users DROP COLUMN tz;
ALTER TABLE leaders DROP COLUMN tz;
