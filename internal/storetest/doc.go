// Package storetest is the conformance suite every store backend must
// pass (Run), and the helpers other packages' tests use to get a real
// database: OpenSQLite on a temp file, OpenPostgres in a schema of its
// own, and SeedLarge to bulk-load a database for benchmarks.
package storetest
