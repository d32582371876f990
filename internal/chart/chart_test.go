package chart

import (
	"bytes"
	"encoding/xml"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	update  = flag.Bool("update", false, "rewrite the golden files in testdata/")
	preview = flag.String("preview", "", "write HTML previews of the golden charts (light and dark) to this directory")
)

// Realistic data: Lena's cross-functional team (MODEL.md §15, story 3) in
// week 4, when power outpaces trust with most of them.
func lenaMap() MapData {
	return MapData{
		ID:     "dash-map",
		Labels: true,
		Points: []MapPoint{
			{Name: "Ana", Power: 0.63, Trust: 0.32, TrustLow: 0.20, TrustHigh: 0.45, Quadrant: "compliance", Href: "/people/ana"},
			{Name: "Ben", Power: 0.38, Trust: 0.44, TrustLow: 0.21, TrustHigh: 0.68, Quadrant: "undetermined", Href: "/people/ben"},
			{Name: "Chen", Power: 0.79, Trust: 0.74, TrustLow: 0.62, TrustHigh: 0.84, Quadrant: "influence", Href: "/people/chen"},
			{Name: "Dana", Power: 0.17, Trust: 0.91, TrustLow: 0.84, TrustHigh: 0.96, Quadrant: "goodwill", Href: "/people/dana"},
			{Name: "Eli", Power: 0.29, Trust: 0.22, TrustLow: 0.12, TrustHigh: 0.34, Quadrant: "unanchored", Href: "/people/eli"},
			{Name: "Farah", Power: 0.71, Trust: 0.55, TrustLow: 0.30, TrustHigh: 0.77, Quadrant: "undetermined", Href: "/people/farah"},
		},
	}
}

// copiesMap is the map the issue of the demo's copies drew: four people
// with the same ledger at one place, a newcomer beside them, and two
// points close enough that their markers would touch.
func copiesMap() MapData {
	same := func(name string) MapPoint {
		return MapPoint{Name: name, Power: 0.63, Trust: 0.78, TrustLow: 0.70, TrustHigh: 0.85, Quadrant: "influence", Href: "/people/" + strings.ToLower(name)}
	}
	return MapData{
		ID:     "copies-map",
		Labels: true,
		Points: []MapPoint{
			same("Ana"), same("Ben"), same("Chen"), same("Dara"),
			{Name: "Noor (new)", Power: 0.63, Trust: 0.5, TrustLow: 0.21, TrustHigh: 0.79, Quadrant: "undetermined", Href: "/people/noor"},
			{Name: "Eli", Power: 0.30, Trust: 0.31, TrustLow: 0.2, TrustHigh: 0.4, Quadrant: "unanchored", Href: "/people/eli"},
			{Name: "Farah", Power: 0.31, Trust: 0.325, TrustLow: 0.2, TrustHigh: 0.45, Quadrant: "unanchored", Href: "/people/farah"},
		},
	}
}

func lenaTrend() Series {
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	es := []float64{0.50, 0.42, 0.36, 0.32, 0.35, 0.41, 0.48, 0.59, 0.63, 0.67, 0.70, 0.73}
	var pts []TrendPoint
	for i, e := range es {
		spread := 0.30 / math.Sqrt(float64(i+1)) // narrower as evidence comes in
		pts = append(pts, TrendPoint{At: start.AddDate(0, 0, 7*i), E: e, Low: e - spread, High: e + spread*0.9})
	}
	return Series{ID: "person-trend", Name: "Ana", Points: pts}
}

func lenaDims() Dims {
	return Dims{
		ID: "person-dims",
		Bars: []Bar{
			{Dim: "ability", Label: "Ability: delivering what the role needs", Value: 0.58, Low: 0.41, High: 0.73},
			{Dim: "benevolence", Label: "Benevolence: using power to serve", Value: 0.23, Low: 0.11, High: 0.38},
			{Dim: "integrity", Label: "Integrity: promises kept, decisions explained", Value: 0.34, Low: 0.19, High: 0.51},
		},
	}
}

func lenaWeekly() WeeklyData {
	people := map[string][]float64{
		"Ana":  {0.50, 0.42, 0.36, 0.32, 0.35, 0.41, 0.48, 0.59, 0.63, 0.67, 0.70, 0.73},
		"Ben":  {0.50, 0.45, 0.40, 0.37, 0.40, 0.47, 0.55, 0.61, 0.66, 0.70, 0.72, 0.75},
		"Chen": {0.50, 0.47, 0.44, 0.41, 0.44, 0.50, 0.56, 0.60, 0.64, 0.68, 0.71, 0.74},
	}
	var series []WeeklySeries
	avg := make([]WeekValue, 12)
	for _, name := range []string{"Ana", "Ben", "Chen"} {
		var pts []WeekValue
		for wk, v := range people[name] {
			pts = append(pts, WeekValue{Week: wk + 1, Value: v})
			avg[wk].Week = wk + 1
			avg[wk].Value += v / 3
		}
		series = append(series, WeeklySeries{Name: name, Points: pts})
	}
	series = append(series, WeeklySeries{Name: "team average", Average: true, Points: avg})
	return WeeklyData{ID: "sim-weekly", Metric: "trust", YMax: 1, Ref: 0.5, RefLabel: "neutral", Series: series}
}

