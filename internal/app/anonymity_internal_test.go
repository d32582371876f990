package app

import (
	"fmt"
	"strings"
	"testing"
)

func ids(from, to int) []string {
	var out []string
	for i := from; i <= to; i++ {
		out = append(out, fmt.Sprintf("p%02d", i))
	}
	return out
}

func TestLeakPairwise(t *testing.T) {
	a := labelledSet{Label: "wave 1 of team T", IDs: ids(1, 6)}
	cases := []struct {
		name string
		cand []string
		leak bool
	}{
		{"same people", ids(1, 6), false},
		{"one more", ids(1, 7), true},
		{"four more", ids(1, 10), true},
		{"five more", ids(1, 11), false},
		{"one fewer", ids(1, 5), true},
		{"disjoint", ids(7, 12), false},
		{"swap one", append(ids(1, 5), "p07"), true},
	}
	for _, c := range cases {
		why := leak([]labelledSet{a}, labelledSet{IDs: c.cand, N: len(c.cand)}, 5)
		if (why != "") != c.leak {
			t.Errorf("%s: leak %q, want leak %v", c.name, why, c.leak)
		}
		if c.leak && !strings.Contains(why, "wave 1 of team T") {
			t.Errorf("%s: the reason %q does not name the other result", c.name, why)
		}
	}
}

// TestLeakThreeSets is the case the pairwise rule misses: C − (B − A) is
// one person.
func TestLeakThreeSets(t *testing.T) {
	A, B, C := ids(1, 5), ids(1, 10), ids(6, 11)
	rel := []labelledSet{{Label: "A", IDs: A}, {Label: "B", IDs: B}}
	if why := leak(rel[:1], labelledSet{IDs: B, N: len(B)}, 5); why != "" {
		t.Fatalf("B after A: %q", why)
	}
	why := leak(rel, labelledSet{IDs: C, N: len(C)}, 5)
	if why == "" || !strings.Contains(why, "single person") {
		t.Fatalf("C after A and B: %q, want the span rule to withhold it", why)
	}
	if !isolates([][]string{A, B, C}) || isolates([][]string{A, B}) {
		t.Fatal("isolates: wrong on the three-set example")
	}
	if isolates([][]string{ids(1, 5), ids(1, 5), ids(6, 10)}) {
		t.Fatal("isolates: disjoint groups of five isolate nobody")
	}
}

// TestLeakSharedLinkCounts: a shared link's result stands for an unknown
// part of the people asked, so two overlapping results need counts at
// least k apart.
func TestLeakSharedLinkCounts(t *testing.T) {
	team := ids(1, 10)
	full := labelledSet{Label: "wave 1 of team T", IDs: team, N: 10}
	for _, c := range []struct {
		n    int
		leak bool
	}{{9, true}, {6, true}, {10, false}, {5, false}} {
		cand := labelledSet{IDs: team, N: c.n, Uncertain: c.n < len(team)}
		if why := leak([]labelledSet{full}, cand, 5); (why != "") != c.leak {
			t.Errorf("10 then %d answers: leak %q, want %v", c.n, why, c.leak)
		}
	}
	// Disjoint teams never compare.
	other := labelledSet{IDs: ids(11, 20), N: 9, Uncertain: true}
	if why := leak([]labelledSet{full}, other, 5); why != "" {
		t.Errorf("another team: %q", why)
	}
}
