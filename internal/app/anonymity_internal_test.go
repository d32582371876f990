package app

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

func ids(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("p%02d", i))
	}
	return out
}

func union(sets ...[]string) []string {
	var out []string
	for _, s := range sets {
		out = append(out, s...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestFamily runs the examples of docs/ANONYMITY.md rule 4 through
// checkFamily and checks, when a result is withheld, who the small
// combination stands on and which results it uses.
func TestFamily(t *testing.T) {
	A, B, C := ids(1, 5), ids(1, 10), ids(6, 11)
	team := ids(1, 12)
	cases := []struct {
		name     string
		released [][]string
		cand     []string
		k        int
		small    []string // nil: safe
		with     []int
	}{
		{"C − (B − A) is one person", [][]string{A, B}, C, 5, []string{"p11"}, []int{0, 1}},
		{"B after A", [][]string{A}, B, 5, nil, nil},
		{"one fewer", [][]string{ids(1, 6)}, ids(1, 5), 5, []string{"p06"}, []int{0}},
		{"three sets, two people", [][]string{ids(1, 6), ids(5, 12)}, ids(1, 12), 3, []string{"p05", "p06"}, []int{0, 1}},
		{"three sets, two people, k 4", [][]string{ids(1, 6), ids(5, 12)}, ids(1, 12), 4, []string{"p05", "p06"}, []int{0, 1}},
		{"one join", [][]string{team, team}, ids(1, 13), 5, []string{"p13"}, []int{0}},
		{"four joins", [][]string{team}, ids(1, 16), 5, ids(13, 16), []int{0}},
		{"five joins", [][]string{team}, ids(1, 17), 5, nil, nil},
		{"one leaves", [][]string{team}, ids(2, 12), 5, []string{"p01"}, []int{0}},
		{"five leave", [][]string{team}, ids(6, 12), 5, nil, nil},
		{"one joins, one leaves", [][]string{team}, ids(2, 13), 5, []string{"p01", "p13"}, []int{0}},
		{"one joins, one leaves, k 3", [][]string{team}, ids(2, 13), 3, []string{"p01", "p13"}, []int{0}},
		{"disjoint teams", [][]string{ids(1, 6), ids(1, 6)}, ids(7, 12), 5, nil, nil},
		{"the other team again", [][]string{ids(1, 6), ids(7, 12)}, ids(7, 12), 5, nil, nil},
		{"the same population twice", [][]string{team, team}, team, 5, nil, nil},
		{"the whole team after its halves", [][]string{ids(1, 6), ids(7, 12)}, team, 5, nil, nil},
		{"a sub-team after the team", [][]string{team}, ids(1, 6), 5, nil, nil},
		{"unrelated results are not used", [][]string{ids(20, 30), A, ids(40, 44), B, ids(20, 30)}, C, 5, []string{"p11"}, []int{1, 3}},
		{"a candidate too small on its own", nil, ids(1, 2), 3, ids(1, 2), nil},
		{"an empty candidate", [][]string{A}, nil, 5, nil, nil},
		{"duplicates within a set", [][]string{append(A, A...)}, append(A, "p06", "p06"), 5, []string{"p06"}, []int{0}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := checkFamily(c.released, c.cand, c.k)
			if res.TooMany {
				t.Fatalf("TooMany on a small family")
			}
			if res.Safe != (c.small == nil) {
				t.Fatalf("safe %v, want %v (%+v)", res.Safe, c.small == nil, res)
			}
			if !slices.Equal(res.Small, c.small) || !slices.Equal(res.With, c.with) {
				t.Errorf("small %v with %v, want %v with %v", res.Small, res.With, c.small, c.with)
			}
			if !res.Safe && !carries(c.released, c.cand, res) {
				t.Errorf("no combination of %v and the candidate stands on %v", res.With, res.Small)
			}
		})
	}
}

// TestFamilyLegacyLeak: a combination of released results alone (left by
// an older rule) does not hold back what would add nothing to it.
func TestFamilyLegacyLeak(t *testing.T) {
	rel := [][]string{ids(1, 12), ids(1, 13)} // p13 stands alone already
	if res := checkFamily(rel, ids(1, 13), 5); !res.Safe {
		t.Errorf("asking the same people again: %+v", res)
	}
	if res := checkFamily(rel, ids(20, 30), 5); !res.Safe {
		t.Errorf("another team: %+v", res)
	}
	if res := checkFamily(rel, ids(1, 14), 5); res.Safe || !slices.Equal(res.Small, []string{"p14"}) {
		t.Errorf("one more join: %+v, want p14 alone", res)
	}
}

// TestFamilyTooMany: a search past its budget is withheld, not released.
func TestFamilyTooMany(t *testing.T) {
	rel, cand, k := famWorstCase(14)
	res, nodes := famCheck(rel, cand, k, famBudget, famAuto)
	if !res.Safe || nodes < 2 {
		t.Fatalf("within the budget: %+v after %d nodes", res, nodes)
	}
	res, _ = famCheck(rel, cand, k, nodes-1, famAuto)
	if !res.TooMany || res.Safe {
		t.Errorf("budget %d: %+v, want TooMany", nodes-1, res)
	}
	// Over the rationals a node counts famExactCost times.
	res, _ = famCheck(rel, cand, k, 10*famExactCost, famRational)
	if !res.TooMany || res.Safe {
		t.Errorf("over the rationals, 10 nodes: %+v, want TooMany", res)
	}
	want := "Your earlier results overlap in too many ways to check that this one is safe, so it stays hidden."
	if got := describeFamily(res, nil, nil, k); got != want {
		t.Errorf("describe: %q", got)
	}
}

// famWorstCase is a safe family that keeps the search busy: results over
// 40 people, each asked or not at random, so that every person is an atom
// of their own and the search has a dimension for nearly every result. 26
// results come near the budget.
func famWorstCase(results int) ([][]string, []string, int) {
	rng := rand.New(rand.NewPCG(7, 7))
	people := ids(1, 40)
	var rel [][]string
	for range results {
		var s []string
		for _, p := range people {
			if rng.IntN(2) == 0 {
				s = append(s, p)
			}
		}
		rel = append(rel, s)
	}
	return rel, ids(1, 20), 5
}

// TestFamilyHadamardBound: famModularMaxRank is the largest n for which
// Hadamard's bound on an n×n 0/1 determinant, (n+1)^((n+1)/2)/2^n, stays
// below famPrime, so arithmetic modulo famPrime ranks such matrices
// exactly.
func TestFamilyHadamardBound(t *testing.T) {
	below := func(n int64) bool { // bound² < p², in integers
		lhs := new(big.Int).Exp(big.NewInt(n+1), big.NewInt(n+1), nil)
		p := big.NewInt(famPrime)
		rhs := new(big.Int).Mul(p, p)
		rhs.Lsh(rhs, uint(2*n))
		return lhs.Cmp(rhs) < 0
	}
	if !below(famModularMaxRank) || below(famModularMaxRank+1) {
		t.Errorf("famModularMaxRank %d is not the last rank under the bound", famModularMaxRank)
	}
}

// TestFamilyExactPath: a family whose rank passes famModularMaxRank is
// searched over the rationals, and agrees with the modular search. The
// people come in 45 pairs that are always asked together, and 3 alone.
func TestFamilyExactPath(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var units [][]string
	for i := range 45 {
		units = append(units, ids(2*i+1, 2*i+2))
	}
	for i := range 3 {
		units = append(units, ids(91+i, 91+i))
	}
	var rel [][]string
	for range 39 {
		var s []string
		for _, u := range units {
			if rng.IntN(2) == 0 {
				s = append(s, u...)
			}
		}
		rel = append(rel, s)
	}
	p := newFamProblem(rel, ids(1, 93), 3)
	if gens, _, _ := famBasis(famQ{}, p); len(gens) <= famModularMaxRank {
		t.Fatalf("rank %d: not past the modular limit", len(gens))
	}
	safe := 0
	for i, cand := range [][]string{ids(1, 93), rel[3], append(slices.Clone(rel[5]), "p99"), ids(1, 60), ids(1, 91)} {
		got, _ := famCheck(rel, cand, 3, famBudget, famAuto)
		mod, _ := famCheck(rel, cand, 3, famBudget, famModular)
		if got.Safe != mod.Safe || got.TooMany || !slices.Equal(got.Small, mod.Small) {
			t.Errorf("candidate %d: rational %+v, modular %+v", i, got, mod)
		}
		if !got.Safe && !carries(rel, cand, got) {
			t.Errorf("candidate %d: %+v carries nothing", i, got)
		}
		if got.Safe {
			safe++
		}
	}
	if safe < 2 || safe > 4 {
		t.Errorf("%d of 5 candidates safe: the test should see both verdicts", safe)
	}
}

// rankOn is, by its own rational elimination over people, the rank of
// the sets' 0/1 vectors restricted to the people in cols.
func rankOn(sets [][]string, cols []string) int {
	m := make([][]*big.Rat, len(sets))
	for i, s := range sets {
		for _, p := range cols {
			v := new(big.Rat)
			if slices.Contains(s, p) {
				v.SetInt64(1)
			}
			m[i] = append(m[i], v)
		}
	}
	rank := 0
	for c := range cols {
		pi := slices.IndexFunc(m[rank:], func(row []*big.Rat) bool { return row[c].Sign() != 0 })
		if pi < 0 {
			continue
		}
		m[rank], m[rank+pi] = m[rank+pi], m[rank]
		for _, row := range m[rank+1:] {
			if row[c].Sign() != 0 {
				f := new(big.Rat).Quo(row[c], m[rank][c])
				for j := range row {
					row[j].Sub(row[j], new(big.Rat).Mul(f, m[rank][j]))
				}
			}
		}
		if rank++; rank == len(m) {
			break
		}
	}
	return rank
}

// solvable reports whether some λ over rows makes cand − Σ λ_i rows_i
// vanish on every person of cols.
func solvable(rows [][]string, cand []string, cols []string) bool {
	return rankOn(append(slices.Clone(rows), cand), cols) == rankOn(rows, cols)
}

// everyone is the people of all the sets.
func everyone(sets ...[]string) []string { return union(sets...) }

// outside is the people of all not in s.
func outside(all, s []string) []string {
	return slices.DeleteFunc(slices.Clone(all), func(p string) bool { return slices.Contains(s, p) })
}

// carries checks a withheld verdict: the results in With and the candidate
// have a combination that vanishes outside Small, the candidate is no
// combination of the released results, and Small is under k.
func carries(released [][]string, cand []string, res famResult) bool {
	var with [][]string
	for _, i := range res.With {
		with = append(with, released[i])
	}
	all := everyone(append(released, cand)...)
	return len(res.Small) > 0 && solvable(with, cand, outside(all, res.Small)) && !solvable(released, cand, all)
}

// bruteLeak decides by enumeration over people, not atoms, whether some
// set S of fewer than k people carries a combination that uses cand and is
// new (cand is no combination of released), and whether the span of the
// whole family (full) or of the released sets alone (old) holds a nonzero
// vector within such an S.
func bruteLeak(released [][]string, cand []string, k int) (leak, full, old bool) {
	all := everyone(append(released, cand)...)
	size := min(k-1, len(all))
	if size == 0 {
		return false, false, false
	}
	newInfo := !solvable(released, cand, all)
	family := append(slices.Clone(released), cand)
	// The span holds a nonzero vector within S iff dropping the people
	// of S lowers the rank.
	spans := func(rows [][]string, S []string) bool {
		return rankOn(rows, outside(all, S)) < rankOn(rows, all)
	}
	for S := range subsets(all, size) {
		leak = leak || newInfo && solvable(released, cand, outside(all, S))
		full = full || spans(family, S)
		old = old || spans(released, S)
	}
	return leak, full, old
}

// subsets yields every subset of all with n members.
func subsets(all []string, n int) func(func([]string) bool) {
	return func(yield func([]string) bool) {
		var rec func(from int, cur []string) bool
		rec = func(from int, cur []string) bool {
			if len(cur) == n {
				return yield(slices.Clone(cur))
			}
			for i := from; i <= len(all)-(n-len(cur)); i++ {
				if !rec(i+1, append(cur, all[i])) {
					return false
				}
			}
			return true
		}
		rec(0, nil)
	}
}

// TestFamilyMatchesBruteForce: on small random families, checkFamily (with
// either arithmetic) withholds exactly when enumeration finds a set of
// fewer than k people carrying a new combination; when the released family
// was itself safe, exactly when the whole family's span holds a vector on
// fewer than k people; and a withheld verdict names a set that carries one.
func TestFamilyMatchesBruteForce(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		n := rapid.IntRange(1, 12).Draw(rt, "people")
		k := rapid.SampledFrom([]int{3, 4, 5}).Draw(rt, "k")
		sets := rapid.IntRange(1, 7).Draw(rt, "sets")
		var family [][]string
		prev := 0
		for i := range sets {
			mask := rapid.IntRange(0, 1<<n-1).Draw(rt, fmt.Sprintf("set_%d", i))
			if i > 0 && rapid.Bool().Draw(rt, fmt.Sprintf("near_%d", i)) {
				// A near copy of the previous set: joins and leaves.
				mask = prev
				for j := range rapid.IntRange(1, 3).Draw(rt, fmt.Sprintf("moves_%d", i)) {
					mask ^= 1 << rapid.IntRange(0, n-1).Draw(rt, fmt.Sprintf("move_%d_%d", i, j))
				}
			}
			prev = mask
			family = append(family, maskSet(mask, n))
		}
		famAgrees(rt, family[:len(family)-1], family[len(family)-1], k)
	})
}

