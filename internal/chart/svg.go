package chart

import (
	"bytes"
	"encoding/xml"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// fontCharWidth is the assumed average advance of one character of chart
// text (13px) in user units. SVG cannot measure text on the server, so layout that
// depends on text width (legends, label collision) uses this estimate.
const fontCharWidth = 7.8

// writer builds SVG markup one element per line. Attributes are given as
// name/value pairs in the order they are written, which keeps the output
// deterministic; every value and every text is escaped.
type writer struct {
	buf bytes.Buffer
}

func (w *writer) attrs(kv []string) {
	if len(kv)%2 != 0 {
		panic("chart: odd number of attribute arguments")
	}
	for i := 0; i < len(kv); i += 2 {
		w.buf.WriteByte(' ')
		w.buf.WriteString(kv[i])
		w.buf.WriteString(`="`)
		escape(&w.buf, kv[i+1])
		w.buf.WriteByte('"')
	}
}

// start opens an element that will hold children.
func (w *writer) start(tag string, kv ...string) {
	w.buf.WriteByte('<')
	w.buf.WriteString(tag)
	w.attrs(kv)
	w.buf.WriteString(">\n")
}

// leaf writes an element with no children.
func (w *writer) leaf(tag string, kv ...string) {
	w.buf.WriteByte('<')
	w.buf.WriteString(tag)
	w.attrs(kv)
	w.buf.WriteString("/>\n")
}

// end closes an element opened with start.
func (w *writer) end(tag string) {
	w.buf.WriteString("</")
	w.buf.WriteString(tag)
	w.buf.WriteString(">\n")
}

// text writes an element whose only child is text.
func (w *writer) text(tag, s string, kv ...string) {
	w.buf.WriteByte('<')
	w.buf.WriteString(tag)
	w.attrs(kv)
	w.buf.WriteByte('>')
	escape(&w.buf, s)
	w.buf.WriteString("</")
	w.buf.WriteString(tag)
	w.buf.WriteString(">\n")
}

// escape writes s with &, <, >, quotes and control characters escaped;
// characters that XML cannot carry become U+FFFD.
func escape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s)) // writes to a bytes.Buffer never fail
}

// num formats a coordinate with one decimal, dropping a trailing ".0", so
// equal inputs give equal bytes on every platform.
func num(v float64) string {
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		return "0"
	}
	return s
}

// val formats a value shown to people: always two decimals.
func val(v float64) string {
	s := strconv.FormatFloat(v, 'f', 2, 64)
	if s == "-0.00" {
		return "0.00"
	}
	return s
}

// tick formats an axis tick value with as few decimals as it needs (0, 0.25,
// 0.5, 1.5).
func tick(v float64) string {
	s := strconv.FormatFloat(math.Round(v*100)/100, 'f', 2, 64)
	s = strings.TrimRight(s, "0")
	s = strings.TrimSuffix(s, ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// finite reports whether every value can be placed on a chart.
func finite(vs ...float64) bool {
	for _, v := range vs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return false
		}
	}
	return true
}

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// interval returns the ordered bounds of a low–high interval clamped to
// [lo, hi], and whether there is one to draw: bounds that are not finite or
// that do not enclose a range mean "no interval given".
func interval(low, high, lo, hi float64) (float64, float64, bool) {
	if !finite(low, high) {
		return 0, 0, false
	}
	if low > high {
		low, high = high, low
	}
	low, high = clamp(low, lo, hi), clamp(high, lo, hi)
	return low, high, high > low
}

// rangeText is " (0.21–0.68)" for an interval, or "" without one.
func rangeText(low, high float64, ok bool) string {
	if !ok {
		return ""
	}
	return " (" + val(low) + "–" + val(high) + ")"
}

// sanitizeID keeps an id usable in aria-labelledby and unique on a page:
// only ASCII letters, digits, '-' and '_', starting with a letter. An empty
// result falls back to def.
func sanitizeID(id, def string) string {
	var b strings.Builder
	for _, r := range id {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		}
	}
	s := b.String()
	if s == "" {
		return def
	}
	if c := s[0]; !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
		s = "tl-" + s
	}
	return s
}

// slug turns a caller's key into a class-name suffix: lower-case letters,
// digits and '-', or "other".
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "other"
	}
	return b.String()
}

