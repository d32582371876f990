package app

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// stepWhy is the reason for this week's step that every front end shows
// (tl.StepWhy): one sentence in two halves, and the entries behind it.
//
//   - Why this person (the weekly pick, MODEL.md §10): how far the
//     authority the leader holds with them is ahead of the trust the
//     ledger shows, with both as percentages: "ahead of" from the pick's
//     threshold, "well ahead of" from 20 points and "far ahead of" from 30.
//     When the gap has closed since the step was chosen, it says so.
//   - Why this move (the rule that chose it, §11): too little evidence to
//     tell what is weak (R0); a breach with no apology yet (R1), named
//     with its date; or the weakest dimension and the barrier that weighs
//     most against it in the barrier window, with how often it happened
//     (R2).
//
// The evidence is the entries that weigh most in that reason today: the
// breach first for R1, the barrier's entries first for R2, at most
// tl.MaxWhyEvidence. It reads the relationship as it stands now and the
// step as it was chosen (its rule, dimension and move), so the move's
// reason stays the one that chose it. Dates are said in now's zone (the
// leader's).
func stepWhy(set engine.Settings, s *tl.Step, person string, as engine.Assessment, recent []engine.Recent, now time.Time) *tl.StepWhy {
	ws := weigh(set, recent, now)
	why := &tl.StepWhy{Evidence: []tl.WhyEntry{}}
	sentence := whyPerson(set, person, as)
	var evidence []weighed
	switch s.Rule {
	case engine.RuleFeedback:
		n := 0
		for _, w := range ws {
			if w.ev.Kind != engine.KindApology {
				n++
			}
		}
		if as.Trust.Enough {
			// Enough has arrived since the step was chosen.
			sentence += fmt.Sprintf(", and when it was chosen the ledger held too little about %s to tell which part of trust was weak, so the step was to ask", person)
		} else {
			sentence += fmt.Sprintf(", and the ledger holds too little about %s to tell which part of trust is weak (%s in the last %s), so the step is to ask",
				person, countWords(n, "entry", "entries"), windowWords(max(set.BarrierWindow, set.CommandWindow, set.BreachWindow)))
		}
		evidence = heaviest(ws, func(w weighed) float64 { return w.size })
	case engine.RuleRepair:
		b, ok := chosenBreach(set, s, ws)
		switch {
		case !ok:
			sentence += ", and a breach of trust had no apology when this step was chosen"
		case b.ev.Kind == engine.KindDeceptionRevealed:
			sentence += fmt.Sprintf(", and a deception came to light on %s: an apology alone does not repair that, laying the facts open does", whyDate(b.ev.At, now))
		case b.repaired:
			sentence += fmt.Sprintf(", and the %s of %s called for an apology, which is now logged", breachWords(b.ev.Kind), whyDate(b.ev.At, now))
		default:
			sentence += fmt.Sprintf(", and the %s of %s has had no apology yet: an apology soon after repairs part of it", breachWords(b.ev.Kind), whyDate(b.ev.At, now))
			why.Breach = b.ev.ID
		}
		if ok {
			evidence = append(evidence, b)
		}
		for _, w := range heaviest(ws, func(w weighed) float64 {
			if !validDim(s.Dim) || !inDays(w.ev.At, now, set.BreachWindow) {
				return 0
			}
			return w.neg[s.Dim]
		}) {
			if !ok || w.ev.ID != b.ev.ID {
				evidence = append(evidence, w)
			}
		}
	case engine.RuleWeakest:
		d := s.Dim
		if !validDim(d) {
			break
		}
		barrier := set.DominantBarrier(recent, d, now)
		inBarrier := func(w weighed) float64 {
			if !inDays(w.ev.At, now, set.BarrierWindow) {
				return 0
			}
			return w.neg[d]
		}
		n := 0
		for _, w := range ws {
			if w.ev.Kind == barrier && inBarrier(w) > 0 {
				n++
			}
		}
		if barrier != "" && n > 0 {
			sentence += fmt.Sprintf(", and %s is the weakest part: %s in the last %s", dimWords(d), barrierWords(barrier, n), windowWords(set.BarrierWindow))
			for _, w := range heaviest(ws, inBarrier) {
				if w.ev.Kind == barrier {
					evidence = append(evidence, w)
				}
			}
			for _, w := range heaviest(ws, inBarrier) {
				if w.ev.Kind != barrier {
					evidence = append(evidence, w)
				}
			}
		} else {
			sentence += fmt.Sprintf(", and %s is the weakest part, with little in the ledger to show for it yet", dimWords(d))
			evidence = heaviest(ws, func(w weighed) float64 { return w.pos[d] })
		}
	}
	why.Sentence = sentence + "."
	for _, w := range evidence {
		if len(why.Evidence) == tl.MaxWhyEvidence {
			break
		}
		why.Evidence = append(why.Evidence, tl.WhyEntry{EventID: w.ev.ID, Kind: w.ev.Kind, At: w.ev.At})
	}
	return why
}

