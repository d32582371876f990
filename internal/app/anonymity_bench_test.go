package app

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// famLeader is a leader's released populations after two years: 5 teams of
// 12, a wave a month each, one or two joins or leaves every few months,
// and now and then a pulse to half a team. Each wave goes through
// checkFamily as it would at launch; a withheld wave is followed, as the
// pulse page advises, by one to the people of the team's last released
// wave still there, when that is possible.
type famLeader struct {
	released   [][]string
	members    [][]string // each team's people now
	last       [][]string // each team's last released wave
	checks     int        // candidates checked
	withheld   int
	tooMany    int
	maxNodes   int
	totalNodes int
}

func newFamLeader(k int) *famLeader {
	rng := rand.New(rand.NewPCG(2026, 5))
	l := &famLeader{}
	next := 0
	person := func(team int) string {
		next++
		return fmt.Sprintf("t%d-%03d", team, next)
	}
	last := make([][]string, 5)
	l.last = last
	for t := range 5 {
		var m []string
		for range 12 {
			m = append(m, person(t))
		}
		l.members = append(l.members, m)
	}
	for month := range 24 {
		for t := range 5 {
			m := l.members[t]
			if month > 0 && rng.IntN(3) == 0 { // every few months
				for range 1 + rng.IntN(2) {
					if rng.IntN(2) == 0 || len(m) <= 8 {
						m = append(m, person(t))
					} else {
						i := rng.IntN(len(m))
						m = slices.Delete(slices.Clone(m), i, i+1)
					}
				}
				l.members[t] = m
			}
			switch {
			case l.launch(slices.Clone(m), k):
				last[t] = slices.Clone(m)
			case last[t] != nil && !slices.ContainsFunc(last[t], func(p string) bool { return !slices.Contains(m, p) }):
				l.launch(last[t], k) // the same people as before
			}
			if rng.IntN(6) == 0 { // a sub-team
				l.launch(slices.Clone(m[:len(m)/2]), k)
			}
		}
	}
	return l
}

// launch checks a candidate and releases it if safe.
func (l *famLeader) launch(cand []string, k int) bool {
	res, nodes := famCheck(l.released, cand, k, famBudget, famAuto)
	l.checks++
	l.totalNodes += nodes
	l.maxNodes = max(l.maxNodes, nodes)
	if res.TooMany {
		l.tooMany++
	}
	if !res.Safe {
		l.withheld++
		return false
	}
	l.released = append(l.released, cand)
	return true
}

// TestFamilyLeader: the realistic leader's families stay far inside the
// budget.
func TestFamilyLeader(t *testing.T) {
	l := newFamLeader(5)
	t.Logf("%d candidates, %d released, %d withheld, %d too many; nodes: %d at most, %d in all",
		l.checks, len(l.released), l.withheld, l.tooMany, l.maxNodes, l.totalNodes)
	if l.tooMany > 0 || l.maxNodes > famBudget/100 {
		t.Errorf("a realistic leader needed %d nodes (%d searches gave up)", l.maxNodes, l.tooMany)
	}
}

func BenchmarkCheckFamily(b *testing.B) {
	l := newFamLeader(5)
	team := l.members[0]
	cases := []struct {
		name string
		cand []string
	}{
		{"leader/newest", team},
		{"leader/newest-and-a-join", append(slices.Clone(team), "newcomer")},
		{"leader/last-released-again", l.last[0]},
		{"leader/sub-team", team[:len(team)/2]},
		{"leader/two-teams", append(slices.Clone(team), l.members[1]...)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var res famResult
			var nodes int
			for b.Loop() {
				res, nodes = famCheck(l.released, c.cand, 5, famBudget, famAuto)
			}
			b.ReportMetric(float64(nodes), "nodes/op")
			if res.Safe {
				b.ReportMetric(1, "safe")
			}
		})
	}
	b.Run("leader/two-years", func(b *testing.B) {
		for b.Loop() {
			newFamLeader(5)
		}
		b.ReportMetric(float64(l.checks), "checks/op")
	})
	rel, cand, k := famWorstCase(26)
	b.Run("worst-case", func(b *testing.B) {
		var nodes int
		for b.Loop() {
			_, nodes = famCheck(rel, cand, k, famBudget, famAuto)
		}
		b.ReportMetric(float64(nodes), "nodes/op")
	})
}
