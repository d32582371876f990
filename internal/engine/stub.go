package engine

// stub.go holds placeholder bodies so dependants compile while the engine
// is written. Every function here is replaced by its real implementation.

import "time"

func kinds() []KindInfo                                   { panic("engine: not implemented") }
func lookupKind(name string) (KindInfo, error)            { panic("engine: not implemented") }
func (s Settings) contributions(e Event) []Contribution   { panic("engine: not implemented") }
func (s Settings) apply(st *State, e Event)               { panic("engine: not implemented") }
func (s Settings) reverse(st *State, e Event)             { panic("engine: not implemented") }
func (s Settings) replay(events []Event) State            { panic("engine: not implemented") }
func (s Settings) read(st State, now time.Time) Reading   { panic("engine: not implemented") }
func (s Settings) opinion(r, sNeg float64) Opinion        { panic("engine: not implemented") }
func parseBase(name string) (Base, error)                 { panic("engine: not implemented") }
func baseString(b Base) string                            { panic("engine: not implemented") }
func parseRelKind(name string) (RelKind, error)           { panic("engine: not implemented") }
func defaultBases(k RelKind) Bases                        { panic("engine: not implemented") }
func (b Bases) authority() float64                        { panic("engine: not implemented") }
func (b Bases) personal() float64                         { panic("engine: not implemented") }
func (b Bases) power() float64                            { panic("engine: not implemented") }
func (b Bases) shift(base Base, delta int) Bases          { panic("engine: not implemented") }
func (s Settings) pick(c []Candidate, now time.Time) int  { panic("engine: not implemented") }
func scorePulse(a [][]int, k int, rev []bool) PulseResult { panic("engine: not implemented") }
func checkinSnapshot(at time.Time, r [NumDims]float64) Snapshot {
	panic("engine: not implemented")
}
func (s Settings) assess(st State, b Bases, recent []Recent, now time.Time) Assessment {
	panic("engine: not implemented")
}
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
