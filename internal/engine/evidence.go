package engine

import (
	"math"
	"time"

	"gonum.org/v1/gonum/mathext"
)

const day = float64(24 * time.Hour)

// days returns b − a in fractional days.
func days(a, b time.Time) float64 { return float64(b.Sub(a)) / day }

// decay is f(Δt) = 2^(−Δt/h) with Δt in days (MODEL.md §3).
func (s Settings) decay(dt float64) float64 { return math.Exp2(-dt / s.HalfLifeDays) }

func (s Settings) lambda(src Source, negative bool) float64 {
	switch src {
	case Self:
		if negative {
			return s.LambdaSelfNeg
		}
		return s.LambdaSelfPos
	case System:
		return s.LambdaSystem
	case Confirmed:
		return s.LambdaConfirm
	}
	return 0
}

func severity(v Severity) float64 {
	if v == 0 {
		return float64(Normal)
	}
	return float64(v)
}

func validSource(src Source) bool { return src >= 0 && int(src) < NumSources }

// evidence returns the increments of an evidence kind: Δ = w0·σ·λ·κ.
func (s Settings) evidence(e Event) []Contribution {
	k, ok := kindInfo(e.Kind)
	if !ok || len(k.Effects) == 0 || !validSource(e.Source) {
		return nil
	}
	out := make([]Contribution, 0, len(k.Effects))
	for _, ef := range k.Effects {
		amt := ef.W0 * severity(e.Severity) * s.lambda(e.Source, ef.Negative)
		if ef.Negative {
			amt *= s.Kappa[ef.Dim]
		}
		out = append(out, Contribution{Dim: ef.Dim, Source: e.Source, Negative: ef.Negative, Amount: amt})
	}
	return out
}

// apologyQuality is q of MODEL.md §6.
func apologyQuality(e Event) float64 {
	switch {
	case e.Acknowledges && e.OffersRepair:
		return 1
	case e.Acknowledges || e.OffersRepair:
		return 0.5
	}
	return 0.25
}

// repairs returns what an apology removes from its breach, measured at the
// apology's time: −ρ_d·q·Δ_v·f(t_a − t_v) for every negative effect of
// the breach. An apology may repair any kind that produces negative
// evidence; outside the window, or for a zero ρ, it removes nothing.
func (s Settings) repairs(e Event) []Contribution {
	v := e.Repairs
	if v == nil {
		return nil
	}
	age := days(v.At, e.At)
	if age < 0 || age > s.ApologyWindow {
		return nil
	}
	q := apologyQuality(e)
	var out []Contribution
	for _, c := range s.evidence(*v) {
		if !c.Negative {
			continue
		}
		rho := s.Rho[c.Dim]
		if v.Kind == KindDeceptionRevealed {
			rho = s.RhoDeception
		}
		amt := rho * q * c.Amount * s.decay(age)
		if amt == 0 {
			continue
		}
		out = append(out, Contribution{Dim: c.Dim, Source: c.Source, Negative: true, Amount: -amt})
	}
	return out
}

func (s Settings) contributions(e Event) []Contribution {
	k, ok := kindInfo(e.Kind)
	if !ok {
		return nil
	}
	if k.IsApology {
		return s.repairs(e)
	}
	return s.evidence(e)
}

// addAt folds amount into one accumulator as of time t: forward events
// bring the whole state to t first, backdated ones are decayed to t_last.
// The result is clamped at 0 (reversals and repairs never go negative).
func (s Settings) addAt(st *State, c Contribution, t time.Time) {
	switch {
	case st.TLast.IsZero():
		st.TLast = t
	case !t.Before(st.TLast):
		g := s.decay(days(st.TLast, t))
		for d := range NumDims {
			for src := range NumSources {
				st.R[d][src] *= g
				st.S[d][src] *= g
			}
		}
		st.TLast = t
	default:
		c.Amount *= s.decay(days(t, st.TLast))
	}
	acc := &st.R[c.Dim][c.Source]
	if c.Negative {
		acc = &st.S[c.Dim][c.Source]
	}
	*acc += c.Amount
	if *acc < 0 {
		*acc = 0
	}
}

func (s Settings) apply(st *State, e Event) {
	k, ok := kindInfo(e.Kind)
	if !ok {
		return
	}
	if k.IsSnapshot {
		if e.Snapshot == nil {
			return
		}
		snap := *e.Snapshot
		slot := &st.Pulse
		if k.Kind == KindCheckin {
			slot = &st.Checkin
		}
		if *slot == nil || !snap.At.Before((*slot).At) {
			*slot = &snap
		}
		return
	}
	for _, c := range s.contributions(e) {
		s.addAt(st, c, e.At)
	}
}

