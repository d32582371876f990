package engine

// stub.go holds placeholder bodies so dependants compile while the engine
// is written. Every function here is replaced by its real implementation.

import "time"

func (s Settings) pick(c []Candidate, now time.Time) int  { panic("engine: not implemented") }
func scorePulse(a [][]int, k int, rev []bool) PulseResult { panic("engine: not implemented") }
func (s Settings) recommend(a Assessment, recent []Recent, ps *TeamSafety, now time.Time) Recommendation {
	panic("engine: not implemented")
}
func (s Settings) checkOutcome(baseline, now Assessment, acceptedAt time.Time) Outcome {
	panic("engine: not implemented")
}
func (s Settings) explain(events []Event, now time.Time) []Weight { panic("engine: not implemented") }
func (s Settings) brokenPromiseCost(st State, b Bases, recent []Recent, now time.Time) (Assessment, Assessment) {
	panic("engine: not implemented")
}
