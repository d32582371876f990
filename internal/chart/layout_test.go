package chart

import (
	"fmt"
	"math"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Label placement: these tests read the boxes of the text a chart prints
// (estimated with the same font metrics the layout uses; the browser test
// in internal/e2e measures the real ones) and of its markers.

func attrF(t *testing.T, n *node, a string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(n.attrs[a], 64)
	if err != nil {
		t.Fatalf("<%s %s=%q>: %v", n.name, a, n.attrs[a], err)
	}
	return v
}

// textBoxOf is the box of a <text> element as the layout estimates it.
func textBoxOf(t *testing.T, n *node, size float64, bold bool) box {
	t.Helper()
	anchor := n.attrs["text-anchor"]
	if anchor == "" {
		anchor = "start"
	}
	return textBox(n.text, size, attrF(t, n, "x"), attrF(t, n, "y"), anchor, bold)
}

var pathNumbers = regexp.MustCompile(`-?[0-9.]+`)

// markerBox is the box of a point's marker: a circle, a square or a
// triangle or diamond path (M x y L x y … Z).
func markerBox(t *testing.T, n *node) box {
	t.Helper()
	switch n.name {
	case "circle":
		return around(attrF(t, n, "cx"), attrF(t, n, "cy"), attrF(t, n, "r"))
	case "rect":
		x, y := attrF(t, n, "x"), attrF(t, n, "y")
		return box{x, y, x + attrF(t, n, "width"), y + attrF(t, n, "height")}
	case "path":
		vs := pathNumbers.FindAllString(n.attrs["d"], -1)
		b := box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
		for i := 0; i+1 < len(vs); i += 2 {
			x, _ := strconv.ParseFloat(vs[i], 64)
			y, _ := strconv.ParseFloat(vs[i+1], 64)
			b = box{min(b.x0, x), min(b.y0, y), max(b.x1, x), max(b.y1, y)}
		}
		return b
	}
	t.Fatalf("marker <%s>", n.name)
	return box{}
}

// mapLayout is what a map prints, read back from its SVG.
type mapLayout struct {
	labels  []box    // names, quadrant names and notes
	texts   []string // … and their words, parallel
	markers []box    // every point's or group's marker
	names   []string // the names printed beside points
}

func readMap(t *testing.T, svg []byte) mapLayout {
	t.Helper()
	root := parse(t, svg)
	var l mapLayout
	for _, n := range root.all("tl-point-label") {
		l.labels = append(l.labels, textBoxOf(t, n, labelSize, false))
		l.texts = append(l.texts, n.text)
		l.names = append(l.names, n.text)
	}
	for _, n := range root.all("tl-quadrant-label") {
		l.labels = append(l.labels, textBoxOf(t, n, quadSize, true))
		l.texts = append(l.texts, n.text)
	}
	for _, n := range root.all("tl-quadrant-note") {
		l.labels = append(l.labels, textBoxOf(t, n, labelSize, false))
		l.texts = append(l.texts, n.text)
	}
	for _, g := range root.all("tl-points") {
		for _, n := range g.all("tl-point") {
			l.markers = append(l.markers, markerBox(t, n))
		}
	}
	return l
}

// checkNoOverlap fails when two labels overlap, a label covers a marker,
// two markers overlap or a label leaves the plot.
func checkNoOverlap(t *testing.T, name string, l mapLayout) {
	t.Helper()
	plot := box{mapLeft, mapTop, mapLeft + mapSize, mapTop + mapSize}
	for i, a := range l.labels {
		if !a.within(plot) {
			t.Errorf("%s: label %q %v leaves the plot", name, l.texts[i], a)
		}
		for j := i + 1; j < len(l.labels); j++ {
			if a.overlaps(l.labels[j]) {
				t.Errorf("%s: labels %q %v and %q %v overlap", name, l.texts[i], a, l.texts[j], l.labels[j])
			}
		}
		for _, m := range l.markers {
			if a.overlaps(m) {
				t.Errorf("%s: label %q %v covers a marker %v", name, l.texts[i], a, m)
			}
		}
	}
	// Markers as discs: centre and radius from their boxes.
	disc := func(b box) (float64, float64, float64) {
		return (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2, max(b.x1-b.x0, b.y1-b.y0) / 2
	}
	for i, a := range l.markers {
		ax, ay, ar := disc(a)
		for j := i + 1; j < len(l.markers); j++ {
			bx, by, br := disc(l.markers[j])
			if math.Hypot(ax-bx, ay-by) < ar+br {
				t.Errorf("%s: markers %v and %v overlap: points that close are one group", name, a, l.markers[j])
			}
		}
	}
}

func TestMapLabelsAvoidEachOther(t *testing.T) {
	for name, m := range map[string]MapData{"lena": lenaMap(), "copies": copiesMap()} {
		l := readMap(t, PowerTrustMap(m))
		checkNoOverlap(t, name, l)
		if len(l.names) != len(m.Points) {
			t.Errorf("%s: names %q, want all %d", name, l.names, len(m.Points))
		}
	}
}

func crowdedMap() MapData {
	var pts []MapPoint
	for i := range 12 {
		p, e := 0.62+float64(i%4)*0.035, 0.55+float64(i/4)*0.04
		if i >= 9 {
			p, e = 0.9, 0.9 // three at one place
		}
		pts = append(pts, MapPoint{Name: fmt.Sprintf("Person number %02d", i), Power: p, Trust: e, TrustLow: e - 0.2, TrustHigh: e + 0.1, Quadrant: "influence"})
	}
	return MapData{ID: "crowded", Labels: true, Points: pts}
}

// TestMapCrowded packs many points with long names into a corner, with
// some at exactly the same place: every name is still printed, and nothing
// is printed over anything.
func TestMapCrowded(t *testing.T) {
	m := crowdedMap()
	pts := m.Points
	l := readMap(t, PowerTrustMap(m))
	checkNoOverlap(t, "crowded", l)
	if len(l.names) != len(pts) {
		t.Errorf("names %q, want all %d", l.names, len(pts))
	}
}

// TestMapRandom places random teams of up to 15, the most the dashboard
// labels: with duplicates, long and wide names, every name is printed
// and nothing overlaps.
func TestMapRandom(t *testing.T) {
	quads := []string{"influence", "compliance", "goodwill", "unanchored", "undetermined"}
	names := []string{"Al", "Ana", "Bartholomew", "Zoë", "李小龍", "Wiremu", "Maximiliana Featherstonehaugh", "MMMMMMMMMMMMMMM", "Ó Súilleabháin", "Dara"}
	for seed := uint64(1); seed <= 300; seed++ {
		r := rand.New(rand.NewPCG(seed, 12))
		n := 2 + r.IntN(14)
		var pts []MapPoint
		// Half the teams sit in one small corner of the map.
		spread := 1.0
		if seed%2 == 0 {
			spread = 0.25
		}
		for i := range n {
			p, e := 0.7+spread*(r.Float64()-0.7), 0.7+spread*(r.Float64()-0.7)
			if i > 0 && r.IntN(4) == 0 { // a copy of an earlier point
				p, e = pts[r.IntN(i)].Power, pts[r.IntN(i)].Trust
			}
			pts = append(pts, MapPoint{Name: names[r.IntN(len(names))] + strconv.Itoa(i), Power: p, Trust: e,
				TrustLow: e - r.Float64()*0.3, TrustHigh: e + r.Float64()*0.3, Quadrant: quads[r.IntN(len(quads))], Href: "/people/" + strconv.Itoa(i)})
		}
		svg := PowerTrustMap(MapData{Labels: true, Points: pts, TrustMid: 0.3 + r.Float64()*0.4, PowerMid: 0.3 + r.Float64()*0.4})
		l := readMap(t, svg)
		name := "seed " + strconv.FormatUint(seed, 10)
		checkNoOverlap(t, name, l)
		root := parse(t, svg)
		// Every person has a mark with a hover title, named once.
		if got := len(root.all("tl-mark")); got != n {
			t.Errorf("%s: %d marks for %d people", name, got, n)
		}
		shown := 0
		for _, g := range root.all("tl-group") {
			if c := len(g.all("tl-mark")); c > groupLines {
				shown += groupLines // the first names and "+N more"
				continue
			}
			shown += len(g.all("tl-mark"))
		}
		shown += len(root.all("tl-mark")) - countGrouped(root)
		if len(l.names) != shown {
			t.Errorf("%s: %d names printed, want %d:\n%s", name, len(l.names), shown, svg)
		}
		if t.Failed() {
			return
		}
	}
}

func countGrouped(root *node) int {
	n := 0
	for _, g := range root.all("tl-group") {
		n += len(g.all("tl-mark"))
	}
	return n
}

// TestMapGroupsCoincidentPoints: four people with the same numbers are one
// marker with the count 4, each name printed once beside it and linked to
// its person, each with its own hover title.
func TestMapGroupsCoincidentPoints(t *testing.T) {
	m := copiesMap()
	root := checkCommon(t, PowerTrustMap(m), "group")
	groups := root.all("tl-group")
	if len(groups) != 2 {
		t.Fatalf("%d groups, want 2 (the four copies, and Eli with Farah)", len(groups))
	}
	want := []struct {
		count string
		names []string
	}{{"4", []string{"Ana", "Ben", "Chen", "Dara"}}, {"2", []string{"Eli", "Farah"}}}
	for i, g := range groups {
		counts := g.all("tl-count")
		if len(counts) != 1 || counts[0].text != want[i].count {
			t.Errorf("group %d: count %v, want %s", i, counts, want[i].count)
		}
		if n := len(g.all("tl-point")); n != 1 {
			t.Errorf("group %d: %d markers, want one", i, n)
		}
		title := g.all("tl-group-mark")[0].child("title").text
		if !strings.HasPrefix(title, want[i].count+" people at about power ") || !strings.HasSuffix(title, strings.Join(want[i].names, ", ")) {
			t.Errorf("group %d: title %q", i, title)
		}
		var names []string
		g.walk(func(n *node) {
			if n.name != "a" {
				return
			}
			lbl := n.all("tl-point-label")
			if len(lbl) != 1 || n.attrs["href"] != "/people/"+strings.ToLower(lbl[0].text) {
				t.Errorf("group %d: link %v does not hold its person's name", i, n.attrs)
				return
			}
			names = append(names, lbl[0].text)
			if tl := n.all("tl-mark")[0].child("title").text; !strings.HasPrefix(tl, lbl[0].text+" — power ") {
				t.Errorf("group %d: %s's hover title %q", i, lbl[0].text, tl)
			}
		})
		if strings.Join(names, ",") != strings.Join(want[i].names, ",") {
			t.Errorf("group %d: names %q, want %q", i, names, want[i].names)
		}
	}
	// Eli and Farah are 0.015 apart in trust and 0.01 in power: one marker
	// between them.
	c := groups[1].all("tl-point")[0]
	if cx := attrF(t, c, "cx"); math.Abs(cx-(mapLeft+0.3175*mapSize)) > 0.1 {
		t.Errorf("the group's marker at x=%v, want the mean of its points", cx)
	}
	// The newcomer stays a point of his own, and the legend explains the count.
	if n := len(root.all("tl-mark")); n != len(m.Points) {
		t.Errorf("%d marks, want one per person (%d)", n, len(m.Points))
	}
	if !strings.Contains(string(PowerTrustMap(m)), "that many people at about the same place") {
		t.Errorf("the legend does not explain the count")
	}
	if strings.Contains(string(PowerTrustMap(lenaMap())), "that many people") {
		t.Errorf("the legend explains a count on a map without groups")
	}
}

func TestMapLargeGroup(t *testing.T) {
	var pts []MapPoint
	for i := range 9 {
		pts = append(pts, MapPoint{Name: "P" + strconv.Itoa(i), Power: 0.7, Trust: 0.7, Quadrant: "influence"})
	}
	root := checkCommon(t, PowerTrustMap(MapData{Labels: true, Points: pts}), "img")
	var names []string
	for _, n := range root.all("tl-point-label") {
		names = append(names, n.text)
	}
	if strings.Join(names, ",") != "P0,P1,P2,P3,P4,+4 more" {
		t.Errorf("names %q, want five and how many more", names)
	}
	if c := root.all("tl-points")[0].all("tl-count"); len(c) != 1 || c[0].text != "9" {
		t.Errorf("count %v", c)
	}
	if n := len(root.all("tl-mark")); n != 9 {
		t.Errorf("%d marks, want 9 (each with its hover title)", n)
	}
}

// TestMapQuadrantLinesFollowThresholds: the lines are where the caller's
// thresholds put them, so the areas match the classification.
func TestMapQuadrantLinesFollowThresholds(t *testing.T) {
	m := lenaMap()
	m.TrustMid, m.PowerMid = 0.6, 0.4
	root := checkCommon(t, PowerTrustMap(m), "group")
	d := root.all("tl-quadrant-line")[0].attrs["d"]
	want := "M" + num(mapLeft+0.6*mapSize) + " " + num(mapTop+mapSize) + "V" + num(mapTop) + "M" + num(mapLeft) + " " + num(mapTop+0.6*mapSize) + "H" + num(mapLeft+mapSize)
	if d != want {
		t.Errorf("quadrant lines %q, want %q", d, want)
	}
	checkNoOverlap(t, "thresholds", readMap(t, PowerTrustMap(m)))
}

// dateLabels reads a trend chart's date labels and their boxes.
func dateLabels(t *testing.T, svg []byte) ([]string, []box) {
	t.Helper()
	root := parse(t, svg)
	var texts []string
	var boxes []box
	for _, g := range root.all("tl-tick-label") {
		for _, c := range g.children {
			if c.attrs["text-anchor"] == "middle" {
				texts = append(texts, c.text)
				boxes = append(boxes, textBoxOf(t, c, trendTickSize, false))
			}
		}
	}
	return texts, boxes
}

// TestTrendDateLabelsDoNotCollide: over short and long ranges, with the
// last reading a day after the one before (the "67Dec" of a person page
// on a Monday), the date labels never overlap and stay in the chart, and
// the latest reading always has its date.
func TestTrendDateLabelsDoNotCollide(t *testing.T) {
	weekly := func(start time.Time, n int, then ...time.Duration) []TrendPoint {
		var pts []TrendPoint
		for i := range n {
			pts = append(pts, TrendPoint{At: start.AddDate(0, 0, 7*i), E: 0.5})
		}
		last := pts[len(pts)-1].At
		for _, d := range then {
			last = last.Add(d)
			pts = append(pts, TrendPoint{At: last, E: 0.6})
		}
		return pts
	}
	day := 24 * time.Hour
	sunday := time.Date(2026, 12, 6, 23, 59, 59, 0, time.UTC)
	cases := map[string][]TrendPoint{
		"sixteen weeks then a day":  weekly(sunday.AddDate(0, 0, -7*14), 15, day),
		"two readings a day apart":  weekly(sunday, 1, day),
		"two readings an hour":      weekly(sunday, 1, time.Hour),
		"three in three days":       weekly(sunday, 1, day, day),
		"across the new year":       weekly(time.Date(2025, 11, 2, 0, 0, 0, 0, time.UTC), 15, 2*day),
		"three years":               weekly(time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), 156, day),
		"one reading":               weekly(sunday, 1),
		"two weeks":                 weekly(sunday, 2),
		"a year and a bit, uneven":  weekly(time.Date(2025, 10, 5, 0, 0, 0, 0, time.UTC), 3, 300*day, 6*day, day),
		"monthly for two years":     append(weekly(time.Date(2025, 1, 5, 0, 0, 0, 0, time.UTC), 1), weekly(time.Date(2025, 2, 5, 0, 0, 0, 0, time.UTC), 1, 30*day, 30*day, 30*day, 300*day, 30*day, 200*day)...),
		"readings at the same time": {{At: sunday, E: 0.4}, {At: sunday, E: 0.5}, {At: sunday.Add(day), E: 0.5}},
	}
	for name, pts := range cases {
		svg := TrustOverTime(Series{Points: pts})
		texts, boxes := dateLabels(t, svg)
		if len(texts) == 0 {
			t.Errorf("%s: no date labels", name)
			continue
		}
		last := pts[0].At
		first := pts[0].At
		for _, p := range pts {
			if p.At.After(last) {
				last = p.At
			}
			if p.At.Before(first) {
				first = p.At
			}
		}
		if texts[len(texts)-1] != shortDate(last, first, last) {
			t.Errorf("%s: the last date label is %q, want the latest reading's %q", name, texts[len(texts)-1], shortDate(last, first, last))
		}
		if len(texts) > 5 {
			t.Errorf("%s: %d date labels, want at most 5", name, len(texts))
		}
		for i, a := range boxes {
			if a.x0 < 0 || a.x1 > trendWidth {
				t.Errorf("%s: date %q %v leaves the chart", name, texts[i], a)
			}
			for j := i + 1; j < len(boxes); j++ {
				if a.grow(2).overlaps(boxes[j].grow(2)) {
					t.Errorf("%s: dates %q and %q overlap (%v, %v)", name, texts[i], texts[j], a, boxes[j])
				}
			}
		}
	}
}

func TestTextWidth(t *testing.T) {
	if w := textWidth("Ana", 13); math.Abs(w-13*(0.684+0.634+0.613)) > 1e-9 {
		t.Errorf("Ana: %v", w)
	}
	if a, b := textWidth("iiii", 13), textWidth("MMMM", 13); !(a < b/2) {
		t.Errorf("narrow %v, wide %v", a, b)
	}
	if w := textWidth("李", 13); w != 13 {
		t.Errorf("a CJK character: %v, want a full em", w)
	}
	b := textBox("Ana", 13, 100, 50, "end", false)
	if b.x1 != 100 || b.y0 >= 50 || b.y1 <= 50 {
		t.Errorf("box %v", b)
	}
}
