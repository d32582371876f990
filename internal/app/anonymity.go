package app

import (
	"fmt"
	"math/big"
	"slices"
)

// labelledSet is the respondent set behind one released result.
type labelledSet struct {
	Label string
	IDs   []string
	// N is how many answered. Uncertain marks a shared-link result where
	// fewer answered than were asked: IDs is then everyone asked, and who
	// of them answered is unknown, to the system as much as to the leader.
	N         int
	Uncertain bool
}

// leak reports why releasing a result whose respondents are cand would
// let a viewer who already has the released results learn something about
// fewer than k people, or "" when it would not. Two rules, the second
// stronger than the first:
//
//  1. No two results may differ by fewer than k people (MODEL.md §12):
//     with overlapping groups, subtracting one from the other isolates
//     the difference.
//  2. No combination of results may isolate one person. Pairs are not
//     enough: A = {1..5}, B = {1..10} and C = {6..11} differ pairwise by
//     at least 5, yet C − (B − A) is person 11. With every result a sum
//     over its respondents (the worst case: people answer the same way in
//     every wave), a single answer is recoverable exactly when that
//     person's unit vector lies in the span of the results' 0/1 vectors;
//     exact Gaussian elimination decides it.
//
// A third rule covers the uncertain results of shared links: when either
// of two overlapping results may stand for only part of the people asked,
// their true respondent sets may differ by as few as their counts do, so
// the counts must differ by at least k. (Two waves of one team of 10 with
// 10 and 9 answers would otherwise give away the one who skipped.)
func leak(released []labelledSet, candSet labelledSet, k int) string {
	cand := candSet.IDs
	in := map[string]bool{}
	for _, id := range cand {
		in[id] = true
	}
	for _, s := range released {
		if !candSet.Uncertain && !s.Uncertain {
			continue
		}
		overlap := false
		for _, id := range s.IDs {
			if in[id] {
				overlap = true
				break
			}
		}
		if d := candSet.N - s.N; overlap && d > -k && d < k {
			return fmt.Sprintf("it came through a shared link that not everyone answered, and its count is within %d of %s's, so comparing the two could reveal the answers of those who did or did not answer; this result stays hidden", k, s.Label)
		}
	}
	for _, s := range released {
		overlap, only := 0, 0
		for _, id := range s.IDs {
			if in[id] {
				overlap++
			} else {
				only++
			}
		}
		diff := only + (len(in) - overlap)
		if overlap > 0 && diff > 0 && diff < k {
			return fmt.Sprintf("the people who answered differ from those behind %s by fewer than %d, so comparing the two could reveal their answers; this result stays hidden", s.Label, k)
		}
	}
	sets := make([][]string, 0, len(released)+1)
	for _, s := range released {
		sets = append(sets, s.IDs)
	}
	sets = append(sets, cand)
	if isolates(sets) && !isolates(sets[:len(sets)-1]) {
		return "combined with the results you already have, this one would pin down a single person's answers; it stays hidden"
	}
	return ""
}

// isolates reports whether some unit vector lies in the span of the sets'
// indicator vectors: whether some combination of the results is one
// person alone. In reduced row echelon form a unit vector e_i is in the
// row space exactly when one of the rows is e_i.
func isolates(sets [][]string) bool {
	var people []string
	for _, s := range sets {
		people = append(people, s...)
	}
	slices.Sort(people)
	people = slices.Compact(people)
	col := make(map[string]int, len(people))
	for i, p := range people {
		col[p] = i
	}
	rows := make([][]*big.Rat, 0, len(sets))
	for _, s := range sets {
		if len(s) == 0 {
			continue
		}
		row := make([]*big.Rat, len(people))
		for i := range row {
			row[i] = new(big.Rat)
		}
		for _, p := range s {
			row[col[p]].SetInt64(1)
		}
		rows = append(rows, row)
	}
	rank := 0
	for c := 0; c < len(people) && rank < len(rows); c++ {
		pivot := -1
		for r := rank; r < len(rows); r++ {
			if rows[r][c].Sign() != 0 {
				pivot = r
				break
			}
		}
		if pivot < 0 {
			continue
		}
		rows[rank], rows[pivot] = rows[pivot], rows[rank]
		inv := new(big.Rat).Inv(rows[rank][c])
		for j := range rows[rank] {
			rows[rank][j].Mul(rows[rank][j], inv)
		}
		for r := range rows {
			if r == rank || rows[r][c].Sign() == 0 {
				continue
			}
			f := new(big.Rat).Set(rows[r][c])
			for j := range rows[r] {
				rows[r][j].Sub(rows[r][j], new(big.Rat).Mul(f, rows[rank][j]))
			}
		}
		rank++
	}
	for _, row := range rows[:rank] {
		nonzero := 0
		for _, v := range row {
			if v.Sign() != 0 {
				nonzero++
			}
		}
		if nonzero == 1 {
			return true
		}
	}
	return false
}