type golden struct {
	name string
	svg  []byte
}

func goldens() []golden {
	return []golden{
		{"map", PowerTrustMap(lenaMap())},
		{"map_empty", PowerTrustMap(MapData{Empty: "No relationships yet: add a person to see them here"})},
		{"map_grouped", PowerTrustMap(copiesMap())},
		{"trend", TrustOverTime(lenaTrend())},
		{"trend_empty", TrustOverTime(Series{Empty: "No readings yet: log what happened this week"})},
		{"dims", DimensionBars(lenaDims())},
		{"dims_empty", DimensionBars(Dims{Empty: "No evidence yet"})},
		{"weekly", WeeklyChart(lenaWeekly())},
		{"weekly_empty", WeeklyChart(WeeklyData{Empty: "Pick a scenario to see its weeks"})},
	}
}

func TestGolden(t *testing.T) {
	for _, g := range goldens() {
		t.Run(g.name, func(t *testing.T) {
			path := filepath.Join("testdata", g.name+".svg")
			if *update {
				if err := os.WriteFile(path, g.svg, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./internal/chart -update to create it)", err)
			}
			if !bytes.Equal(g.svg, want) {
				t.Errorf("%s differs from the golden file; if the change is intended run go test ./internal/chart -update and look at the diff\n%s",
					path, firstDiff(g.svg, want))
			}
		})
	}
}

func firstDiff(got, want []byte) string {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return fmt.Sprintf("line %d:\n got: %s\nwant: %s", i+1, g, w)
		}
	}
	return ""
}

func TestDeterministic(t *testing.T) {
	a, b := goldens(), goldens()
	for i := range a {
		if !bytes.Equal(a[i].svg, b[i].svg) {
			t.Errorf("%s: two renders of the same data differ", a[i].name)
		}
	}
}

// node is a parsed SVG element, for structural assertions.
type node struct {
	name     string
	attrs    map[string]string
	children []*node
	text     string
}

func parse(t *testing.T, svg []byte) *node {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(svg))
	d.Strict = true
	var stack []*node
	var root *node
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("output is not well-formed XML: %v\n%s", err, svg)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				n.attrs[a.Name.Local] = a.Value
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else if root != nil {
				t.Fatalf("more than one root element")
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			}
		}
	}
	if root == nil || root.name != "svg" {
		t.Fatalf("root element is not <svg>")
	}
	return root
}

func (n *node) walk(f func(*node)) {
	f(n)
	for _, c := range n.children {
		c.walk(f)
	}
}

func (n *node) hasClass(c string) bool {
	for _, x := range strings.Fields(n.attrs["class"]) {
		if x == c {
			return true
		}
	}
	return false
}

// all returns the elements carrying every one of the classes.
func (n *node) all(classes ...string) []*node {
	var out []*node
	n.walk(func(m *node) {
		for _, c := range classes {
			if !m.hasClass(c) {
				return
			}
		}
		out = append(out, m)
	})
	return out
}

func (n *node) child(name string) *node {
	for _, c := range n.children {
		if c.name == name {
			return c
		}
	}
	return nil
}

// checkCommon asserts what every chart must have: a parseable SVG with a
// viewBox and no fixed size, an accessible name and description, and
// nothing the CSP forbids or that could run script.
func checkCommon(t *testing.T, svg []byte, wantRole string) *node {
	t.Helper()
	root := parse(t, svg)
	if root.attrs["role"] != wantRole {
		t.Errorf("role = %q, want %q", root.attrs["role"], wantRole)
	}
	if !regexp.MustCompile(`^0 0 \d+(\.\d)? \d+(\.\d)?$`).MatchString(root.attrs["viewBox"]) {
		t.Errorf("viewBox = %q", root.attrs["viewBox"])
	}
	if _, ok := root.attrs["width"]; ok {
		t.Errorf("fixed width on <svg>: the chart must scale by its viewBox")
	}
	ids := strings.Fields(root.attrs["aria-labelledby"])
	if len(ids) != 2 {
		t.Fatalf("aria-labelledby = %q, want the title's and the description's ids", root.attrs["aria-labelledby"])
	}
	title, desc := root.child("title"), root.child("desc")
	if title == nil || desc == nil {
		t.Fatalf("missing <title> or <desc> as a child of <svg>")
	}
	if title.attrs["id"] != ids[0] || desc.attrs["id"] != ids[1] {
		t.Errorf("aria-labelledby %v does not name the title (%q) and desc (%q)", ids, title.attrs["id"], desc.attrs["id"])
	}
	if strings.TrimSpace(title.text) == "" || strings.TrimSpace(desc.text) == "" {
		t.Errorf("empty title or description")
	}
	root.walk(func(n *node) {
		switch n.name {
		case "style", "script", "foreignObject", "image", "use":
			t.Errorf("forbidden element <%s>", n.name)
		}
		for a, v := range n.attrs {
			if a == "style" || strings.HasPrefix(a, "on") {
				t.Errorf("forbidden attribute %s=%q on <%s>", a, v, n.name)
			}
			if a == "fill" || a == "stroke" || a == "font-size" {
				t.Errorf("presentation attribute %s on <%s>: colours and sizes belong in chart.css", a, n.name)
			}
			if strings.Contains(v, "NaN") || strings.Contains(v, "Inf") {
				t.Errorf("%s=%q on <%s>", a, v, n.name)
			}
		}
	})
	if bytes.Contains(svg, []byte("style=")) || bytes.Contains(svg, []byte("<style")) {
		t.Errorf("the bytes contain a style attribute or element")
	}
	return root
}