// TestFamilyMatchesBruteForceWide runs the same comparison on families
// drawn evenly over 6 to 12 people, where safe released families are
// common (rapid favours small draws).
func TestFamilyMatchesBruteForceWide(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	runs := 600
	if testing.Short() {
		runs = 100
	}
	for range runs {
		n, k := 6+rng.IntN(7), 3+rng.IntN(3)
		var family [][]string
		for range 1 + rng.IntN(7) {
			family = append(family, maskSet(rng.IntN(1<<n), n))
		}
		famAgrees(t, family[:len(family)-1], family[len(family)-1], k)
	}
}

func maskSet(mask, n int) []string {
	var s []string
	for j := range n {
		if mask&(1<<j) != 0 {
			s = append(s, fmt.Sprintf("p%02d", j+1))
		}
	}
	return s
}

// famAgrees compares checkFamily with bruteLeak on one family.
func famAgrees(t interface{ Fatalf(string, ...any) }, released [][]string, cand []string, k int) {
	leak, full, old := bruteLeak(released, cand, k)
	for _, mode := range []famArith{famAuto, famRational} {
		res, _ := famCheck(released, cand, k, famBudget, mode)
		switch {
		case res.TooMany:
			t.Fatalf("mode %d: TooMany on %v then %v", mode, released, cand)
		case res.Safe == leak:
			t.Fatalf("mode %d: safe %v, but brute force finds a new small combination: %v (%v then %v, k %d)", mode, res.Safe, leak, released, cand, k)
		case !old && res.Safe == full:
			t.Fatalf("mode %d: safe %v on a safe released family, brute force on the span: unsafe %v (%v then %v, k %d)", mode, res.Safe, full, released, cand, k)
		case !res.Safe && (len(res.Small) >= k || !carries(released, cand, res)):
			t.Fatalf("mode %d: %+v does not carry a combination under %d (%v then %v)", mode, res, k, released, cand)
		}
	}
}

