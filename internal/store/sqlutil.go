package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	tl "github.com/trustledger/trustledger"
)

// ms stores a time as unix milliseconds UTC; the zero time is 0, so an
// unset optional time ("resolved_at") reads back as the zero time.
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS is the inverse of ms, always in UTC.
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// msTime scans a unix-millisecond column into a time.Time.
type msTime struct{ t *time.Time }

// Scan implements sql.Scanner.
func (m msTime) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	*m.t = fromMS(n.Int64)
	return nil
}

// nullID stores an empty optional id as NULL so the foreign key holds.
func nullID(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// optStr scans a nullable text column into a string ("" for NULL).
type optStr struct{ s *string }

// Scan implements sql.Scanner.
func (o optStr) Scan(src any) error {
	var n sql.NullString
	if err := n.Scan(src); err != nil {
		return err
	}
	*o.s = n.String
	return nil
}

// b2i stores a boolean as INTEGER 0/1 (the same type on both databases).
func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// intBool scans an INTEGER 0/1 (or a boolean expression) into a bool.
type intBool struct{ b *bool }

// Scan implements sql.Scanner.
func (ib intBool) Scan(src any) error {
	switch v := src.(type) {
	case bool:
		*ib.b = v
	case int64:
		*ib.b = v != 0
	case nil:
		*ib.b = false
	default:
		return fmt.Errorf("cannot read %T as a boolean", src)
	}
	return nil
}

// notFound builds the ENOTFOUND error for what was looked for; the query
// helpers (one, execOne) name their operation in it.
func notFound(format string, args ...any) error {
	return tl.Errorf(tl.ENOTFOUND, format, args...)
}

// errorf is tl.Errorf for an error the store makes in op.
func errorf(op, code, format string, args ...any) *tl.Error {
	e := tl.Errorf(code, format, args...)
	e.Op = op
	return e
}

// withOp names op in err, the error a caller built for a query's missing
// row, unless it names an operation already. It copies, so an error value
// shared by callers is never changed.
func withOp(op string, err error) error {
	if e, ok := err.(*tl.Error); ok && e.Op == "" {
		c := *e
		c.Op = op
		return &c
	}
	return err
}

// exec runs a statement, translating driver errors.
func (tx *Tx) exec(ctx context.Context, op, query string, args ...any) (sql.Result, error) {
	res, err := tx.execContext(ctx, query, args...)
	if err != nil {
		return nil, translate(op, err)
	}
	return res, nil
}

// execOne runs an UPDATE that must touch exactly one row; none is
// ENOTFOUND with the given message.
func (tx *Tx) execOne(ctx context.Context, op, query string, args []any, missing error) error {
	res, err := tx.exec(ctx, op, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return internal(op, err)
	}
	if n == 0 {
		return withOp(op, missing)
	}
	return nil
}

// rowScanner is one row of an answer: database/sql's, or pgx's when a
// PostgreSQL lane reads in the pipeline that carries its held statements
// (pipeline.go).
type rowScanner interface{ Scan(dest ...any) error }

// list runs a query and scans every row with scan, returning a non-nil
// slice. Outside a transaction on PostgreSQL (ReadOne, WriteOne) the
// query goes to pgx's pool itself (single.go).
func list[T any](ctx context.Context, tx *Tx, op, query string, args []any, scan func(rowScanner, *T) error) ([]T, error) {
	if tx.conn != nil && len(tx.held) > 0 {
		return listHeld(ctx, tx, op, query, args, scan)
	}
	if tx.pool != nil {
		rows, err := tx.pool.Query(ctx, query, args...)
		if err != nil {
			return nil, translate(op, err)
		}
		return readAll(pgxRows{rows}, op, scan)
	}
	rows, err := tx.queryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(op, err)
	}
	return readAll(rows, op, scan)
}

// answer is the rows list reads: database/sql's, or pgx's (pgxRows).
type answer interface {
	rowScanner
	Next() bool
	Err() error
	Close() error
}

// pgxRows gives pgx's rows database/sql's Close, which reports the
// answer's error.
type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}

// readAll scans every row of rows with scan into a non-nil slice, and
// closes them.
func readAll[T any](rows answer, op string, scan func(rowScanner, *T) error) ([]T, error) {
	defer rows.Close()
	out := []T{}
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, internal(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, translate(op, err)
	}
	// Closing reads to the end of the answer: outside a transaction
	// (ReadOne, WriteOne) that is where PostgreSQL reports the statement's
	// commit, which may fail after its rows arrived (the server died while
	// a synchronous standby had not confirmed it). An UPDATE … RETURNING
	// whose commit failed must not count as done.
	if err := rows.Close(); err != nil {
		return nil, translate(op, err)
	}
	return out, nil
}

// listHeld is list on a PostgreSQL lane with statements held: the query
// goes in the same round trip as they do (pipeline.go).
func listHeld[T any](ctx context.Context, tx *Tx, op, query string, args []any, scan func(rowScanner, *T) error) ([]T, error) {
	tx.forgetUnlessSelect(query)
	out := []T{}
	var scanErr error
	err := tx.send(ctx, &heldQuery{query: query, args: args, each: func(rows rowScanner) error {
		var v T
		if err := scan(rows, &v); err != nil {
			scanErr = err
			return err
		}
		out = append(out, v)
		return nil
	}})
	switch {
	case scanErr != nil:
		return nil, internal(op, scanErr)
	case err != nil:
		return nil, translate(op, err)
	}
	return out, nil
}

// one runs a query expected to return at most one row; no row is the
// missing error.
func one[T any](ctx context.Context, tx *Tx, op, query string, args []any, scan func(rowScanner, *T) error, missing error) (*T, error) {
	vs, err := list(ctx, tx, op, query, args, scan)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, withOp(op, missing)
	}
	return &vs[0], nil
}