func TestMapStructure(t *testing.T) {
	m := lenaMap()
	root := checkCommon(t, PowerTrustMap(m), "group")
	marks := root.all("tl-mark")
	if len(marks) != len(m.Points) {
		t.Fatalf("%d marks, want %d", len(marks), len(m.Points))
	}
	// Points are inside the plot only: the legend's samples are not marks.
	var points, hollow, whiskers, labels int
	for _, mk := range marks {
		if mk.child("title") == nil || !strings.Contains(mk.child("title").text, " — power ") {
			t.Errorf("mark without a hover title")
		}
		points += len(mk.all("tl-point"))
		hollow += len(mk.all("tl-point-hollow"))
		whiskers += len(mk.all("tl-whisker"))
		labels += len(mk.all("tl-point-label"))
	}
	if points != 6 || hollow != 2 || whiskers != 6 || labels != 6 {
		t.Errorf("points %d hollow %d whiskers %d labels %d, want 6 2 6 6", points, hollow, whiskers, labels)
	}
	var titles []string
	for _, mk := range marks {
		titles = append(titles, mk.child("title").text)
	}
	want := "Ana — power 0.63, trust 0.32 (0.20–0.45), compliance"
	if titles[len(titles)-1] != "Eli — power 0.29, trust 0.22 (0.12–0.34), neither yet" || !contains(titles, want) {
		t.Errorf("hover titles %q: want %q among them, and hollow points drawn first", titles, want)
	}
	// Each quadrant is named once, and the diagonal and quadrant lines drawn.
	for _, q := range []string{"influence", "compliance", "goodwill", "unanchored"} {
		if n := len(root.all("tl-quadrant-label", "tl-q-"+q)); n != 1 {
			t.Errorf("quadrant label %q drawn %d times", q, n)
		}
	}
	if d := root.child("desc").text; !strings.Contains(d, "1 compliance") || !strings.Contains(d, " Ana: power 0.63, trust 0.32, compliance.") {
		t.Errorf("desc %q should count quadrants and list the points", d)
	}
	// One rule: the quadrant lines, and no diagonal competing with them.
	if len(root.all("tl-diagonal")) != 0 || len(root.all("tl-diagonal-label")) != 0 {
		t.Errorf("the map draws a diagonal beside the quadrants")
	}
	if len(root.all("tl-quadrant-line")) != 1 || len(root.all("tl-axis-label")) != 2 {
		t.Errorf("want one pair of quadrant lines and two axis labels")
	}
	if len(root.all("tl-group")) != 0 {
		t.Errorf("points apart from each other drawn as a group")
	}
	links := 0
	root.walk(func(n *node) {
		if n.name == "a" {
			links++
			if !strings.HasPrefix(n.attrs["href"], "/people/") || n.attrs["aria-label"] == "" {
				t.Errorf("link %v without a path or an accessible name", n.attrs)
			}
		}
	})
	if links != 6 {
		t.Errorf("%d links, want 6", links)
	}
	// Geometry: Chen (trust .74, power .79) sits where the axes say.
	var c *node
	for _, mk := range marks {
		if strings.HasPrefix(mk.child("title").text, "Chen ") {
			c = mk.all("tl-point")[0]
		}
	}
	if c.attrs["cx"] != num(mapLeft+0.74*mapSize) || c.attrs["cy"] != num(mapTop+(1-0.79)*mapSize) {
		t.Errorf("Chen at (%s, %s), want trust along x and power along y", c.attrs["cx"], c.attrs["cy"])
	}
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

func TestMapWithoutLinksIsImg(t *testing.T) {
	m := lenaMap()
	for i := range m.Points {
		m.Points[i].Href = ""
	}
	m.Labels = false
	root := checkCommon(t, PowerTrustMap(m), "img")
	if n := len(root.all("tl-point-label")); n != 0 {
		t.Errorf("%d name labels with Labels off", n)
	}
	root.walk(func(n *node) {
		if n.name == "a" {
			t.Errorf("link without Href")
		}
	})
}

func TestMapEdgeValues(t *testing.T) {
	svg := PowerTrustMap(MapData{Points: []MapPoint{
		{Name: "nan", Power: math.NaN(), Trust: 0.5},
		{Name: "inf", Power: 0.5, Trust: math.Inf(1)},
		{Name: "over", Power: 1.7, Trust: -0.2, TrustLow: 0.9, TrustHigh: 0.1, Quadrant: "bogus"},
		{Name: "nowhisker", Power: 0.5, Trust: 0.5, TrustLow: math.NaN(), TrustHigh: 0.7, Quadrant: "influence"},
	}})
	root := checkCommon(t, svg, "img")
	marks := root.all("tl-mark")
	if len(marks) != 2 {
		t.Fatalf("%d marks, want 2 (non-finite points left out)", len(marks))
	}
	over := marks[0].child("title").text
	if over != "over — power 1.00, trust 0.00 (0.10–0.90), too early to tell" {
		t.Errorf("clamped point title %q", over)
	}
	if len(marks[0].all("tl-point-hollow")) != 1 {
		t.Errorf("unknown quadrant not drawn hollow")
	}
	if len(marks[1].all("tl-whisker")) != 0 {
		t.Errorf("whisker drawn from a NaN bound")
	}
	if !strings.Contains(root.child("desc").text, "2 relationships") {
		t.Errorf("desc %q", root.child("desc").text)
	}
}

func TestUnsafeHrefDropped(t *testing.T) {
	for _, h := range []string{"javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "//evil.example/x", "/a b", "vbscript:x", "/\\evil"} {
		svg := PowerTrustMap(MapData{Points: []MapPoint{{Name: "x", Power: 0.5, Trust: 0.5, Href: h}}})
		root := checkCommon(t, svg, "img")
		root.walk(func(n *node) {
			if n.name == "a" {
				t.Errorf("href %q kept", h)
			}
		})
	}
	for _, h := range []string{"/people/1?x=1&y=2", "#ana", "https://example.com/a"} {
		svg := PowerTrustMap(MapData{Points: []MapPoint{{Name: "x", Power: 0.5, Trust: 0.5, Href: h}}})
		root := checkCommon(t, svg, "group")
		var got string
		root.walk(func(n *node) {
			if n.name == "a" {
				got = n.attrs["href"]
			}
		})
		if got != h {
			t.Errorf("href %q came back as %q", h, got)
		}
	}
}

func TestTrendStructure(t *testing.T) {
	s := lenaTrend()
	root := checkCommon(t, TrustOverTime(s), "img")
	marks := root.all("tl-mark")
	if len(marks) != 12 {
		t.Fatalf("%d points, want 12", len(marks))
	}
	if got := marks[3].child("title").text; got != "Ana, week of 26 Jan 2026: trust 0.32 (0.17–0.46)" {
		t.Errorf("hover title %q", got)
	}
	bands := root.all("tl-band")
	if len(bands) != 1 || len(strings.Fields(bands[0].attrs["points"])) != 24 {
		t.Fatalf("want one band polygon with 24 vertices")
	}
	lines := root.all("tl-line")
	if len(lines) != 1 || len(strings.Fields(lines[0].attrs["points"])) != 12 {
		t.Errorf("want one line through 12 points")
	}
	if len(root.all("tl-ref")) != 1 {
		t.Errorf("want the 0.5 reference line")
	}
	// The reference line sits at 0.5 and the line's y falls as trust rises.
	ref := root.all("tl-ref")[0]
	if ref.attrs["y1"] != num(trendTop+0.5*trendPlotH) {
		t.Errorf("reference at y=%s", ref.attrs["y1"])
	}
	var dates []string
	for _, g := range root.all("tl-tick-label") {
		for _, c := range g.children {
			if strings.Contains(c.text, "Jan") || strings.Contains(c.text, "Feb") || strings.Contains(c.text, "Mar") {
				dates = append(dates, c.text)
			}
		}
	}
	if len(dates) != 5 || dates[0] != "5 Jan" || dates[4] != "23 Mar" {
		t.Errorf("date labels %q, want 5 from 5 Jan to 23 Mar", dates)
	}
}

func TestTrendSinglePointAndYears(t *testing.T) {
	one := TrustOverTime(Series{Points: []TrendPoint{{At: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), E: 0.4, Low: 0.2, High: 0.6}}})
	root := checkCommon(t, one, "img")
	if len(root.all("tl-band")) != 0 || len(root.all("tl-whisker")) != 1 || len(root.all("tl-mark")) != 1 {
		t.Errorf("a single reading should be a point with a whisker and no band")
	}
	two := TrustOverTime(Series{Points: []TrendPoint{
		{At: time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC), E: 0.5},
		{At: time.Date(2025, 12, 29, 0, 0, 0, 0, time.UTC), E: 0.45},
		{At: time.Time{}, E: 0.3},
	}})
	root = checkCommon(t, two, "img")
	if !bytes.Contains(two, []byte(">29 Dec 25<")) || !bytes.Contains(two, []byte(">5 Jan 26<")) {
		t.Errorf("dates across a new year need the year:\n%s", two)
	}
	if n := len(root.all("tl-mark")); n != 2 {
		t.Errorf("%d marks, want 2 (zero time left out)", n)
	}
}