// whyPerson is the first half of the reason: why this person.
func whyPerson(set engine.Settings, person string, as engine.Assessment) string {
	if as.Authority-as.Trust.E < set.GapThreshold-1e-9 {
		return fmt.Sprintf("Your authority with %s was ahead of the trust between you when this step was chosen, and the gap has closed since (now authority %s, trust %s)",
			person, whyPct(as.Authority), whyPct(as.Trust.E))
	}
	// The words follow the percentages the sentence shows.
	ahead := "ahead of"
	switch points := pctPoints(as.Authority) - pctPoints(as.Trust.E); {
	case points >= 30:
		ahead = "far ahead of"
	case points >= 20:
		ahead = "well ahead of"
	}
	return fmt.Sprintf("Your authority with %s is %s the trust between you (authority %s, trust %s)",
		person, ahead, whyPct(as.Authority), whyPct(as.Trust.E))
}

// weighed is one live recent entry and the evidence it carries today.
type weighed struct {
	ev       engine.Event
	neg, pos [engine.NumDims]float64 // negative and positive evidence now, per dimension
	size     float64                 // all of it, whatever its sign
	repaired bool                    // an apology reached it
}

// weigh gives every live recent entry its weight today, as the person
// page's explanation does (engine.Settings.Weights), oldest first.
func weigh(set engine.Settings, recent []engine.Recent, now time.Time) []weighed {
	out := make([]weighed, 0, len(recent))
	at := map[string]int{}
	live := make([]engine.Event, 0, len(recent))
	for _, r := range recent {
		if r.Reversed {
			continue
		}
		at[r.ID] = len(out)
		out = append(out, weighed{ev: r.Event, repaired: r.Repaired})
		live = append(live, r.Event)
	}
	for _, w := range set.Weights(live, now) {
		i, ok := at[w.EventID]
		if !ok || !validDim(w.Dim) {
			continue
		}
		out[i].size += math.Abs(w.Now)
		switch {
		case w.Negative && w.Now > 0:
			out[i].neg[w.Dim] += w.Now
		case !w.Negative:
			out[i].pos[w.Dim] += w.Now
		}
	}
	return out
}

// heaviest returns the entries with a positive score, largest first (then
// the latest, then the smaller id).
func heaviest(ws []weighed, score func(weighed) float64) []weighed {
	var out []weighed
	for _, w := range ws {
		if score(w) > 1e-12 {
			out = append(out, w)
		}
	}
	slices.SortStableFunc(out, func(a, b weighed) int {
		if c := cmp.Compare(score(b), score(a)); c != 0 {
			return c
		}
		if c := b.ev.At.Compare(a.ev.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ev.ID, b.ev.ID)
	})
	return out
}

// chosenBreach finds the breach an apology step was about: a breach in the
// step's dimension from the breach window before the step was chosen,
// unrepaired ones first (the rule only picks those; an apology may have
// come since), then the heaviest today, then the latest.
func chosenBreach(set engine.Settings, s *tl.Step, ws []weighed) (weighed, bool) {
	var cands []weighed
	for _, w := range ws {
		info, err := engine.LookupKind(string(w.ev.Kind))
		if err != nil || !info.Breach || !validDim(s.Dim) || w.neg[s.Dim] <= 0 {
			continue
		}
		if w.ev.At.After(s.CreatedAt) || !inDays(w.ev.At, s.CreatedAt, set.BreachWindow) {
			continue
		}
		cands = append(cands, w)
	}
	if len(cands) == 0 {
		return weighed{}, false
	}
	slices.SortStableFunc(cands, func(a, b weighed) int {
		if a.repaired != b.repaired {
			if !a.repaired {
				return -1
			}
			return 1
		}
		if c := cmp.Compare(b.neg[s.Dim], a.neg[s.Dim]); c != 0 {
			return c
		}
		if c := b.ev.At.Compare(a.ev.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ev.ID, b.ev.ID)
	})
	return cands[0], true
}

