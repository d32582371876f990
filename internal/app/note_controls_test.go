package app_test

import (
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestLedgerNotesRefuseHiddenCharacters: a ledger entry's note, like
// every other text, refuses a right-to-left override, a NUL and bytes that
// are not UTF-8, on both databases alike, naming the note; nothing is
// logged.
func TestLedgerNotesRefuseHiddenCharacters(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		for _, note := range []string{"kept \u202Eevil", "kept\x00", "kept \xff"} {
			_, err := e.app.Log(e.ctx, l.ID, tl.EventInput{Who: "Ana", Kind: engine.KindPromiseKept, Note: note})
			wantCode(t, err, tl.EINVALID, "the note")
			if f := tl.ErrorField(err); f != "note" {
				t.Fatalf("note %q: the error is about %q, want note", note, f)
			}
		}
		if n := e.count(t, "events WHERE leader_id = $1", l.ID); n != 0 {
			t.Fatalf("%d entries were logged with hidden characters in their note, want none", n)
		}
	})
}
