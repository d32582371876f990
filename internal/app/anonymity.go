package app

import (
	"maps"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"strings"
)

// famResult is the verdict on a family of populations.
type famResult struct {
	Safe    bool
	Small   []string // when unsafe: the people a small combination stands on (fewer than k)
	With    []int    // when unsafe: indexes into released of the results that combination uses (with the candidate)
	TooMany bool     // the search was too large to finish: treat as unsafe (fail closed)
}

// famBudget bounds the search's nodes, each one an elimination step over
// the family's atoms. Two years of a leader with five changing teams need
// at most a handful per check; random results over 40 people need about as
// many as the budget allows, in half a second. A family that needs more is
// withheld (TooMany) rather than left unchecked.
const famBudget = 200_000

// checkFamily decides whether a result over the population cand may be
// released to a leader who already holds results over the populations
// released (docs/ANONYMITY.md rule 4, docs/MODEL.md choice 18). In the
// worst case everyone answers the same way in every wave, so each result
// is the sum of its population's answers, and whoever knows the
// populations can take any rational combination of the results. The
// result is released only if every combination that uses it stands on k
// people or more. A combination of the released results alone was checked
// when the last of them was released; when every release goes through
// checkFamily the released family holds none, and the rule is that every
// nonzero vector in the span of all the populations' 0/1 vectors has
// support of at least k. (A family released under an older rule may hold
// one; withholding everything after it would not unsay it.) The verdict
// reads populations only, never who answered, so it gives nothing away.
//
// The search, exact and usually fast:
//   - Only the sets linked to cand through shared people matter; any other
//     set only adds people to a combination.
//   - People in exactly the same sets are one atom: every combination gives
//     them the same weight, so a support is a union of atoms, and an atom of
//     k people or more can never be in a small one.
//   - v = cand − Σ λ_i released_i must vanish outside some set T of atoms
//     that weighs less than k. Branch and bound over the atoms: each atom is
//     either in T (which costs its weight) or outside it (which adds the
//     equation v_atom = 0 and so removes a dimension, or is inconsistent and
//     ends the branch). Atoms no remaining freedom reaches are settled
//     without branching. A path thus has at most d exclusions, d the
//     dimension left after the heavy atoms, and fewer than k inclusions:
//     about C(d+k−1, k−1) leaves rather than one per light set of atoms.
//   - The arithmetic is modulo 2^61 − 1, which is exact here: every decision
//     is the rank of some columns of a 0/1 matrix of rank ρ; its nonzero
//     minors have size at most ρ and, by Hadamard's bound, absolute value at
//     most (ρ+1)^((ρ+1)/2)/2^ρ, which is below the prime while ρ ≤ 36, so
//     no minor vanishes modulo the prime. Past 36 the same search runs over
//     math/big rationals. A leak found is confirmed, and its combination
//     solved, over the rationals before it is reported.
func checkFamily(released [][]string, cand []string, k int) famResult {
	res, _ := famCheck(released, cand, k, famBudget, famAuto)
	return res
}

// famModularMaxRank is the largest rank at which the Hadamard bound stays
// below famPrime (checked by TestFamilyHadamardBound).
const famModularMaxRank = 36

// famExactCost is how many modular nodes one rational node counts for in
// the budget: the rational search is for rare, large families, and its
// nodes are slower.
const famExactCost = 100

// famArith chooses the search's arithmetic: modulo famPrime when that is
// exact (famAuto), or always one of the two, for tests.
type famArith int

const (
	famAuto famArith = iota
	famModular
	famRational
)

// famCheck is checkFamily with the budget and the arithmetic chosen; it
// also returns the nodes the search took.
func famCheck(released [][]string, cand []string, k, budget int, mode famArith) (famResult, int) {
	if k <= 1 {
		return famResult{Safe: true}, 0
	}
	p := newFamProblem(released, cand, k)
	if len(p.atoms) == 0 {
		return famResult{Safe: true}, 0
	}
	exact := mode == famRational
	if mode == famAuto && min(len(p.rows)+1, len(p.atoms)) > famModularMaxRank {
		gens, _, inSpan := famBasis(famQ{}, p)
		if inSpan {
			return famResult{Safe: true}, 0
		}
		exact = len(gens)+1 > famModularMaxRank
	}
	var T []int
	var inSpan bool
	var nodes int
	if exact {
		T, inSpan, nodes = famSearch(famQ{}, p, budget/famExactCost)
		nodes *= famExactCost
	} else {
		T, inSpan, nodes = famSearch(famModP{}, p, budget)
	}
	switch {
	case inSpan:
		return famResult{Safe: true}, nodes
	case nodes > budget:
		return famResult{TooMany: true}, nodes
	case T == nil:
		return famResult{Safe: true}, nodes
	}
	if res, ok := p.confirm(T); ok {
		return res, nodes
	}
	// Unreachable by the argument above; if it were reached, withholding is
	// the safe side.
	return famResult{TooMany: true}, nodes
}

