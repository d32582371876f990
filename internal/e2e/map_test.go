package e2e

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// mapTeam is the team the map test draws: four people with the same
// ledger (they share one spot on the map), one where power outpaces trust,
// a peer in goodwill and a newcomer with too little evidence, with names
// long and short.
var mapTeam = []struct {
	name  string
	kind  engine.RelKind
	power map[string]int
	kinds []engine.Kind // logged every week, oldest first
	weeks int           // for how many weeks, up to this one
}{
	{"Ana", engine.DirectReport, nil, builders, 12},
	{"Ben", engine.DirectReport, nil, builders, 12},
	{"Chen", engine.DirectReport, nil, builders, 12},
	{"Dara", engine.DirectReport, nil, builders, 12},
	{"Eli Featherstone", engine.DirectReport, map[string]int{"legitimate": 4, "reward": 4, "coercive": 4, "informational": 4},
		[]engine.Kind{engine.KindDismissed, engine.KindDecisionUnexplained}, 10},
	{"Farah", engine.Peer, nil, []engine.Kind{engine.KindPromiseKept, engine.KindPersonValued, engine.KindExpertiseShown}, 8},
	{"Noor", engine.DirectReport, nil, nil, 0},
}

var builders = []engine.Kind{engine.KindPromiseKept, engine.KindDecisionExplained, engine.KindPersonValued}

// seedMapTeam adds mapTeam to the leader's ledger through the services,
// each person from the week their entries start.
func seedMapTeam(t *testing.T, s *site, leader string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, p := range mapTeam {
		started := now.AddDate(0, 0, -7*p.weeks-3)
		if _, err := s.App.AddPerson(ctx, leader, tl.PersonInput{Name: p.name, Kind: p.kind, Power: p.power, Start: started}); err != nil {
			t.Fatalf("add %s: %v", p.name, err)
		}
		for k := p.weeks; k >= 1; k-- {
			for i, kind := range p.kinds {
				at := now.AddDate(0, 0, -7*k).Add(time.Duration(i) * time.Hour)
				if _, err := s.App.Log(ctx, leader, tl.EventInput{Who: p.name, Kind: kind, At: at, Source: engine.Confirmed}); err != nil {
					t.Fatalf("log %s for %s: %v", kind, p.name, err)
				}
			}
		}
	}
}

// rect is an element's box on the screen, in CSS pixels.
type rect struct {
	X0, Y0, X1, Y1 float64
	Text, Class    string
}

func (a rect) overlaps(b rect) bool {
	const eps = 0.25 // boxes that touch do not overlap
	return a.X0+eps < b.X1 && b.X0+eps < a.X1 && a.Y0+eps < b.Y1 && b.Y0+eps < a.Y1
}

// mapView is what the browser draws of the dashboard's map.
type mapView struct {
	Labels  []rect // names beside points, quadrant names and notes
	Markers []rect // the points' and groups' markers
	Titles  []string
	Width   float64 // the map's width on screen
}

const rectJS = `e => { const b = e.getBoundingClientRect(); return {X0: b.left, Y0: b.top, X1: b.right, Y1: b.bottom, Text: e.textContent, Class: e.getAttribute("class")}; }`

// readMap measures the map the browser shows.
func (b *browser) readMap() mapView {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[mapView](`(() => {
		const svg = document.querySelector("#map svg");
		if (!svg) return null;
		const r = `+rectJS+`;
		return {
			Labels: Array.from(svg.querySelectorAll(".tl-point-label, .tl-quadrant-label, .tl-quadrant-note"), r),
			Markers: Array.from(svg.querySelectorAll(".tl-points .tl-point"), r),
			Titles: Array.from(svg.querySelectorAll(".tl-points .tl-mark > title"), e => e.textContent),
			Width: svg.getBoundingClientRect().width,
		};
	})()`))
	if err != nil {
		b.fail("measure the map: %v", err)
	}
	return v
}

// checkMapReads fails when the map leaves out a person's name, prints a
// label over another label or over a marker, or draws two markers over
// each other.
func (b *browser) checkMapReads(what string, m mapView, people []string) {
	b.t.Helper()
	var names []string
	for _, l := range m.Labels {
		if strings.Contains(l.Class, "tl-point-label") {
			names = append(names, l.Text)
			if l.X1-l.X0 <= 0 || l.Y1-l.Y0 <= 0 {
				b.fail("%s: the name %q is not drawn (%+v)", what, l.Text, l)
			}
		}
	}
	for _, p := range people {
		if !slices.Contains(names, p) {
			b.fail("%s: the map does not show %q; names shown %q", what, p, names)
		}
	}
	for i, a := range m.Labels {
		for _, c := range m.Labels[i+1:] {
			if a.overlaps(c) {
				b.fail("%s: %q %+v and %q %+v overlap", what, a.Text, a, c.Text, c)
			}
		}
		for _, mk := range m.Markers {
			if a.overlaps(mk) {
				b.fail("%s: %q %+v is printed over a marker %+v", what, a.Text, a, mk)
			}
		}
	}
	for i, a := range m.Markers {
		ax, ay, ar := (a.X0+a.X1)/2, (a.Y0+a.Y1)/2, max(a.X1-a.X0, a.Y1-a.Y0)/2
		for _, c := range m.Markers[i+1:] {
			cx, cy, cr := (c.X0+c.X1)/2, (c.Y0+c.Y1)/2, max(c.X1-c.X0, c.Y1-c.Y0)/2
			if math.Hypot(ax-cx, ay-cy) < ar+cr-0.5 {
				b.fail("%s: markers %+v and %+v are drawn over each other", what, a, c)
			}
		}
	}
}