// validDim reports whether d is one of the three dimensions.
func validDim(d engine.Dim) bool { return d >= 0 && d < engine.NumDims }

// inDays reports whether t lies within the n days up to now.
func inDays(t, now time.Time, n float64) bool {
	age := now.Sub(t)
	return age >= 0 && age <= time.Duration(n*float64(day))
}

// dimWords names a dimension with what it means in the leader's terms.
func dimWords(d engine.Dim) string {
	switch d {
	case engine.Integrity:
		return "integrity (keeping your word)"
	case engine.Benevolence:
		return "benevolence (acting in their interest)"
	case engine.Ability:
		return "ability (delivering what is needed)"
	}
	return d.String()
}

// breachWords names a breach as a noun: "the broken promise of Mon 2 Mar".
func breachWords(k engine.Kind) string {
	switch k {
	case engine.KindPromiseBroken:
		return "broken promise"
	case engine.KindInformationWithheld:
		return "information kept from them"
	case engine.KindFavoritism:
		return "unfair treatment"
	case engine.KindCompetenceFailure:
		return "mistake that came to light"
	case engine.KindDismissed:
		return "concern brushed off"
	case engine.KindDeceptionRevealed:
		return "deception"
	}
	return kindWords(k)
}

// barrierWords says what happened n times (n ≥ 1) against a dimension.
func barrierWords(k engine.Kind, n int) string {
	one := n == 1
	switch k {
	case engine.KindPromiseBroken:
		if one {
			return "a promise was broken"
		}
		return numberWords(n) + " promises were broken"
	case engine.KindDecisionUnexplained:
		if one {
			return "a decision came without its why"
		}
		return numberWords(n) + " decisions came without their why"
	case engine.KindInformationWithheld:
		return "information they needed was kept from them " + timesWords(n)
	case engine.KindDeceptionRevealed:
		if one {
			return "a deception came to light"
		}
		return numberWords(n) + " deceptions came to light"
	case engine.KindFavoritism:
		return "a standard was applied unevenly " + timesWords(n)
	case engine.KindCompetenceFailure:
		if one {
			return "a mistake came to light before you owned it"
		}
		return numberWords(n) + " mistakes came to light before you owned them"
	case engine.KindMistakeOwned:
		if one {
			return "a mistake you owned still counts against it"
		}
		return numberWords(n) + " mistakes you owned still count against it"
	case engine.KindAuthorityOverused:
		if one {
			return "you gave an order where persuasion would have worked"
		}
		return "you gave orders where persuasion would have worked " + timesWords(n)
	case engine.KindDismissed:
		if one {
			return "a concern of theirs was brushed off"
		}
		return numberWords(n) + " of their concerns were brushed off"
	}
	return kindWords(k) + " " + timesWords(n)
}

// kindWords is a kind's name as words: "promise broken".
func kindWords(k engine.Kind) string {
	b := []byte(k)
	for i, c := range b {
		if c == '-' {
			b[i] = ' '
		}
	}
	return string(b)
}

var smallNumbers = [...]string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"}

// numberWords spells 0–12 and writes larger numbers in digits.
func numberWords(n int) string {
	if n >= 0 && n < len(smallNumbers) {
		return smallNumbers[n]
	}
	return fmt.Sprint(n)
}

// timesWords is "once", "twice", "three times".
func timesWords(n int) string {
	switch n {
	case 1:
		return "once"
	case 2:
		return "twice"
	}
	return numberWords(n) + " times"
}

// countWords is "one entry", "two entries", "no entries".
func countWords(n int, one, many string) string {
	if n == 1 {
		return "one " + one
	}
	return numberWords(n) + " " + many
}

// windowWords says a window of days as weeks when it is whole weeks.
func windowWords(days float64) string {
	n := int(math.Round(days))
	if n > 0 && n%7 == 0 {
		if n == 7 {
			return "week"
		}
		return numberWords(n/7) + " weeks"
	}
	if n == 1 {
		return "day"
	}
	return numberWords(n) + " days"
}

// whyDate is the day an entry happened, as the sentence says it: in the
// zone of now, which the caller gives in the leader's zone.
func whyDate(t, now time.Time) string { return t.In(now.Location()).Format("Mon 2 Jan") }

// pctPoints is a share in whole percentage points.
func pctPoints(v float64) int { return int(math.Round(v * 100)) }

// whyPct is a share as a whole percentage.
func whyPct(v float64) string { return fmt.Sprintf("%d%%", pctPoints(v)) }
