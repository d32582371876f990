package trustledger

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"testing"
)

func TestErrorCodeAndMessage(t *testing.T) {
	cause := errors.New("disk on fire")
	tests := []struct {
		name     string
		err      error
		wantCode string
		wantMsg  string
	}{
		{"nil", nil, "", ""},
		{"plain error is internal", cause, EINTERNAL, "internal error"},
		{"invalid", Errorf(EINVALID, "unknown person %q", "Anna"), EINVALID, `unknown person "Anna"`},
		{"wrapped", fmt.Errorf("log: %w", Errorf(ENOTFOUND, "no such event")), ENOTFOUND, "no such event"},
		{"internal hides cause", &Error{Code: EINTERNAL, Err: cause}, EINTERNAL, "internal error"},
		{"unavailable says so", &Error{Code: EUNAVAILABLE, Message: "the database is full", Err: cause}, EUNAVAILABLE, "the database is full"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ErrorCode(tt.err); got != tt.wantCode {
				t.Errorf("ErrorCode = %q, want %q", got, tt.wantCode)
			}
			if got := ErrorMessage(tt.err); got != tt.wantMsg {
				t.Errorf("ErrorMessage = %q, want %q", got, tt.wantMsg)
			}
		})
	}
	e := &Error{Code: EINTERNAL, Op: "store", Err: cause}
	if !errors.Is(e, cause) {
		t.Error("Error does not unwrap to its cause")
	}
	for code, want := range map[string]int{EINVALID: 400, EUNAUTHORIZED: 401, EFORBIDDEN: 403, ENOTFOUND: 404,
		ECONFLICT: 409, ERATELIMIT: 429, EUNAVAILABLE: 503, EINTERNAL: 500, "": 500} {
		if got := HTTPStatus(code); got != want {
			t.Errorf("HTTPStatus(%q) = %d, want %d", code, got, want)
		}
	}
}

func TestRelationshipValidate(t *testing.T) {
	ok := Relationship{Person: "Ana", Kind: "direct-report", Bases: [6]int{4, 3, 2, 3, 2, 1}}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid relationship rejected: %v", err)
	}
	bad := []struct {
		name string
		mod  func(r *Relationship)
	}{
		{"no name", func(r *Relationship) { r.Person = "" }},
		{"unknown kind", func(r *Relationship) { r.Kind = "boss" }},
		{"base above 4", func(r *Relationship) { r.Bases[2] = 5 }},
		{"negative base", func(r *Relationship) { r.Bases[0] = -1 }},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r := ok
			tt.mod(&r)
			err := r.Validate()
			if ErrorCode(err) != EINVALID {
				t.Fatalf("Validate() = %v, want EINVALID", err)
			}
		})
	}
}

func TestErrorField(t *testing.T) {
	plain := Errorf(EINVALID, "a person needs a name")
	if got := ErrorField(plain); got != "" {
		t.Fatalf("ErrorField of a plain error = %q", got)
	}
	named := WithField(plain, "name")
	if got := ErrorField(named); got != "name" || ErrorCode(named) != EINVALID || ErrorMessage(named) != "a person needs a name" {
		t.Fatalf("WithField: field %q, code %q, message %q", got, ErrorCode(named), ErrorMessage(named))
	}
	if !errors.Is(named, plain) || plain.Field != "" {
		t.Fatal("WithField must wrap the error it names, not change it")
	}
	// The first field named wins: a check deeper down knows best.
	if got := ErrorField(WithField(Invalidf("due", "pick a day"), "what")); got != "due" {
		t.Fatalf("an outer WithField replaced the inner field: %q", got)
	}
	if got := ErrorField(fmt.Errorf("promise add: %w", named)); got != "name" {
		t.Fatalf("ErrorField through fmt wrapping = %q", got)
	}
	// An unavailable database is about no input either: no form shows it
	// beside a field.
	down := &Error{Code: EUNAVAILABLE, Message: "the database is not available right now", Err: errors.New("refused")}
	for _, err := range []error{nil, errors.New("disk"), &Error{Code: EINTERNAL, Err: errors.New("disk")}, down} {
		if got := WithField(err, "x"); got != err || ErrorField(got) != "" {
			t.Fatalf("WithField(%v) = %v, field %q: want it unchanged", err, got, ErrorField(got))
		}
	}
	if e := Invalidf("what", "at most %d", 3); e.Code != EINVALID || e.Field != "what" || e.Message != "at most 3" {
		t.Fatalf("Invalidf = %+v", e)
	}
}

