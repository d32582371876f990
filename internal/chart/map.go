package chart

import (
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
	Points []MapPoint
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

// Map geometry in user units. The plot is square so that the diagonal where
// power equals trust is at 45°.
const (
	mapLeft   = 58.0
	mapTop    = 16.0
	mapSize   = 400.0
	mapWidth  = mapLeft + mapSize + 22
	mapHeight = mapTop + mapSize + 104
)

// PowerTrustMap renders the power–trust map.
//
// Trust E runs along x (left to right) and power P along y (bottom to top).
// This orientation reads like the article: "power outpaces trust" is the
// upper-left (compliance), both high is the upper-right (influence), and a
// relationship improves by moving right; the 80% interval of trust
// [q10, q90] is a horizontal whisker. The dashed diagonal is where power
// equals trust: points above it are where power exceeds trust, the
// relationships the weekly step looks for (MODEL.md §10 uses authority,
// the position part of power).
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

	x := func(e float64) float64 { return mapLeft + e*mapSize }
	y := func(p float64) float64 { return mapTop + (1-p)*mapSize }

	var w writer
	w.begin(f)

	// Quadrant regions, faintly tinted: compliance upper-left, influence
	// upper-right, unanchored lower-left, goodwill lower-right.
	half := mapSize / 2
	regions := []struct {
		q    string
		x, y float64
	}{
		{QuadCompliance, x(0), y(1)},
		{QuadInfluence, x(0.5), y(1)},
		{QuadUnanchored, x(0), y(0.5)},
		{QuadGoodwill, x(0.5), y(0.5)},
	}
	for _, r := range regions {
		w.leaf("rect", "class", "tl-region tl-q-"+r.q, "x", num(r.x), "y", num(r.y), "width", num(half), "height", num(half))
	}

	// Grid, ticks and axes.
	w.start("g", "class", "tl-grid")
	for _, t := range []float64{0.25, 0.75} {
		w.leaf("line", "x1", num(x(t)), "y1", num(y(0)), "x2", num(x(t)), "y2", num(y(1)))
		w.leaf("line", "x1", num(x(0)), "y1", num(y(t)), "x2", num(x(1)), "y2", num(y(t)))
	}
	w.end("g")
	w.leaf("path", "class", "tl-quadrant-line", "d",
		"M"+num(x(0.5))+" "+num(y(0))+"V"+num(y(1))+"M"+num(x(0))+" "+num(y(0.5))+"H"+num(x(1)))
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

	// Quadrant names, each at the edge of its quadrant away from the
	// diagonal, with the article's reading of it underneath.
	labels := []struct {
		q, note string
		x, y    float64
		anchor  string
	}{
		{QuadCompliance, "power outpaces trust", x(0) + 8, y(1) + 20, "start"},
		{QuadInfluence, "power and trust", x(0.5) + 8, y(1) + 20, "start"},
		{QuadUnanchored, "neither yet", x(0.5) - 8, y(0) - 26, "end"},
		{QuadGoodwill, "trust exceeds power", x(1) - 8, y(0) - 26, "end"},
	}
	for _, l := range labels {
		w.text("text", l.q, "class", "tl-quadrant-label tl-q-"+l.q, "x", num(l.x), "y", num(l.y), "text-anchor", l.anchor)
		w.text("text", l.note, "class", "tl-quadrant-note", "x", num(l.x), "y", num(l.y+16), "text-anchor", l.anchor)
	}

	// The diagonal where power equals trust, labelled along its length.
	w.leaf("line", "class", "tl-diagonal", "x1", num(x(0)), "y1", num(y(0)), "x2", num(x(1)), "y2", num(y(1)))
	lx, ly := x(0.89)-5, y(0.89)-5
	w.text("text", "power = trust", "class", "tl-diagonal-label", "x", num(lx), "y", num(ly),
		"text-anchor", "middle", "transform", "rotate(-45 "+num(lx)+" "+num(ly)+")")

	// The points: hollow ones first so that classified points stay on top.
	w.start("g", "class", "tl-points")
	for pass := 0; pass < 2; pass++ {
		for _, p := range pts {
			if (p.Quadrant == QuadUndetermined) != (pass == 0) {
				continue
			}
			mapPoint(&w, p, x, y, m.Labels)
		}
	}
	w.end("g")

	mapLegend(&w, y(0)+64)
	return w.finish()
}

func mapPoint(w *writer, p MapPoint, x, y func(float64) float64, label bool) {
	low, high, ok := interval(p.TrustLow, p.TrustHigh, 0, 1)
	hover := p.Name + " — power " + val(p.Power) + ", trust " + val(p.Trust) + rangeText(low, high, ok) + ", " + p.Quadrant
	if p.Href != "" {
		w.start("a", "href", p.Href, "aria-label", hover)
	}
	w.start("g", "class", "tl-mark")
	w.text("title", hover)
	px, py := x(p.Trust), y(p.Power)
	if ok {
		w.leaf("path", "class", "tl-whisker tl-q-"+p.Quadrant, "d", whisker(x(low), x(high), py, 4))
	}
	class := "tl-point tl-q-" + p.Quadrant
	if p.Quadrant == QuadUndetermined {
		class = "tl-point tl-point-hollow tl-q-" + p.Quadrant
	}
	w.marker(quadShape[p.Quadrant], px, py, 6, class)
	if label && p.Name != "" {
		w.text("text", truncate(p.Name, 16), "class", "tl-point-label", "x", num(px+8), "y", num(py-8))
	}
	w.end("g")
	if p.Href != "" {
		w.end("a")
	}
}

// mapLegend explains shape and colour in two rows under the x-axis label.
func mapLegend(w *writer, top float64) {
	items := []struct{ q, text string }{
		{QuadInfluence, "influence"},
		{QuadCompliance, "compliance"},
		{QuadGoodwill, "goodwill"},
		{QuadUnanchored, "unanchored"},
		{QuadUndetermined, "hollow: not enough evidence yet"},
	}
	w.start("g", "class", "tl-legend")
	x, y := mapLeft, top
	for i, it := range items {
		if i == 3 {
			x, y = mapLeft, y+22
		}
		class := "tl-point tl-q-" + it.q
		if it.q == QuadUndetermined {
			class = "tl-point tl-point-hollow tl-q-" + it.q
		}
		w.marker(quadShape[it.q], x+6, y-4.5, 5.5, class)
		w.text("text", it.text, "x", num(x+17), "y", num(y))
		x += 17 + float64(len(it.text))*fontCharWidth + 20
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
		b.WriteString(q)
	}
	b.WriteString(".")
	// A screen reader hears only this description, so small maps list
	// every point; larger ones rely on the page's list of relationships.
	if len(pts) <= mapDescListMax {
		for _, p := range pts {
			b.WriteString(" " + p.Name + ": power " + val(p.Power) + ", trust " + val(p.Trust) + ", " + p.Quadrant + ".")
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
