package chart

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// WeeklyData is the simulator's chart: one line per person and one for the
// team average, of a metric (trust or influence) by week.
type WeeklyData struct {
	// ID prefixes element ids; unique on the page. Default "tl-weekly".
	ID string
	// Title is the accessible name. Default "<Metric> by week".
	Title string
	// Desc replaces the generated description.
	Desc string
	// Empty is shown when no series has a point.
	Empty string
	// Metric names the values on the y axis and in hover titles, e.g.
	// "trust" or "influence". Default "value".
	Metric string
	// YMax is the top of the y axis: 1 for trust, 2 for influence. Zero
	// means the largest value rounded up to a half, at least 1.
	YMax float64
	// RefLabel, when set, draws a dashed reference line at Ref with that
	// label (e.g. 0.5 "neutral" for trust, 1 "influence = power" for
	// influence at neutral trust).
	Ref      float64
	RefLabel string
	Series   []WeeklySeries
}

// WeeklySeries is one line. Points are drawn in week order; points whose
// value is not finite are left out.
type WeeklySeries struct {
	Name string
	// Average marks the team average: drawn dashed, in the text colour, on
	// top of the people's lines.
	Average bool
	Points  []WeekValue
}

// WeekValue is the metric at the end of one week.
type WeekValue struct {
	Week  int
	Value float64
}

// weeklyShapes and weeklyColours cycle independently of each other's length
// so that with up to 12 people no two lines share both colour and shape.
var weeklyShapes = []string{"circle", "square", "triangle", "diamond"}

const weeklyColours = 6

const (
	weeklyLeft   = 44.0
	weeklyTop    = 16.0
	weeklyPlotW  = 380.0
	weeklyPlotH  = 220.0
	weeklyWidth  = weeklyLeft + weeklyPlotW + 136
	weeklyHeight = weeklyTop + weeklyPlotH + 50
)