// famProblem is a family reduced to atoms: rows are the distinct released
// populations linked to the candidate, columns the atoms.
type famProblem struct {
	k      int
	atoms  [][]string // the people of each atom, sorted
	weight []int
	rows   [][]bool
	rowIdx []int // the first index into released of each row
	cand   []bool
}

func newFamProblem(released [][]string, cand []string, k int) *famProblem {
	sets := make(map[string][]int, 2*len(cand)) // person → the released sets holding them
	for i, s := range released {
		for _, id := range s {
			if l := sets[id]; len(l) == 0 || l[len(l)-1] != i {
				sets[id] = append(l, i)
			}
		}
	}
	inCand := map[string]bool{}
	var people []string // the candidate's people, then those linked to them
	for _, id := range cand {
		if !inCand[id] {
			inCand[id] = true
			people = append(people, id)
		}
	}
	seen := maps.Clone(inCand)
	linked := make([]bool, len(released))
	for q := 0; q < len(people); q++ {
		for _, i := range sets[people[q]] {
			if linked[i] {
				continue
			}
			linked[i] = true
			for _, id := range released[i] {
				if !seen[id] {
					seen[id] = true
					people = append(people, id)
				}
			}
		}
	}
	// Distinct populations become rows: the same people asked twice give
	// one equation.
	p := &famProblem{k: k}
	rowOf := make([]int, len(released))
	byKey := map[string]int{}
	for i, s := range released {
		if !linked[i] {
			continue
		}
		key := strings.Join(slices.Compact(slices.Sorted(slices.Values(s))), "\x00")
		r, ok := byKey[key]
		if !ok {
			r = len(p.rowIdx)
			byKey[key] = r
			p.rowIdx = append(p.rowIdx, i)
		}
		rowOf[i] = r
	}
	// A person's signature: in the candidate or not, and their rows.
	atomOf := map[string]int{}
	var sigs [][]int
	var sig []byte
	for _, id := range people {
		var rs []int
		for _, i := range sets[id] {
			rs = append(rs, rowOf[i])
		}
		slices.Sort(rs)
		rs = slices.Compact(rs)
		sig = sig[:0]
		if inCand[id] {
			sig = append(sig, 1)
		} else {
			sig = append(sig, 0)
		}
		for _, r := range rs {
			sig = strconv.AppendInt(append(sig, ','), int64(r), 10)
		}
		a, ok := atomOf[string(sig)]
		if !ok {
			a = len(p.atoms)
			atomOf[string(sig)] = a
			p.atoms = append(p.atoms, nil)
			p.weight = append(p.weight, 0)
			p.cand = append(p.cand, sig[0] == 1)
			sigs = append(sigs, rs)
		}
		p.atoms[a] = append(p.atoms[a], id)
		p.weight[a]++
	}
	p.rows = make([][]bool, len(p.rowIdx))
	for r := range p.rows {
		p.rows[r] = make([]bool, len(p.atoms))
	}
	for a, rs := range sigs {
		slices.Sort(p.atoms[a])
		for _, r := range rs {
			p.rows[r][a] = true
		}
	}
	return p
}

// famField is the arithmetic the search runs in: modulo famPrime, or over
// the rationals for families too large for the prime to be exact.
type famField[E any] interface {
	fromBit(b bool) E
	isZero(x E) bool
	normalize(g []E, j int)    // scale g so that g[j] = 1
	eliminate(x, g []E, j int) // x −= x[j]·g, with g[j] = 1: x[j] becomes 0
	clone(x []E) []E
}

// famPrime is 2^61 − 1: products of two residues fit in 122 bits, and
// reducing them takes a shift and an add.
const famPrime = 1<<61 - 1

type famModP struct{}

func famMul(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	x := lo&famPrime + (lo>>61 | hi<<3) // 2^61 ≡ 1
	if x >= famPrime {
		x -= famPrime
	}
	return x
}

