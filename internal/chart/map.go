package chart

import (
	"math"
	"strconv"
	"strings"
)

// MapData is the power–trust map of the dashboard (MODEL.md §9): one point
// per relationship.
type MapData struct {
	// ID prefixes the element ids of the title and description; it must be
	// unique on the page. Default "tl-map".
	ID string
	// Title is the chart's accessible name. Default "Power–trust map".
	Title string
	// Desc replaces the generated description (counts per quadrant).
	Desc string
	// Empty is shown when there are no points, e.g. "No relationships yet:
	// add a person to see them on the map".
	Empty string
	// Labels draws each point's name beside it. Readable up to about 15
	// points; the hover title always carries the name.
	Labels bool
	// TrustMid and PowerMid are where the quadrant lines are drawn: the
	// trust and power thresholds that classify the points (MODEL.md §9,
	// θ_T and θ_P). Zero means 0.5, the defaults.
	TrustMid, PowerMid float64
	Points             []MapPoint
}

// MapPoint is one relationship on the map. Values outside 0..1 are clamped;
// a point whose Power or Trust is not finite is left out.
type MapPoint struct {
	Name      string
	Power     float64 // P, 0..1
	Trust     float64 // E, 0..1
	TrustLow  float64 // q10 of trust; no whisker unless TrustLow < TrustHigh
	TrustHigh float64 // q90 of trust
	// Quadrant is one of "influence", "compliance", "goodwill",
	// "unanchored" or "undetermined" (engine.Quadrant); anything else is
	// drawn as undetermined.
	Quadrant string
	// Href, when set, wraps the point in a link (focusable with the
	// keyboard). Only "/path", "#frag" and http(s) URLs are kept.
	Href string
}

// The quadrant names of MODEL.md §9, as passed in MapPoint.Quadrant.
const (
	QuadInfluence    = "influence"
	QuadCompliance   = "compliance"
	QuadGoodwill     = "goodwill"
	QuadUnanchored   = "unanchored"
	QuadUndetermined = "undetermined"
)

// quadShape pairs each quadrant with a shape, so that the map reads without
// colour: filled circle, triangle (a warning), square, diamond; undetermined
// points are hollow circles.
var quadShape = map[string]string{
	QuadInfluence:    "circle",
	QuadCompliance:   "triangle",
	QuadGoodwill:     "square",
	QuadUnanchored:   "diamond",
	QuadUndetermined: "circle",
}

var quadOrder = []string{QuadInfluence, QuadCompliance, QuadGoodwill, QuadUnanchored, QuadUndetermined}

// quadWords name the quadrants as a reader meets them: the article's
// words where it has them, and plain words for the two the model names
// itself (low power and low trust; trust not yet clearly high or low).
var quadWords = map[string]string{
	QuadInfluence:    "influence",
	QuadCompliance:   "compliance",
	QuadGoodwill:     "goodwill",
	QuadUnanchored:   "neither yet",
	QuadUndetermined: "too early to tell",
}

// QuadrantName is how the charts name quadrant q (one of the Quad
// constants) in words, for pages that name it beside a chart.
func QuadrantName(q string) string {
	if w, ok := quadWords[q]; ok {
		return w
	}
	return q
}

// Map geometry in user units. The plot is square, so both scales have the
// same length on screen.
const (
	mapLeft   = 58.0
	mapTop    = 16.0
	mapSize   = 400.0
	mapWidth  = mapLeft + mapSize + 22
	mapHeight = mapTop + mapSize + 104
	// mapLegendRow is the height of one more row of the legend.
	mapLegendRow = 22.0
)

// Marks and their labels.
const (
	markR       = 6.0  // a single point's marker
	markExtent  = 7.5  // how far a single marker reaches from its centre (the triangle's tip)
	groupR      = 9.0  // a group's marker, with its count inside
	groupRWide  = 11.0 // … when the count has two digits or more
	labelSize   = 13.0 // px of a name label
	labelLineH  = 16.0 // spacing of a group's names
	groupLines  = 6    // a group names this many people, or one fewer and "+N more"
	quadSize    = 15.0 // px of a quadrant's name (bold)
	quadNoteGap = 16.0 // from a quadrant's name to its note
)

