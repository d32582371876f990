package app_test

import (
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestTour walks the CLI tour through the services, with a
// fixed clock, and checks what each step leaves behind.
func TestTour(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		lena := e.leader("Lena")
		if got := must(e.app.ResolveLeader(ctx, ""))(t); got.ID != lena.ID {
			t.Fatalf("ResolveLeader(\"\") = %s, want the only leader %s", got.ID, lena.ID)
		}
		teams := must(e.app.Teams(ctx, lena.ID))(t)
		if len(teams) != 1 || teams[0].Name != tl.DefaultTeamName {
			t.Fatalf("a new leader has teams %+v, want only %q", teams, tl.DefaultTeamName)
		}

		// person add Ana --kind direct-report
		ana := e.person(lena.ID, "Ana", engine.DirectReport)
		if ana.Bases != engine.DefaultBases(engine.DirectReport) || ana.TeamID != teams[0].ID || !ana.Active {
			t.Fatalf("Ana = %+v: want the direct-report profile in the default team", ana)
		}
		ben := must(e.app.AddPerson(ctx, lena.ID, tl.PersonInput{Name: "Ben", Kind: engine.CrossFunctional, Power: map[string]int{"legitimate": 3, "expert": 3}}))(t)
		want := engine.DefaultBases(engine.CrossFunctional)
		want[engine.Legitimate], want[engine.Expert] = 3, 3
		if ben.Bases != want {
			t.Fatalf("Ben's bases = %v, want %v", ben.Bases, want)
		}

		// log Ana promise-kept --note "sent the budget as promised"
		e.clk.Advance(time.Hour)
		kept := e.log(lena.ID, tl.EventInput{Who: "Ana", Kind: "promise-kept", Note: "sent the budget as promised"})
		if kept.Source != engine.Self || kept.RecordedBy != "leader" || len(kept.Targets) != 1 || kept.Targets[0] != ana.ID {
			t.Fatalf("logged entry = %+v: want self source, recorded by the leader, applied to Ana", kept)
		}
		if kept.Severity != engine.Normal || !kept.OccurredAt.Equal(e.clk.Now()) {
			t.Fatalf("logged entry severity %v at %v, want normal at now", kept.Severity, kept.OccurredAt)
		}

		// promise add Ana "review her proposal" --due (in a week)
		due := e.clk.Now().Add(7 * day).Truncate(day)
		prom := must(e.app.AddPromise(ctx, lena.ID, tl.PromiseInput{To: "Ana", What: "review her proposal", Due: due}))(t)
		if prom.Status != tl.PromiseOpen || prom.RelationshipID != ana.ID || prom.To != "Ana" {
			t.Fatalf("promise = %+v", prom)
		}

		// decide "move the launch to March" --why "QA found two blockers" --affects team
		dec := must(e.app.Decide(ctx, lena.ID, tl.DecisionInput{What: "move the launch to March", Why: "QA found two blockers", Affects: "team"}))(t)
		if dec.TeamID != teams[0].ID || dec.Affects != tl.DefaultTeamName {
			t.Fatalf("decision = %+v, want it to affect the default team", dec)
		}
		evs := must(e.app.Events(ctx, lena.ID, tl.EventFilter{}))(t)
		if len(evs) != 2 || evs[0].Kind != "decision-explained" || evs[0].DecisionID != dec.ID {
			t.Fatalf("ledger = %+v, want the decision entry newest", evs)
		}
		if got := must(e.app.Events(ctx, lena.ID, tl.EventFilter{Who: "team"}))(t); len(got) != 1 || got[0].ID != evs[0].ID {
			t.Fatalf("team entries = %+v, want the decision only", got)
		}
		if got := must(e.app.Events(ctx, lena.ID, tl.EventFilter{Who: "Ben"}))(t); len(got) != 1 || got[0].ID != evs[0].ID {
			t.Fatalf("Ben's entries = %+v, want the team decision, which fanned out to him", got)
		}

		// status
		st := must(e.app.Status(ctx, lena.ID))(t)
		if len(st.Relationships) != 2 || st.Leader.ID != lena.ID {
			t.Fatalf("status has %d relationships, want 2", len(st.Relationships))
		}
		set := engine.DefaultSettings()
		for _, rs := range st.Relationships {
			a := rs.Assessment
			if a.Trust.E <= 0.5 {
				t.Errorf("%s: E = %.3f, want above neutral after positive entries", rs.Relationship.Person, a.Trust.E)
			}
			if a.Power != rs.Relationship.Bases.Power() || a.Quadrant != engine.Undetermined {
				t.Errorf("%s: power %.3f quadrant %s, want %.3f undetermined", rs.Relationship.Person, a.Power, a.Quadrant, rs.Relationship.Bases.Power())
			}
		}
		_ = set
		e.checkReplay(lena.ID)

		// explain Ana
		ex := must(e.app.Explain(ctx, lena.ID, "ana"))(t)
		if ex.Relationship.ID != ana.ID || len(ex.Weights) == 0 {
			t.Fatalf("explain = %+v", ex)
		}
		ids := map[string]bool{}
		for _, w := range ex.Weights {
			ids[w.EventID] = true
			if _, ok := ex.Events[w.EventID]; !ok {
				t.Errorf("weight for %s has no event in the explanation", w.EventID)
			}
		}
		if !ids[kept.ID] || !ids[evs[0].ID] {
			t.Fatalf("explain weights %v miss the promise-kept or the decision", ids)
		}
		if ex.IfBroken.Trust.E >= ex.Assessment.Trust.E {
			t.Fatalf("one more broken promise would not cost anything: %.3f → %.3f", ex.Assessment.Trust.E, ex.IfBroken.Trust.E)
		}

		// week
		wk := must(e.app.Week(ctx, lena.ID))(t)
		if wk.Step == nil {
			t.Fatalf("week: no step (%s), want one: a direct report with little evidence has a gap", wk.None)
		}
		if wk.Step.Person != "Ana" || wk.Step.Status != tl.StepSuggested || wk.Step.Rule != engine.RuleFeedback {
			t.Fatalf("week step = %+v, want Ana with R0 (too little evidence)", wk.Step)
		}
		if wk.WeekStart.Weekday() != time.Monday || wk.WeekStart.After(e.clk.Now()) || e.clk.Now().Sub(wk.WeekStart) >= 7*day {
			t.Fatalf("week starts %v, want this week's Monday", wk.WeekStart)
		}
		again := must(e.app.Week(ctx, lena.ID))(t)
		if again.Step == nil || again.Step.ID != wk.Step.ID {
			t.Fatalf("a second week call chose another step: %+v", again.Step)
		}
		// week accept
		step, stepProm := must2(e.app.AcceptStep(ctx, lena.ID))(t)
		if step.Status != tl.StepAccepted || step.PromiseID != stepProm.ID || stepProm.StepID != step.ID {
			t.Fatalf("accepted step %+v with promise %+v are not linked", step, stepProm)
		}
		if !strings.HasPrefix(stepProm.What, "this week's step: ") || stepProm.RelationshipID != ana.ID {
			t.Fatalf("step promise = %+v", stepProm)
		}
		if stepProm.Due.Before(e.clk.Now()) || stepProm.Due.After(wk.WeekStart.Add(7*day)) {
			t.Fatalf("step promise due %v, want by the end of this week", stepProm.Due)
		}
		_, _, err := e.app.AcceptStep(ctx, lena.ID)
		wantCode(t, err, tl.ECONFLICT, "already accepted")
		e.clk.Advance(day)
		closed := must(e.app.CloseStep(ctx, lena.ID, tl.StepDone))(t)
		if closed.Status != tl.StepDone || closed.ClosedAt.IsZero() {
			t.Fatalf("closed step = %+v", closed)
		}
		kc := must(e.app.Promises(ctx, lena.ID, tl.PromiseKept))(t)
		if len(kc) != 1 || kc[0].ID != stepProm.ID {
			t.Fatalf("kept promises = %+v, want the step's promise", kc)
		}

		// journal
		j := must(e.app.AddJournal(ctx, lena.ID, 1, "From my title, mostly."))(t)
		e.clk.Advance(time.Minute)
		j2 := must(e.app.AddJournal(ctx, lena.ID, 0, "Ana asked for more context."))(t)
		js := must(e.app.Journal(ctx, lena.ID))(t)
		if len(js) != 2 || js[0].ID != j2.ID || js[1].ID != j.ID {
			t.Fatalf("journal = %+v, want newest first", js)
		}

		// export --json > backup.json && import backup.json (into a new database)
		b := must(e.app.Export(ctx, ""))(t)
		other := e.fresh(t)
		noErr(t, other.app.Import(ctx, tl.Operator, b))
		b2 := must(other.app.Export(ctx, ""))(t)
		compareBackups(t, b, b2)
		e.checkReplay(lena.ID)
		other.checkReplay(lena.ID)
	})
}

// must2 is must for calls with two results.
func must2[A, B any](a A, b B, err error) func(tb) (A, B) {
	return func(t tb) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return a, b
	}
}
