package app_test

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
)

// TestStatusCache: a status is reused while nothing is written and time
// stands within a few seconds, and never outlives a write: a write
// through this app, or through another app on the same database handle,
// shows at once; another instance's write within statusTTL at the latest.
func TestStatusCache(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.person(l.ID, "Ana", "direct-report")
		first := must(e.app.Status(e.ctx, l.ID))(t)
		again := must(e.app.Status(e.ctx, l.ID))(t)
		if !again.At.Equal(first.At) || len(again.Relationships) != 1 {
			t.Fatalf("a second status without writes was not the cached one: %v vs %v", again.At, first.At)
		}
		// The caller may change what it got without touching the cache.
		again.Relationships[0].Relationship.Person = "changed"
		if must(e.app.Status(e.ctx, l.ID))(t).Relationships[0].Relationship.Person != "Ana" {
			t.Fatal("a caller's change reached the cache")
		}

		// A write shows at once.
		e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "recognition"})
		after := must(e.app.Status(e.ctx, l.ID))(t)
		if after.Relationships[0].Assessment.Evidence <= first.Relationships[0].Assessment.Evidence {
			t.Fatalf("status after a write still shows the old evidence %.3f", after.Relationships[0].Assessment.Evidence)
		}
		// So does a write by another app over the same database.
		other := app.New(e.db, app.Options{Now: e.clk.Now})
		must(other.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Ben", Kind: "peer"}))(t)
		if n := len(must(e.app.Status(e.ctx, l.ID))(t).Relationships); n != 2 {
			t.Fatalf("status shows %d people after another app added one", n)
		}
		// Time moves the numbers: after statusTTL the status is computed again.
		before := must(e.app.Status(e.ctx, l.ID))(t)
		e.clk.Advance(6 * time.Second)
		if later := must(e.app.Status(e.ctx, l.ID))(t); !later.At.After(before.At) {
			t.Fatalf("status at %v was reused after the clock moved to %v", later.At, e.clk.Now())
		}
	})
}
