package app_test

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestDatesBeforeFirstDateAreRefused checks that an entry, a decision or
// a promise dated in year 1 (what an empty or garbled date often becomes)
// or before 1970 is refused with the range, and that 1970-01-01 is taken.
func TestDatesBeforeFirstDateAreRefused(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		for _, at := range []time.Time{time.Date(1, 1, 1, 0, 0, 0, 1, time.UTC), time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)} {
			_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "recognition", At: at})
			wantCode(t, err, tl.EINVALID, "from 1970-01-01")
			_, err = e.app.Decide(ctx, l.ID, tl.DecisionInput{What: "Move the stand-up", Why: "Ana asked", Affects: "Ana", At: at})
			wantCode(t, err, tl.EINVALID, "from 1970-01-01")
			_, err = e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "Review the plan", Due: at})
			wantCode(t, err, tl.EINVALID, "from 1970-01-01 to 9998-12-31")
		}
		first := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
		must(e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "recognition", At: first}))(t)
		must(e.app.Decide(ctx, l.ID, tl.DecisionInput{What: "Move the stand-up", Why: "Ana asked", Affects: "Ana", At: first}))(t)
	})
}
