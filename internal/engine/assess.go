package engine

import "time"

// inWindow reports whether t lies in the windowDays before now (inclusive).
func inWindow(t, now time.Time, windowDays float64) bool {
	age := days(t, now)
	return age >= 0 && age <= windowDays
}

// trustLevel ranks the trust side of a quadrant: 0 low, 1 not determined,
// 2 high.
func trustLevel(q Quadrant) int {
	switch q {
	case Influence, Goodwill:
		return 2
	case Compliance, Unanchored:
		return 0
	}
	return 1
}

func (s Settings) assess(st State, b Bases, recent []Recent, now time.Time) Assessment {
	rd := s.read(st, now)
	a := Assessment{At: now}
	for d := range NumDims {
		a.Dims[d] = s.opinion(rd.R[d], rd.S[d])
	}
	a.Trust = s.opinion(rd.RTotal, rd.STotal)
	a.ECorr = s.opinion(rd.RCorr, rd.SCorr).E
	a.Authority, a.Personal, a.Power = b.Authority(), b.Personal(), b.Power()
	m := 1.0 / s.BaseRate // m(E) = E / a_T
	if s.BaseRate <= 0 {
		m = 0
	}
	a.Influence = a.Power * a.Trust.E * m
	a.InfLow = a.Power * a.Trust.Low * m
	a.InfHigh = a.Power * a.Trust.High * m
	a.Gap = a.Authority - a.Trust.E
	a.Evidence = rd.RTotal + rd.STotal
	if a.Evidence > 0 {
		var self float64
		for d := range NumDims {
			self += rd.SelfShare[d] * (rd.R[d] + rd.S[d])
		}
		a.SelfShare = self / a.Evidence
	}
	a.PrBelowA = prBelow(a.Trust, a.Authority)

	high := a.Trust.Enough && a.Trust.PHigh >= s.Gamma && a.ECorr > s.ThetaT
	low := a.Trust.Enough && a.Trust.PLow >= s.Gamma
	hiP := a.Power >= s.ThetaP
	switch {
	case high && hiP:
		a.Quadrant = Influence
	case high:
		a.Quadrant = Goodwill
	case low && hiP:
		a.Quadrant = Compliance
	case low:
		a.Quadrant = Unanchored
	default:
		a.Quadrant = Undetermined
	}

	a.Warnings = []string{}
	if b[Coercive] >= s.FearCoercive && a.Dims[Benevolence].E < s.ThetaT {
		a.Warnings = append(a.Warnings, WarnFearRisk)
	}
	var all, cmd int
	for _, r := range recent {
		if r.Reversed || !inWindow(r.At, now, s.CommandWindow) {
			continue
		}
		all++
		if r.Kind == KindDirective || r.Kind == KindAuthorityOverused {
			cmd++
		}
	}
	if all > 0 {
		a.PowerUse = float64(cmd) / float64(all)
	}
	if all > 0 && a.PowerUse > s.CommandShare && !high {
		a.Warnings = append(a.Warnings, WarnCommandHeavy)
	}
	return a
}
