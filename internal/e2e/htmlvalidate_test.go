package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/trustledger/trustledger/internal/demo"
)

// mailedLinkRE finds the links in the demo team's letters: a pulse (p),
// a check-in (c), a window (w), an address to confirm (v), the weekly
// step (d) and unsubscribing (u).
var mailedLinkRE = regexp.MustCompile(`/([pcwvdu])/[A-Z2-7]{26}`)

// TestHTMLValidateEveryPage opens every page of the site in Chromium, the
// leader's and the team's (through the links mailed to them), signed in
// and out, with the demo organisation's data and a few states of each
// (a confirmation, a refused form, a used link), and validates each as the
// server sent it with html-validate (htmlpages_test.go): zero errors and
// zero warnings. It fails too when a GET route of internal/web serves a
// page this test does not open, so a new page cannot go unchecked.
func TestHTMLValidateEveryPage(t *testing.T) {
	if _, ok := npxPath(t, false); !ok {
		return
	}
	ctx := context.Background()
	s := newSite(t, weeklyNow, true)
	b := newBrowser(t, s.URL, scriptsOff)
	// Before the first account: the sign-up page, and a sign-up refused
	// (the passwords differ).
	b.open("/", 200)
	if p := b.path(); p != "/signup" {
		b.fail("without accounts / led to %s, want /signup", p)
	}
	b.typeIn("#name", "Maya")
	b.typeIn("#email", "maya@example.org")
	b.typeIn("#password", "a long enough password")
	b.typeIn("#password2", "another long password")
	b.submit(`form[action="/signup"] button[type=submit]`, 422)
	email, password, err := demo.Seed(ctx, s.App, filepath.Join(repoRoot(t), "scenarios", demo.File), weeklyNow, s.Demo)
	if err != nil {
		t.Fatalf("demo.Seed: %v", err)
	}

	// mailed delivers the outbox and returns the links in it, by kind.
	mailed := func() map[string][]string {
		t.Helper()
		letters, err := s.Demo.Mailbox(ctx)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string][]string{}
		for _, l := range letters {
			for _, m := range mailedLinkRE.FindAllStringSubmatch(l.Text, -1) {
				out[m[1]] = append(out[m[1]], m[0])
			}
		}
		return out
	}
	// The weekly email: its accept link and its unsubscribe link.
	if _, err := s.App.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	weekly := mailed()

	// Signed out: the sign-in page, a refused sign-in, the sign-up page
	// (closed once there is an account), a page that is not there, the
	// single sign-on start without a provider, and the weekly email's
	// links, used and used again.
	b.open("/login", 200)
	b.typeIn("#email", email)
	b.typeIn("#password", "not the password")
	b.submit(`form[action="/login"] button[type=submit]`, 401)
	b.visit("/login/oidc")
	b.open("/no/such/page", 200) // to the sign-in page
	for _, kind := range []string{"d", "u"} {
		if len(weekly[kind]) == 0 {
			t.Fatalf("the weekly email has no /%s/ link: %v", kind, weekly)
		}
	}
	b.open(weekly["d"][0], 200)
	b.submit("#step-link-button", 200)
	b.open(weekly["d"][0], 409)
	b.open(weekly["u"][0], 200)
	b.submit(`form[action^="/u/"] button[type=submit]`, 200)

	// Signed in: every page of the menu and beyond.
	b.open("/login", 200)
	b.typeIn("#email", email)
	b.typeIn("#password", password)
	b.submit(`form[action="/login"] button[type=submit]`, 200)
	for _, p := range []string{"/", "/?week=2026-11-09", "/log", "/moves", "/promises", "/decisions", "/journal",
		"/settings", "/simulator", "/account", "/invitations", "/pulses", "/approvals", "/programs", "/roster",
		"/integrations"} {
		b.open(p, 200)
	}
	b.open("/no/such/page", 404)
	b.open("/people/no-such-person", 404)
	b.visit("/login/oidc")
	b.open("/", 200)
	people := b.hrefs(`ul.rels a[href^="/people/"]`, "")
	if len(people) < 5 {
		t.Fatalf("the dashboard links %d people: %v", len(people), people)
	}
	for _, p := range people {
		b.open(p, 200)
	}

	// Forms sent empty, past the browser's own checks, as a script or an
	// old browser might: each page answers with what is wrong, beside the
	// fields it names (a 4xx page, or a redirect to one with a message).
	for _, f := range []struct{ page, form string }{
		{"/", `form[action="/people"]`},
		{"/log", `form[action="/log"]`},
		{"/promises", `form[action="/promises"]`},
		{"/decisions", `form[action="/decisions"]`},
		{"/journal", `form[action="/journal"]`},
		{"/settings", `form[action="/settings/teams"]`},
		{"/account", `form[action="/account/password"]`},
		{"/account", `form[action="/account/tokens"]`},
		{"/invitations", `form[action="/invitations"]`},
		{"/programs", `form[action="/programs"]`},
		{"/integrations", `form[action="/integrations/webhooks"]`},
		{"/simulator", `form[method=post][action="/simulator"]`},
		{"/roster", `form[action="/roster"]`},
		{people[0], `form[action$="/power"]`},
	} {
		b.open(f.page, 200)
		b.submitUnchecked(f.form)
	}

	// The simulator: a shipped scenario, one pasted, one that is not YAML.
	b.open("/simulator?scenario=lena.yaml", 200)
	yaml, err := os.ReadFile(filepath.Join(repoRoot(t), "scenarios", "holmes.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b.open("/simulator", 200)
	b.fill("#yaml", string(yaml))
	b.submit(`form[method=post][action="/simulator"] button[type=submit]`, 200)
	b.open("/simulator", 200)
	b.fill("#yaml", "name: [not closed")
	b.submitUnchecked(`form[method=post][action="/simulator"]`)

	// An entry logged, with its confirmation.
	b.open("/log", 200)
	b.fill("#who", "Ana")
	b.do("choose the kind", chromedp.Click(chromedp.CSS(`input[name=kind][value=promise-kept]`)))
	b.submit(`form[action="/log"] button[type=submit]`, 200)

	// A webhook added (its secret shown once), then its removal asked.
	b.open("/integrations", 200)
	b.typeIn("#webhook-url", "https://hooks.example.org/trustledger")
	b.submit(`form[action="/integrations/webhooks"] button[type=submit]`, 200)
	b.open("/integrations", 200)
	b.submit(`a[href^="/integrations/webhooks/"][href$="/remove"]`, 200)

	// A program, and a roster checked and imported.
	b.open("/programs", 200)
	b.typeIn("#name", "Spring cohort")
	b.submit(`form[action="/programs"] button[type=submit]`, 200)
	b.open("/roster", 200)
	b.fill("#csv", "email,name,role\nnew.leader@example.org,New Leader,leader\n")
	b.submit(`form[action="/roster"] button[type=submit]`, 200)
	b.submit(`form[action="/roster/import"] button[type=submit]`, 200)

	// An invitation shown as a link, and its page.
	b.open("/invitations", 200)
	b.typeIn("#email", "invited@example.org")
	b.submit(`button[name=send][value=link]`, 200)
	invite := b.hrefs(`.secret a`, s.URL)
	if len(invite) != 1 {
		t.Fatalf("the invitation link: %v", invite)
	}

	// A check-in link passed on by hand, a window mailed, a pulse
	// launched, and a new address to confirm.
	b.open(people[0], 200)
	b.submit(`form[action$="/checkin"]:has(input[value=link]) button`, 200)
	checkin := strings.TrimPrefix(b.attr("#made-link", "value"), s.URL)
	b.open(people[0], 200)
	b.submit(`form[action$="/window"] button`, 200)
	b.open("/pulses", 200)
	b.submit("#launch", 200)
	pulse := b.path()
	b.open(pulse, 200)
	// A new address for someone asked: their pulse link still works.
	b.open(people[1], 200)
	b.fill("#person-email", "a.new.address@example.org")
	b.submit(`form[action$="/email"] button`, 200)
	links := mailed()

	// The team's pages, through their links, in a browser without the
	// leader's session.
	m := newBrowser(t, s.URL, scriptsOff)
	m.open(invite[0], 200)
	m.open(checkin, 200)
	m.open("/checkin", 200)
	m.submitUnchecked(`#checkin-form`)
	for _, kind := range []string{"w", "v", "p"} {
		if len(links[kind]) == 0 {
			t.Fatalf("no /%s/ link was mailed: %v", kind, links)
		}
	}
	m.open(links["w"][0], 200)
	m.open(links["v"][0], 200)
	m.submit("#confirm-address", 200)
	// An answer refused (none given), then given.
	m.open(links["p"][0], 200)
	m.submit("#submit-answers", 422)
	m.do("answer", chromedp.Click(chromedp.CSS(`#answer-form fieldset.scale input[value="4"]`)))
	m.submit("#submit-answers", 200)
	m.open(links["p"][0], 409)
	m.visit("/answer")
	m.visit("/window")
	// Links that are not there (mistyped, or from another installation).
	for _, kind := range []string{"invite", "v", "p", "c", "w", "d", "u"} {
		m.visit("/" + kind + "/AAAAAAAAAAAAAAAAAAAAAAAAAA")
	}

	s.Pages.mu.Lock()
	s.Pages.checked = true
	s.Pages.mu.Unlock()
	pages := s.Pages.snapshot()
	routes := s.Pages.routeNames()
	n := validatePages(t, pages, false)
	t.Logf("html-validate checked %d pages of %d routes:\n  %s", n, len(routes), strings.Join(routes, "\n  "))

	// Every GET route that serves a page was opened.
	opened := map[string]bool{}
	for _, r := range routes {
		method, rest, _ := strings.Cut(r, " ")
		path, _, _ := strings.Cut(rest, " ")
		if method == "GET" {
			opened[path] = true
		}
	}
	var missed []string
	for _, route := range getRoutes(t) {
		if !opened[route] && !notPages[route] {
			missed = append(missed, route)
		}
	}
	if len(missed) > 0 {
		t.Errorf("these GET routes serve pages this test never opened, so html-validate never saw them: %v "+
			"(open them in TestHTMLValidateEveryPage, or list them in notPages if they serve no HTML)", missed)
	}
}

// notPages are the GET routes that serve no HTML page: files, feeds,
// redirects and plain-text answers.
var notPages = map[string]bool{
	"/static/":                 true,
	"/robots.txt":              true,
	"/favicon.ico":             true,
	"/healthz":                 true,
	"/readyz":                  true,
	"/metrics":                 true,
	"/export/{file}":           true,
	"/calendar/{token}":        true,
	"/people/{id}/data":        true,
	"/roster/jobs/{id}/status": true,
	"/p/{token}":               true, // a redirect to /answer
	"/c/{token}":               true, // a redirect to /checkin
	"/w/{token}":               true, // a redirect to /window
}

// getRouteRE finds a GET route registered in internal/web.
var getRouteRE = regexp.MustCompile(`(?m)^\s*(?:mux\.HandleFunc|mux\.Handle|s\.handlePublic)\((?:mux, )?"GET (/[^"]*)"`)

// getRoutes reads the GET routes internal/web registers from its source,
// generalised as routeOf does.
func getRoutes(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(repoRoot(t), "internal", "web", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range getRouteRE.FindAllStringSubmatch(string(src), -1) {
			r := strings.TrimSuffix(m[1], "{$}")
			r = regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllStringFunc(r, func(p string) string {
				if p == "{token}" || p == "{file}" {
					return p
				}
				return "{id}"
			})
			out = append(out, r)
		}
	}
	if len(out) < 20 {
		t.Fatalf("found %d GET routes in internal/web, want the whole app's: %v", len(out), out)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// visit opens path whatever its status: a page whose answer depends on
// the state (a closed sign-up, a link's page after its pass ended).
func (b *browser) visit(path string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path)); err != nil {
		b.fail("open %s: %v", path, err)
	}
}

// hrefs is the href of every element matching sel, with prefix cut off.
func (b *browser) hrefs(sel, prefix string) []string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
		`Array.from(document.querySelectorAll(%q), a => a.getAttribute("href"))`, sel)))
	if err != nil {
		b.fail("links %s: %v", sel, err)
	}
	for i, h := range out {
		out[i] = strings.TrimPrefix(h, prefix)
	}
	return slices.Compact(out)
}

// submitUnchecked sends the first form matching sel as it is, without the
// browser's checks of required fields, lengths and types, and waits for
// the answer whatever its status.
func (b *browser) submitUnchecked(sel string) {
	b.t.Helper()
	if b.count(sel) == 0 {
		b.fail("no form matches %s", sel)
	}
	// Sent from DevTools, so a form folded away in <details> is sent too.
	send := chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(f => { f.noValidate = true; f.requestSubmit(f.querySelector("button[type=submit]")); })(document.querySelector(%q))`, sel))
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, send); err != nil {
		b.fail("send %s: %v", sel, err)
	}
}
