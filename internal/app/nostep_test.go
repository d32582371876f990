package app_test

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/plaintest"
)

// TestNoStepSaysWhy: a week without a step says why, in the words the
// dashboard and the weekly email show after "No step this week:", for
// each reason the pick finds nobody: no one added yet; authority not far
// ahead of trust with anyone; the only ones where it is had a step
// accepted too recently; nobody still led. None of it names the model's
// settings or numbers.
func TestNoStepSaysWhy(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		none := func(when, want string) {
			t.Helper()
			wk := must(e.app.Week(e.ctx, l.ID))(t)
			if wk.Step != nil {
				t.Fatalf("%s: a step with %s, want none", when, wk.Step.Person)
			}
			if wk.None != want {
				t.Errorf("%s: no step because %q, want %q", when, wk.None, want)
			}
			text := "No step this week: " + wk.None + "."
			for _, w := range append(plaintest.ModelWordsIn(text), plaintest.OddWordsIn(text)...) {
				t.Errorf("%s: %s", when, w)
			}
		}
		accept := func(when, person string) {
			t.Helper()
			wk := must(e.app.Week(e.ctx, l.ID))(t)
			if wk.Step == nil || wk.Step.Person != person {
				t.Fatalf("%s: step %+v (%s), want one with %s", when, wk.Step, wk.None, person)
			}
			if _, _, err := e.app.AcceptStep(e.ctx, l.ID); err != nil {
				t.Fatal(err)
			}
		}
		ordered := func(name string) {
			t.Helper()
			e.person(l.ID, name, engine.DirectReport)
			for _, k := range []engine.Kind{engine.KindDirective, engine.KindAuthorityOverused, engine.KindAuthorityOverused} {
				e.log(l.ID, tl.EventInput{Who: name, Kind: k})
			}
		}

		none("nobody added", "you have not added anyone you lead yet")

		// Ola, a peer over whom Lena holds no power, who saw her keep
		// her promises: authority cannot be ahead of trust.
		e.person(l.ID, "Ola", engine.Peer)
		must(e.app.SetPower(e.ctx, l.ID, "Ola", map[string]int{"legitimate": 0, "reward": 0, "coercive": 0, "informational": 0, "expert": 0, "referent": 0}))(t)
		for range 3 {
			e.log(l.ID, tl.EventInput{Who: "Ola", Kind: engine.KindPromiseKept})
		}
		none("only Ola", "authority is not far ahead of trust with anyone you lead")

		// Ben, ordered about: this week's step, accepted. The next week
		// he is given time, and nobody else needs a step.
		ordered("Ben")
		accept("Ben ordered about", "Ben")
		e.clk.Set(time.Date(2026, 3, 9, 10, 0, 0, 0, time.UTC))
		none("the week after Ben's step", "authority is far ahead of trust only with Ben, whose step you accepted in the last 14 days: give it time to work")

		// Cleo, ordered about that week too: her step, accepted. The week
		// after, both are given time.
		ordered("Cleo")
		accept("Cleo ordered about", "Cleo")
		e.clk.Set(time.Date(2026, 3, 16, 10, 0, 0, 0, time.UTC))
		none("the week after Cleo's step", "authority is far ahead of trust only with Ben and Cleo, whose steps you accepted in the last 14 days: give them time to work")

		for _, name := range []string{"Ola", "Ben", "Cleo"} {
			must(e.app.SetActive(e.ctx, l.ID, name, false))(t)
		}
		none("nobody led any more", "nobody in your ledger is still among the people you lead")
	})
}
