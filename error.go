package trustledger

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. One table (in the HTTP layer, and exit codes in the CLI)
// maps each code to what the caller sees.
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	EINTERNAL     = "internal"
	ERATELIMIT    = "rate_limited"
	// EUNAVAILABLE: the database cannot be reached or cannot take a
	// write (down, full, read-only) right now; nothing was saved (unless
	// it went away during the commit, which the message then says), and
	// the same request may work after RetryAfter (docs/OPERATIONS.md).
	EUNAVAILABLE = "unavailable"
)

// Error is the one error type of the domain: a code the caller can act on
// and a message written for the person who made the request, with, for
// the log, the operation that failed and the wrapped cause (as upspin's
// errors carry them).
type Error struct {
	Code    string
	Message string
	Op      string // the operation, for logs ("promise add")
	Err     error  // the wrapped cause, never shown to users for EINTERNAL
	// Field names the input the error is about, as the JSON API's body
	// names it ("what", "due", "email"; "power.reward" inside an object),
	// or as the method's parameter where the API has none; "" when no one
	// input is to blame. A form shows Message beside that field, so no
	// front end validates an input again to know where its error goes.
	Field string
	// RetryAfter tells a throttled caller (ERATELIMIT), or one that met
	// an unavailable database (EUNAVAILABLE), when to try again.
	RetryAfter time.Duration
}

// Error implements error.
func (e *Error) Error() string {
	switch {
	case e.Message != "":
		return e.Message
	case e.Err != nil:
		return e.Err.Error()
	}
	return e.Code
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// HTTPStatus is the one table from error codes to HTTP statuses, shared
// by the web pages and the JSON API: EINVALID 400, EUNAUTHORIZED 401,
// EFORBIDDEN 403, ENOTFOUND 404, ECONFLICT 409, ERATELIMIT 429,
// EUNAVAILABLE 503, and 500 for anything else.
func HTTPStatus(code string) int {
	switch code {
	case EINVALID:
		return 400
	case EUNAUTHORIZED:
		return 401
	case EFORBIDDEN:
		return 403
	case ENOTFOUND:
		return 404
	case ECONFLICT:
		return 409
	case ERATELIMIT:
		return 429
	case EUNAVAILABLE:
		return 503
	}
	return 500
}

// Errorf builds an Error with a formatted message. A %w verb, as in
// fmt.Errorf, makes its operand the cause (Err) that errors.Is and
// errors.As reach; the message reads exactly as it would with %v.
func Errorf(code, format string, args ...any) *Error {
	return errorf(code, "", format, args...)
}

// Invalidf is an EINVALID error about one input field; like Errorf, a %w
// operand is its cause.
func Invalidf(field, format string, args ...any) *Error {
	return errorf(EINVALID, field, format, args...)
}

// errorf formats with fmt.Errorf, for its %w, and keeps the message and
// the wrapped errors apart: Message is the sentence a user sees, Err the
// cause (several %w operands are joined).
func errorf(code, field, format string, args ...any) *Error {
	f := fmt.Errorf(format, args...)
	e := &Error{Code: code, Field: field, Message: f.Error()}
	switch w := f.(type) {
	case interface{ Unwrap() error }:
		e.Err = w.Unwrap()
	case interface{ Unwrap() []error }:
		e.Err = errors.Join(w.Unwrap()...)
	}
	return e
}

// WithField says which input err is about, for an error made by a check
// shared by several inputs (a name, a text, who a promise is to): an
// *Error that names no field comes back wrapped in a copy that names
// field; nil, internal errors, an unavailable database's (about no input)
// and errors that name a field already come back as they are.
func WithField(err error, field string) error {
	var e *Error
	if err == nil || !errors.As(err, &e) || e.Code == EINTERNAL || e.Code == EUNAVAILABLE || ErrorField(err) != "" {
		return err
	}
	return &Error{Code: e.Code, Message: e.Message, Op: e.Op, Field: field, RetryAfter: e.RetryAfter, Err: err}
}

// ErrorField returns the field of the first *Error in err's chain that
// names one, and "" when none does.
func ErrorField(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Field != "" {
			return e.Field
		}
		err = e.Err
	}
	return ""
}

// ErrorOp returns the operation of the first *Error in err's chain that
// names one ("create relationship", "signup"), and "" when none does: what
// a log line says failed, beside the cause.
func ErrorOp(err error) string {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) {
			return ""
		}
		if e.Op != "" {
			return e.Op
		}
		err = e.Err
	}
	return ""
}

// ErrorCause returns what lies under the *Errors of err's chain (the
// driver's error, a parser's), or err when none wraps anything: for a log
// line, where an *Error with a message would show only its message.
func ErrorCause(err error) error {
	for err != nil {
		var e *Error
		if !errors.As(err, &e) || e.Err == nil {
			return err
		}
		err = e.Err
	}
	return err
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message a user may see: the *Error's message,
// or a generic sentence for internal errors.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL && e.Message != "" {
		return e.Message
	}
	return "internal error"
}
