package chart

import (
	"math"
	"sort"
	"strconv"
)

// The map's grouping of points whose markers would overlap into one
// marker with a count (see PowerTrustMap).

// pointGroup is one marker on the map: a point, or points so close that
// their markers would overlap, drawn as one with a count.
type pointGroup struct {
	members []int   // indexes of the points, in input order
	x, y    float64 // the marker's centre: the mean of the members'
	quad    string  // the members' quadrant; "mixed" when they differ
}

func (g pointGroup) r() float64 {
	switch {
	case len(g.members) == 1:
		return markExtent
	case len(g.members) < 10:
		return groupR
	}
	return groupRWide
}

// interval is the hull of the members' trust intervals.
func (g pointGroup) interval(pts []MapPoint) (float64, float64, bool) {
	lo, hi, any := 1.0, 0.0, false
	for _, i := range g.members {
		if l, h, ok := interval(pts[i].TrustLow, pts[i].TrustHigh, 0, 1); ok {
			lo, hi, any = min(lo, l), max(hi, h), true
		}
	}
	return lo, hi, any
}

// lines are the names a group's label shows: each member's, or, for a
// large group, the first few and how many more.
func (g pointGroup) lines(pts []MapPoint) (out []string, more bool) {
	for _, i := range g.members {
		if pts[i].Name != "" {
			out = append(out, truncate(pts[i].Name, 16))
		}
	}
	if len(out) > groupLines {
		n := len(out) - (groupLines - 1)
		return append(out[:groupLines-1], "+"+strconv.Itoa(n)+" more"), true
	}
	return out, false
}

// groupPoints gathers points whose markers would overlap into groups: the
// closest pair of markers that overlap is merged, and again, until no two
// overlap. The result is the same for the same input.
func groupPoints(pts []MapPoint, x, y func(float64) float64) []pointGroup {
	gs := make([]pointGroup, len(pts))
	for i, p := range pts {
		gs[i] = pointGroup{members: []int{i}, x: x(p.Trust), y: y(p.Power), quad: p.Quadrant}
	}
	for {
		bi, bj, bd := -1, -1, 0.0
		for i := range gs {
			for j := i + 1; j < len(gs); j++ {
				dx, dy := gs[i].x-gs[j].x, gs[i].y-gs[j].y
				d2 := dx*dx + dy*dy
				reach := gs[i].r() + gs[j].r() + 1
				if d2 < reach*reach && (bi < 0 || d2 < bd) {
					bi, bj, bd = i, j, d2
				}
			}
		}
		if bi < 0 {
			break
		}
		a, b := gs[bi], gs[bj]
		n, k := float64(len(a.members)), float64(len(b.members))
		merged := pointGroup{
			members: append(append([]int{}, a.members...), b.members...),
			x:       (a.x*n + b.x*k) / (n + k),
			y:       (a.y*n + b.y*k) / (n + k),
			quad:    a.quad,
		}
		if a.quad != b.quad {
			merged.quad = "mixed"
		}
		sort.Ints(merged.members)
		gs[bi] = merged
		gs = append(gs[:bj], gs[bj+1:]...)
	}
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].members[0] < gs[j].members[0] })
	return gs
}

// crowdOrder is the order in which groups choose a place for their names:
// those with the most marks nearby first, since they have the fewest
// places left; then top to bottom, left to right.
func crowdOrder(gs []pointGroup) []int {
	const near = 90.0
	crowd := make([]int, len(gs))
	for i := range gs {
		for j := range gs {
			if i != j && math.Abs(gs[i].x-gs[j].x) < near && math.Abs(gs[i].y-gs[j].y) < near {
				crowd[i]++
			}
		}
	}
	order := make([]int, len(gs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		i, j := order[a], order[b]
		if crowd[i] != crowd[j] {
			return crowd[i] > crowd[j]
		}
		if gs[i].y != gs[j].y {
			return gs[i].y < gs[j].y
		}
		return gs[i].x < gs[j].x
	})
	return order
}