func TestDimsStructure(t *testing.T) {
	d := lenaDims()
	root := checkCommon(t, DimensionBars(d), "img")
	bars := root.all("tl-bar")
	if len(bars) != 3 {
		t.Fatalf("%d bars, want 3", len(bars))
	}
	for i, dim := range []string{"ability", "benevolence", "integrity"} {
		if !bars[i].hasClass("tl-dim-" + dim) {
			t.Errorf("bar %d classes %q, want tl-dim-%s", i, bars[i].attrs["class"], dim)
		}
		w, _ := strconv.ParseFloat(bars[i].attrs["width"], 64)
		if math.Abs(w-d.Bars[i].Value*barsTrackW) > 0.05 {
			t.Errorf("bar %s width %v, want %v", dim, w, d.Bars[i].Value*barsTrackW)
		}
	}
	if n := len(root.all("tl-interval")); n != 3 {
		t.Errorf("%d intervals, want 3", n)
	}
	labels := root.all("tl-bar-label")
	if len(labels) != 3 || labels[2].text != "Integrity: promises kept, decisions explained" {
		t.Errorf("labels must be the caller's words")
	}
	values := root.all("tl-bar-value")
	if len(values) != 3 || values[1].text != "0.23 (0.11–0.38)" {
		t.Errorf("value text %v", values)
	}
	odd := DimensionBars(Dims{Bars: []Bar{{Dim: "Ability!<x>", Value: 2, Low: math.Inf(-1), High: 1}}})
	root = checkCommon(t, odd, "img")
	if b := root.all("tl-bar"); len(b) != 1 || !b[0].hasClass("tl-dim-abilityx") || b[0].attrs["width"] != num(barsTrackW) {
		t.Errorf("odd bar: %v", root.all("tl-bar"))
	}
	if len(root.all("tl-interval")) != 0 {
		t.Errorf("interval drawn from an infinite bound")
	}
}

