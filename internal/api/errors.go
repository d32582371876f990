package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	tl "github.com/trustledger/trustledger"
)

// Error is the one error envelope of the API:
//
//	{"error": {"code": "invalid", "message": "…", "details": [{"location": "body.name", "message": "…"}]}}
//
// code is one of the domain's codes (invalid, not_found, conflict,
// forbidden, unauthorized, rate_limited, unavailable, internal); message
// is a sentence for a person, saying what to change. rate_limited and
// unavailable (503: the database is down or full, nothing was saved) come
// with retry_after and the Retry-After header.
type Error struct {
	status int
	cause  error     // logged, never sent
	Error_ ErrorBody `json:"error"`
}

func (e *Error) causeOrSelf() error {
	if e.cause != nil {
		return e.cause
	}
	return e
}

// ErrorBody is the inside of the envelope.
type ErrorBody struct {
	Code    string        `json:"code" enum:"invalid,not_found,conflict,forbidden,unauthorized,rate_limited,unavailable,internal" doc:"What kind of error: act on this."`
	Message string        `json:"message" doc:"What went wrong and how to fix it, for a person."`
	Details []ErrorDetail `json:"details,omitempty" doc:"Which parts of the request were wrong."`
	// RetryAfter is set with rate_limited and unavailable: seconds to wait.
	RetryAfter int `json:"retry_after,omitempty" doc:"Seconds to wait before retrying (rate_limited, unavailable)."`
}

// ErrorDetail names one wrong part of a request.
type ErrorDetail struct {
	Location string `json:"location,omitempty" doc:"Where: body.name, query.limit, path.id."`
	Message  string `json:"message"`
}

// Error implements error.
func (e *Error) Error() string { return e.Error_.Message }

// GetStatus implements huma.StatusError.
func (e *Error) GetStatus() int { return e.status }

// GetHeaders implements huma.HeadersError: an answer that says when to
// try again says it in Retry-After too.
func (e *Error) GetHeaders() http.Header {
	h := http.Header{}
	if e.Error_.RetryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(e.Error_.RetryAfter))
	}
	return h
}

func newError(status int, code, msg string) *Error {
	return &Error{status: status, Error_: ErrorBody{Code: code, Message: msg}}
}

// codeOf maps an HTTP status from huma back to a domain code.
func codeOf(status int) string {
	switch {
	case status == http.StatusNotFound:
		return tl.ENOTFOUND
	case status == http.StatusConflict:
		return tl.ECONFLICT
	case status == http.StatusForbidden:
		return tl.EFORBIDDEN
	case status == http.StatusUnauthorized:
		return tl.EUNAUTHORIZED
	case status == http.StatusTooManyRequests:
		return tl.ERATELIMIT
	case status == http.StatusServiceUnavailable:
		return tl.EUNAVAILABLE
	case status >= 500:
		return tl.EINTERNAL
	}
	return tl.EINVALID
}

// fromDomain turns a service error into the envelope. Internal errors say
// only that something failed; their cause goes to the log.
func fromDomain(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	code := tl.ErrorCode(err)
	if code == tl.EINTERNAL {
		out := newError(http.StatusInternalServerError, tl.EINTERNAL, "something went wrong on the server; it has been logged, please try again")
		out.cause = err
		return out
	}
	out := newError(tl.HTTPStatus(code), code, tl.ErrorMessage(err))
	out.cause = err // for the log of an unavailable database
	var te *tl.Error
	if errors.As(err, &te) && te.RetryAfter > 0 {
		out.Error_.RetryAfter = int(te.RetryAfter.Seconds() + 0.999)
	}
	return out
}

// fail is what every operation returns for a service error; failures of
// the server are logged (logFailure).
func (a *API) fail(ctx context.Context, err error) error {
	return a.logFailure(ctx, fromDomain(err))
}