func (famModP) fromBit(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func (famModP) isZero(x uint64) bool { return x == 0 }

func (famModP) normalize(g []uint64, j int) {
	inv, e := uint64(1), uint64(famPrime-2) // Fermat: g[j]^(p−2)
	for b := g[j]; e > 0; e >>= 1 {
		if e&1 == 1 {
			inv = famMul(inv, b)
		}
		b = famMul(b, b)
	}
	for i, v := range g {
		if v != 0 {
			g[i] = famMul(v, inv)
		}
	}
}

func (famModP) eliminate(x, g []uint64, j int) {
	f := x[j]
	if f == 0 {
		return
	}
	for i, v := range g {
		if v != 0 {
			d := famMul(f, v)
			if x[i] >= d {
				x[i] -= d
			} else {
				x[i] += famPrime - d
			}
		}
	}
}

func (famModP) clone(x []uint64) []uint64 { return slices.Clone(x) }

type famQ struct{}

func (famQ) fromBit(b bool) *big.Rat {
	if b {
		return big.NewRat(1, 1)
	}
	return new(big.Rat)
}

func (famQ) isZero(x *big.Rat) bool { return x.Sign() == 0 }

func (famQ) normalize(g []*big.Rat, j int) {
	inv := new(big.Rat).Inv(g[j])
	for _, v := range g {
		v.Mul(v, inv)
	}
}

func (famQ) eliminate(x, g []*big.Rat, j int) {
	if x[j].Sign() == 0 {
		return
	}
	f, t := new(big.Rat).Set(x[j]), new(big.Rat)
	for i, v := range g {
		if v.Sign() != 0 {
			x[i].Sub(x[i], t.Mul(f, v))
		}
	}
}

func (famQ) clone(x []*big.Rat) []*big.Rat {
	out := make([]*big.Rat, len(x))
	for i, v := range x {
		out[i] = new(big.Rat).Set(v)
	}
	return out
}

// famBasis returns independent rows spanning the released populations and
// the candidate reduced by them; inSpan says the candidate is a
// combination of the released results, which then tells nothing new.
func famBasis[E any, F famField[E]](f F, p *famProblem) (gens [][]E, off []E, inSpan bool) {
	toE := func(row []bool) []E {
		out := make([]E, len(row))
		for j, b := range row {
			out[j] = f.fromBit(b)
		}
		return out
	}
	var piv []int
	reduce := func(x []E) int {
		for i, g := range gens {
			f.eliminate(x, g, piv[i])
		}
		return slices.IndexFunc(x, func(v E) bool { return !f.isZero(v) })
	}
	for _, row := range p.rows {
		x := toE(row)
		if j := reduce(x); j >= 0 {
			f.normalize(x, j)
			gens, piv = append(gens, x), append(piv, j)
		}
	}
	off = toE(p.cand)
	return gens, off, reduce(off) < 0
}

// famSearch looks for a set of atoms T, lighter than k, outside of which
// cand − Σ λ_i released_i can vanish. It returns T (nil if there is none),
// whether cand is already in the span, and the nodes it took (more than
// budget: it gave up).
func famSearch[E any, F famField[E]](f F, p *famProblem, budget int) (T []int, inSpan bool, nodes int) {
	gens, off, inSpan := famBasis(f, p)
	if inSpan {
		return nil, true, 0
	}
	s := &famBnB[E, F]{f: f, p: p, budget: budget, state: make([]int8, len(p.atoms))}
	// Heavy atoms are outside every T: their equations come first, for
	// free.
	for j, w := range p.weight {
		if w < p.k {
			continue
		}
		s.state[j] = famOut
		var ok bool
		if gens, off, ok = s.exclude(gens, off, j); !ok {
			return nil, false, 0
		}
	}
	if s.dfs(gens, off, 0) {
		return s.found, false, s.nodes
	}
	return nil, false, s.nodes
}

const (
	famOpen int8 = iota
	famIn
	famOut
)

type famBnB[E any, F famField[E]] struct {
	f      F
	p      *famProblem
	budget int
	nodes  int
	state  []int8 // per atom: open, in T, outside T
	found  []int
}

// exclude adds the equation v_j = 0 by pivoting on a generator that
// reaches atom j; ok is false when none does and off[j] ≠ 0, so v_j cannot
// vanish. Rows are never changed once made: a row the pivot does not
// touch is shared with the caller, the others are copied.
func (s *famBnB[E, F]) exclude(gens [][]E, off []E, j int) (_ [][]E, _ []E, ok bool) {
	pi := slices.IndexFunc(gens, func(g []E) bool { return !s.f.isZero(g[j]) })
	if pi < 0 {
		return gens, off, s.f.isZero(off[j])
	}
	g := s.f.clone(gens[pi])
	s.f.normalize(g, j)
	step := func(h []E) []E {
		if s.f.isZero(h[j]) {
			return h
		}
		h = s.f.clone(h)
		s.f.eliminate(h, g, j)
		return h
	}
	out := make([][]E, 0, len(gens)-1)
	for i, h := range gens {
		if i != pi {
			out = append(out, step(h))
		}
	}
	return out, step(off), true
}

// dfs explores the atoms still open, with weight already in T. An open
// atom no generator reaches is settled: in T if v is nonzero there,
// outside otherwise; so only atoms some λ still moves are branched on.
func (s *famBnB[E, F]) dfs(gens [][]E, off []E, weight int) bool {
	if s.nodes++; s.nodes > s.budget {
		return false
	}
	forced, branch := 0, -1
	for j, st := range s.state {
		if st != famOpen {
			continue
		}
		if slices.ContainsFunc(gens, func(g []E) bool { return !s.f.isZero(g[j]) }) {
			if branch < 0 || s.p.weight[j] > s.p.weight[branch] {
				branch = j
			}
		} else if !s.f.isZero(off[j]) {
			forced += s.p.weight[j]
		}
	}
	if weight+forced >= s.p.k {
		return false
	}
	if branch < 0 {
		for j, st := range s.state {
			if st == famIn || st == famOpen && !s.f.isZero(off[j]) {
				s.found = append(s.found, j)
			}
		}
		return true
	}
	j := branch
	g, o, _ := s.exclude(gens, off, j) // a generator reaches j: always ok
	s.state[j] = famOut
	if s.dfs(g, o, weight) {
		return true
	}
	if weight+s.p.weight[j]+forced < s.p.k {
		s.state[j] = famIn
		if s.dfs(gens, off, weight+s.p.weight[j]) {
			return true
		}
	}
	s.state[j] = famOpen
	return false
}

// solve finds λ, over the rationals, with cand − Σ λ_i rows_i zero on
// every atom outside T; nil when there is none. Free λ are 0 (a basic
// solution), so the combination names few results.
func (p *famProblem) solve(T []int) []*big.Rat {
	n := len(p.rows)
	var eqs [][]*big.Rat // one per atom outside T: Σ λ_i rows_i = cand
	for j := range p.atoms {
		if slices.Contains(T, j) {
			continue
		}
		e := make([]*big.Rat, n+1)
		for i, row := range p.rows {
			e[i] = famQ{}.fromBit(row[j])
		}
		e[n] = famQ{}.fromBit(p.cand[j])
		eqs = append(eqs, e)
	}
	var pivots []int
	for c := 0; c < n && len(pivots) < len(eqs); c++ {
		r := len(pivots)
		pi := slices.IndexFunc(eqs[r:], func(e []*big.Rat) bool { return e[c].Sign() != 0 })
		if pi < 0 {
			continue
		}
		eqs[r], eqs[r+pi] = eqs[r+pi], eqs[r]
		famQ{}.normalize(eqs[r], c)
		for e := range eqs {
			if e != r {
				famQ{}.eliminate(eqs[e], eqs[r], c)
			}
		}
		pivots = append(pivots, c)
	}
	for _, e := range eqs[len(pivots):] {
		if e[n].Sign() != 0 {
			return nil
		}
	}
	lambda := make([]*big.Rat, n)
	for i := range lambda {
		lambda[i] = new(big.Rat)
	}
	for r, c := range pivots {
		lambda[c].Set(eqs[r][n])
	}
	return lambda
}

// confirm checks over the rationals what the search found: the candidate
// is no combination of the released results, and one combination with it
// vanishes outside T. It reports who that combination stands on and which
// released results it uses.
func (p *famProblem) confirm(T []int) (famResult, bool) {
	if p.solve(nil) != nil {
		return famResult{}, false
	}
	lambda := p.solve(T)
	if lambda == nil {
		return famResult{}, false
	}
	var res famResult
	for j, people := range p.atoms {
		v := famQ{}.fromBit(p.cand[j])
		for i, l := range lambda {
			if p.rows[i][j] {
				v.Sub(v, l)
			}
		}
		if v.Sign() != 0 {
			res.Small = append(res.Small, people...)
		}
	}
	for i, l := range lambda {
		if l.Sign() != 0 {
			res.With = append(res.With, p.rowIdx[i])
		}
	}
	slices.Sort(res.Small)
	slices.Sort(res.With)
	return res, len(res.Small) > 0 && len(res.Small) < p.k
}
