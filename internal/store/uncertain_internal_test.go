package store

import (
	"errors"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
)

// TestUncertainCommit: an outage met while committing says the outcome is
// unknown, keeps the outage's code and Retry-After, and leaves every other
// error as it was.
func TestUncertainCommit(t *testing.T) {
	down := unavailable("commit", down, errors.New("connection reset"))
	got := uncertain(down)
	var te *tl.Error
	if !errors.As(got, &te) || te.Code != tl.EUNAVAILABLE || te.RetryAfter != down.RetryAfter || te.Err != down.Err {
		t.Fatalf("uncertain(%v) = %#v", down, got)
	}
	if !strings.Contains(te.Message, "may or may not have been") || strings.Contains(te.Message, "nothing was saved") {
		t.Errorf("the message does not say the outcome is unknown: %q", te.Message)
	}
	if down.Message == te.Message {
		t.Error("uncertain changed the outage it was given")
	}
	conflictErr := tl.Errorf(tl.ECONFLICT, "it already exists")
	if uncertain(conflictErr) != error(conflictErr) || uncertain(nil) != nil {
		t.Error("uncertain changed an error that is not an outage")
	}
}
