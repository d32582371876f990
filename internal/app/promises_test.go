package app_test

import (
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// TestTickBreaksOnce races two Ticks after the grace period and checks
// that the promise is broken exactly once, by the system.
func TestTickBreaksOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		e.person(l.ID, "Ben", engine.Peer)
		// Due at the end of a day, as the front ends give a day; the grace
		// counts from there.
		due := tl.EndOfDay(e.clk.Now().Add(2*day), time.UTC)
		p := must(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "send the budget", Due: due}))(t)
		tp := must(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "team", What: "share the roadmap", Due: due}))(t)

		// Within the grace period nothing happens.
		e.clk.Set(due.Add(2*day - time.Minute))
		if got := must(e.app.Tick(ctx))(t); len(got) != 0 {
			t.Fatalf("Tick inside the grace period broke %+v", got)
		}
		e.clk.Set(due.Add(2*day + time.Minute))
		var wg sync.WaitGroup
		results := make([][]tl.Promise, 4)
		errs := make([]error, 4)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = e.app.Tick(ctx)
			}()
		}
		wg.Wait()
		broken := map[string]int{}
		for i := range results {
			noErr(t, errs[i])
			for _, c := range results[i] {
				broken[c.ID]++
			}
		}
		if len(broken) != 2 || broken[p.ID] != 1 || broken[tp.ID] != 1 {
			t.Fatalf("concurrent Ticks broke %v, want each promise exactly once", broken)
		}
		if got := must(e.app.Tick(ctx))(t); len(got) != 0 {
			t.Fatalf("a later Tick broke %+v again", got)
		}
		evs := must(e.app.Events(ctx, l.ID, tl.EventFilter{}))(t)
		byPromise := map[string][]tl.Event{}
		for _, ev := range evs {
			byPromise[ev.PromiseID] = append(byPromise[ev.PromiseID], ev)
		}
		for _, id := range []string{p.ID, tp.ID} {
			got := byPromise[id]
			if len(got) != 1 {
				t.Fatalf("promise %s has %d entries, want one", id, len(got))
			}
			ev := got[0]
			if ev.Kind != "promise-broken" || ev.Source != engine.System || ev.RecordedBy != "system" {
				t.Errorf("entry %+v: want promise-broken from the system", ev)
			}
			if !ev.OccurredAt.Equal(due.Add(2 * day)) {
				t.Errorf("broken at %v, want when the grace ran out, %v", ev.OccurredAt, due.Add(2*day))
			}
		}
		var teamBreach *tl.Event
		noErr(t, e.db.Read(ctx, func(tx *store.Tx) error {
			var err error
			teamBreach, err = tx.EventByID(ctx, l.ID, byPromise[tp.ID][0].ID)
			return err
		}))
		if n := len(teamBreach.Targets); n != 2 {
			t.Errorf("the team promise's breach reached %d people, want 2", n)
		}
		if bs := must(e.app.Promises(ctx, l.ID, tl.PromiseBroken))(t); len(bs) != 2 {
			t.Errorf("broken promises = %+v", bs)
		}
		e.checkReplay(l.ID)
	})
}