// PowerTrustMap renders the power–trust map.
//
// Trust E runs along x (left to right) and power P along y (bottom to top).
// This orientation reads like the article: "power outpaces trust" is the
// upper-left (compliance), both high is the upper-right (influence), and a
// relationship improves by moving right; the 80% interval of trust
// [q10, q90] is a horizontal whisker.
//
// The map has one rule, the quadrants of MODEL.md §9: a line at the trust
// threshold and one at the power threshold split it into four areas, and
// a point's shape and colour name its area (hollow when the evidence does
// not yet say which side of the trust line it is on). It draws no
// "power = trust" diagonal: power and trust are different scales, and a
// second rule would judge the same point twice, sometimes differently.
//
// Nothing is printed over anything else: points closer than their markers'
// size are drawn as one group marker with a count, and names are placed
// where they cover no marker, no other name and no quadrant label (see
// board.place), with a leader line when they had to move away.
func PowerTrustMap(m MapData) []byte {
	f := frame{
		id:    sanitizeID(m.ID, "tl-map"),
		kind:  "map",
		title: orDefault(m.Title, "Power–trust map"),
		w:     mapWidth,
		h:     mapHeight,
	}
	pts := make([]MapPoint, 0, len(m.Points))
	for _, p := range m.Points {
		if !finite(p.Power, p.Trust) {
			continue
		}
		p.Power, p.Trust = clamp(p.Power, 0, 1), clamp(p.Trust, 0, 1)
		if _, ok := quadShape[p.Quadrant]; !ok {
			p.Quadrant = QuadUndetermined
		}
		if safeHref(p.Href) {
			f.group = true
		} else {
			p.Href = ""
		}
		pts = append(pts, p)
	}
	if len(pts) == 0 {
		return emptyChart(f, m.Empty, "No relationships yet")
	}
	f.desc = m.Desc
	if f.desc == "" {
		f.desc = mapDesc(pts)
	}
	tm, pm := midline(m.TrustMid), midline(m.PowerMid)

	x := func(e float64) float64 { return mapLeft + e*mapSize }
	y := func(p float64) float64 { return mapTop + (1-p)*mapSize }
	groups := groupPoints(pts, x, y)
	grouped := false
	for _, g := range groups {
		grouped = grouped || len(g.members) > 1
	}
	if grouped {
		f.h += mapLegendRow
	}

	var w writer
	w.begin(f)

	// Quadrant regions, faintly tinted: compliance upper-left, influence
	// upper-right, unanchored lower-left, goodwill lower-right.
	quads := []struct {
		q, note string
		b       box
		corners [4]int // preferred corners for the name: 0 TL, 1 TR, 2 BL, 3 BR
	}{
		{QuadCompliance, "power outpaces trust", box{x(0), y(1), x(tm), y(pm)}, [4]int{0, 1, 2, 3}},
		{QuadInfluence, "power and trust", box{x(tm), y(1), x(1), y(pm)}, [4]int{1, 0, 3, 2}},
		{QuadUnanchored, "little of either", box{x(0), y(pm), x(tm), y(0)}, [4]int{2, 3, 0, 1}},
		{QuadGoodwill, "trust exceeds power", box{x(tm), y(pm), x(1), y(0)}, [4]int{3, 2, 1, 0}},
	}
	for _, r := range quads {
		w.leaf("rect", "class", "tl-region tl-q-"+r.q, "x", num(r.b.x0), "y", num(r.b.y0),
			"width", num(r.b.x1-r.b.x0), "height", num(r.b.y1-r.b.y0))
	}

	// Grid, ticks and axes.
	w.start("g", "class", "tl-grid")
	for _, t := range []float64{0.25, 0.5, 0.75} {
		if t != tm {
			w.leaf("line", "x1", num(x(t)), "y1", num(y(0)), "x2", num(x(t)), "y2", num(y(1)))
		}
		if t != pm {
			w.leaf("line", "x1", num(x(0)), "y1", num(y(t)), "x2", num(x(1)), "y2", num(y(t)))
		}
	}
	w.end("g")
	w.leaf("path", "class", "tl-quadrant-line", "d",
		"M"+num(x(tm))+" "+num(y(0))+"V"+num(y(1))+"M"+num(x(0))+" "+num(y(pm))+"H"+num(x(1)))
	w.leaf("rect", "class", "tl-axis tl-frame", "x", num(x(0)), "y", num(y(1)), "width", num(mapSize), "height", num(mapSize))
	w.start("g", "class", "tl-tick-label")
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		w.text("text", tick(t), "x", num(x(t)), "y", num(y(0)+18), "text-anchor", "middle")
		w.text("text", tick(t), "x", num(x(0)-8), "y", num(y(t)+4.5), "text-anchor", "end")
	}
	w.end("g")
	w.text("text", "trust →", "class", "tl-axis-label", "x", num(x(0.5)), "y", num(y(0)+40), "text-anchor", "middle")
	w.text("text", "power →", "class", "tl-axis-label", "x", num(x(0)-40), "y", num(y(0.5)),
		"text-anchor", "middle", "transform", "rotate(-90 "+num(x(0)-40)+" "+num(y(0.5))+")")

	// What labels must keep clear of: every marker (hard) and every
	// whisker (soft), inside the plot.
	bd := &board{area: box{x(0), y(1), x(1), y(0)}}
	for _, g := range groups {
		bd.hard = append(bd.hard, around(g.x, g.y, g.r()+1))
		if low, high, ok := g.interval(pts); ok {
			bd.soft = append(bd.soft, box{x(low), g.y - 4, x(high), g.y + 4})
		}
	}

	// Quadrant names, each in the corner of its quadrant that holds no
	// marker, the outer corner when it is free, with the article's reading
	// of it underneath; on a crowded map the name alone, or, when even
	// that has no free place, none (the legend names the quadrants).
	for _, r := range quads {
		qb := &board{area: r.b, hard: bd.hard[:len(groups)], soft: bd.soft}
		p, withNote, ok := quadrantBlock(qb, r.b, quadWords[r.q], r.note, r.corners)
		if !ok {
			continue
		}
		bd.hard = append(bd.hard, p.box)
		ny := p.box.y0 + fontAscent*quadSize
		w.text("text", quadWords[r.q], "class", "tl-quadrant-label tl-q-"+r.q, "x", num(p.x), "y", num(ny), "text-anchor", p.anchor)
		if withNote {
			w.text("text", r.note, "class", "tl-quadrant-note", "x", num(p.x), "y", num(ny+quadNoteGap), "text-anchor", p.anchor)
		}
	}

	// Names: the most crowded marks choose first.
	labels := make([]*placement, len(groups))
	lines := make([][]string, len(groups))
	more := make([]bool, len(groups))
	if m.Labels {
		order := crowdOrder(groups)
		for _, gi := range order {
			g := groups[gi]
			lines[gi], more[gi] = g.lines(pts)
			if len(lines[gi]) == 0 {
				continue
			}
			var bw float64
			for _, l := range lines[gi] {
				bw = max(bw, textWidth(l, labelSize))
			}
			bh := float64(len(lines[gi])-1)*labelLineH + (fontAscent+fontDescent)*labelSize
			if p, ok := bd.place(g.x, g.y, g.r(), bw, bh); ok {
				labels[gi] = &p
			}
		}
	}

	// The points: hollow ones first so that classified points stay on top.
	w.start("g", "class", "tl-points")
	for pass := 0; pass < 2; pass++ {
		for gi, g := range groups {
			if (g.quad == QuadUndetermined) != (pass == 0) {
				continue
			}
			if len(g.members) == 1 {
				mapPoint(&w, pts[g.members[0]], g, x, lines[gi], labels[gi])
			} else {
				mapGroup(&w, pts, g, x, lines[gi], more[gi], labels[gi])
			}
		}
	}
	w.end("g")

	mapLegend(&w, y(0)+64, grouped)
	return w.finish()
}

