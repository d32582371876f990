package app_test

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestStepWhy checks the reason the week report gives for its step, on
// both databases: why this person (authority ahead of trust) and why this
// move (the rule that chose it), with the entries behind it. Each leader
// below has one person, so the pick is theirs and the rule is the story.
func TestStepWhy(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		now := e.clk.Now()
		ago := func(days int) time.Time { return now.Add(-time.Duration(days) * day) }
		week := func(leaderID string, rule engine.Rule) *tl.WeekReport {
			t.Helper()
			wk := must(e.app.Week(ctx, leaderID))(t)
			if wk.Step == nil || wk.Why == nil {
				t.Fatalf("no step or no reason: %+v", wk)
			}
			if wk.Step.Rule != rule {
				t.Fatalf("rule %s, want %s (%s)", wk.Step.Rule, rule, wk.Why.Sentence)
			}
			return wk
		}
		sentence := func(wk *tl.WeekReport, want string) {
			t.Helper()
			if wk.Why.Sentence != want {
				t.Fatalf("why:\n got %q\nwant %q", wk.Why.Sentence, want)
			}
		}
		kinds := func(wk *tl.WeekReport, want ...engine.Kind) {
			t.Helper()
			var got []engine.Kind
			for _, ev := range wk.Why.Evidence {
				got = append(got, ev.Kind)
			}
			if len(got) != len(want) {
				t.Fatalf("evidence %v, want %v", got, want)
			}
			for i := range got {
				if got[i] != want[i] {
					t.Fatalf("evidence %v, want %v", got, want)
				}
			}
		}
		// Eight confirmed deposits of ability, spread over seven weeks:
		// enough evidence that the rule reads the weakest dimension.
		groundwork := func(leaderID, who string) {
			for i := range 8 {
				e.log(leaderID, tl.EventInput{Who: who, Kind: engine.KindExpertiseShown, Source: engine.Confirmed, At: ago(50 - 5*i)})
			}
		}

		// Too little evidence: the step is to ask, and the sentence says so.
		chen := e.leader("Chen's leader")
		e.person(chen.ID, "Chen", engine.DirectReport)
		rec := e.log(chen.ID, tl.EventInput{Who: "Chen", Kind: engine.KindRecognition})
		wk := week(chen.ID, engine.RuleFeedback)
		sentence(wk, "Your authority with Chen is ahead of the trust between you (authority 75%, trust 60%), "+
			"and the ledger holds too little about Chen to tell which part of trust is weak (one entry in the last six weeks), so the step is to ask.")
		kinds(wk, engine.KindRecognition)
		if wk.Why.Evidence[0].EventID != rec.ID || wk.Why.Breach != "" {
			t.Fatalf("evidence %+v, breach %q", wk.Why.Evidence, wk.Why.Breach)
		}

		// The weakest dimension and what weighs against it: two promises
		// broken five and four weeks ago (past the 28 days of an apology
		// step, within the six weeks the barrier is read over).
		mia := e.leader("Mia")
		must(e.app.AddPerson(ctx, mia.ID, tl.PersonInput{Name: "Ben", Kind: engine.DirectReport, Start: ago(60)}))(t)
		groundwork(mia.ID, "Ben")
		e.log(mia.ID, tl.EventInput{Who: "Ben", Kind: engine.KindPromiseBroken, At: ago(35)})
		e.log(mia.ID, tl.EventInput{Who: "Ben", Kind: engine.KindPromiseBroken, At: ago(30)})
		wk = week(mia.ID, engine.RuleWeakest)
		sentence(wk, "Your authority with Ben is far ahead of the trust between you (authority 75%, trust 45%), "+
			"and integrity (keeping your word) is the weakest part: two promises were broken in the last six weeks.")
		kinds(wk, engine.KindPromiseBroken, engine.KindPromiseBroken)
		if !wk.Why.Evidence[0].At.After(wk.Why.Evidence[1].At) {
			t.Fatalf("the later (heavier) broken promise should come first: %+v", wk.Why.Evidence)
		}

		// A breach with no apology: the step is the apology, and the
		// reason names the breach, which the apology form can link to.
		omar := e.leader("Omar")
		must(e.app.AddPerson(ctx, omar.ID, tl.PersonInput{Name: "Dev", Kind: engine.DirectReport, Start: ago(60)}))(t)
		groundwork(omar.ID, "Dev")
		broken := e.log(omar.ID, tl.EventInput{Who: "Dev", Kind: engine.KindPromiseBroken, At: ago(2)})
		wk = week(omar.ID, engine.RuleRepair)
		sentence(wk, "Your authority with Dev is well ahead of the trust between you (authority 75%, trust 55%), "+
			"and the broken promise of Mon 2 Mar has had no apology yet: an apology soon after repairs part of it.")
		kinds(wk, engine.KindPromiseBroken)
		if wk.Why.Breach != broken.ID || wk.Why.Evidence[0].EventID != broken.ID {
			t.Fatalf("breach %q, evidence %+v: want %s", wk.Why.Breach, wk.Why.Evidence, broken.ID)
		}
		// Once the apology is logged, the step stays the apology and says so.
		e.log(omar.ID, tl.EventInput{Kind: engine.KindApology, Repairs: broken.ID, Acknowledges: true, OffersRepair: true})
		wk = week(omar.ID, engine.RuleRepair)
		sentence(wk, "Your authority with Dev is ahead of the trust between you (authority 75%, trust 59%), "+
			"and the broken promise of Mon 2 Mar called for an apology, which is now logged.")
		if wk.Why.Breach != "" {
			t.Fatalf("breach %q after the apology, want none", wk.Why.Breach)
		}

		// When trust catches up after the step was chosen, the reason says
		// the gap has closed rather than restating it.
		ines := e.leader("Ines")
		e.person(ines.ID, "Eve", engine.DirectReport)
		week(ines.ID, engine.RuleFeedback)
		for range 10 {
			e.log(ines.ID, tl.EventInput{Who: "Eve", Kind: engine.KindPersonValued, Source: engine.Confirmed})
		}
		wk = week(ines.ID, engine.RuleFeedback)
		sentence(wk, "Your authority with Eve was ahead of the trust between you when this step was chosen, and the gap has closed since (now authority 75%, trust 92%), "+
			"and when it was chosen the ledger held too little about Eve to tell which part of trust was weak, so the step was to ask.")
		kinds(wk, engine.KindPersonValued, engine.KindPersonValued, engine.KindPersonValued)
	})
}