func (s Settings) reverse(st *State, e Event) {
	k, ok := kindInfo(e.Kind)
	if !ok {
		return
	}
	if k.IsSnapshot {
		// A snapshot keeps no history: reversing the current one removes
		// it; the caller replays the ledger to bring back an older one.
		slot := &st.Pulse
		if k.Kind == KindCheckin {
			slot = &st.Checkin
		}
		if *slot != nil && e.Snapshot != nil && (*slot).At.Equal(e.Snapshot.At) {
			*slot = nil
		}
		return
	}
	for _, c := range s.contributions(e) {
		c.Amount = -c.Amount
		s.addAt(st, c, e.At)
	}
}

func (s Settings) replay(events []Event) State {
	var st State
	// Apologies go after plain evidence so their clamp at zero sees the
	// breach they repair whatever order the caller used.
	for _, pass := range []bool{false, true} {
		for _, e := range events {
			if (e.Kind == KindApology) == pass {
				s.apply(&st, e)
			}
		}
	}
	return st
}

// snapshotEvidence returns the r and s a snapshot adds at now.
func (s Settings) snapshotEvidence(snap *Snapshot, pulse bool, now time.Time) (r, sNeg [NumDims]float64) {
	if snap == nil {
		return
	}
	if pulse && snap.N < s.K {
		return
	}
	g := s.decay(days(snap.At, now))
	for d := range NumDims {
		p := min(max(snap.P[d], 0), 1)
		w := s.CheckinNu * s.CheckinLambda
		if pulse {
			w = s.PulseNu * min(max(snap.Rwg[d], 0), 1)
		}
		r[d] = w * p * g
		sNeg[d] = w * (1 - p) * g
	}
	return
}

func (s Settings) read(st State, now time.Time) Reading {
	rd := Reading{At: now}
	g := 0.0
	if !st.TLast.IsZero() {
		g = s.decay(days(st.TLast, now))
	}
	cr, cs := s.snapshotEvidence(st.Checkin, false, now)
	pr, ps := s.snapshotEvidence(st.Pulse, true, now)
	var selfAll float64
	for d := range NumDims {
		self := min(st.R[d][Self]*g, s.SelfCap)
		rr := self + st.R[d][System]*g + st.R[d][Confirmed]*g + cr[d] + pr[d]
		ss := (st.S[d][Self]+st.S[d][System]+st.S[d][Confirmed])*g + cs[d] + ps[d]
		rd.R[d], rd.S[d] = rr, ss
		selfD := self + st.S[d][Self]*g
		if rr+ss > 0 {
			rd.SelfShare[d] = selfD / (rr + ss)
		}
		selfAll += self
		rd.RTotal += rr
		rd.STotal += ss
	}
	rd.RCorr = rd.RTotal - selfAll
	if rd.RCorr < 0 {
		rd.RCorr = 0
	}
	rd.SCorr = rd.STotal
	return rd
}

// expected is E = (r + aW)/(r + s + W), the opinion's expected trust,
// without the quantiles (§3).
func (s Settings) expected(r, sNeg float64) float64 {
	r, sNeg = max(r, 0), max(sNeg, 0)
	return (r + s.BaseRate*s.W) / (r + sNeg + s.W)
}

func (s Settings) opinion(r, sNeg float64) Opinion {
	r, sNeg = max(r, 0), max(sNeg, 0)
	den := r + sNeg + s.W
	o := Opinion{R: r, S: sNeg, N: r + sNeg}
	o.B, o.D, o.U = r/den, sNeg/den, s.W/den
	o.E = s.expected(r, sNeg)
	o.Alpha = r + s.BaseRate*s.W
	o.Bet = sNeg + (1-s.BaseRate)*s.W
	switch {
	case o.Alpha <= 0 && o.Bet <= 0: // no prior and no evidence: nothing is known
		o.Low, o.High, o.PLow = 0, 1, 0.5
	case o.Alpha <= 0: // all mass at 0
		o.Low, o.High, o.PLow = 0, 0, 1
	case o.Bet <= 0: // all mass at 1
		o.Low, o.High, o.PLow = 1, 1, 0
	default:
		o.Low = mathext.InvRegIncBeta(o.Alpha, o.Bet, 0.1)
		o.High = mathext.InvRegIncBeta(o.Alpha, o.Bet, 0.9)
		o.PLow = mathext.RegIncBeta(o.Alpha, o.Bet, s.ThetaT)
	}
	o.PHigh = 1 - o.PLow
	o.Enough = o.U <= s.UMax+1e-12
	return o
}

// prBelow is Pr(T < x) under the opinion's Beta posterior.
func prBelow(o Opinion, x float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	case o.Alpha <= 0:
		return 1
	case o.Bet <= 0:
		return 0
	}
	return mathext.RegIncBeta(o.Alpha, o.Bet, x)
}