// logFailure logs an answer of the 5xx kind once and returns it: an
// unavailable database as a warning; a failure because the client hung up
// (its context cancelled) as information: the web app in front counts it
// as 499 and sends nothing (internal/web's statusWriter), and an
// idempotency key it held is released as for any 5xx; anything else as an
// internal error with its operation and cause.
func (a *API) logFailure(ctx context.Context, e *Error) *Error {
	switch {
	case e.status < 500:
	case errors.Is(ctx.Err(), context.Canceled):
		a.logger(ctx).InfoContext(ctx, "client went away", "op", a.opOf(ctx, e.causeOrSelf()), "err", tl.ErrorCause(e.causeOrSelf()))
	case e.Error_.Code == tl.EUNAVAILABLE:
		a.logger(ctx).WarnContext(ctx, "database unavailable", "op", a.opOf(ctx, e.causeOrSelf()), "err", tl.ErrorCause(e.causeOrSelf()))
	default:
		a.logInternal(ctx, e.causeOrSelf())
	}
	return e
}

// withLog is r's context with the request's logger: the request id the web
// app's middleware sent back as X-Request-Id (when it serves the API), the
// method and the path; and with the route that serves r.
func (a *API) withLog(w http.ResponseWriter, r *http.Request, route string) context.Context {
	log := a.log
	if id := w.Header().Get("X-Request-Id"); id != "" {
		log = log.With("request_id", id)
	}
	log = log.With("method", r.Method, "path", r.URL.Path)
	ctx := context.WithValue(r.Context(), ctxLog, log)
	return context.WithValue(ctx, ctxRoute, route)
}

// logger is the request's logger, or the API's outside a request.
func (a *API) logger(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(ctxLog).(*slog.Logger); ok {
		return l
	}
	return a.log
}

// logInternal logs an internal error once, with the operation that failed
// (the error's, else the route's) and the cause.
func (a *API) logInternal(ctx context.Context, err error) {
	a.logger(ctx).ErrorContext(ctx, "api", "op", a.opOf(ctx, err), "err", err)
}

// opOf is the operation that failed: the error's, else the route's.
func (a *API) opOf(ctx context.Context, err error) string {
	op := tl.ErrorOp(err)
	if op == "" {
		op, _ = ctx.Value(ctxRoute).(string)
	}
	return op
}

func init() {
	// Every error huma makes itself (validation, unreadable bodies) comes
	// out in the same envelope. Validation failures are 400 like every
	// other invalid request.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		if status == http.StatusUnprocessableEntity {
			status = http.StatusBadRequest
		}
		var limit int64
		if _, err := fmt.Sscanf(msg, "request body is too large limit=%d bytes", &limit); status == http.StatusRequestEntityTooLarge && err == nil {
			msg = "the request body is too large: this operation takes at most " + sizeWords(limit-1) + " (see the limits in " + Prefix + "/openapi.json and docs/API.md)"
		}
		e := newError(status, codeOf(status), msg)
		var parts []string
		for _, err := range errs {
			if err == nil {
				continue
			}
			d := ErrorDetail{Message: err.Error()}
			var ed huma.ErrorDetailer
			if errors.As(err, &ed) {
				det := ed.ErrorDetail()
				d = ErrorDetail{Location: det.Location, Message: det.Message}
			}
			e.Error_.Details = append(e.Error_.Details, d)
			if d.Location != "" {
				parts = append(parts, d.Location+": "+d.Message)
			} else {
				parts = append(parts, d.Message)
			}
		}
		if len(parts) > 0 {
			e.Error_.Message = strings.TrimSuffix(msg, ".") + " (" + strings.Join(parts, "; ") + ")"
		}
		if status == http.StatusUnsupportedMediaType {
			// huma names only the type it cannot read.
			e.Error_.Message = "the body must be JSON: send it with Content-Type: application/json"
			if len(parts) > 0 {
				e.Error_.Message += " (" + strings.Join(parts, "; ") + ")"
			}
		}
		if status >= 500 {
			e.Error_.Message = "something went wrong on the server; it has been logged, please try again"
		}
		return e
	}
}

// writeError writes the envelope outside huma (authentication, unknown
// routes, idempotency).
func (a *API) writeError(w http.ResponseWriter, r *http.Request, e *Error) {
	e = a.logFailure(r.Context(), e)
	if e.Error_.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(e.Error_.RetryAfter))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.status)
	json.NewEncoder(w).Encode(e)
}

// sizeWords says a size in bytes as people read it: "1 MiB", "8.0 MiB",
// "256 KiB".
func sizeWords(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