func TestErrorfWraps(t *testing.T) {
	cause := &os.PathError{Op: "open", Path: "staff.csv", Err: os.ErrPermission}
	e := Errorf(EINVALID, "%s: cannot read: %w", "staff.csv", cause)
	if want := fmt.Sprintf("%s: cannot read: %v", "staff.csv", cause); e.Message != want || e.Error() != want {
		t.Fatalf("message %q, Error() %q: want %q, as %%v reads", e.Message, e.Error(), want)
	}
	if e.Err != cause || e.Unwrap() != cause {
		t.Fatalf("Err = %v, want the wrapped cause", e.Err)
	}
	var pe *os.PathError
	if !errors.Is(e, os.ErrPermission) || !errors.As(e, &pe) || pe != cause {
		t.Fatal("errors.Is/As do not reach the cause")
	}
	if ErrorCode(e) != EINVALID || ErrorMessage(e) != e.Message {
		t.Fatalf("code %q, message %q", ErrorCode(e), ErrorMessage(e))
	}
	// Through another layer of wrapping, and through Invalidf.
	outer := fmt.Errorf("import: %w", Invalidf("value", "%w (see: trustledger settings)", context.Canceled))
	if !errors.Is(outer, context.Canceled) || ErrorField(outer) != "value" || ErrorMessage(outer) != "context canceled (see: trustledger settings)" {
		t.Fatalf("Invalidf with %%w: is %v, field %q, message %q", errors.Is(outer, context.Canceled), ErrorField(outer), ErrorMessage(outer))
	}
	// Without %w there is no cause, as before.
	if e := Errorf(ENOTFOUND, "no %v", cause); e.Err != nil || e.Message != "no "+cause.Error() {
		t.Fatalf("%%v: Err %v, message %q", e.Err, e.Message)
	}
	// Two %w: both are reached.
	two := Errorf(EINVALID, "%w and %w", io.EOF, os.ErrNotExist)
	if !errors.Is(two, io.EOF) || !errors.Is(two, os.ErrNotExist) || two.Message != "EOF and file does not exist" {
		t.Fatalf("two %%w: %q", two.Message)
	}
}

func TestErrorCause(t *testing.T) {
	cause := errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")
	inner := &Error{Code: EUNAVAILABLE, Op: "begin", Message: "the database is not available right now", Err: fmt.Errorf("begin: %w", cause)}
	outer := &Error{Code: EUNAVAILABLE, Op: "ready", Message: "the database does not answer", Err: inner}
	if got := ErrorCause(outer); !errors.Is(got, cause) || got.Error() != "begin: "+cause.Error() {
		t.Errorf("ErrorCause = %v, want the driver's error under both", got)
	}
	plain := Errorf(ENOTFOUND, "no such person")
	if got := ErrorCause(plain); got != plain {
		t.Errorf("ErrorCause of an error that wraps nothing = %v, want it", got)
	}
	if ErrorCause(nil) != nil {
		t.Error("ErrorCause(nil) is not nil")
	}
}

func TestErrorOp(t *testing.T) {
	inner := &Error{Code: EINTERNAL, Op: "create relationship", Err: context.Canceled}
	for _, tt := range []struct {
		err  error
		want string
	}{
		{nil, ""},
		{errors.New("disk"), ""},
		{inner, "create relationship"},
		{fmt.Errorf("transaction: %w", inner), "create relationship"},
		{&Error{Code: EINTERNAL, Err: inner}, "create relationship"},
		{&Error{Code: EINTERNAL, Op: "signup", Err: inner}, "signup"},
		{WithField(Errorf(EINVALID, "no"), "name"), ""},
	} {
		if got := ErrorOp(tt.err); got != tt.want {
			t.Errorf("ErrorOp(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}