func TestDescribeFamily(t *testing.T) {
	names := map[string]string{"p01": "Ann", "p02": "Dee", "p03": "Eli"}
	labels := []string{"wave 1 of Innovation", "wave 2 of Innovation", "wave 3 of Innovation"}
	cases := []struct {
		res  famResult
		want string
	}{
		{famResult{Safe: true}, ""},
		{famResult{Small: []string{"p03", "p02"}, With: []int{2}},
			"Comparing it with wave 3 of Innovation could single out the answers of Dee and Eli: results need at least 5 people behind every comparison. " +
				"Results come back when the people asked differ from those earlier groups by at least 5, or are the same people as in wave 3 of Innovation."},
		{famResult{Small: []string{"p01"}, With: []int{0, 1}},
			"Comparing it with wave 1 of Innovation and wave 2 of Innovation could single out the answers of Ann: results need at least 5 people behind every comparison. " +
				"Results come back when the people asked differ from those earlier groups by at least 5, or are the same people as in one of them."},
		{famResult{Small: []string{"p01", "p09"}, With: []int{0, 1, 7}},
			"Comparing it with wave 1 of Innovation, wave 2 of Innovation and an earlier result could single out the answers of Ann and one other person: results need at least 5 people behind every comparison. " +
				"Results come back when the people asked differ from those earlier groups by at least 5, or are the same people as in one of them."},
		{famResult{Small: []string{"p08", "p09"}}, "On its own it could single out the answers of 2 people: results need at least 5 people behind every comparison."},
		{famResult{TooMany: true}, "Your earlier results overlap in too many ways to check that this one is safe, so it stays hidden."},
	}
	for _, c := range cases {
		if got := describeFamily(c.res, names, labels, 5); got != c.want {
			t.Errorf("%+v:\n got %q\nwant %q", c.res, got, c.want)
		}
	}
	// The words come from checkFamily's own verdict.
	res := checkFamily([][]string{ids(1, 5), ids(1, 10)}, ids(6, 11), 5)
	got := describeFamily(res, map[string]string{"p11": "Kim"}, []string{"wave 1 of North", "wave 2 of North"}, 5)
	if !strings.Contains(got, "wave 1 of North and wave 2 of North could single out the answers of Kim") {
		t.Errorf("three sets: %q", got)
	}
}
