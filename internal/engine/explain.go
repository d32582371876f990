package engine

import (
	"math"
	"sort"
	"time"
)

func (s Settings) explain(events []Event, now time.Time) []Weight {
	out := s.weights(events, now)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := math.Abs(out[i].Now), math.Abs(out[j].Now)
		if a != b {
			return a > b
		}
		if !out[i].At.Equal(out[j].At) {
			return out[i].At.Before(out[j].At)
		}
		if out[i].EventID != out[j].EventID {
			return out[i].EventID < out[j].EventID
		}
		return out[i].Dim < out[j].Dim
	})
	return out
}

func (s Settings) weights(events []Event, now time.Time) []Weight {
	out := make([]Weight, 0, 2*len(events))
	for _, e := range events {
		g := s.decay(days(e.At, now))
		for _, c := range s.contributions(e) {
			out = append(out, Weight{
				EventID: e.ID, Kind: e.Kind, At: e.At,
				Dim: c.Dim, Source: c.Source, Negative: c.Negative,
				Now: c.Amount * g,
			})
		}
	}
	return out
}

func (s Settings) brokenPromiseCost(st State, b Bases, recent []Recent, now time.Time) (Assessment, Assessment) {
	before := s.assess(st, b, recent, now)
	e := Event{ID: "what-if-broken", Kind: KindPromiseBroken, At: now, Source: System}
	after := st
	s.apply(&after, e)
	more := make([]Recent, 0, len(recent)+1)
	more = append(more, recent...)
	more = append(more, Recent{Event: e})
	return before, s.assess(after, b, more, now)
}
