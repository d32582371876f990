// Package store keeps trustledger's domain on SQLite (modernc, pure Go)
// or PostgreSQL (pgx) through one set of queries: $N placeholders and the
// SQL both databases share, times as unix milliseconds, booleans as 0/1,
// names matched case-insensitively through a stored lower-cased column.
// Each dialect has its own embedded goose migrations with the same
// versions. Permission checks live above, in internal/app; every query
// here is nevertheless scoped by leader so one leader never reads
// another's rows.
package store
