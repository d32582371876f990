package engine

import (
	"fmt"
	"sort"
	"strings"
	"time"
)

// The article's moves, in the lower case used by the JSON of MODEL.md §17.
const (
	MoveAskFeedback = "ask for feedback"
	MoveApology     = "apology"
	MoveTransparent = "transparency"
	MoveLeadTransp  = "leading with transparency"
	MoveFollowThru  = "following through"
	MoveConsistency = "modeling consistency"
	MoveSafety      = "creating psychological safety"
	MoveEmpathy     = "balancing authority with empathy"
	MoveValued      = "people valued"
)

// The suggested wording of each step (MODEL.md §11).
const (
	textFeedback = `Send the named check-in: "How have my decisions or communication affected your confidence?"`
	textLeadI    = "Share the why behind one recent decision that affected them."
	textFollowI  = "Make one small, specific promise and close the loop in writing."
	textFairI    = "State the criterion you used and apply it the same way to everyone."
	textSafetyB  = "Invite dissent in the next meeting and thank the first person who disagrees."
	textEmpathyB = "Ask for their input before deciding, or delegate one meaningful decision to them."
	textValuedB  = "Hold a 1:1 on what motivates them, and give public credit for a small win."
	textFollowA  = "Deliver one small promised item and explain your reasoning."
)

// breachNoun names a breach in the words of the step a leader reads ("the
// broken promise on 2 Mar"), not by its kind's identifier.
func breachNoun(k Kind) string {
	switch k {
	case KindPromiseBroken:
		return "broken promise"
	case KindInformationWithheld:
		return "information you kept from them"
	case KindFavoritism:
		return "unfair treatment"
	case KindCompetenceFailure:
		return "mistake that came to light"
	case KindDismissed:
		return "concern you brushed off"
	}
	return strings.ReplaceAll(string(k), "-", " ")
}

// weakest returns d* = argmin E_d, treating values within the tie
// tolerance as ties broken in the order integrity, benevolence, ability.
func (s Settings) weakest(a Assessment) Dim {
	lo := a.Dims[0].E
	for d := range NumDims {
		lo = min(lo, a.Dims[d].E)
	}
	for _, d := range []Dim{Integrity, Benevolence, Ability} {
		if a.Dims[d].E <= lo+s.TieTolerance+1e-12 {
			return d
		}
	}
	return Integrity
}

// negWeight is the decayed negative evidence an event added, in dimension d
// (or in all dimensions when d < 0), as it weighs at now.
func (s Settings) negWeight(e Event, d Dim, now time.Time) float64 {
	var w float64
	for _, c := range s.evidence(e) {
		if c.Negative && (d < 0 || c.Dim == d) {
			w += c.Amount
		}
	}
	return w * s.decay(days(e.At, now))
}

// openBreach finds the heaviest unrepaired breach of rule R1, if any.
func (s Settings) openBreach(recent []Recent, now time.Time) (Event, Dim, bool) {
	var best Event
	var bestW float64
	var bestDim Dim
	found := false
	for _, r := range recent {
		k, ok := kindInfo(r.Kind)
		if !ok || !k.Breach || r.Reversed || r.Repaired || !inWindow(r.At, now, s.BreachWindow) {
			continue
		}
		w := s.negWeight(r.Event, -1, now)
		if w < s.BreachMin-1e-12 {
			continue
		}
		if !found || w > bestW || (w == bestW && (r.At.After(best.At) || (r.At.Equal(best.At) && r.ID < best.ID))) {
			best, bestW, found = r.Event, w, true
			for _, ef := range k.Effects {
				if ef.Negative {
					bestDim = ef.Dim
					break
				}
			}
		}
	}
	return best, bestDim, found
}

// dominantBarrier is the kind with the largest decayed negative evidence
// in d over the barrier window, or "" when there is none.
func (s Settings) dominantBarrier(recent []Recent, d Dim, now time.Time) Kind {
	sum := map[Kind]float64{}
	for _, r := range recent {
		if r.Reversed || !inWindow(r.At, now, s.BarrierWindow) {
			continue
		}
		k, ok := kindInfo(r.Kind)
		if !ok {
			continue
		}
		if w := s.negWeight(r.Event, d, now); w > 0 {
			sum[k.Kind] += w
		}
	}
	ks := make([]Kind, 0, len(sum))
	for k := range sum {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		if sum[ks[i]] != sum[ks[j]] {
			return sum[ks[i]] > sum[ks[j]]
		}
		return ks[i] < ks[j]
	})
	if len(ks) == 0 {
		return ""
	}
	return ks[0]
}

func (s Settings) recommend(a Assessment, recent []Recent, ps *TeamSafety, now time.Time) Recommendation {
	rec := Recommendation{Due: endOfWeek(now), Dim: s.weakest(a)}
	if a.Trust.U > s.UMax+1e-12 {
		rec.Rule, rec.Move, rec.Text = RuleFeedback, MoveAskFeedback, textFeedback
		return rec
	}
	if b, d, ok := s.openBreach(recent, now); ok {
		rec.Rule, rec.Dim, rec.Breach, rec.Move = RuleRepair, d, b.ID, MoveApology
		when := b.At.In(now.Location()).Format("2 Jan")
		switch {
		case b.Kind == KindDeceptionRevealed:
			rec.Move = MoveTransparent
			rec.Text = fmt.Sprintf("Disclose the facts behind the deception revealed on %s and show them the evidence; an apology alone does not repair a deception.", when)
		case d == Ability:
			rec.Text = fmt.Sprintf("Apologise for the %s on %s: acknowledge your responsibility, explain what happened, and offer to put it right.", breachNoun(b.Kind), when)
		case d == Benevolence:
			rec.Text = fmt.Sprintf("Apologise for the %s on %s, and include them: ask for their view before the next decision that affects them.", breachNoun(b.Kind), when)
		default:
			rec.Text = fmt.Sprintf("Apologise for the %s on %s: acknowledge it, and make one concrete promise due within 7 days.", breachNoun(b.Kind), when)
		}
		return rec
	}
	rec.Rule = RuleWeakest
	rec.Barrier = s.dominantBarrier(recent, rec.Dim, now)
	switch rec.Dim {
	case Integrity:
		switch rec.Barrier {
		case KindDecisionUnexplained, KindInformationWithheld, KindDeceptionRevealed:
			rec.Move, rec.Text = MoveLeadTransp, textLeadI
		case KindFavoritism:
			rec.Move, rec.Text = MoveConsistency, textFairI
		default:
			rec.Move, rec.Text = MoveFollowThru, textFollowI
		}
	case Benevolence:
		switch {
		case ps != nil && ps.N >= s.K && ps.Rwg >= s.RwgStrong && ps.Mean < float64(ps.K+1)/2:
			rec.Move, rec.Text = MoveSafety, textSafetyB
		case rec.Barrier == KindAuthorityOverused:
			rec.Move, rec.Text = MoveEmpathy, textEmpathyB
		default:
			rec.Move, rec.Text = MoveValued, textValuedB
		}
	default:
		rec.Move, rec.Text = MoveFollowThru, textFollowA
	}
	return rec
}
