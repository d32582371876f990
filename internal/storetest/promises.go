package storetest

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for promises and decisions.
func init() {
	register("Promises", testPromises)
	register("Decisions", testDecisions)
}

func testPromises(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	other := f.leader("Other")
	tm := f.team(l.ID, "core")
	a := f.rel(l.ID, tm.ID, "Ana")
	o := f.rel(other.ID, "", "Olga")
	day := 24 * time.Hour
	c1 := tl.Promise{ID: f.id(), LeaderID: l.ID, RelationshipID: a.ID, To: "Ana", What: "review her proposal",
		Due: f.now.Add(3 * day), Status: tl.PromiseOpen, CreatedAt: f.now, StepID: "step-1"}
	c2 := tl.Promise{ID: f.id(), LeaderID: l.ID, TeamID: tm.ID, To: "core", What: "share the roadmap",
		Due: f.now.Add(1 * day), Status: tl.PromiseOpen, CreatedAt: f.now}
	c3 := tl.Promise{ID: f.id(), LeaderID: l.ID, RelationshipID: a.ID, To: "Ana", What: "budget",
		Due: f.now.Add(-5 * day), Status: tl.PromiseKept, CreatedAt: f.now, ResolvedAt: f.now.Add(-6 * day)}
	co := tl.Promise{ID: f.id(), LeaderID: other.ID, RelationshipID: o.ID, To: "Olga", What: "call back",
		Due: f.now.Add(2 * day), Status: tl.PromiseOpen, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error {
		for _, c := range []*tl.Promise{&c1, &c2, &c3, &co} {
			if err := tx.CreatePromise(f.ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	f.read(func(tx *store.Tx) error {
		got, err := tx.PromiseByID(f.ctx, l.ID, c1.ID)
		if err != nil {
			return err
		}
		diff(t, "promise", *got, c1)
		_, err = tx.PromiseByID(f.ctx, other.ID, c1.ID)
		wantCode(t, err, tl.ENOTFOUND)
		all, err := tx.Promises(f.ctx, l.ID, "")
		if err != nil {
			return err
		}
		diff(t, "all promises by due", all, []tl.Promise{c3, c2, c1})
		open, err := tx.Promises(f.ctx, l.ID, tl.PromiseOpen)
		if err != nil {
			return err
		}
		diff(t, "open promises", open, []tl.Promise{c2, c1})
		broken, err := tx.Promises(f.ctx, l.ID, tl.PromiseBroken)
		if err != nil {
			return err
		}
		if broken == nil || len(broken) != 0 {
			t.Fatalf("broken = %#v, want an empty non-nil slice", broken)
		}
		over, err := tx.OverduePromises(f.ctx, f.now.Add(2*day+time.Millisecond))
		if err != nil {
			return err
		}
		diff(t, "overdue across leaders", over, []tl.Promise{c2, co})
		return nil
	})
	c2.Status, c2.ResolvedAt, c2.Due, c2.StepID = tl.PromiseRenegotiated, f.tick(), f.now.Add(10*day), "step-9"
	f.write(func(tx *store.Tx) error { return tx.UpdatePromise(f.ctx, &c2) })
	f.read(func(tx *store.Tx) error {
		got, err := tx.PromiseByID(f.ctx, l.ID, c2.ID)
		if err != nil {
			return err
		}
		diff(t, "updated promise", *got, c2)
		return nil
	})
	bad := c1
	bad.LeaderID = other.ID
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.UpdatePromise(f.ctx, &bad) })
	wantCode(t, err, tl.ENOTFOUND)
}

func testDecisions(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	tm := f.team(l.ID, "team")
	a := f.rel(l.ID, tm.ID, "Ana")
	d1 := tl.Decision{ID: f.id(), LeaderID: l.ID, What: "move the launch to March", Why: "QA found two blockers",
		TeamID: tm.ID, Affects: "team", DecidedAt: f.now.Add(-time.Hour), CreatedAt: f.now}
	d2 := tl.Decision{ID: f.id(), LeaderID: l.ID, What: "Ana leads the review", RelationshipID: a.ID,
		Affects: "Ana", DecidedAt: f.now, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreateDecision(f.ctx, &d1); err != nil {
			return err
		}
		return tx.CreateDecision(f.ctx, &d2)
	})
	f.read(func(tx *store.Tx) error {
		ds, err := tx.Decisions(f.ctx, l.ID)
		if err != nil {
			return err
		}
		diff(t, "decisions newest first", ds, []tl.Decision{d2, d1})
		return nil
	})
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.CreateDecision(f.ctx, &d1) })
	wantCode(t, err, tl.ECONFLICT)
}
