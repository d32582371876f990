package e2e

import (
	"context"
	"fmt"
	"maps"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/trustledger/trustledger/internal/demo"
)

// demoNow is a Thursday afternoon: the demo's story ends today.
var demoNow = time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC)

// TestBrowserDemo is the demo's promise: with the demo organisation
// that `serve --demo` starts with, a visitor signs in with the printed
// account, reads Lena's story from the dashboard and a person page, and
// takes this week's step. The pages' scripts run, as for most visitors.
//
// With -update-screenshot it refreshes docs/dashboard.png, the picture the
// README shows.
func TestBrowserDemo(t *testing.T) {
	s := newSite(t, demoNow, true)
	b := newBrowser(t, s.URL, scriptsOn)
	email, password, err := demo.Seed(context.Background(), s.App,
		filepath.Join(repoRoot(t), "scenarios", demo.File), demoNow, s.Demo)
	if err != nil {
		t.Fatalf("demo.Seed: %v", err)
	}

	// Signed out, the dashboard sends the visitor to sign in, and the
	// login page says it is a demo.
	b.open("/", 200)
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		b.fail("signed out, / landed on %s, want /login", p)
	}
	b.wantTitle("Sign in · trustledger")
	if got := b.text("main"); !strings.Contains(got, "demo") {
		b.fail("the login page does not say this is a demo: %q", got)
	}
	// A wrong password is refused on the same page, keeping the email.
	b.typeIn("#email", email)
	b.typeIn("#password", "not the demo password")
	b.submit(`form[action="/login"] button[type=submit]`, 401)
	if got := b.attr("#email", "value"); got != email {
		b.fail("the email was not kept after a failed login: %q", got)
	}
	b.typeIn("#password", password)
	b.submit(`form[action="/login"] button[type=submit]`, 200)
	if p := b.path(); p != "/" {
		b.fail("after signing in at %s, want /", p)
	}
	b.wantTitle("Dashboard · trustledger")

	// Lena's team on the dashboard: six people, six stories from the
	// article, each at a point of their own on the map and in the list,
	// in at least three quadrants, each where their story ends.
	b.open("/", 200) // once more, without the sign-in confirmation, for the screenshot
	d := b.dashboard()
	stories := []struct{ name, quadrant, row string }{
		{"Ana", "influence", ""},                                   // won over by transparency
		{"Ben", "compliance", "fear"},                              // complies under directives, with the fear the article warns of
		{"Chen", "influence", ""},                                  // a broken promise, an apology, the repair
		{"Dara", "influence", ""},                                  // overruled, then invited to dissent
		{"Femi", "goodwill", ""},                                   // a peer: trust without power
		{demo.Newcomer, "undetermined", "Not enough evidence yet"}, // joined this week
	}
	if len(d.Points) != len(stories) || len(d.Rows) != len(stories) {
		b.fail("the dashboard shows %d points and %d rows, want %d of each: %q", len(d.Points), len(d.Rows), len(stories), d.Points)
	}
	points := map[string]point{}
	quadrants := map[string]string{}
	for _, st := range stories {
		p := d.point(b, st.name)
		for other, o := range points {
			if math.Hypot(p.Power-o.Power, p.Trust-o.Trust) < 0.05 {
				b.fail("%s and %s are at the same point of the map: %+v and %+v", st.name, other, p, o)
			}
		}
		points[st.name] = p
		quadrants[st.name] = p.Quadrant
		if p.Quadrant != st.quadrant {
			b.fail("%s is %s on the map, want %s", st.name, p.Quadrant, st.quadrant)
		}
		row := d.Rows[st.name]
		if row == "" || !strings.Contains(strings.ToLower(row), strings.ToLower(st.row)) {
			b.fail("%s's row %q, want it to say %q", st.name, row, st.row)
		}
		if st.quadrant == "undetermined" {
			continue
		}
		// The list's badge names the same quadrant as the map.
		badge := fmt.Sprintf(`ul.rels > li:nth-child(%d) .badge.q-%s`, slices.Index(d.Order, st.name)+1, p.Quadrant)
		if b.count(badge) != 1 {
			b.fail("%s is %s on the map but the list says %q", st.name, p.Quadrant, row)
		}
	}
	if n := len(slices.Compact(slices.Sorted(maps.Values(quadrants)))); n < 3 {
		b.fail("the team is in %d quadrants, want at least 3: %v", n, quadrants)
	}
	t.Logf("points: %+v", points)
	// This week's step is where authority most exceeds trust: Ben.
	if !strings.HasPrefix(d.Step, "Ben · ") || !strings.Contains(d.Card, "Status: suggested") {
		b.fail("this week's step %q, want one suggested for Ben", d.Step)
	}
	if len(d.Due) == 0 || !strings.Contains(strings.Join(d.Due, "\n"), "Overdue") {
		b.fail("promises due %q, want the demo's overdue and due ones", d.Due)
	}
	shot := b.screenshot("demo-dashboard")
	if *updateScreenshot {
		dst := filepath.Join(repoRoot(t), "docs", "dashboard.png")
		if err := copyFile(shot, dst); err != nil {
			t.Fatalf("update %s: %v", dst, err)
		}
		t.Logf("updated %s", dst)
	}

	// A person page from the list: trust over time, the three dimensions,
	// and why the numbers are what they are.
	b.submit(fmt.Sprintf(`ul.rels > li:nth-child(%d) a[href^="/people/"]`, slices.Index(d.Order, "Ana")+1), 200)
	b.wantTitle("Ana · trustledger")
	anaPath := b.path()
	if b.count(".badge.q-"+quadrants["Ana"]) != 1 {
		b.fail("Ana's page does not name her quadrant %s", quadrants["Ana"])
	}
	if n := b.count("section[aria-labelledby=trend-h] .tl-line"); n != 1 {
		b.fail("trust over time has %d lines", n)
	}
	if n := b.count("section[aria-labelledby=trend-h] .tl-band"); n != 1 {
		b.fail("trust over time has %d uncertainty bands", n)
	}
	if n := b.count("section[aria-labelledby=trend-h] .tl-points .tl-mark"); n < 8 {
		b.fail("trust over time has %d weekly points, want most of sixteen weeks", n)
	}
	bars := b.texts("section[aria-labelledby=dims-h] .tl-bar-label")
	if len(bars) != 3 || !strings.HasPrefix(bars[0], "Ability") || !strings.HasPrefix(bars[1], "Benevolence") || !strings.HasPrefix(bars[2], "Integrity") {
		b.fail("dimension bars %q", bars)
	}
	if n := b.count("section[aria-labelledby=why-h] tbody tr"); n < 3 {
		b.fail("the explanation lists %d entries", n)
	}
	if got := b.text("section[aria-labelledby=cost-h]"); !strings.Contains(got, "broke one promise") {
		b.fail("no cost of a broken promise: %q", got)
	}
	// The demo's team confirmed their addresses weeks ago: Ana counts
	// in the team's voice.
	if got := b.text("#standing"); !strings.HasPrefix(got, "Ana counts in your team's voice") {
		b.fail("Ana's page says %q, want that she counts in the team's voice", got)
	}
	if n := b.confirmListeners(); n == 0 {
		b.fail("static/app.js did not run: no form asks before reversing an entry")
	}
	b.screenshot("demo-person")

	// Every page of the menu opens from the menu, says where it is in its
	// title and the menu, and keeps to its CSP (checked on every load).
	for _, pg := range []struct{ href, title string }{
		{"/log", "Log"}, {"/promises", "Promises"}, {"/decisions", "Decisions"}, {"/journal", "Journal"},
		{"/settings", "Settings"}, {"/simulator", "Simulator"}, {"/account", "Account"},
	} {
		b.submit(`nav ul a[href="`+pg.href+`"]`, 200)
		b.wantTitle(pg.title + " · trustledger")
		if got := b.attr(`nav ul a[href="`+pg.href+`"]`, "aria-current"); got != "page" {
			b.fail("the menu does not mark %s as the current page (aria-current %q)", pg.href, got)
		}
		if got := b.text("h1"); got == "" {
			b.fail("%s has no heading", pg.href)
		}
	}

	// This week's step: accept, then done, with the keyboard alone (the
	// first Tab reaches the skip link).
	b.submit(`nav a[href="/"]:not(.brand)`, 200)
	b.tabTo("a.skip", 1)
	b.tabTo(`form[action="/week/accept"] button`, 30)
	b.pressEnter(200)
	b.wantFlash("Step accepted for Ben")
	if d := b.dashboard(); !strings.Contains(d.Card, "Status: accepted") {
		b.fail("after accepting, the step shows %q", d.Card)
	}
	b.tabTo(`form[action="/week/close"]:has(input[value=done]) button`, 30)
	b.pressEnter(200)
	b.wantFlash("Step done for Ben", "promise kept")
	after := b.dashboard()
	if !strings.Contains(after.Card, "Status: done") || b.count(`form[action^="/week/"]`) != 0 {
		b.fail("after done, the step shows %q", after.Card)
	}

	// On a phone, in the dark: the pages fit the screen's width (nothing
	// to scroll sideways) and are saved for a person to look at.
	b.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	b.darkMode(true)
	for _, pg := range []struct{ path, name string }{{"/", "demo-dashboard-phone-dark"}, {anaPath, "demo-person-phone-dark"}} {
		b.open(pg.path, 200)
		if w := b.overflow(); w > 0 {
			b.fail("%s is %d px wider than a 390 px phone screen", pg.path, w)
		}
		b.screenshot(pg.name)
	}

	// Signing out ends the session: the dashboard asks to sign in again.
	b.submit(`footer form[action="/logout"] button`, 200)
	b.wantFlash("signed out")
	b.open("/", 200)
	if p := b.path(); !strings.HasPrefix(p, "/login") {
		b.fail("after signing out, / landed on %s, want /login", p)
	}
}
