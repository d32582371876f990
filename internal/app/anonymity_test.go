package app_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"pgregory.net/rapid"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/storetest"
)

// TestAnonymityAttacker is the property of issue 4 §3: an attacker who
// sees every result a leader can request, and who even knows exactly who
// answered each wave (more than any leader can know), tries to recover a
// single member's answer, and never can.
//
// Every member answers the same way in every wave, the worst case for
// differencing. Waves go to random sub-teams, and random members answer.
// A released result gives the attacker one linear equation per scale:
// the sum of the respondents' scale means is N·mean. A member's answer
// is recoverable exactly when their unit vector lies in the row space of
// those equations; the test decides that with its own floating-point
// elimination, independent of the service's exact arithmetic.
func TestAnonymityAttacker(t *testing.T) {
	if testing.Short() {
		fewChecks(10)
	} else {
		fewChecks(40)
	}
	rapid.Check(t, func(rt *rapid.T) {
		e := newEnv(t, backend{"sqlite", storetest.OpenSQLite})
		e.t = rt
		l := e.leader("Lena")
		k := rapid.SampledFrom([]int{3, 4, 5}).Draw(rt, "k")
		noErr(rt, e.app.SetSetting(e.ctx, l.ID, "anonymity_k", float64(k)))
		n := rapid.IntRange(k+1, 11).Draw(rt, "members")
		people := make([]*tl.Relationship, n)
		answers := make([]tl.PulseAnswers, n)
		truth := make([]float64, n) // each member's ability-scale mean
		for i := range n {
			people[i] = must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{
				Name: fmt.Sprintf("P%02d", i), Email: fmt.Sprintf("p%02d@example.org", i), Kind: engine.DirectReport,
			}))(rt)
			a1 := rapid.IntRange(1, 5).Draw(rt, fmt.Sprintf("a1_%d", i))
			a2 := rapid.IntRange(1, 5).Draw(rt, fmt.Sprintf("a2_%d", i))
			answers[i] = tl.PulseAnswers{Answers: map[string]int{"a1": a1, "a2": a2}}
			truth[i] = float64(a1+a2) / 2
		}
		var rows [][]float64 // the attacker's equations: indicator rows
		var sets [][]int
		waves := rapid.IntRange(2, 6).Draw(rt, "waves")
		for w := range waves {
			// A random sub-team of at least k people.
			var members []string
			var idx []int
			for i := range n {
				if rapid.Bool().Draw(rt, fmt.Sprintf("in_%d_%d", w, i)) {
					members = append(members, people[i].Person)
					idx = append(idx, i)
				}
			}
			if len(idx) < k {
				continue
			}
			p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Members: members}))(rt)
			var answered []int
			for _, i := range idx {
				if !rapid.Bool().Draw(rt, fmt.Sprintf("answers_%d_%d", w, i)) {
					continue
				}
				tok := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[i].ID))(rt)
				pass := must(e.app.OpenPulseLink(e.ctx, tok))(rt)
				noErr(rt, e.app.SubmitPulse(e.ctx, pass, answers[i]))
				answered = append(answered, i)
			}
			rep := must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(rt)
			e.clk.Advance(24 * time.Hour)
			if !rep.Released {
				if rep.Scales != nil || rep.N != 0 || rep.Comments != nil {
					rt.Fatalf("a withheld result shows numbers: %+v", rep)
				}
				continue
			}
			// The attacker's equation is true: the released mean is the
			// mean over exactly these respondents.
			var sum float64
			for _, i := range answered {
				sum += truth[i]
			}
			if rep.N != len(answered) || math.Abs(rep.Scales[0].Mean*float64(rep.N)-sum) > 1e-9 {
				rt.Fatalf("released N %d mean %.4f, but %d answered with sum %.2f", rep.N, rep.Scales[0].Mean, len(answered), sum)
			}
			if rep.N < k {
				rt.Fatalf("released with %d answers, k = %d", rep.N, k)
			}
			row := make([]float64, n)
			for _, i := range answered {
				row[i] = 1
			}
			rows = append(rows, row)
			sets = append(sets, answered)
		}
		// No two released results differ by 1..k−1 people.
		for a := range sets {
			for b := range a {
				d := symDiff(sets[a], sets[b])
				if d > 0 && d < k {
					rt.Fatalf("released results %v and %v differ by %d < k=%d people", sets[a], sets[b], d, k)
				}
			}
		}
		// No single answer is recoverable.
		base := rank(rows, n)
		for i := range n {
			unit := make([]float64, n)
			unit[i] = 1
			if rank(append(clone2(rows), unit), n) == base && len(rows) > 0 {
				rt.Fatalf("member %d's answer (%.1f) is recoverable from the released results %v", i, truth[i], sets)
			}
		}
	})
}

func symDiff(a, b []int) int {
	in := map[int]int{}
	for _, x := range a {
		in[x]++
	}
	for _, x := range b {
		in[x]--
	}
	d := 0
	for _, v := range in {
		if v != 0 {
			d++
		}
	}
	return d
}

func clone2(m [][]float64) [][]float64 {
	out := make([][]float64, len(m))
	for i, r := range m {
		out[i] = append([]float64(nil), r...)
	}
	return out
}

// rank is the rank of m (rows of width n) by Gaussian elimination with
// partial pivoting; entries are small integers, so 1e-9 separates zero.
func rank(m [][]float64, n int) int {
	m = clone2(m)
	r := 0
	for c := 0; c < n && r < len(m); c++ {
		p := r
		for i := r + 1; i < len(m); i++ {
			if math.Abs(m[i][c]) > math.Abs(m[p][c]) {
				p = i
			}
		}
		if math.Abs(m[p][c]) < 1e-9 {
			continue
		}
		m[r], m[p] = m[p], m[r]
		for i := r + 1; i < len(m); i++ {
			f := m[i][c] / m[r][c]
			for j := c; j < n; j++ {
				m[i][j] -= f * m[r][j]
			}
		}
		r++
	}
	return r
}