// safeHref accepts the links a chart may carry: same-site paths ("/people/1",
// not "//host"), fragments and http(s) URLs, with no spaces or control
// characters. Anything else (javascript:, data:) is dropped so that a bad
// link cannot become script.
func safeHref(h string) bool {
	if h == "" {
		return false
	}
	for _, r := range h {
		if r <= ' ' || r == 0x7f || r == '\\' {
			return false
		}
	}
	lower := strings.ToLower(h)
	switch {
	case strings.HasPrefix(h, "//"):
		return false
	case strings.HasPrefix(h, "/"), strings.HasPrefix(h, "#"):
		return true
	case strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "http://"):
		return true
	}
	return false
}

// frame is what every chart starts with.
type frame struct {
	id, kind    string // element id prefix, chart kind for the class
	title, desc string
	w, h        float64
	group       bool // role="group": the chart holds focusable links
}

// begin opens the <svg> element with its accessible name and description
// and paints the background.
func (w *writer) begin(f frame) {
	role := "img"
	if f.group {
		role = "group"
	}
	w.start("svg",
		"xmlns", "http://www.w3.org/2000/svg",
		"viewBox", "0 0 "+num(f.w)+" "+num(f.h),
		"class", "tl-chart tl-chart-"+f.kind,
		"role", role,
		"aria-labelledby", f.id+"-title "+f.id+"-desc",
	)
	w.text("title", f.title, "id", f.id+"-title")
	w.text("desc", f.desc, "id", f.id+"-desc")
	w.leaf("rect", "class", "tl-bg", "x", "0", "y", "0", "width", num(f.w), "height", num(f.h))
}

// finish closes the <svg> element and returns the bytes.
func (w *writer) finish() []byte {
	w.end("svg")
	return w.buf.Bytes()
}

// emptyChart renders a chart with nothing to show: the same size as the full
// chart, so the page does not jump, and the caller's message in the centre.
func emptyChart(f frame, msg, def string) []byte {
	if strings.TrimSpace(msg) == "" {
		msg = def
	}
	f.desc = msg
	f.group = false
	var w writer
	w.begin(f)
	w.text("text", msg, "class", "tl-empty", "x", num(f.w/2), "y", num(f.h/2), "text-anchor", "middle", "dominant-baseline", "middle")
	return w.finish()
}

// marker writes one point mark of the given shape centred on (x, y) with
// radius r. Shapes pair with colour so that quadrants and series stay
// distinguishable for colour-blind readers and in print.
func (w *writer) marker(shape string, x, y, r float64, class string) {
	w.titledMarker(shape, x, y, r, class, "")
}

// titledMarker is a marker carrying its own hover title as a child, the
// most compact form for charts with hundreds of marks.
func (w *writer) titledMarker(shape string, x, y, r float64, class, title string) {
	el := w.leaf
	if title != "" {
		el = func(tag string, kv ...string) {
			w.buf.WriteByte('<')
			w.buf.WriteString(tag)
			w.attrs(kv)
			w.buf.WriteString("><title>")
			escape(&w.buf, title)
			w.buf.WriteString("</title></")
			w.buf.WriteString(tag)
			w.buf.WriteString(">\n")
		}
	}
	switch shape {
	case "square":
		s := r * 0.85
		el("rect", "class", class, "x", num(x-s), "y", num(y-s), "width", num(2*s), "height", num(2*s))
	case "triangle":
		h := r * 1.2
		el("path", "class", class, "d",
			"M"+num(x)+" "+num(y-h)+"L"+num(x+h*0.866)+" "+num(y+h*0.5)+"L"+num(x-h*0.866)+" "+num(y+h*0.5)+"Z")
	case "diamond":
		h := r * 1.15
		el("path", "class", class, "d",
			"M"+num(x)+" "+num(y-h)+"L"+num(x+h)+" "+num(y)+"L"+num(x)+" "+num(y+h)+"L"+num(x-h)+" "+num(y)+"Z")
	default:
		el("circle", "class", class, "cx", num(x), "cy", num(y), "r", num(r))
	}
}

// whisker is the path of a horizontal interval from x1 to x2 at y with end
// caps of half-height c.
func whisker(x1, x2, y, c float64) string {
	return "M" + num(x1) + " " + num(y-c) + "V" + num(y+c) +
		"M" + num(x1) + " " + num(y) + "H" + num(x2) +
		"M" + num(x2) + " " + num(y-c) + "V" + num(y+c)
}

// vwhisker is the vertical counterpart of whisker.
func vwhisker(x, y1, y2, c float64) string {
	return "M" + num(x-c) + " " + num(y1) + "H" + num(x+c) +
		"M" + num(x) + " " + num(y1) + "V" + num(y2) +
		"M" + num(x-c) + " " + num(y2) + "H" + num(x+c)
}

// truncate shortens s to at most n characters, ending in "…", for labels
// that share the chart with others; hover titles keep the full text.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
