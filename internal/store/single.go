package store

import "context"

// A request to the API costs more than its write: the bearer token is
// checked before it, and an Idempotency-Key that another request kept is
// looked up after it. Each is one statement, and on PostgreSQL a transaction
// around one statement is two more round trips (BEGIN, COMMIT) for
// nothing: a statement alone is atomic. ReadOne and WriteOne run such
// statements without one (docs/PERFORMANCE.md, "API ingest").

// ReadOne runs fn's statements each on its own, outside a transaction:
// for a read of one statement. A second statement may see a later moment
// than the first. Nothing read here is kept for other reads
// (KeptUntilWrite says no).
//
// On PostgreSQL a query here goes to pgx's pool without database/sql
// between (list): of the Go CPU of the token check before every API
// request, about a third was database/sql's (docs/PERFORMANCE.md, "API
// ingest"). database/sql would retry a statement on a connection found
// broken; here the statement fails, as one in a transaction does, and
// the request gets 503 (docs/OPERATIONS.md, "When the database is
// unavailable").
func (db *DB) ReadOne(ctx context.Context, fn func(tx *Tx) error) error {
	return translate("statement", fn(&Tx{tx: db.r, dialect: db.dialect, pool: db.pool}))
}

// WriteOne runs fn's statements each on its own, committed as it runs, on
// PostgreSQL beside the lanes as WriteAlone does: for a write of one
// statement that is atomic by itself and whose outcome no
// read-modify-write depends on. On SQLite, with its one writer
// connection, it is Write.
func (db *DB) WriteOne(ctx context.Context, fn func(tx *Tx) error) error {
	if db.dialect != Postgres {
		return db.Write(withoutKey(ctx), fn)
	}
	return translate("statement", fn(&Tx{tx: db.w, dialect: db.dialect, pool: db.pool}))
}