func TestWeeklyStructure(t *testing.T) {
	wd := lenaWeekly()
	root := checkCommon(t, WeeklyChart(wd), "img")
	series := root.all("tl-series")
	if len(series) != 4 {
		t.Fatalf("%d series, want 4", len(series))
	}
	if !series[3].hasClass("tl-avg") || len(series[3].all("tl-line")) != 1 {
		t.Errorf("the team average must be one tl-avg line drawn last")
	}
	if n := len(weeklyMarks(root)); n != 48 {
		t.Errorf("%d marks, want 48 (4 series × 12 weeks)", n)
	}
	for _, s := range series {
		if n := len(s.all("tl-line")); n != 1 {
			t.Errorf("series %q has %d lines", s.attrs["class"], n)
		}
	}
	// Each person has a distinct colour class and a name at the line's end.
	seen := map[string]bool{}
	for _, s := range series[:3] {
		for _, c := range strings.Fields(s.attrs["class"]) {
			if strings.HasPrefix(c, "tl-s") && c != "tl-series" {
				if seen[c] {
					t.Errorf("colour class %s used twice", c)
				}
				seen[c] = true
			}
		}
	}
	if len(seen) != 3 {
		t.Errorf("colour classes %v", seen)
	}
	var names []string
	var ys []float64
	for _, l := range root.all("tl-series-label") {
		names = append(names, l.text)
		y, _ := strconv.ParseFloat(l.attrs["y"], 64)
		ys = append(ys, y)
	}
	if strings.Join(names, ",") != "Ana,Ben,Chen,team average" {
		t.Errorf("end labels %q", names)
	}
	for i := range ys {
		for j := i + 1; j < len(ys); j++ {
			if math.Abs(ys[i]-ys[j]) < 14.9 {
				t.Errorf("end labels %q and %q overlap (y %v, %v)", names[i], names[j], ys[i], ys[j])
			}
		}
	}
	got := weeklyMarks(root)[3].child("title").text
	if got != "Ana — week 4: trust 0.32" {
		t.Errorf("hover title %q", got)
	}
}

// weeklyMarks are the weekly chart's points that carry a hover title (the
// keys beside the end labels carry none).
func weeklyMarks(root *node) []*node {
	var out []*node
	for _, p := range root.all("tl-point") {
		if p.child("title") != nil {
			out = append(out, p)
		}
	}
	return out
}

func TestWeeklyAutoScale(t *testing.T) {
	svg := WeeklyChart(WeeklyData{Metric: "influence", Series: []WeeklySeries{
		{Name: "Holmes", Points: []WeekValue{{Week: 39, Value: 1.451}, {Week: 40, Value: 0.469}, {Week: 44, Value: 0.112}, {Week: 41, Value: math.NaN()}}},
	}})
	root := checkCommon(t, svg, "img")
	if root.child("title").text != "Influence by week" {
		t.Errorf("default title %q", root.child("title").text)
	}
	var ticks []string
	for _, g := range root.all("tl-tick-label") {
		for _, c := range g.children {
			ticks = append(ticks, c.text)
		}
	}
	if strings.Join(ticks, ",") != "0,0.5,1,1.5,39,40,41,42,43,44" {
		t.Errorf("ticks %q, want y to 1.5 by 0.5 and weeks 39–44", ticks)
	}
	if n := len(weeklyMarks(root)); n != 3 {
		t.Errorf("%d marks, want 3 (NaN left out)", n)
	}
}

func TestSpreadLabels(t *testing.T) {
	ys := []float64{100, 101, 50, 102, 300}
	spreadLabels(ys, func(p *float64) *float64 { return p }, 15, 0, 200)
	want := []float64{100, 115, 50, 130, 200}
	for i := range ys {
		if ys[i] != want[i] {
			t.Fatalf("spread %v, want %v", ys, want)
		}
	}
	crowd := []float64{190, 190, 190}
	spreadLabels(crowd, func(p *float64) *float64 { return p }, 15, 0, 200)
	if crowd[0] != 170 || crowd[1] != 185 || crowd[2] != 200 {
		t.Errorf("crowded at the bottom: %v, want 170 185 200", crowd)
	}
}

