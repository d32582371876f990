package engine

import (
	"math"
	"sort"
	"time"
)

// round2 rounds to hundredths, the precision at which gaps are compared.
func round2(x float64) float64 { return math.Round(x*100) / 100 }

// wide reports whether authority exceeds trust by the gap threshold or
// more in an active relationship: one the pick may choose.
func (s Settings) wide(c Candidate) bool {
	return c.Active && c.Authority-c.E >= s.GapThreshold-1e-9
}

// resting reports whether a step for c was accepted too recently (the
// cooldown) for it to be picked again.
func (s Settings) resting(c Candidate, now time.Time) bool {
	return !c.LastAccepted.IsZero() && days(c.LastAccepted, now) < s.CooldownDays
}

func (s Settings) pick(cands []Candidate, now time.Time) int {
	idx := make([]int, 0, len(cands))
	for i, c := range cands {
		if s.wide(c) && !s.resting(c, now) {
			idx = append(idx, i)
		}
	}
	if len(idx) == 0 {
		return -1
	}
	sort.SliceStable(idx, func(x, y int) bool {
		a, b := cands[idx[x]], cands[idx[y]]
		ga, gb := round2(a.Authority-a.E), round2(b.Authority-b.E)
		if ga != gb {
			return ga > gb
		}
		if a.PrBelowA != b.PrBelowA {
			return a.PrBelowA > b.PrBelowA
		}
		if a.Authority != b.Authority {
			return a.Authority > b.Authority
		}
		return a.ID < b.ID
	})
	return idx[0]
}

func (s Settings) restingAll(cands []Candidate, now time.Time) []int {
	var out []int
	for i, c := range cands {
		if s.wide(c) && s.resting(c, now) {
			out = append(out, i)
		}
	}
	return out
}

// endOfWeek is the last second of the week (Monday to Sunday, in now's
// zone: the caller passes now in the leader's) that holds now: the due
// date of this week's step.
func endOfWeek(now time.Time) time.Time {
	ahead := (7 - int(now.Weekday())) % 7
	y, m, d := now.Date()
	return time.Date(y, m, d+ahead, 23, 59, 59, 0, now.Location())
}

func (s Settings) checkOutcome(baseline, now Assessment, acceptedAt time.Time) Outcome {
	if days(acceptedAt, now.At) < s.OutcomeDays {
		return OutcomePending
	}
	if now.Trust.E-baseline.Trust.E >= s.OutcomeRise-1e-12 || trustLevel(now.Quadrant) > trustLevel(baseline.Quadrant) {
		return OutcomeRecovered
	}
	carried := baseline.Evidence * s.decay(days(baseline.At, now.At))
	if now.Evidence-carried < s.OutcomeMinEv {
		return OutcomeTooLittle
	}
	return OutcomeNotYet
}
