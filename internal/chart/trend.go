package chart

import (
	"sort"
	"strconv"
	"time"
)

// Series is one relationship's trust over time for the person page.
type Series struct {
	// ID prefixes element ids; unique on the page. Default "tl-trend".
	ID string
	// Title is the accessible name. Default "Trust over time".
	Title string
	// Desc replaces the generated description.
	Desc string
	// Empty is shown when there are no points.
	Empty string
	// Name, when set, starts every hover title ("Ana, week of …").
	Name   string
	Points []TrendPoint
}

// TrendPoint is trust E at one weekly reading with its 80% interval.
// Values are clamped to 0..1; a point whose At is zero or whose Trust is
// not finite is left out.
type TrendPoint struct {
	At   time.Time // the day of the reading; labels use its own location
	E    float64
	Low  float64 // q10
	High float64 // q90
}

const (
	trendLeft   = 44.0
	trendTop    = 16.0
	trendPlotW  = 420.0
	trendPlotH  = 220.0
	trendWidth  = trendLeft + trendPlotW + 16
	trendHeight = trendTop + trendPlotH + 58
)

// TrustOverTime renders trust over time: weekly points joined by a line,
// the low–high interval as a band behind them, and the neutral 0.5 line,
// with dates along x (spaced by time, so a missed week shows as a gap) and
// 0–1 along y.
func TrustOverTime(s Series) []byte {
	f := frame{
		id:    sanitizeID(s.ID, "tl-trend"),
		kind:  "trend",
		title: orDefault(s.Title, "Trust over time"),
		w:     trendWidth,
		h:     trendHeight,
	}
	pts := make([]TrendPoint, 0, len(s.Points))
	for _, p := range s.Points {
		if p.At.IsZero() || !finite(p.E) {
			continue
		}
		p.E = clamp(p.E, 0, 1)
		pts = append(pts, p)
	}
	if len(pts) == 0 {
		return emptyChart(f, s.Empty, "No readings yet")
	}
	sort.SliceStable(pts, func(i, j int) bool { return pts[i].At.Before(pts[j].At) })

	first, last := pts[0].At, pts[len(pts)-1].At
	span := last.Sub(first).Seconds()
	x := func(t time.Time) float64 {
		if span <= 0 {
			return trendLeft + trendPlotW/2
		}
		// Inset by 10 so the first and last points are not on the frame.
		return trendLeft + 10 + (trendPlotW-20)*t.Sub(first).Seconds()/span
	}
	y := func(v float64) float64 { return trendTop + (1-v)*trendPlotH }

	f.desc = s.Desc
	if f.desc == "" {
		lp := pts[len(pts)-1]
		lo, hi, ok := interval(lp.Low, lp.High, 0, 1)
		f.desc = strconv.Itoa(len(pts)) + " weekly readings of trust from " + longDate(first) +
			" to " + longDate(last) + "; latest " + val(lp.E) + rangeText(lo, hi, ok) + "."
	}

	var w writer
	w.begin(f)

	// Grid and y ticks.
	w.start("g", "class", "tl-grid")
	for _, t := range []float64{0.25, 0.75} {
		w.leaf("line", "x1", num(trendLeft), "y1", num(y(t)), "x2", num(trendLeft+trendPlotW), "y2", num(y(t)))
	}
	w.end("g")
	w.start("g", "class", "tl-tick-label")
	for _, t := range []float64{0, 0.25, 0.5, 0.75, 1} {
		w.text("text", tick(t), "x", num(trendLeft-6), "y", num(y(t)+4.5), "text-anchor", "end")
	}
	// Date labels: at most five, never over each other (see dateTicks).
	for _, d := range dateTicks(pts, x, first, last) {
		w.text("text", d.label, "x", num(d.x), "y", num(y(0)+18), "text-anchor", "middle")
	}
	w.end("g")
	w.leaf("rect", "class", "tl-axis tl-frame", "x", num(trendLeft), "y", num(trendTop), "width", num(trendPlotW), "height", num(trendPlotH))
	w.text("text", "week", "class", "tl-axis-label", "x", num(trendLeft+trendPlotW/2), "y", num(y(0)+40), "text-anchor", "middle")
	w.text("text", "trust", "class", "tl-axis-label", "x", "14", "y", num(y(0.5)),
		"text-anchor", "middle", "transform", "rotate(-90 14 "+num(y(0.5))+")")

	// Band of the interval: along the lows, back along the highs. A single
	// reading has no band; its interval is a whisker.
	if len(pts) > 1 {
		var lows, highs []string
		for _, p := range pts {
			lo, hi, ok := interval(p.Low, p.High, 0, 1)
			if !ok {
				lo, hi = p.E, p.E
			}
			lows = append(lows, num(x(p.At))+","+num(y(lo)))
			highs = append(highs, num(x(p.At))+","+num(y(hi)))
		}
		pointsAttr := ""
		for _, s := range lows {
			pointsAttr += s + " "
		}
		for i := len(highs) - 1; i >= 0; i-- {
			pointsAttr += highs[i]
			if i > 0 {
				pointsAttr += " "
			}
		}
		w.leaf("polygon", "class", "tl-band", "points", pointsAttr)
	} else if lo, hi, ok := interval(pts[0].Low, pts[0].High, 0, 1); ok {
		w.leaf("path", "class", "tl-whisker", "d", vwhisker(x(pts[0].At), y(hi), y(lo), 5))
	}

	// Neutral trust.
	w.leaf("line", "class", "tl-ref", "x1", num(trendLeft), "y1", num(y(0.5)), "x2", num(trendLeft+trendPlotW), "y2", num(y(0.5)))
	w.text("text", "neutral", "class", "tl-ref-label", "x", num(trendLeft+trendPlotW-4), "y", num(y(0.5)-5), "text-anchor", "end")

	if len(pts) > 1 {
		line := ""
		for i, p := range pts {
			if i > 0 {
				line += " "
			}
			line += num(x(p.At)) + "," + num(y(p.E))
		}
		w.leaf("polyline", "class", "tl-line", "points", line)
	}

	w.start("g", "class", "tl-points")
	for _, p := range pts {
		lo, hi, ok := interval(p.Low, p.High, 0, 1)
		hover := "week of " + longDate(p.At) + ": trust " + val(p.E) + rangeText(lo, hi, ok)
		if s.Name != "" {
			hover = s.Name + ", " + hover
		}
		w.start("g", "class", "tl-mark")
		w.text("title", hover)
		w.marker("circle", x(p.At), y(p.E), 4, "tl-point")
		w.end("g")
	}
	w.end("g")
	return w.finish()
}

