package chart

import "strings"

// Dims is the three dimensions of trust for the person page (MODEL.md §1).
type Dims struct {
	// ID prefixes element ids; unique on the page. Default "tl-dims".
	ID string
	// Title is the accessible name. Default "Trust by dimension".
	Title string
	// Desc replaces the generated description.
	Desc string
	// Empty is shown when there are no bars.
	Empty string
	// Bars in the order drawn: ability, benevolence, integrity.
	Bars []Bar
}

// Bar is one dimension. Values are clamped to 0..1; a bar whose Value is
// not finite is left out.
type Bar struct {
	// Dim is the dimension's key, "ability", "benevolence" or "integrity";
	// it names the class tl-dim-<Dim> that colours the bar.
	Dim string
	// Label is the name shown, in the article's words (e.g. "Integrity:
	// keeping promises, owning mistakes"). Default Dim. Keep it under about
	// 60 characters: it has the chart's width and is not wrapped.
	Label string
	Value float64 // E_d
	Low   float64 // q10; no interval unless Low < High
	High  float64 // q90
}

const (
	barsLeft   = 16.0
	barsTop    = 8.0
	barsTrackW = 340.0
	barsRow    = 56.0
	barsWidth  = 480.0
	barsH      = 16.0
)

// DimensionBars renders one horizontal bar per dimension from 0 to its
// value, its low–high interval as a line with end caps over the bar, the
// value and interval as text after it, and a dashed line at neutral 0.5.
func DimensionBars(d Dims) []byte {
	bars := make([]Bar, 0, len(d.Bars))
	for _, b := range d.Bars {
		if !finite(b.Value) {
			continue
		}
		b.Value = clamp(b.Value, 0, 1)
		if strings.TrimSpace(b.Label) == "" {
			b.Label = b.Dim
		}
		bars = append(bars, b)
	}
	n := len(bars)
	if n == 0 {
		n = 3 // the empty chart keeps the size of the usual three bars
	}
	f := frame{
		id:    sanitizeID(d.ID, "tl-dims"),
		kind:  "dims",
		title: orDefault(d.Title, "Trust by dimension"),
		w:     barsWidth,
		h:     barsTop + float64(n)*barsRow + 30,
	}
	if len(bars) == 0 {
		return emptyChart(f, d.Empty, "No evidence yet")
	}
	x := func(v float64) float64 { return barsLeft + v*barsTrackW }
	bottom := barsTop + float64(n)*barsRow

	var parts []string
	for _, b := range bars {
		lo, hi, ok := interval(b.Low, b.High, 0, 1)
		parts = append(parts, b.Label+" "+val(b.Value)+rangeText(lo, hi, ok))
	}
	f.desc = d.Desc
	if f.desc == "" {
		f.desc = "Trust on a scale of 0 to 1, neutral at 0.5, with the 80% interval: " + strings.Join(parts, "; ") + "."
	}

	var w writer
	w.begin(f)
	w.start("g", "class", "tl-tick-label")
	for _, t := range []float64{0, 0.5, 1} {
		w.text("text", tick(t), "x", num(x(t)), "y", num(bottom+16), "text-anchor", "middle")
	}
	w.end("g")

	for i, b := range bars {
		top := barsTop + float64(i)*barsRow
		by := top + 26 // bar top, under the label line
		lo, hi, ok := interval(b.Low, b.High, 0, 1)
		dim := "tl-dim-" + slug(b.Dim)
		w.start("g", "class", "tl-mark "+dim)
		w.text("title", parts[i])
		w.text("text", b.Label, "class", "tl-bar-label", "x", num(barsLeft), "y", num(top+18))
		w.leaf("rect", "class", "tl-track", "x", num(x(0)), "y", num(by), "width", num(barsTrackW), "height", num(barsH))
		w.leaf("rect", "class", "tl-bar "+dim, "x", num(x(0)), "y", num(by), "width", num(b.Value*barsTrackW), "height", num(barsH))
		// Neutral 0.5, across the bar only so that it never crosses a label.
		w.leaf("line", "class", "tl-ref", "x1", num(x(0.5)), "y1", num(by-4), "x2", num(x(0.5)), "y2", num(by+barsH+4))
		if ok {
			w.leaf("path", "class", "tl-interval", "d", whisker(x(lo), x(hi), by+barsH/2, barsH/2+3))
		}
		w.text("text", val(b.Value)+rangeText(lo, hi, ok), "class", "tl-bar-value", "x", num(x(1)+10), "y", num(by+barsH/2+4.5))
		w.end("g")
	}

	return w.finish()
}
