package app

import (
	"context"
	"fmt"
	"slices"
	"strings"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// populationCheck decides whether a result over the people cand may be
// shown beside the leader's released results, other than except's: "" if
// it may, otherwise why not, in words for the leader. It looks only at
// who was asked, which the leader knows, never at who answered, so the
// verdict tells nothing about anyone's answering (docs/ANONYMITY.md,
// rules 4 and 5); a launch runs it before anyone is asked.
func populationCheck(ctx context.Context, tx *store.Tx, leaderID, except string, cand []string, k int) (string, error) {
	ps, err := tx.Pulses(ctx, leaderID)
	if err != nil {
		return "", err
	}
	var released [][]string
	var labels []string
	for i := range ps {
		p := &ps[i]
		if p.ID == except || !p.Released {
			continue
		}
		pop, err := tx.PulsePopulation(ctx, p.ID)
		if err != nil {
			return "", err
		}
		released = append(released, pop)
		labels = append(labels, fmt.Sprintf("wave %d of %s", p.Wave, tl.TeamPhrase(p.Team)))
	}
	res := checkFamily(released, cand, k)
	if res.Safe {
		return "", nil
	}
	rels, err := tx.Relationships(ctx, leaderID)
	if err != nil {
		return "", err
	}
	names := make(map[string]string, len(rels))
	for _, r := range rels {
		names[r.ID] = r.Person
	}
	return describeFamily(res, names, labels, k), nil
}

// commentsCheck decides whether a released pulse's comments may be shown
// beside the comments the leader was shown before: "" if they may,
// otherwise why not. Comments are not sums: a comment that two waves
// both show came from someone both asked, so intersections and
// differences of the groups asked are as telling as the groups. People
// asked by exactly the same waves with comments form an atom, and every
// comment the leader could single out by comparing waves was written by
// one atom; so every atom must have at least commentsK people
// (docs/ANONYMITY.md, rule 4). Like populationCheck it looks only at who
// was asked.
func commentsCheck(ctx context.Context, tx *store.Tx, leaderID, except string, cand []string, commentsK int) (string, error) {
	ps, err := tx.Pulses(ctx, leaderID)
	if err != nil {
		return "", err
	}
	sig := map[string][]int{} // person → the earlier waves (by index) that asked them
	waves := 0
	add := func(pop []string) {
		for _, id := range pop {
			sig[id] = append(sig[id], waves)
		}
		waves++
	}
	for i := range ps {
		p := &ps[i]
		if p.ID == except || !p.CommentsShown {
			continue
		}
		pop, err := tx.PulsePopulation(ctx, p.ID)
		if err != nil {
			return "", err
		}
		add(pop)
	}
	if waves == 0 {
		return "", nil
	}
	before := map[string]int{} // atom (waves) → people, without the new wave
	for _, waves := range sig {
		before[fmt.Sprint(waves)]++
	}
	in := map[string]bool{}
	for _, id := range cand {
		in[id] = true
		if _, ok := sig[id]; !ok {
			sig[id] = nil
		}
	}
	type atom struct{ was, n int } // people in the atom before, now
	after := map[string]*atom{}
	for id, waves := range sig {
		key := fmt.Sprint(waves, in[id])
		a := after[key]
		if a == nil {
			a = &atom{was: before[fmt.Sprint(waves)]}
			if waves == nil {
				a.was = -1 // asked by no earlier wave
			}
			after[key] = a
		}
		a.n++
	}
	// An atom the new wave leaves as it was was checked before (or shown
	// under an older rule); one it splits or makes must be large enough.
	for _, a := range after {
		if a.n != a.was && a.n < commentsK {
			return fmt.Sprintf("comparing them with the comments of earlier waves could single out the comments of fewer than %d people; comments need at least %d people behind every comparison", commentsK, commentsK), nil
		}
	}
	return "", nil
}

// describeFamily tells a leader, in plain words, why a result is withheld
// (res unsafe) and what brings results back; names maps relationship ids
// to the names the leader knows, labels names the released results.
func describeFamily(res famResult, names map[string]string, labels []string, k int) string {
	switch {
	case res.Safe:
		return ""
	case res.TooMany:
		return "Your earlier results overlap in too many ways to check that this one is safe, so it stays hidden."
	}
	var known []string
	unknown := 0
	for _, id := range res.Small {
		if n := names[id]; n != "" {
			known = append(known, n)
		} else {
			unknown++
		}
	}
	slices.Sort(known)
	switch {
	case unknown == 1 && len(known) == 0:
		known = append(known, "one person")
	case unknown == 1:
		known = append(known, "one other person")
	case unknown > 1 && len(known) == 0:
		known = append(known, fmt.Sprintf("%d people", unknown))
	case unknown > 1:
		known = append(known, fmt.Sprintf("%d other people", unknown))
	}
	who := famJoin(known)
	need := fmt.Sprintf("results need at least %d people behind every comparison", k)
	if len(res.With) == 0 {
		return fmt.Sprintf("On its own it could single out the answers of %s: %s.", who, need)
	}
	with := make([]string, len(res.With))
	for i, r := range res.With {
		with[i] = "an earlier result"
		if r >= 0 && r < len(labels) && labels[r] != "" {
			with[i] = labels[r]
		}
	}
	same := "one of them"
	if len(with) == 1 {
		same = with[0]
	}
	return fmt.Sprintf("Comparing it with %s could single out the answers of %s: %s. "+
		"Results come back when the people asked differ from those earlier groups by at least %d, or are the same people as in %s.",
		famJoin(with), who, need, k, same)
}

// famJoin lists words the way a sentence does: "a", "a and b", "a, b and c".
func famJoin(words []string) string {
	if len(words) <= 1 {
		return strings.Join(words, "")
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
