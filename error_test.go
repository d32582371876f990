package trustledger

import (
	"errors"
	"fmt"
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
	for _, err := range []error{nil, errors.New("disk"), &Error{Code: EINTERNAL, Err: errors.New("disk")}} {
		if got := WithField(err, "x"); got != err || ErrorField(got) != "" {
			t.Fatalf("WithField(%v) = %v, field %q: want it unchanged", err, got, ErrorField(got))
		}
	}
	if e := Invalidf("what", "at most %d", 3); e.Code != EINVALID || e.Field != "what" || e.Message != "at most 3" {
		t.Fatalf("Invalidf = %+v", e)
	}
}