// TestPromiseOutcomes resolves promises every way and checks status,
// entries and the say/do ratio.
func TestPromiseOutcomes(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		now := e.clk.Now()
		add := func(what string, due time.Time) *tl.Promise {
			return must(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: what, Due: due}))(t)
		}
		onTime := add("on time", now.Add(day))
		late := add("late", now.Add(day))
		reneg := add("renegotiated", now.Add(day))
		broken := add("broken", now.Add(day))
		tooLate := add("renegotiated too late", now.Add(day))
		open := add("still open", now.Add(30*day))

		got := must(e.app.ResolvePromise(ctx, l.ID, onTime.ID, tl.PromiseKept, time.Time{}))(t)
		if got.Status != tl.PromiseKept {
			t.Fatalf("kept before due: status %s", got.Status)
		}
		next := must(e.app.ResolvePromise(ctx, l.ID, reneg.ID, tl.PromiseRenegotiated, now.Add(10*day)))(t)
		if next.ID == reneg.ID || next.Status != tl.PromiseOpen || !next.Due.Equal(now.Add(10*day)) || next.What != reneg.What {
			t.Fatalf("renegotiating returned %+v, want a new open promise due in 10 days", next)
		}
		_, err := e.app.ResolvePromise(ctx, l.ID, reneg.ID, tl.PromiseKept, time.Time{})
		wantCode(t, err, tl.ECONFLICT, "already renegotiated")

		e.clk.Advance(2 * day) // past the due date of the first five, within grace
		got = must(e.app.ResolvePromise(ctx, l.ID, late.ID, tl.PromiseKept, time.Time{}))(t)
		if got.Status != tl.PromiseKeptLate {
			t.Fatalf("kept after due: status %s, want kept-late", got.Status)
		}
		must(e.app.ResolvePromise(ctx, l.ID, broken.ID, tl.PromiseBroken, time.Time{}))(t)
		_, err = e.app.ResolvePromise(ctx, l.ID, tooLate.ID, tl.PromiseRenegotiated, e.clk.Now().Add(5*day))
		wantCode(t, err, tl.EINVALID, "before it is due")
		_, err = e.app.ResolvePromise(ctx, l.ID, open.ID, "forgotten", time.Time{})
		wantCode(t, err, tl.EINVALID, "unknown outcome")

		kinds := map[string]engine.Kind{}
		for _, ev := range must(e.app.Events(ctx, l.ID, tl.EventFilter{Who: "Ana"}))(t) {
			if ev.Source != engine.Self {
				t.Errorf("entry %s from %v, want self: a kept claim starts unconfirmed", ev.Kind, ev.Source)
			}
			kinds[ev.PromiseID] = ev.Kind
		}
		for id, want := range map[string]engine.Kind{onTime.ID: "promise-kept", late.ID: "promise-kept-late", reneg.ID: "promise-renegotiated", broken.ID: "promise-broken"} {
			if kinds[id] != want {
				t.Errorf("promise %s logged %q, want %q", id, kinds[id], want)
			}
		}
		// kept: on time + late; due: those two + broken + tooLate (past due, open).
		kept, due := must2(e.app.SayDo(ctx, l.ID))(t)
		if kept != 2 || due != 4 {
			t.Errorf("say/do = %d/%d, want 2/4", kept, due)
		}
		e.checkReplay(l.ID)

		// Due dates more than a day in the past are refused.
		_, err = e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "x", Due: e.clk.Now().Add(-2 * day)})
		wantCode(t, err, tl.EINVALID, "in the past")
		_, err = e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "x"})
		wantCode(t, err, tl.EINVALID, "due date")
		_, err = e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "  ", Due: e.clk.Now()})
		wantCode(t, err, tl.EINVALID, "empty")
	})
}

// TestStepSkipped checks that skipping the weekly step closes its
// promise without a broken-promise penalty, and that earlier steps
// get an outcome once the check period has passed.
func TestStepSkipped(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		wk := must(e.app.Week(ctx, l.ID))(t)
		if wk.Step == nil {
			t.Fatalf("no step: %s", wk.None)
		}
		_, prom := must2(e.app.AcceptStep(ctx, l.ID))(t)
		before := len(must(e.app.Events(ctx, l.ID, tl.EventFilter{}))(t))
		s := must(e.app.CloseStep(ctx, l.ID, tl.StepSkipped))(t)
		if s.Status != tl.StepSkipped {
			t.Fatalf("step status %s", s.Status)
		}
		ps := must(e.app.Promises(ctx, l.ID, tl.PromiseRenegotiated))(t)
		if len(ps) != 1 || ps[0].ID != prom.ID {
			t.Fatalf("renegotiated = %+v, want the step's promise", ps)
		}
		if after := len(must(e.app.Events(ctx, l.ID, tl.EventFilter{}))(t)); after != before {
			t.Fatalf("skipping logged %d entries", after-before)
		}
		// Nothing left for Tick to break. (15 days: past the cooldown.)
		e.clk.Advance(15 * day)
		if got := must(e.app.Tick(ctx))(t); len(got) != 0 {
			t.Fatalf("Tick broke %+v after a skipped step", got)
		}
		_, err := e.app.CloseStep(ctx, l.ID, tl.StepDone)
		wantCode(t, err, tl.ENOTFOUND, "no accepted step")

		// A new week's step; accept it and look again after 28 days.
		wk2 := must(e.app.Week(ctx, l.ID))(t)
		if len(wk2.Earlier) != 1 || wk2.Outcomes[0] != "skipped" {
			t.Fatalf("earlier = %+v %v, want the skipped step", wk2.Earlier, wk2.Outcomes)
		}
		if wk2.Step == nil {
			t.Fatalf("no second step: %s", wk2.None)
		}
		must2(e.app.AcceptStep(ctx, l.ID))(t)
		e.clk.Advance(7 * day)
		wk3 := must(e.app.Week(ctx, l.ID))(t)
		if len(wk3.Outcomes) == 0 || wk3.Outcomes[0] != string(engine.OutcomePending) {
			t.Fatalf("outcomes a week later = %v, want pending first", wk3.Outcomes)
		}
		e.clk.Advance(28 * day)
		wk4 := must(e.app.Week(ctx, l.ID))(t)
		found := false
		for i, s := range wk4.Earlier {
			if s.ID == wk2.Step.ID {
				found = true
				if o := wk4.Outcomes[i]; o == string(engine.OutcomePending) || o == "" {
					t.Fatalf("outcome after 35 days = %q, want a verdict", o)
				}
			}
		}
		if !found {
			t.Fatalf("the accepted step is not among the earlier steps: %+v", wk4.Earlier)
		}
	})
}