// midline is where a quadrant line goes: the threshold given, or 0.5, kept
// away from the edges so that every quadrant has room for its name.
func midline(v float64) float64 {
	if v == 0 || !finite(v) {
		return 0.5
	}
	return clamp(v, 0.2, 0.8)
}

// quadrantBlock finds the place of a quadrant's name (and note) in the
// quadrant b: a free corner, in the order given, covering as few whiskers
// as it can; else the name alone in a free corner; else the free place
// nearest the first corner, with the note, then without.
func quadrantBlock(qb *board, b box, name, note string, corners [4]int) (placement, bool, bool) {
	nameW := textWidth(name, quadSize) * boldFactor
	full := [2]float64{max(nameW, textWidth(note, labelSize)), fontAscent*quadSize + quadNoteGap + fontDescent*labelSize}
	bare := [2]float64{nameW, (fontAscent + fontDescent) * quadSize}
	for _, size := range [][2]float64{full, bare} {
		var pick placement
		bestSoft := -1
		for _, c := range corners {
			p := cornerBlock(b, c, size[0], size[1])
			ok, soft := qb.free(p.box.grow(labelGap))
			if ok && (bestSoft < 0 || soft < bestSoft) {
				pick, bestSoft = p, soft
				if soft == 0 {
					break
				}
			}
		}
		if bestSoft >= 0 {
			return pick, size == full, true
		}
	}
	ox, oy := b.x0, b.y0
	if corners[0]%2 == 1 {
		ox = b.x1
	}
	if corners[0] >= 2 {
		oy = b.y1
	}
	for _, size := range [][2]float64{full, bare} {
		if p, ok := qb.scan(ox, oy, size[0], size[1]); ok {
			return p, size == full, true
		}
	}
	return placement{}, false, false
}

