-- +goose Up
-- PostgreSQL's 00014 widens 00012's times to BIGINT; SQLite's INTEGER
-- already holds 64 bits. The version is kept so both dialects number alike.
SELECT 1;

-- +goose Down
SELECT 1;