// trendTickSize is the px of the date labels (chart.css, .tl-tick-label).
const trendTickSize = 13

// dateTick is one date under the x axis, centred at x.
type dateTick struct {
	i     int // the reading
	x     float64
	label string
}

// dateTicks picks the readings that get a date under the x axis: the last
// (the latest reading, often today), the first, then up to three more
// evenly spread, each kept only if its label stays clear of those already
// kept. Readings are spaced by time, so two of them a day apart (the end
// of last week and today) would print their dates over each other; the
// earlier one then goes without. A label that would run past the chart's
// edge moves inward.
func dateTicks(pts []TrendPoint, x func(time.Time) float64, first, last time.Time) []dateTick {
	const gap = 8
	var kept []dateTick
	var boxes []box
	try := func(i int) {
		t := pts[i].At
		label := shortDate(t, first, last)
		half := textWidth(label, trendTickSize) / 2
		cx := clamp(x(t), half+2, trendWidth-half-2)
		b := textBox(label, trendTickSize, cx, 0, "middle", false)
		for _, o := range boxes {
			if b.grow(gap / 2).overlaps(o.grow(gap / 2)) {
				return
			}
		}
		kept = append(kept, dateTick{i: i, x: cx, label: label})
		boxes = append(boxes, b)
	}
	n := len(pts)
	try(n - 1)
	if n > 1 {
		try(0)
	}
	for _, i := range tickIndexes(n, 5) {
		if i != 0 && i != n-1 {
			try(i)
		}
	}
	sort.Slice(kept, func(a, b int) bool { return kept[a].i < kept[b].i })
	return kept
}

// tickIndexes picks at most max indexes out of n, evenly spread and always
// including the first and the last.
func tickIndexes(n, max int) []int {
	if n <= max {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	out := make([]int, max)
	for k := range out {
		out[k] = (k*(n-1) + (max-1)/2) / (max - 1)
	}
	return out
}

// shortDate is "2 Mar", with the year when the readings span more than one
// calendar year.
func shortDate(t, first, last time.Time) string {
	if first.Year() != last.Year() {
		return t.Format("2 Jan 06")
	}
	return t.Format("2 Jan")
}

// longDate is "2 Mar 2026".
func longDate(t time.Time) string { return t.Format("2 Jan 2006") }
