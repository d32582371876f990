package app_test

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestLeaderIsolation gives leader A one of everything and checks that
// leader B reaches none of it: ids and names of A's are ENOTFOUND for B,
// exactly as ids and names that do not exist, and B's lists stay empty.
func TestLeaderIsolation(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		a := e.leader("Alice")
		b := e.leader("Bob")
		e.person(a.ID, "Ana", engine.DirectReport)
		must(e.app.AddTeam(ctx, a.ID, "design"))(t)
		breach := e.log(a.ID, tl.EventInput{Who: "Ana", Kind: "information-withheld"})
		prom := must(e.app.AddPromise(ctx, a.ID, tl.PromiseInput{To: "Ana", What: "send the notes", Due: e.clk.Now().Add(3 * day)}))(t)
		must(e.app.Decide(ctx, a.ID, tl.DecisionInput{What: "freeze hiring", Affects: "Ana"}))(t)
		wk := must(e.app.Week(ctx, a.ID))(t)
		if wk.Step == nil {
			t.Fatalf("leader A has no step: %s", wk.None)
		}
		must(e.app.AddJournal(ctx, a.ID, 2, "when I kept the reorg quiet"))(t)

		notFound := []struct {
			name string
			call func() error
		}{
			{"Explain", func() error { _, err := e.app.Explain(ctx, b.ID, "Ana"); return err }},
			{"Log", func() error {
				_, err := e.app.Log(ctx, b.ID, tl.EventInput{Who: "Ana", Kind: "recognition"})
				return err
			}},
			{"Log to A's team", func() error {
				_, err := e.app.Log(ctx, b.ID, tl.EventInput{Who: "design", Kind: "recognition"})
				return err
			}},
			{"Reverse", func() error { _, err := e.app.Reverse(ctx, b.ID, breach.ID, ""); return err }},
			{"Events by person", func() error { _, err := e.app.Events(ctx, b.ID, tl.EventFilter{Who: "Ana"}); return err }},
			{"Events cursor", func() error { _, err := e.app.Events(ctx, b.ID, tl.EventFilter{Before: breach.ID}); return err }},
			{"SetPower", func() error {
				_, err := e.app.SetPower(ctx, b.ID, "Ana", map[string]int{"coercive": 4})
				return err
			}},
			{"SetActive", func() error { _, err := e.app.SetActive(ctx, b.ID, "Ana", false); return err }},
			{"AddPromise", func() error {
				_, err := e.app.AddPromise(ctx, b.ID, tl.PromiseInput{To: "Ana", What: "x", Due: e.clk.Now()})
				return err
			}},
			{"ResolvePromise", func() error {
				_, err := e.app.ResolvePromise(ctx, b.ID, prom.ID, tl.PromiseKept, time.Time{})
				return err
			}},
			{"Decide", func() error {
				_, err := e.app.Decide(ctx, b.ID, tl.DecisionInput{What: "x", Why: "y", Affects: "Ana"})
				return err
			}},
			{"AddPerson to A's team", func() error {
				_, err := e.app.AddPerson(ctx, b.ID, tl.PersonInput{Name: "Cy", Kind: engine.Peer, Team: "design"})
				return err
			}},
			{"AcceptStep", func() error { _, _, err := e.app.AcceptStep(ctx, b.ID); return err }},
			{"CloseStep", func() error { _, err := e.app.CloseStep(ctx, b.ID, tl.StepSkipped); return err }},
			{"unknown leader", func() error { _, err := e.app.People(ctx, "no-such-leader"); return err }},
			{"Export unknown leader", func() error { _, err := e.app.Export(ctx, "no-such-leader"); return err }},
		}
		for _, tc := range notFound {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), tl.ENOTFOUND) })
		}
		// An apology cannot link another leader's breach either.
		e.person(b.ID, "Bea", engine.Peer)
		_, err := e.app.Log(ctx, b.ID, tl.EventInput{Who: "Bea", Kind: "apology", Repairs: breach.ID})
		wantCode(t, err, tl.EINVALID, "not an entry of your ledger")

		// B's lists hold nothing of A's.
		if ps := must(e.app.People(ctx, b.ID))(t); len(ps) != 1 || ps[0].Person != "Bea" {
			t.Errorf("B's people = %+v", ps)
		}
		if evs := must(e.app.Events(ctx, b.ID, tl.EventFilter{}))(t); len(evs) != 0 {
			t.Errorf("B's ledger = %+v", evs)
		}
		if ps := must(e.app.Promises(ctx, b.ID, ""))(t); len(ps) != 0 {
			t.Errorf("B's promises = %+v", ps)
		}
		if ds := must(e.app.Decisions(ctx, b.ID))(t); len(ds) != 0 {
			t.Errorf("B's decisions = %+v", ds)
		}
		if js := must(e.app.Journal(ctx, b.ID))(t); len(js) != 0 {
			t.Errorf("B's journal = %+v", js)
		}
		if ts := must(e.app.Teams(ctx, b.ID))(t); len(ts) != 1 || ts[0].Name != tl.DefaultTeamName {
			t.Errorf("B's teams = %+v", ts)
		}
		st := must(e.app.Status(ctx, b.ID))(t)
		if len(st.Relationships) != 1 || st.Relationships[0].Relationship.Person != "Bea" {
			t.Errorf("B's status = %+v", st.Relationships)
		}
		bw := must(e.app.Week(ctx, b.ID))(t)
		if bw.Step != nil && bw.Step.Person != "Bea" {
			t.Errorf("B's week step is about %s", bw.Step.Person)
		}
		if kept, due := must2(e.app.SayDo(ctx, b.ID))(t); kept != 0 || due != 0 {
			t.Errorf("B's say/do = %d/%d", kept, due)
		}
		bk := must(e.app.Export(ctx, b.ID))(t)
		if len(bk.Leaders) != 1 || bk.Leaders[0].ID != b.ID || len(bk.Events) != 0 || len(bk.Journal) != 0 {
			t.Errorf("B's export holds A's data: %+v", bk)
		}
		// And A's data is untouched by all of B's attempts.
		if ps := must(e.app.People(ctx, a.ID))(t); len(ps) != 1 || ps[0].Bases != engine.DefaultBases(engine.DirectReport) || !ps[0].Active {
			t.Errorf("A's people changed: %+v", ps)
		}
		if ps := must(e.app.Promises(ctx, a.ID, tl.PromiseOpen))(t); len(ps) != 1 {
			t.Errorf("A's open promises = %+v", ps)
		}
	})
}