// checkNoOverflow fails when the page is wider than the screen, or when
// anything on it reaches past the screen's edge: cut off, or (strict
// false) other than inside a box that scrolls sideways, such as a table's
// wrapper.
func (b *browser) checkNoOverflow(what string, strict bool) {
	b.t.Helper()
	if w := b.overflow(); w > 0 {
		b.fail("%s is %d px wider than the screen", what, w)
	}
	cut, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`((strict) => {
		const out = [];
		const inScroller = e => { if (strict) return false; for (let p = e.parentElement; p; p = p.parentElement) { const o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll") return true; } return false; };
		for (const e of document.querySelectorAll("main *, header *, footer *")) {
			const b = e.getBoundingClientRect();
			if (b.width === 0 || b.height === 0) continue;
			if ((b.right > window.innerWidth + 0.5 || b.left < -0.5) && !inScroller(e)) out.push(e.tagName + "." + e.className + " " + Math.round(b.left) + "–" + Math.round(b.right));
		}
		return out.slice(0, 10);
	})(`+fmt.Sprint(strict)+`)`))
	if err != nil {
		b.fail("%s: measure the elements: %v", what, err)
	}
	if len(cut) > 0 {
		b.fail("%s: cut off at the screen's edge: %q", what, cut)
	}
}

// checkTrendDates fails when two date labels of the person page's trend
// chart overlap.
func (b *browser) checkTrendDates(what string) {
	b.t.Helper()
	ticks, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]rect](`Array.from(document.querySelectorAll("section[aria-labelledby=trend-h] .tl-tick-label text[text-anchor=middle]"), `+rectJS+`)`))
	if err != nil {
		b.fail("%s: measure the dates: %v", what, err)
	}
	if len(ticks) == 0 {
		b.fail("%s: the trend chart has no dates", what)
	}
	for i, a := range ticks {
		for _, c := range ticks[i+1:] {
			if a.overlaps(c) {
				b.fail("%s: dates %q and %q overlap", what, a.Text, c.Text)
			}
		}
	}
}

// TestBrowserMapAndPhoneWidth: at a desktop's width and a phone's, the
// dashboard's map shows every person's name with nothing printed over
// anything (four people with the same ledger share one marker with a
// count), the leader steps to an earlier week and back with the links
// alone (page scripts off), and the settings, simulator and person pages
// fit the screen.
func TestBrowserMapAndPhoneWidth(t *testing.T) {
	// A Monday morning: the person page's last reading is a few hours
	// after the one before it.
	now := time.Date(2026, 3, 9, 9, 30, 0, 0, time.UTC)
	s := newSite(t, now, false)
	b := newBrowser(t, s.URL, scriptsOff)
	b.signupMaya()
	maya := mustUser(t, s, "maya@example.org")
	seedMapTeam(t, s, maya.LeaderID, now)
	var people []string
	for _, p := range mapTeam {
		people = append(people, p.name)
	}

	for _, width := range []int64{1280, 390} {
		what := fmt.Sprintf("at %d px", width)
		if width < 500 {
			b.do("emulate a phone", chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
		} else {
			b.do("emulate a desktop", chromedp.EmulateViewport(width, 900))
		}
		b.open("/", 200)
		m := b.readMap()
		if len(m.Titles) != len(people) {
			b.fail("%s: %d points on the map, want %d: %q", what, len(m.Titles), len(people), m.Titles)
		}
		if width < 500 && m.Width > float64(width) {
			b.fail("%s: the map is %.0f px wide", what, m.Width)
		}
		b.checkMapReads("this week's map "+what, m, people)
		if counts := b.texts("#map .tl-points .tl-count"); len(counts) != 1 || counts[0] != "4" {
			b.fail("%s: want the four people with the same ledger as one marker counting 4", what)
		}
		b.checkNoOverflow("the dashboard "+what, false)
		b.screenshot(fmt.Sprintf("map-%d", width))

		// Five weeks back by the links: a different map, as readable.
		for range 5 {
			b.submit("#map-earlier", 200)
		}
		if p := b.path(); !strings.HasPrefix(p, "/?week=") {
			b.fail("%s: after stepping back, at %s", what, p)
		}
		past := b.readMap()
		if slices.Equal(past.Titles, m.Titles) {
			b.fail("%s: the map of five weeks ago is this week's: %q", what, past.Titles)
		}
		var then []string
		for _, p := range mapTeam {
			if p.weeks >= 5 {
				then = append(then, p.name)
			}
		}
		b.checkMapReads("the map of five weeks ago "+what, past, then)
		b.checkNoOverflow("an earlier week's dashboard "+what, false)
		b.screenshot(fmt.Sprintf("map-earlier-%d", width))
		b.submit("#map-later", 200)
		b.submit("#map-now", 200)
		if p := b.path(); p != "/#map" {
			b.fail("%s: this week's link leads to %s", what, p)
		}

		for _, pg := range []string{"/settings", "/simulator?scenario=lena.yaml", "/simulator"} {
			b.open(pg, 200)
			b.checkNoOverflow(pg+" "+what, true)
			b.screenshot(fmt.Sprintf("phone-width%s-%d", strings.NewReplacer("/", "-", "?", "-", "=", "-", ".", "-").Replace(pg), width))
		}
		b.open("/", 200)
		b.submit(`ul.rels a[href^="/people/"]`, 200)
		b.checkTrendDates("the trend chart " + what)
		b.checkNoOverflow("a person page "+what, false)
	}
}
