package scenario

import (
	"fmt"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/engine"
)

// bigScenario builds a year of a 50-person team in code: every week a
// directive and a kept promise for the team, a 1:1 with ten people in turn,
// an unexplained decision every third week, a broken promise and its
// apology every fifth week, and a pulse every four weeks.
func bigScenario(weeks, people int) *Scenario {
	sc := &Scenario{File: "bench", Name: fmt.Sprintf("%d weeks, %d people", weeks, people),
		Start: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), Settings: engine.DefaultSettings()}
	var all []string
	for i := range people {
		name := fmt.Sprintf("p%02d", i)
		kind := engine.RelKinds()[i%len(engine.RelKinds())]
		sc.People = append(sc.People, Person{Name: name, Kind: kind, Bases: engine.DefaultBases(kind)})
		all = append(all, name)
	}
	ev := func(e Event) {
		if e.Count == 0 {
			e.Count = 1
		}
		if e.Severity == 0 {
			e.Severity = engine.Normal
		}
		sc.Events = append(sc.Events, e)
	}
	for w := 1; w <= weeks; w++ {
		ev(Event{Week: w, Day: 1, Who: all, Team: true, Kind: engine.KindDirective, Count: 2})
		ev(Event{Week: w, Day: 2, Who: all, Team: true, Kind: engine.KindPromiseKept, Source: engine.System})
		for i := range 10 {
			p := all[(w*10+i)%people]
			ev(Event{Week: w, Day: 3, Who: []string{p}, Kind: engine.KindPersonValued, Source: engine.Confirmed})
		}
		if w%3 == 0 {
			ev(Event{Week: w, Day: 4, Who: all, Team: true, Kind: engine.KindDecisionUnexplained})
		}
		if w%5 == 0 {
			p := []string{all[w%people]}
			ev(Event{Week: w, Day: 5, Who: p, Kind: engine.KindPromiseBroken, Source: engine.System})
			ev(Event{Week: w, Day: 6, Who: p, Kind: engine.KindApology, Acknowledges: true, OffersRepair: true,
				Repairs: &Repair{Week: w, Kind: engine.KindPromiseBroken}})
		}
		if w%4 == 0 {
			ev(Event{Week: w, Day: 7, Who: all, Team: true, Kind: engine.KindPulse, Agreement: 0.75, Responses: people,
				Scores: [engine.NumDims]float64{0.6, 0.55, 0.6}})
		}
	}
	return sc
}

// BenchmarkSimulate52x50 is the simulator's benchmark in docs/PERFORMANCE.md: a 52-week scenario for
// a 50-person team, run end to end (events, weekly assessments, pick and
// recommendation).
func BenchmarkSimulate52x50(b *testing.B) {
	sc := bigScenario(52, 50)
	b.ReportAllocs()
	for b.Loop() {
		r, err := Run(sc)
		if err != nil {
			b.Fatal(err)
		}
		if len(r.Weeks) != 52 || len(r.Weeks[51].Relationships) != 50 {
			b.Fatalf("run has %d weeks", len(r.Weeks))
		}
	}
}

func TestBigScenarioRuns(t *testing.T) {
	sc := bigScenario(52, 50)
	r := mustRun(t, sc)
	if len(r.Weeks) != 52 {
		t.Fatalf("%d weeks", len(r.Weeks))
	}
	steps := 0
	for _, w := range r.Weeks {
		if w.Step != nil {
			steps++
		}
	}
	if steps == 0 {
		t.Error("a year of directives and broken promises never produced a step")
	}
}