func TestEmpty(t *testing.T) {
	for _, g := range goldens() {
		if !strings.HasSuffix(g.name, "_empty") {
			continue
		}
		t.Run(g.name, func(t *testing.T) {
			root := checkCommon(t, g.svg, "img")
			empty := root.all("tl-empty")
			if len(empty) != 1 || empty[0].attrs["text-anchor"] != "middle" || empty[0].text == "" {
				t.Fatalf("want one centred message")
			}
			if root.child("desc").text != empty[0].text {
				t.Errorf("the description should be the message")
			}
			if len(root.all("tl-mark"))+len(root.all("tl-point")) != 0 {
				t.Errorf("marks in an empty chart")
			}
		})
	}
	// Without a message each chart still says something.
	for _, svg := range [][]byte{PowerTrustMap(MapData{}), TrustOverTime(Series{}), DimensionBars(Dims{}), WeeklyChart(WeeklyData{Series: []WeeklySeries{{Name: "x"}}})} {
		root := checkCommon(t, svg, "img")
		if e := root.all("tl-empty"); len(e) != 1 || e[0].text == "" {
			t.Errorf("no default empty message:\n%s", svg)
		}
	}
}

// TestEscaping feeds hostile names through every text the caller controls.
func TestEscaping(t *testing.T) {
	const evil = `<script>alert(1)</script> & "quotes" 'single' ]]> ` + "\x00\x1b"
	at := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
	charts := map[string][]byte{
		"map": PowerTrustMap(MapData{ID: `x" onload="alert(1)`, Title: evil, Labels: true, Points: []MapPoint{
			{Name: evil, Power: 0.6, Trust: 0.3, Quadrant: "compliance", Href: `/p?a="><script>`},
		}}),
		"map_empty": PowerTrustMap(MapData{Title: evil, Empty: evil}),
		"trend":     TrustOverTime(Series{Title: evil, Desc: evil, Name: evil, Points: []TrendPoint{{At: at, E: 0.5}, {At: at.AddDate(0, 0, 7), E: 0.6}}}),
		"dims":      DimensionBars(Dims{Title: evil, Bars: []Bar{{Dim: evil, Label: evil, Value: 0.5}}}),
		"weekly":    WeeklyChart(WeeklyData{Title: evil, Metric: evil, RefLabel: evil, Ref: 0.5, Series: []WeeklySeries{{Name: evil, Points: []WeekValue{{1, 0.5}}}}}),
	}
	for name, svg := range charts {
		t.Run(name, func(t *testing.T) {
			if bytes.Contains(svg, []byte("<script")) || bytes.Contains(svg, []byte(`"quotes"`)) {
				t.Fatalf("unescaped text:\n%s", svg)
			}
			if !bytes.Contains(svg, []byte("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;quotes&#34;")) {
				t.Errorf("escaped name missing:\n%s", svg)
			}
			root := parse(t, svg)
			found := false
			root.walk(func(n *node) {
				if strings.Contains(n.text, `<script>alert(1)</script> & "quotes"`) {
					found = true
				}
				for a := range n.attrs {
					if strings.HasPrefix(a, "on") {
						t.Errorf("attribute %s injected", a)
					}
				}
			})
			if !found {
				t.Errorf("the name did not survive as text")
			}
		})
	}
}

// cssVars reads the custom properties of the light block (the first
// .tl-chart rule) and the dark block (inside prefers-color-scheme: dark).
func cssVars(t *testing.T) (light, dark map[string]string) {
	t.Helper()
	darkAt := strings.Index(CSS, "@media (prefers-color-scheme: dark)")
	if darkAt < 0 {
		t.Fatal("chart.css has no dark scheme")
	}
	re := regexp.MustCompile(`(--tl-[a-z0-9-]+):\s*([^;]+);`)
	read := func(s string) map[string]string {
		m := map[string]string{}
		for _, g := range re.FindAllStringSubmatch(s, -1) {
			m[g[1]] = strings.TrimSpace(g[2])
		}
		return m
	}
	return read(CSS[:darkAt]), read(CSS[darkAt:])
}

func luminance(t *testing.T, hex string) float64 {
	t.Helper()
	if len(hex) != 7 || hex[0] != '#' {
		t.Fatalf("colour %q is not #rrggbb", hex)
	}
	var c [3]float64
	for i := range c {
		v, err := strconv.ParseUint(hex[1+2*i:3+2*i], 16, 8)
		if err != nil {
			t.Fatalf("colour %q: %v", hex, err)
		}
		x := float64(v) / 255
		if x <= 0.03928 {
			c[i] = x / 12.92
		} else {
			c[i] = math.Pow((x+0.055)/1.055, 2.4)
		}
	}
	return 0.2126*c[0] + 0.7152*c[1] + 0.0722*c[2]
}

