-- +goose Up
-- 00012 made its times INTEGER, which PostgreSQL holds in 32 bits: a unix
-- millisecond does not fit, so confirming an address, approving a person,
-- verifying an account and every publication of the voice's counts failed.
-- Times are BIGINT, as in every other table.
ALTER TABLE relationships ALTER COLUMN email_confirmed_at TYPE BIGINT;
ALTER TABLE relationships ALTER COLUMN approved_at TYPE BIGINT;
ALTER TABLE address_confirmations ALTER COLUMN created_at TYPE BIGINT;
ALTER TABLE voice_publications ALTER COLUMN published_at TYPE BIGINT;
ALTER TABLE users ALTER COLUMN email_verified_at TYPE BIGINT;

-- +goose Down
-- Nothing to undo: a millisecond time does not fit back in 32 bits.
SELECT 1;