// cornerBlock is a quadrant name's block of w × h in corner c (0 top left,
// 1 top right, 2 bottom left, 3 bottom right) of b.
func cornerBlock(b box, c int, w, h float64) placement {
	const inX, inY = 8, 6
	var p placement
	if c%2 == 0 {
		p.box.x0, p.x, p.anchor = b.x0+inX, b.x0+inX, "start"
	} else {
		p.box.x0, p.x, p.anchor = b.x1-inX-w, b.x1-inX, "end"
	}
	if c < 2 {
		p.box.y0 = b.y0 + inY
	} else {
		p.box.y0 = b.y1 - inY - h
	}
	p.box.x1, p.box.y1 = p.box.x0+w, p.box.y0+h
	return p
}

func pointHover(p MapPoint) string {
	low, high, ok := interval(p.TrustLow, p.TrustHigh, 0, 1)
	return p.Name + " — power " + val(p.Power) + ", trust " + val(p.Trust) + rangeText(low, high, ok) + ", " + quadWords[p.Quadrant]
}

// mapPoint draws a point alone at its place: its whisker, its marker and
// its name.
func mapPoint(w *writer, p MapPoint, g pointGroup, x func(float64) float64, lines []string, lbl *placement) {
	hover := pointHover(p)
	if p.Href != "" {
		w.start("a", "href", p.Href, "aria-label", hover)
	}
	w.start("g", "class", "tl-mark")
	w.text("title", hover)
	if low, high, ok := interval(p.TrustLow, p.TrustHigh, 0, 1); ok {
		w.leaf("path", "class", "tl-whisker tl-q-"+p.Quadrant, "d", whisker(x(low), x(high), g.y, 4))
	}
	class := "tl-point tl-q-" + p.Quadrant
	if p.Quadrant == QuadUndetermined {
		class = "tl-point tl-point-hollow tl-q-" + p.Quadrant
	}
	w.marker(quadShape[p.Quadrant], g.x, g.y, markR, class)
	if lbl != nil && len(lines) == 1 {
		leader(w, g, lbl)
		w.text("text", lines[0], "class", "tl-point-label", "x", num(lbl.x),
			"y", num(lbl.baseline(0, labelSize, labelLineH)), "text-anchor", lbl.anchor)
	}
	w.end("g")
	if p.Href != "" {
		w.end("a")
	}
}

// mapGroup draws points that share a place: one marker with their count,
// the hull of their whiskers, and their names one under the other, each
// name its own mark with its own hover title and link.
func mapGroup(w *writer, pts []MapPoint, g pointGroup, x func(float64) float64, lines []string, more bool, lbl *placement) {
	names := make([]string, 0, len(g.members))
	var power, trust float64
	for _, i := range g.members {
		names = append(names, pts[i].Name)
		power += pts[i].Power
		trust += pts[i].Trust
	}
	n := float64(len(g.members))
	count := strconv.Itoa(len(g.members))
	w.start("g", "class", "tl-group")
	w.start("g", "class", "tl-group-mark")
	w.text("title", count+" people at about power "+val(power/n)+", trust "+val(trust/n)+": "+strings.Join(names, ", "))
	if low, high, ok := g.interval(pts); ok {
		w.leaf("path", "class", "tl-whisker tl-q-"+g.quad, "d", whisker(x(low), x(high), g.y, 4))
	}
	class, countClass := "tl-point tl-point-group tl-q-"+g.quad, "tl-count"
	if g.quad == QuadUndetermined {
		class, countClass = "tl-point tl-point-group tl-point-hollow tl-q-"+g.quad, "tl-count tl-count-hollow"
	}
	w.leaf("circle", "class", class, "cx", num(g.x), "cy", num(g.y), "r", num(g.r()-1))
	w.text("text", count, "class", countClass, "x", num(g.x), "y", num(g.y+4), "text-anchor", "middle")
	if lbl != nil {
		leader(w, g, lbl)
	}
	w.end("g")
	// The names shown: all of them, or all but the last line, which then
	// says how many more there are.
	shown := len(lines)
	if more {
		shown--
	}
	line := 0
	for _, i := range g.members {
		p := pts[i]
		hover := pointHover(p)
		named := lbl != nil && p.Name != "" && line < shown
		link := p.Href != "" && named
		if link {
			w.start("a", "href", p.Href, "aria-label", hover)
		}
		w.start("g", "class", "tl-mark")
		w.text("title", hover)
		if named {
			w.text("text", lines[line], "class", "tl-point-label", "x", num(lbl.x),
				"y", num(lbl.baseline(line, labelSize, labelLineH)), "text-anchor", lbl.anchor)
			line++
		}
		w.end("g")
		if link {
			w.end("a")
		}
	}
	if lbl != nil && more {
		w.text("text", lines[shown], "class", "tl-point-label tl-more", "x", num(lbl.x),
			"y", num(lbl.baseline(shown, labelSize, labelLineH)), "text-anchor", lbl.anchor)
	}
	w.end("g")
}

