package e2e

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/trustledger/trustledger/internal/chart"
)

// newUserNow is a Wednesday morning, so this week has days on both sides
// and a promise due on Friday is due this week.
var newUserNow = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// TestBrowserNewUser is the web app's first-visit browser test: a new user signs up on an
// empty installation, adds two people, logs a deposit and a withdrawal,
// makes and keeps a promise, accepts the week's step, and sees the
// dashboard change at every stage. The pages' scripts are off, so every
// step works without JavaScript.
func TestBrowserNewUser(t *testing.T) {
	s := newSite(t, newUserNow, false)
	b := newBrowser(t, s.URL, scriptsOff)
	dash := `nav a[href="/"]:not(.brand)`

	// The first visit to an empty installation asks for the first account.
	b.open("/", 200)
	if p := b.path(); p != "/signup" {
		b.fail("first visit landed on %s, want /signup", p)
	}
	b.wantTitle("Create the first account · trustledger")
	b.typeIn("#name", "Maya")
	b.typeIn("#email", "maya@example.org")
	b.typeIn("#password", "a long enough password")
	b.typeIn("#password2", "a long enough password")
	b.submit(`form[action="/signup"] button[type=submit]`, 200)
	if p := b.path(); p != "/" {
		b.fail("after signup at %s, want /", p)
	}
	b.wantTitle("Dashboard · trustledger")
	b.wantFlash("Welcome, Maya")
	if got := b.text("footer"); !strings.Contains(got, "Maya") {
		b.fail("footer %q does not name the signed-in user", got)
	}
	// The empty dashboard says what to do first; no map, no step yet.
	d0 := b.dashboard()
	if got := b.text("#first"); got != "Add the first person you lead" {
		b.fail("empty state heading %q", got)
	}
	if len(d0.Points) != 0 || len(d0.Rows) != 0 || d0.Step != "" {
		b.fail("the empty dashboard shows %+v", d0)
	}

	// The first person, from the empty state's form: the app opens her
	// page and confirms.
	b.typeIn("#person-name", "Ana")
	b.fill("#person-kind", "direct-report")
	b.submit(`form[action="/people"] button[type=submit]`, 200)
	if p := b.path(); !strings.HasPrefix(p, "/people/") {
		b.fail("after adding Ana at %s, want her page", p)
	}
	anaPath := b.path()
	b.wantTitle("Ana · trustledger")
	b.wantFlash("Added Ana (direct report)")

	// Maya holds every kind of position power over Ana: set it on her page.
	for _, base := range []string{"legitimate", "reward", "coercive", "informational"} {
		b.fill("#base-"+base, "4")
	}
	b.submit(`form[action$="/power"] button[type=submit]`, 200)
	b.wantFlash("Power bases saved for Ana")
	if got := b.attr("#base-coercive option[selected]", "value"); got != "4" {
		b.fail("coercive power shows %q after saving 4", got)
	}

	// One point on the map, and a step: Ana's authority is far ahead of a
	// trust nobody has evidence for yet.
	b.submit(dash, 200)
	d1 := b.dashboard()
	ana1 := d1.point(b, "Ana")
	if len(d1.Points) != 1 || ana1.Power < 0.75 || ana1.Quadrant != "undetermined" {
		b.fail("after Ana the map shows %q", d1.Points)
	}
	if !strings.Contains(d1.Rows["Ana"], "Not enough evidence yet") {
		b.fail("Ana's row %q", d1.Rows["Ana"])
	}
	if !strings.HasPrefix(d1.Step, "Ana · ") || !strings.Contains(d1.Card, "Status: suggested") {
		b.fail("step %q, want one suggested for Ana", d1.Step)
	}
	if !strings.Contains(d1.Why, "Your authority with Ana is far ahead of the trust between you") {
		b.fail("the step does not say why Ana: %q", d1.Why)
	}

	// The second person, from the dashboard's "Add a person".
	b.do("open the add form", chromedp.Click(chromedp.CSS("details > summary")))
	b.typeIn("#person-name", "Ben")
	b.fill("#person-kind", "peer")
	b.submit(`form[action="/people"] button[type=submit]`, 200)
	b.wantTitle("Ben · trustledger")
	b.wantFlash("Added Ben (peer)")
	b.submit(dash, 200)
	d2 := b.dashboard()
	ben2 := d2.point(b, "Ben")
	if len(d2.Points) != 2 || len(d2.Rows) != 2 || ben2.Power >= ana1.Power {
		b.fail("after Ben the map shows %q", d2.Points)
	}
	if d2.point(b, "Ana") != ana1 {
		b.fail("adding Ben moved Ana: %q", d2.Points)
	}

	// A deposit for Ben, from the "+ Log" button every page has.
	b.submit(`a.log-button`, 200)
	b.wantTitle("Log · trustledger")
	b.fill("#who", "Ben")
	b.do("pick recognition", chromedp.Click(chromedp.CSS(`input[name=kind][value=recognition]`)))
	b.typeIn("#note", "Thanked Ben in the all-hands for the migration")
	b.submit(`form.log-form button[type=submit]`, 200)
	b.wantFlash("Logged:", "for Ben")
	if got := b.texts("ul.ledger > li"); len(got) != 1 || !strings.Contains(got[0], "Thanked Ben in the all-hands") {
		b.fail("recent entries %q", got)
	}

	// A form error is shown next to its field with the input kept.
	b.fill("#who", "Ana")
	b.typeIn("#note", "Brushed off her concern about the deadline")
	b.submit(`form.log-form button[type=submit]`, 422)
	if got := b.texts(".field-error"); len(got) != 1 || got[0] != "Pick what happened." {
		b.fail("field errors %q, want the missing kind", got)
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#note"))); v != "Brushed off her concern about the deadline" {
		b.fail("the note was not kept: %q", v)
	}
	if v, _ := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS("#who"))); v != "Ana" {
		b.fail("who was not kept: %q", v)
	}

	// A withdrawal for Ana, the same form with the kind picked.
	b.do("pick dismissed", chromedp.Click(chromedp.CSS(`input[name=kind][value=dismissed]`)))
	b.fill("#severity", "major")
	b.submit(`form.log-form button[type=submit]`, 200)
	b.wantFlash("Logged:", "for Ana")

	b.submit(dash, 200)
	d3 := b.dashboard()
	ana3, ben3 := d3.point(b, "Ana"), d3.point(b, "Ben")
	if !(ana3.Trust < ana1.Trust) || !(ben3.Trust > ben2.Trust) {
		b.fail("trust did not follow the ledger: before %q, after %q", d2.Points, d3.Points)
	}
	if ana3.Power != ana1.Power {
		b.fail("logging moved Ana's power: %q", d3.Points)
	}
	if strings.Contains(d2.Rows["Ana"], "⚠") || !strings.Contains(d3.Rows["Ana"], "⚠ Fear risk") {
		b.fail("Ana's warnings before %q, after %q; want a fear risk only after the dismissal", d2.Rows["Ana"], d3.Rows["Ana"])
	}

	// A mistake, undone from the confirmation: the map is as it was.
	b.submit(`a.log-button`, 200)
	b.fill("#who", "Ben")
	b.do("pick favoritism", chromedp.Click(chromedp.CSS(`input[name=kind][value=favoritism]`)))
	b.submit(`form.log-form button[type=submit]`, 200)
	b.wantFlash("Logged:", "for Ben")
	b.submit(`.flash form button`, 200)
	b.wantFlash("Reversed")
	b.submit(dash, 200)
	if got := b.dashboard(); got.point(b, "Ben") != ben3 {
		b.fail("after the undo Ben is %q, want %+v", got.Points, ben3)
	}

	// A promise to Ben: made, due this week on the dashboard, then kept.
	b.submit(`nav a[href="/promises"]`, 200)
	b.wantTitle("Promises · trustledger")
	if got := b.text("main"); !strings.Contains(got, "No promises yet") {
		b.fail("no empty state on the promises page: %q", got)
	}
	b.fill("#promise-to", "Ben")
	b.typeIn("#promise-what", "Send Ben the budget numbers")
	b.fill("#promise-due", "2026-03-06")
	b.submit(`form[action="/promises"] button[type=submit]`, 200)
	b.wantFlash("Promise made to Ben, due Fri 6 Mar 2026")
	b.submit(dash, 200)
	d4 := b.dashboard()
	if !slices.ContainsFunc(d4.Due, func(s string) bool { return strings.Contains(s, "Send Ben the budget numbers") }) {
		b.fail("promises due %q lack the new promise", d4.Due)
	}
	b.submit(`nav a[href="/promises"]`, 200)
	b.submit(`form[action$="/resolve"] button[value=kept]`, 200)
	b.wantFlash("Logged: promise kept for Ben")
	if got := b.text("section[aria-labelledby=saydo-h]"); !strings.Contains(got, "100%") || !strings.Contains(got, "kept 1 of the 1") {
		b.fail("say/do after one kept promise: %q", got)
	}
	if got := b.text("section[aria-labelledby=kept-h]"); !strings.Contains(got, "Send Ben the budget numbers") {
		b.fail("kept promises: %q", got)
	}
	b.submit(dash, 200)
	d5 := b.dashboard()
	if ben5 := d5.point(b, "Ben"); !(ben5.Trust > ben3.Trust) {
		b.fail("keeping the promise did not raise Ben's trust: %q then %q", d3.Points, d5.Points)
	}
	if len(d5.Due) != 0 {
		b.fail("promises due after keeping the only one: %q", d5.Due)
	}

	// This week's step, accepted: it becomes a promise due this week.
	if d5.Step != d1.Step {
		b.fail("the week's step changed within the week: %q, then %q", d1.Step, d5.Step)
	}
	b.submit(`form[action="/week/accept"] button`, 200)
	b.wantFlash("Step accepted for Ana", "Sun 8 Mar 2026")
	d6 := b.dashboard()
	if !strings.Contains(d6.Card, "Status: accepted") || b.count(`form[action="/week/close"] input[value=done]`) != 1 {
		b.fail("after accepting, the step shows %q", d6.Card)
	}
	if b.count(`form[action="/week/accept"]`) != 0 {
		b.fail("the step can still be accepted")
	}
	if len(d6.Due) != 1 || !strings.Contains(d6.Due[0], "this week's step") || !strings.HasSuffix(d6.Due[0], "to Ana") {
		b.fail("promises due after accepting the step: %q", d6.Due)
	}
	b.screenshot("newuser-dashboard")

	// Ana's page tells the same story: the dismissal in her ledger and the
	// reasons for her numbers.
	b.open(anaPath, 200)
	b.wantTitle("Ana · trustledger")
	if got := b.text("section[aria-labelledby=ledger-h]"); !strings.Contains(got, "Brushed off her concern about the deadline") {
		b.fail("Ana's ledger: %q", got)
	}
	if n := b.count("section[aria-labelledby=why-h] tbody tr"); n == 0 {
		b.fail("no explanation of Ana's numbers")
	}
	if n := b.confirmListeners(); n != 0 {
		b.fail("%d forms ask before submitting: page scripts ran although they are off", n)
	}
	b.screenshot("newuser-person")

	// Without scripts the browser told no zone when Maya signed up: her
	// account is in UTC, and the account page says so and where to change
	// it (docs/MODEL.md, choice 39).
	b.open("/account", 200)
	if got := b.text("#zone-now"); !strings.Contains(got, "Times are shown in UTC") {
		b.fail("the account page says %q about the zone", got)
	}
	if b.count("#zone-utc") != 1 || b.attr("#zone-name", "value") != "UTC" {
		b.fail("the account page does not say that UTC was not chosen")
	}
}

// point is one relationship on the map, read from its hover title
// ("Ana — power 0.79, trust 0.15 (0.02–0.34), too early to tell"), with
// its quadrant as the model names it ("undetermined").
type point struct {
	Power, Trust float64
	Quadrant     string
}

// point finds a person's point on the map.
func (v dashboardView) point(b *browser, name string) point {
	b.t.Helper()
	for _, title := range v.Points {
		who, rest, ok := strings.Cut(title, " — ")
		if !ok || who != name {
			continue
		}
		var p point
		if _, err := fmt.Sscanf(rest, "power %g, trust %g", &p.Power, &p.Trust); err != nil {
			b.fail("point title %q: %v", title, err)
		}
		words := rest[strings.LastIndex(rest, ", ")+2:]
		for _, q := range []string{chart.QuadInfluence, chart.QuadCompliance, chart.QuadGoodwill, chart.QuadUnanchored, chart.QuadUndetermined} {
			if chart.QuadrantName(q) == words {
				p.Quadrant = q
			}
		}
		if p.Quadrant == "" {
			b.fail("point title %q names no quadrant", title)
		}
		return p
	}
	b.fail("no point for %s among %q", name, v.Points)
	return point{}
}