func contrast(t *testing.T, a, b string) float64 {
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// TestCSSContrast holds chart.css to WCAG AA in both schemes: 4.5:1 for
// colours used as text, 3:1 for marks (WCAG 1.4.11).
func TestCSSContrast(t *testing.T) {
	light, dark := cssVars(t)
	text := []string{"--tl-fg", "--tl-muted", "--tl-q-influence", "--tl-q-compliance", "--tl-q-goodwill", "--tl-q-unanchored",
		"--tl-s1", "--tl-s2", "--tl-s3", "--tl-s4", "--tl-s5", "--tl-s6"}
	marks := []string{"--tl-axis", "--tl-focus", "--tl-line", "--tl-q-undetermined", "--tl-dim-ability", "--tl-dim-benevolence", "--tl-dim-integrity"}
	for scheme, vars := range map[string]map[string]string{"light": light, "dark": dark} {
		for _, v := range text {
			if r := contrast(t, vars[v], vars["--tl-bg"]); r < 4.5 {
				t.Errorf("%s %s %s on %s: contrast %.2f < 4.5", scheme, v, vars[v], vars["--tl-bg"], r)
			}
		}
		for _, v := range marks {
			if r := contrast(t, vars[v], vars["--tl-bg"]); r < 3 {
				t.Errorf("%s %s %s on %s: contrast %.2f < 3", scheme, v, vars[v], vars["--tl-bg"], r)
			}
		}
		// The interval line over a bar must stand out from the track too.
		if r := contrast(t, vars["--tl-fg"], vars["--tl-track"]); r < 3 {
			t.Errorf("%s interval on track: contrast %.2f < 3", scheme, r)
		}
	}
	for v := range light {
		if _, ok := dark[v]; !ok && strings.HasPrefix(light[v], "#") {
			t.Errorf("%s has no dark value", v)
		}
	}
	for v := range dark {
		if _, ok := light[v]; !ok {
			t.Errorf("%s only in the dark scheme", v)
		}
	}
}

// TestCSSCoversClasses fails when a renderer emits a class that chart.css
// never mentions: such a mark would render unstyled (often invisible).
func TestCSSCoversClasses(t *testing.T) {
	// Hooks for pages and grouping classes need no rule of their own.
	unstyled := map[string]bool{"tl-chart-map": true, "tl-chart-dims": true, "tl-frame": true, "tl-mark": true, "tl-points": true, "tl-series": true, "tl-q-undetermined": true,
		"tl-group": true, "tl-group-mark": true}
	for _, g := range goldens() {
		root := parse(t, g.svg)
		root.walk(func(n *node) {
			for _, c := range strings.Fields(n.attrs["class"]) {
				if unstyled[c] {
					continue
				}
				if !regexp.MustCompile(`\.` + regexp.QuoteMeta(c) + `\b`).MatchString(CSS) {
					t.Errorf("%s: class %s has no rule in chart.css", g.name, c)
					unstyled[c] = true
				}
			}
		})
	}
}

// TestPreview writes HTML pages that show the golden charts with chart.css,
// in light and in dark, for a person to look at in a browser:
//
//	go test ./internal/chart -run TestPreview -preview=/tmp/chart-preview
func TestPreview(t *testing.T) {
	if *preview == "" {
		t.Skip("no -preview directory")
	}
	if err := os.MkdirAll(*preview, 0o755); err != nil {
		t.Fatal(err)
	}
	forcedDark := strings.Replace(CSS, "@media (prefers-color-scheme: dark)", "@media all", 1)
	for file, css := range map[string]string{"chart.css": CSS, "chart-dark.css": forcedDark} {
		if err := os.WriteFile(filepath.Join(*preview, file), []byte(css), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, scheme := range []string{"light", "dark"} {
		css, bg := "chart.css", "#ffffff"
		if scheme == "dark" {
			css, bg = "chart-dark.css", "#161b22"
		}
		var b strings.Builder
		fmt.Fprintf(&b, "<!doctype html><html><head><meta charset=utf-8><link rel=stylesheet href=%s>"+
			"<style>body{margin:12px;background:%s;display:grid;grid-template-columns:repeat(2,520px);gap:12px}</style></head><body>\n", css, bg)
		for _, g := range append(goldens(), stress()...) {
			b.Write(g.svg)
		}
		b.WriteString("</body></html>\n")
		if err := os.WriteFile(filepath.Join(*preview, scheme+".html"), []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLongNamesTruncatedInLabelsOnly(t *testing.T) {
	long := "Maximiliana Featherstonehaugh-Smythe"
	root := checkCommon(t, WeeklyChart(WeeklyData{Series: []WeeklySeries{{Name: long, Points: []WeekValue{{1, 0.4}, {2, 0.5}}}}}), "img")
	if l := root.all("tl-series-label"); len(l) != 1 || l[0].text != "Maximiliana…" {
		t.Errorf("end label %q, want it cut to 13 characters", l[0].text)
	}
	if got := weeklyMarks(root)[0].child("title").text; !strings.HasPrefix(got, long+" — ") {
		t.Errorf("hover title %q lost the full name", got)
	}
	root = checkCommon(t, PowerTrustMap(MapData{Labels: true, Points: []MapPoint{{Name: long, Power: 0.5, Trust: 0.5}}}), "img")
	if l := root.all("tl-point-label"); len(l) != 1 || l[0].text != "Maximiliana Fea…" {
		t.Errorf("point label %v", l)
	}
}

func TestDimsNeutralPerBar(t *testing.T) {
	root := checkCommon(t, DimensionBars(lenaDims()), "img")
	refs := root.all("tl-ref")
	if len(refs) != 3 {
		t.Fatalf("%d neutral marks, want one per bar", len(refs))
	}
	for _, r := range refs {
		if r.attrs["x1"] != num(barsLeft+0.5*barsTrackW) {
			t.Errorf("neutral mark at x=%s", r.attrs["x1"])
		}
	}
}

// stress is extra data for the previews only: many points, many series,
// influence on a 0–2 scale and a single reading.
func stress() []golden {
	var pts []MapPoint
	quads := []string{"influence", "compliance", "goodwill", "unanchored", "undetermined"}
	for i := 0; i < 50; i++ {
		p, e := float64((i*37)%100)/100, float64((i*61+13)%100)/100
		pts = append(pts, MapPoint{Name: "P" + strconv.Itoa(i), Power: p, Trust: e, TrustLow: e - 0.1, TrustHigh: e + 0.1, Quadrant: quads[i%5]})
	}
	var series []WeeklySeries
	for k, name := range []string{"Holmes", "Mandela", "Nadella", "Lena", "Ana", "Ben", "Chen"} {
		var vals []WeekValue
		for wk := 0; wk <= 52; wk++ {
			vals = append(vals, WeekValue{Week: wk, Value: 0.2 + float64(k)*0.2 + 0.5*math.Sin(float64(wk+k*7)/9)})
		}
		series = append(series, WeeklySeries{Name: name, Points: vals})
	}
	series = append(series, WeeklySeries{Name: "team average", Average: true, Points: []WeekValue{{0, 0.8}, {26, 1.0}, {52, 1.2}}})
	return []golden{
		{"stress_map", PowerTrustMap(MapData{ID: "s-map", Points: pts})},
		{"stress_crowded", PowerTrustMap(crowdedMap())},
		{"stress_weekly", WeeklyChart(WeeklyData{ID: "s-weekly", Metric: "influence", Ref: 1, RefLabel: "influence = power", Series: series})},
		{"stress_trend", TrustOverTime(Series{ID: "s-trend", Points: []TrendPoint{{At: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), E: 0.4, Low: 0.2, High: 0.6}}})},
	}
}

// TestSizes keeps charts well inside the 100 KB page budget (docs/PERFORMANCE.md).
func TestSizes(t *testing.T) {
	for _, g := range stress() {
		if len(g.svg) > 60_000 {
			t.Errorf("%s is %d bytes, want under 60 KB", g.name, len(g.svg))
		}
		t.Logf("%s: %d bytes", g.name, len(g.svg))
	}
}

func TestWeeklyDenseMarkers(t *testing.T) {
	var long, short []WeekValue
	for wk := 0; wk <= 30; wk++ {
		long = append(long, WeekValue{wk, 0.5})
		if wk <= 10 {
			short = append(short, WeekValue{wk, 0.5})
		}
	}
	root := checkCommon(t, WeeklyChart(WeeklyData{Series: []WeeklySeries{{Name: "a", Points: long}}}), "img")
	if n := len(root.all("tl-point-dense")); n != 31 {
		t.Errorf("%d dense markers over 31 weeks, want 31", n)
	}
	root = checkCommon(t, WeeklyChart(WeeklyData{Series: []WeeklySeries{{Name: "a", Points: short}}}), "img")
	if n := len(root.all("tl-point-dense")); n != 0 {
		t.Errorf("%d dense markers over 11 weeks, want 0", n)
	}
}

// FuzzText checks that any name, label, link or id yields well-formed XML
// with no element or attribute a caller could inject.
func FuzzText(f *testing.F) {
	f.Add(`<script>alert(1)</script>`, `javascript:alert(1)`, `a" onload="x`)
	f.Add("\x00\xff\xfe]]>&#", "/people/1", "")
	f.Add("Zoë 李 🙂", "#x", "id with spaces")
	f.Fuzz(func(t *testing.T, name, href, id string) {
		at := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC)
		for _, svg := range [][]byte{
			PowerTrustMap(MapData{ID: id, Title: name, Labels: true, Points: []MapPoint{{Name: name, Power: 0.5, Trust: 0.5, TrustLow: 0.3, TrustHigh: 0.7, Quadrant: name, Href: href}}}),
			TrustOverTime(Series{ID: id, Name: name, Points: []TrendPoint{{At: at, E: 0.5}}}),
			DimensionBars(Dims{ID: id, Bars: []Bar{{Dim: name, Label: name, Value: 0.5}}}),
			WeeklyChart(WeeklyData{ID: id, Metric: name, RefLabel: name, Ref: 0.5, Series: []WeeklySeries{{Name: name, Points: []WeekValue{{1, 0.5}}}}}),
			PowerTrustMap(MapData{ID: id, Empty: name}),
		} {
			root := parse(t, svg)
			root.walk(func(n *node) {
				switch n.name {
				case "svg", "title", "desc", "rect", "line", "path", "circle", "polygon", "polyline", "text", "g", "a":
				default:
					t.Fatalf("unexpected element <%s>", n.name)
				}
				for a, v := range n.attrs {
					if a == "style" || strings.HasPrefix(a, "on") {
						t.Fatalf("attribute %s injected", a)
					}
					if a == "href" && !safeHref(v) {
						t.Fatalf("unsafe href %q kept", v)
					}
					if a == "id" && !regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`).MatchString(v) {
						t.Fatalf("id %q", v)
					}
				}
			})
		}
	})
}