// leader joins a mark to its name when the name had to move away.
func leader(w *writer, g pointGroup, lbl *placement) {
	if !lbl.leader {
		return
	}
	ex, ey := lbl.box.nearest(g.x, g.y)
	dx, dy := ex-g.x, ey-g.y
	d := math.Hypot(dx, dy)
	if d <= g.r()+2 {
		return
	}
	sx, sy := g.x+dx/d*(g.r()+1), g.y+dy/d*(g.r()+1)
	w.leaf("path", "class", "tl-leader", "d", "M"+num(sx)+" "+num(sy)+"L"+num(ex)+" "+num(ey))
}

// mapLegend explains shape and colour in two rows under the x-axis label,
// and a group's count in a third when the map has one.
func mapLegend(w *writer, top float64, grouped bool) {
	items := []struct{ q, text string }{
		{QuadInfluence, "influence"},
		{QuadCompliance, "compliance"},
		{QuadGoodwill, "goodwill"},
		{QuadUnanchored, quadWords[QuadUnanchored]},
		{QuadUndetermined, "hollow: not enough evidence yet"},
	}
	w.start("g", "class", "tl-legend")
	x, y := mapLeft, top
	for i, it := range items {
		if i == 3 {
			x, y = mapLeft, y+mapLegendRow
		}
		class := "tl-point tl-q-" + it.q
		if it.q == QuadUndetermined {
			class = "tl-point tl-point-hollow tl-q-" + it.q
		}
		w.marker(quadShape[it.q], x+6, y-4.5, 5.5, class)
		w.text("text", it.text, "x", num(x+17), "y", num(y))
		x += 17 + float64(len(it.text))*fontCharWidth + 20
	}
	if grouped {
		x, y = mapLeft, y+mapLegendRow
		w.leaf("circle", "class", "tl-point tl-point-group tl-q-mixed", "cx", num(x+7), "cy", num(y-4.5), "r", "8")
		w.text("text", "2", "class", "tl-count", "x", num(x+7), "y", num(y-0.5), "text-anchor", "middle")
		w.text("text", "a number: that many people at about the same place", "x", num(x+21), "y", num(y))
	}
	w.end("g")
}

// mapDesc summarises the map for screen readers: how many relationships,
// how to read the axes, and the count per quadrant.
func mapDesc(pts []MapPoint) string {
	counts := map[string]int{}
	for _, p := range pts {
		counts[p.Quadrant]++
	}
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(pts)))
	if len(pts) == 1 {
		b.WriteString(" relationship")
	} else {
		b.WriteString(" relationships")
	}
	b.WriteString(" by trust (left to right, 0 to 1) and power (bottom to top, 0 to 1): ")
	first := true
	for _, q := range quadOrder {
		if counts[q] == 0 {
			continue
		}
		if !first {
			b.WriteString(", ")
		}
		first = false
		b.WriteString(strconv.Itoa(counts[q]))
		b.WriteByte(' ')
		b.WriteString(quadWords[q])
	}
	b.WriteString(".")
	// A screen reader hears only this description, so small maps list
	// every point; larger ones rely on the page's list of relationships.
	if len(pts) <= mapDescListMax {
		for _, p := range pts {
			b.WriteString(" " + p.Name + ": power " + val(p.Power) + ", trust " + val(p.Trust) + ", " + quadWords[p.Quadrant] + ".")
		}
	}
	return b.String()
}

// mapDescListMax is the largest map whose description names every point.
const mapDescListMax = 12

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