// WeeklyChart renders several series by week. Each person's line has its own
// colour and marker shape and is named at its right end, so it can be told
// apart without colour; the team average is dashed.
func WeeklyChart(wd WeeklyData) []byte {
	metric := orDefault(wd.Metric, "value")
	f := frame{
		id:    sanitizeID(wd.ID, "tl-weekly"),
		kind:  "weekly",
		title: orDefault(wd.Title, capitalize(metric)+" by week"),
		w:     weeklyWidth,
		h:     weeklyHeight,
	}

	type series struct {
		WeeklySeries
		class, shape string
	}
	var all []series
	minW, maxW, maxV := math.MaxInt, math.MinInt, 0.0
	person := 0
	for _, s := range wd.Series {
		pts := make([]WeekValue, 0, len(s.Points))
		for _, p := range s.Points {
			if !finite(p.Value) {
				continue
			}
			pts = append(pts, p)
			minW, maxW = min(minW, p.Week), max(maxW, p.Week)
			maxV = max(maxV, p.Value)
		}
		if len(pts) == 0 {
			continue
		}
		sort.SliceStable(pts, func(i, j int) bool { return pts[i].Week < pts[j].Week })
		s.Points = pts
		ss := series{WeeklySeries: s, class: "tl-avg", shape: "circle"}
		if !s.Average {
			ss.class = "tl-s" + strconv.Itoa(person%weeklyColours+1)
			ss.shape = weeklyShapes[person%len(weeklyShapes)]
			person++
		}
		all = append(all, ss)
	}
	if len(all) == 0 {
		return emptyChart(f, wd.Empty, "No weeks to show yet")
	}
	// The average goes last so that it is drawn on top.
	sort.SliceStable(all, func(i, j int) bool { return !all[i].Average && all[j].Average })

	ymax := wd.YMax
	if !(ymax > 0) || !finite(ymax) {
		ymax = math.Max(1, math.Ceil(maxV*2)/2)
	}
	step := 0.25
	switch {
	case ymax > 4:
		step = math.Ceil(ymax / 4)
	case ymax > 2:
		step = 1
	case ymax > 1:
		step = 0.5
	}

	x := func(week int) float64 {
		if maxW == minW {
			return weeklyLeft + weeklyPlotW/2
		}
		return weeklyLeft + 10 + (weeklyPlotW-20)*float64(week-minW)/float64(maxW-minW)
	}
	y := func(v float64) float64 { return weeklyTop + (1-clamp(v, 0, ymax)/ymax)*weeklyPlotH }

	f.desc = wd.Desc
	if f.desc == "" {
		var parts []string
		for _, s := range all {
			last := s.Points[len(s.Points)-1]
			parts = append(parts, s.Name+" "+val(last.Value))
		}
		f.desc = metric + " by week from week " + strconv.Itoa(minW) + " to week " + strconv.Itoa(maxW) +
			" for " + strconv.Itoa(len(all)) + " series; at the last week: " + strings.Join(parts, ", ") + "."
	}

	var w writer
	w.begin(f)

	w.start("g", "class", "tl-grid")
	for t := step; t < ymax-1e-9; t += step {
		w.leaf("line", "x1", num(weeklyLeft), "y1", num(y(t)), "x2", num(weeklyLeft+weeklyPlotW), "y2", num(y(t)))
	}
	w.end("g")
	w.start("g", "class", "tl-tick-label")
	for t := 0.0; t <= ymax+1e-9; t += step {
		w.text("text", tick(t), "x", num(weeklyLeft-6), "y", num(y(t)+4.5), "text-anchor", "end")
	}
	wstep := weekStep(maxW - minW)
	for wk := firstMultiple(minW, wstep); wk <= maxW; wk += wstep {
		w.text("text", strconv.Itoa(wk), "x", num(x(wk)), "y", num(y(0)+18), "text-anchor", "middle")
	}
	w.end("g")
	w.leaf("rect", "class", "tl-axis tl-frame", "x", num(weeklyLeft), "y", num(weeklyTop), "width", num(weeklyPlotW), "height", num(weeklyPlotH))
	w.text("text", "week", "class", "tl-axis-label", "x", num(weeklyLeft+weeklyPlotW/2), "y", num(y(0)+38), "text-anchor", "middle")
	w.text("text", metric, "class", "tl-axis-label", "x", "14", "y", num(weeklyTop+weeklyPlotH/2),
		"text-anchor", "middle", "transform", "rotate(-90 14 "+num(weeklyTop+weeklyPlotH/2)+")")

	if wd.RefLabel != "" && finite(wd.Ref) && wd.Ref > 0 && wd.Ref < ymax {
		ry := y(wd.Ref)
		w.leaf("line", "class", "tl-ref", "x1", num(weeklyLeft), "y1", num(ry), "x2", num(weeklyLeft+weeklyPlotW), "y2", num(ry))
		w.text("text", wd.RefLabel, "class", "tl-ref-label", "x", num(weeklyLeft+4), "y", num(ry-5))
	}

	// End labels, pushed apart vertically so that names never overlap.
	type endLabel struct {
		y     float64
		i     int
		x     float64
		label string
	}
	ends := make([]endLabel, len(all))
	for i, s := range all {
		last := s.Points[len(s.Points)-1]
		ends[i] = endLabel{y: y(last.Value) + 4.5, i: i, x: x(last.Week), label: truncate(s.Name, 13)}
	}
	spreadLabels(ends, func(e *endLabel) *float64 { return &e.y }, 15, weeklyTop+8, weeklyTop+weeklyPlotH+4)

	// When the weeks crowd together the markers are transparent (chart.css)
	// so the lines stay clean: they still catch the pointer for the hover
	// titles, and the end labels with their shape keys tell the lines apart.
	mr, pointClass := 3.5, "tl-point"
	if maxW-minW > 20 {
		mr, pointClass = 3, "tl-point tl-point-dense"
	}
	for i, s := range all {
		w.start("g", "class", "tl-series "+s.class)
		if len(s.Points) > 1 {
			pts := make([]string, len(s.Points))
			for k, p := range s.Points {
				pts[k] = num(x(p.Week)) + "," + num(y(p.Value))
			}
			w.leaf("polyline", "class", "tl-line", "points", strings.Join(pts, " "))
		}
		for _, p := range s.Points {
			w.titledMarker(s.shape, x(p.Week), y(p.Value), mr, pointClass,
				s.Name+" — week "+strconv.Itoa(p.Week)+": "+metric+" "+val(p.Value))
		}
		e := ends[i]
		lx := weeklyLeft + weeklyPlotW + 8
		w.marker(s.shape, lx+4, e.y-4.5, 4, "tl-point tl-key")
		w.text("text", e.label, "class", "tl-series-label", "x", num(lx+13), "y", num(e.y))
		w.end("g")
	}
	return w.finish()
}

// spreadLabels moves label baselines apart so that consecutive ones are at
// least gap apart, keeping them within [lo, hi] where possible; it keeps the
// labels' order by their wanted position.
func spreadLabels[T any](ls []T, at func(*T) *float64, gap, lo, hi float64) {
	idx := make([]int, len(ls))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return *at(&ls[idx[a]]) < *at(&ls[idx[b]]) })
	prev := lo - gap
	for _, i := range idx {
		p := at(&ls[i])
		*p = math.Max(*p, prev+gap)
		prev = *p
	}
	// If the last went past hi, push back up, keeping the gaps.
	next := hi + gap
	for k := len(idx) - 1; k >= 0; k-- {
		p := at(&ls[idx[k]])
		*p = math.Min(*p, next-gap)
		next = *p
	}
}

// weekStep picks a tick step that gives at most about ten week labels.
func weekStep(span int) int {
	for _, s := range []int{1, 2, 4, 5, 10, 13, 26, 52} {
		if span/s <= 10 {
			return s
		}
	}
	return (span/10/52 + 1) * 52
}

// firstMultiple is the smallest multiple of step at or after w.
func firstMultiple(w, step int) int {
	m := w / step * step
	if m < w {
		m += step
	}
	return m
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}
