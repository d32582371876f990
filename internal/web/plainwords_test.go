package web

import (
	"context"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/demo"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/plaintest"
)

// The pages speak to leaders, team members and coaches in plain words. The
// model's symbols and internal terms belong to docs/MODEL.md and to the
// advanced part of the settings page (the element with id="advanced"),
// where those who know the model tune it; nowhere else. internal/plaintest
// holds the words, which the weekly email's test reads for too.

// modelWordsIn and visibleText are plaintest's, by the names this
// package's tests use.
var (
	modelWordsIn = plaintest.ModelWordsIn
	visibleText  = plaintest.VisibleText
)

// withoutAdvanced removes the advanced part of a page: the element with
// id="advanced", a <details>, up to its matching </details>. It reports
// whether there was one.
func withoutAdvanced(page string) (string, bool) {
	i := strings.Index(page, `<details id="advanced"`)
	if i < 0 {
		return page, false
	}
	depth, j := 0, i
	for j < len(page) {
		open := strings.Index(page[j:], "<details")
		end := strings.Index(page[j:], "</details>")
		if end < 0 {
			return page[:i], true
		}
		if open >= 0 && open < end {
			depth++
			j += open + len("<details")
			continue
		}
		depth--
		j += end + len("</details>")
		if depth == 0 {
			break
		}
	}
	return page[:i] + page[j:], true
}

// notPages are the GET routes TestPagesSpeakPlainly does not read, and
// why. Every other GET route must be read by someone.
var notPages = map[string]string{
	"GET /static/":                 "style sheets and scripts, no words",
	"GET /healthz":                 "plain text for load balancers",
	"GET /robots.txt":              "plain text for crawlers",
	"GET /favicon.ico":             "no content: there is no icon",
	"GET /readyz":                  "plain text for load balancers",
	"GET /metrics":                 "Prometheus text for operators",
	"GET /calendar/{token}":        "an iCalendar feed read by calendar apps",
	"GET /people/{id}/data":        "a JSON download of what the leader keeps about a person",
	"GET /roster/jobs/{id}/status": "the JSON the import's progress bar polls",
	"GET /login/oidc":              "registered only with OpenID Connect, and a redirect to the provider (oidc_test.go reads its error page)",
}

// plainWalk reads pages and keeps what it found wrong, and which routes
// it read.
type plainWalk struct {
	t        *testing.T
	e        *env
	read     map[string]bool // route patterns read
	problems map[string][]string
	pages    int
	advanced int              // pages read with an advanced part
	odd      []*regexp.Regexp // sentences this ledger must not make
}

// check reads one answer, the page at path, as what; an HTML page's
// visible text, outside the settings page's advanced part, must hold no
// model word and no odd sentence (internal/plaintest).
func (p *plainWalk) check(what, path string, w *httptest.ResponseRecorder) {
	p.t.Helper()
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
		return
	}
	p.pages++
	page, advanced := withoutAdvanced(w.Body.String())
	path, _, _ = strings.Cut(path, "?")
	path, _, _ = strings.Cut(path, "#")
	if advanced {
		p.advanced++
		if path != "/settings" {
			p.problems[what] = append(p.problems[what], "an advanced part outside the settings page")
		}
	}
	text := visibleText(page)
	p.problems[what] = append(p.problems[what], modelWordsIn(text)...)
	p.problems[what] = append(p.problems[what], plaintest.OddWordsIn(text)...)
	p.problems[what] = append(p.problems[what], plaintest.MatchesIn(p.odd, text)...)
}

// pattern is the route pattern that serves a GET of target.
func (p *plainWalk) pattern(target string) string {
	_, pat := p.e.srv.mux.Handler(httptest.NewRequest("GET", target, nil))
	return pat
}

// get reads target with cookies, following redirects within the site.
func (p *plainWalk) get(target string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	p.t.Helper()
	for range 5 {
		p.read[p.pattern(target)] = true
		w := p.e.visit("GET", target, nil, cookies...)
		if w.Code != http.StatusSeeOther && w.Code != http.StatusFound {
			p.check("GET "+target, target, w)
			return w
		}
		loc, _, _ := strings.Cut(w.Header().Get("Location"), "#")
		if !strings.HasPrefix(loc, "/") {
			return w
		}
		target = loc
	}
	p.t.Fatalf("GET %s: too many redirects", target)
	return nil
}

// open follows a link that arrived by mail, as e.open does, and counts
// its route as read: it only leads to the page it opens.
func (p *plainWalk) open(kind, token string) *http.Cookie {
	p.t.Helper()
	p.read[p.pattern("/"+kind+"/"+token)] = true
	return p.e.open(kind, token)
}

// act sends a form as acc and reads the page it leads to, the flash with
// it; it returns that page.
func (p *plainWalk) act(method, target string, f url.Values, acc *account) string {
	p.t.Helper()
	w := p.e.do(method, target, f, acc)
	what, path := method+" "+target, target
	if w.Code == http.StatusSeeOther {
		path = w.Header().Get("Location")
		what += " → " + path
		w = p.e.follow(w, acc)
	}
	if w.Code >= 400 {
		p.t.Fatalf("%s: %d\n%s", what, w.Code, pagesTrim(w.Body.String()))
	}
	p.check(what, path, w)
	return w.Body.String()
}

// refused sends a form the services refuse, as acc, and reads the form
// page that comes back with status and, above or beside the form, why.
func (p *plainWalk) refused(target string, f url.Values, acc *account, status int) string {
	p.t.Helper()
	w := p.e.do("POST", target, f, acc)
	what := "POST " + target + " " + f.Encode() + " (refused)"
	if w.Code != status || !strings.Contains(w.Body.String(), `role="alert"`) {
		p.t.Fatalf("%s: %d, want %d with the reason\n%s", what, w.Code, status, pagesTrim(w.Body.String()))
	}
	p.check(what, target, w)
	return w.Body.String()
}

// hrefRE finds the links of a page; downloadRE the ones that download.
var (
	hrefRE     = regexp.MustCompile(`<a\s[^>]*href="(/[^"]*)"[^>]*>`)
	downloadRE = regexp.MustCompile(`\sdownload[\s>=]`)
)

// crawl reads every page reachable by links from seeds, as someone
// holding cookies: each link within the site once, but never another
// role's way out (signing out, downloads, the API, static files).
func (p *plainWalk) crawl(who string, seeds []string, cookies ...*http.Cookie) {
	p.t.Helper()
	seen := map[string]bool{}
	queue := append([]string(nil), seeds...)
	for len(queue) > 0 {
		target := queue[0]
		queue = queue[1:]
		if seen[target] {
			continue
		}
		seen[target] = true
		if len(seen) > 400 {
			p.t.Fatalf("%s: more than 400 pages; is a link making new addresses?", who)
		}
		if _, skip := notPages[p.pattern(target)]; skip {
			p.read[p.pattern(target)] = true
			continue
		}
		w := p.get(target, cookies...)
		if w.Code >= 500 {
			p.t.Errorf("%s: GET %s: %d", who, target, w.Code)
		}
		for _, m := range hrefRE.FindAllStringSubmatch(w.Body.String(), -1) {
			if downloadRE.MatchString(m[0]) {
				continue
			}
			link, _, _ := strings.Cut(html.UnescapeString(m[1]), "#")
			if link == "" || strings.HasPrefix(link, "//") || strings.HasPrefix(link, "/api/") || strings.HasPrefix(link, "/static/") {
				continue
			}
			queue = append(queue, link)
		}
	}
}

// TestPagesSpeakPlainly reads every page a leader, a coach and a team
// member can reach, the confirmations the leader's actions show and the
// forms that refuse them, and fails with the page and the word when the
// visible text (not attributes, not the settings page's advanced part)
// holds one of the model's symbols or internal terms, or builds a
// sentence wrongly (internal/plaintest).
//
// The ledger is the demo's (internal/demo): Lena's team in several
// quadrants, a newcomer with too little evidence, a broken promise
// repaired by an apology, a released pulse, a program whose coach sees
// Lena's summary. To it the test adds a person with neither power nor
// trust whose entries are mostly orders, a promise whose text names its
// person, a check-in, three people in the team called "team" with pulse
// launches refused, an open pulse and a withheld one, a member account,
// invitations, a webhook, a one-line roster, a leader whose step is an
// apology and one with no step, and Lena's weekly email with the pages
// its links open. Every GET route is read, or named in notPages with the
// reason it is not.
func TestPagesSpeakPlainly(t *testing.T) {
	e := newEnv(t)
	srv, err := New(Config{Service: e.app, Now: e.clk.Now, ScenarioDir: filepath.Join("..", "..", "scenarios")})
	must(t, err)
	e.srv, e.h = srv, srv.Handler()
	p := &plainWalk{t: t, e: e, read: map[string]bool{}, problems: map[string][]string{}}
	ctx, now := context.Background(), e.clk.Now()
	travel := func(at time.Time) {
		e.clk.mu.Lock()
		defer e.clk.mu.Unlock()
		if at.IsZero() {
			at = now
		}
		e.clk.t = at
	}
	email, password, err := demo.Seed(ctx, e.app, filepath.Join("..", "..", "scenarios", demo.File), now, demo.Options{
		Mailbox: func(context.Context) ([]mail.Letter, error) { return e.deliver(), nil },
		Travel:  travel,
	})
	must(t, err)
	signIn := func(email string) *account {
		t.Helper()
		u, err := e.app.Login(ctx, email, password)
		must(t, err)
		acc := e.session(u)
		e.accounts = append(e.accounts, acc)
		return acc
	}
	lena, cora := signIn(email), signIn(demo.CoachEmail)
	l := lena.User.LeaderID
	people := func() map[string]tl.Relationship {
		rels, err := e.app.People(ctx, l)
		must(t, err)
		out := map[string]tl.Relationship{}
		for _, r := range rels {
			out[r.Person] = r
		}
		return out
	}

	// Pia, a peer: broken promises and overused authority, and mostly
	// orders: little power, low trust, and the warning about orders.
	p.act("POST", "/people", form("name", "Pia", "kind", string(engine.Peer)), lena)
	for i := range 14 {
		kind := engine.KindDirective
		switch {
		case i < 2:
			kind = engine.KindPromiseBroken
		case i < 5:
			kind = engine.KindAuthorityOverused
		}
		_, err := e.app.Log(ctx, l, tl.EventInput{Who: "Pia", Kind: kind, At: now.AddDate(0, 0, -20+i)})
		must(t, err)
	}
	// Three people in the team called "team", who confirmed their
	// addresses more than a week ago, so they count.
	travel(now.Add(-tl.MemberWait - 24*time.Hour))
	trio := []string{"Gil", "gil@example.org", "Hana", "hana@example.org", "Ivo", "ivo@example.org"}
	e.team(lena, trio...)
	for _, a := range emails(trio...) {
		tok := e.linkTo(a, "v")
		p.get("/v/" + tok)
		w := e.visit("POST", "/v/"+tok, nil)
		p.check("POST /v/…", "/v/…", w)
	}
	travel(time.Time{})
	rel := people()

	// A promise whose text names its person, made and broken; the
	// apology for it, whose offer names him too; an unexplained decision;
	// an entry for the team. Where a promise's text names its person, the
	// pages do not name them again after it.
	for _, what := range []string{"Send Ben the budget numbers for the pilot", "Send Ben the numbers by Friday noon"} {
		p.odd = append(p.odd, regexp.MustCompile(regexp.QuoteMeta(what)+`\s+to\s+Ben\b`))
	}
	p.act("POST", "/promises", form("to", "Ben", "what", "Send Ben the budget numbers for the pilot", "due", isoDate(now.AddDate(0, 0, 3))), lena)
	ps, err := e.app.Promises(ctx, l, tl.PromiseOpen)
	must(t, err)
	for _, pr := range ps {
		if pr.To == "Ben" {
			p.act("POST", "/promises/"+pr.ID+"/resolve", form("outcome", "broken"), lena)
		}
	}
	breaches, err := e.app.Events(ctx, l, tl.EventFilter{Who: "Ben", Limit: 50})
	must(t, err)
	for _, ev := range breaches {
		if ev.Kind == engine.KindPromiseBroken && ev.Repairs == "" {
			p.act("POST", "/log/apology", form("repairs", ev.ID, "acknowledges", "1", "offers_repair", "1",
				"promise_what", "Send Ben the numbers by Friday noon", "promise_due", isoDate(now.AddDate(0, 0, 2))), lena)
			break
		}
	}
	p.act("POST", "/decisions", form("what", "Move the demo day", "affects", tl.DefaultTeamName), lena)
	p.act("POST", "/log", form("who", tl.DefaultTeamName, "kind", string(engine.KindDissentInvited)), lena)
	p.act("POST", "/log", form("who", "Pia", "kind", string(engine.KindDirective)), lena)
	p.act("POST", "/journal", form("question", "2", "text", "What I learned asking first"), lena)
	p.act("POST", "/settings/model/half_life_days", form("value", "60"), lena)
	p.act("POST", "/settings/model/half_life_days/reset", form(), lena)
	p.act("POST", "/settings/teams", form("name", "Platform"), lena)
	p.act("POST", "/people/"+rel["Dara"].ID+"/power", form("legitimate", "3", "reward", "2", "coercive", "1", "informational", "2", "expert", "2", "referent", "2"), lena)

	// A check-in, through a link Lena passes on, answered by Ana.
	page := p.act("POST", "/people/"+rel["Ana"].ID+"/checkin", form("delivery", "link"), lena)
	m := regexp.MustCompile(`/c/([A-Z2-7]{26})`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no check-in link:\n%s", pagesTrim(page))
	}
	checkin := p.open("c", m[1])
	p.get("/checkin", checkin)
	p.check("POST /checkin", "/checkin", e.visit("POST", "/checkin", form("ca", "4", "cb", "3", "ci", "4", "comment", "Thanks for asking"), checkin))

	// The team called "team": launches refused, each on the form that
	// says why (fewer answers than the least a pulse may need; someone
	// named who cannot be asked yet; the three who can be asked, fewer
	// than the five answers a pulse needs unless told otherwise), then a
	// pulse one person answers, open, a second one refused while it is,
	// then closed with too few answers.
	if page := p.refused("/pulses", form("team", tl.DefaultTeamName), lena, http.StatusUnprocessableEntity); !strings.Contains(page, "3 people who can be asked") {
		t.Errorf("a launch for too few people does not say how many can be asked:\n%s", pagesTrim(page))
	}
	p.refused("/pulses", form("team", tl.DefaultTeamName, "k", "2"), lena, http.StatusUnprocessableEntity)
	p.refused("/pulses", form("team", tl.DefaultTeamName, "k", "3", "members", "Gil", "members", "Pia"), lena, http.StatusUnprocessableEntity)
	w := e.do("POST", "/pulses", form("team", tl.DefaultTeamName, "k", "3"), lena)
	pulse := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(pulse, "/pulses/") {
		t.Fatalf("launch: %d\n%s", w.Code, pagesTrim(w.Body.String()))
	}
	p.check("POST /pulses → "+pulse, pulse, e.follow(w, lena))
	p.refused("/pulses", form("team", tl.DefaultTeamName, "k", "3"), lena, http.StatusConflict)
	pass := p.open("p", e.linkTo("gil@example.org", "p"))
	p.get("/answer", pass)
	w = e.visit("POST", "/answer", allAnswers(4), pass)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("answer: %d\n%s", w.Code, pagesTrim(w.Body.String()))
	}
	p.get("/answer/done", pass)
	p.get("/answer", pass)
	p.get(pulse, e.sessionCookie(lena))
	p.act("POST", pulse+"/close", form(), lena)

	// Windows: Gil's through the link mailed to him, Ana's through her
	// member account; Ana confirms a kept promise and reacts to a
	// decision.
	p.act("POST", "/people/"+rel["Gil"].ID+"/window", form(), lena)
	gil := p.open("w", e.linkTo("gil@example.org", "w"))
	p.get("/window", gil)
	ana := e.mailedInvite(lena, "Ana", "ana@demo.trustledger.local", tl.RoleMember)
	anaCookie := e.sessionCookie(ana)
	body := p.get("/window", anaCookie).Body.String()
	if m := regexp.MustCompile(`action="(/window/promises/[^"]+)"`).FindStringSubmatch(body); m != nil {
		p.act("POST", m[1], form("kept", "yes"), ana)
	}
	if m := regexp.MustCompile(`action="(/window/decisions/[^"]+)"`).FindStringSubmatch(body); m != nil {
		p.act("POST", m[1], form("reaction", "understood"), ana)
	}

	// An invitation by link, a webhook, a one-line roster.
	page = p.act("POST", "/invitations", form("email", "omar@example.org", "role", string(tl.RoleLeader), "send", "link"), lena)
	m = regexp.MustCompile(`/invite/([A-Za-z0-9_-]+)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no invitation link:\n%s", pagesTrim(page))
	}
	invite, inviteToken := "/invite/"+m[1], m[1]
	page = p.act("POST", "/invitations", form("email", "nia@example.org", "role", string(tl.RoleLeader), "send", "link"), lena)
	m = regexp.MustCompile(`/invite/([A-Za-z0-9_-]+)`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no second invitation link:\n%s", pagesTrim(page))
	}
	niaToken := m[1]
	p.act("POST", "/integrations/webhooks", form("url", "https://hooks.example.org/trust", "event", tl.EventStepSuggested), lena)
	roster := "email,name,role\nrui@example.org,Rui,leader\n"
	p.act("POST", "/roster", form("csv", roster), lena)
	w = e.do("POST", "/roster/import", form("csv", roster), lena)
	job := w.Header().Get("Location")
	rosterJobs.Lock()
	j := rosterJobs.m[strings.TrimPrefix(job, "/roster/jobs/")]
	rosterJobs.Unlock()
	if j == nil {
		t.Fatalf("no roster job behind %q (%d)", job, w.Code)
	}
	<-j.done

	// Everything each can reach by links, from their home and from the
	// links that arrive by mail.
	var shipped []string
	for _, f := range []string{"lena.yaml", "lena-team.yaml", "holmes.yaml", "mandela.yaml", "nadella.yaml"} {
		shipped = append(shipped, "/simulator?scenario="+f)
	}
	p.crawl("Lena", append([]string{"/", job, "/no/such/page"}, shipped...), e.sessionCookie(lena))
	p.crawl("Cora, a coach", []string{"/", "/account"}, e.sessionCookie(cora))
	p.crawl("Ana, a member", []string{"/window", "/account"}, anaCookie)
	p.crawl("a visitor", []string{"/login", "/signup", invite, "/answer", "/checkin", "/window"})

	// Omar, a leader whose week's step is an apology: Ben's broken
	// promise, with enough in the ledger to tell (the demo's step was
	// chosen before anything broke).
	omar := e.accept(inviteToken, "Omar")
	o := omar.User.LeaderID
	_, err = e.app.AddPerson(ctx, o, tl.PersonInput{Name: "Ben", Kind: engine.DirectReport, Start: now.AddDate(0, 0, -60)})
	must(t, err)
	for i := range 8 {
		_, err = e.app.Log(ctx, o, tl.EventInput{Who: "Ben", Kind: engine.KindExpertiseShown, Source: engine.Confirmed, At: now.AddDate(0, 0, -50+5*i)})
		must(t, err)
	}
	_, err = e.app.Log(ctx, o, tl.EventInput{Who: "Ben", Kind: engine.KindPromiseBroken, At: now.AddDate(0, 0, -2)})
	must(t, err)
	if week, err := e.app.Week(ctx, o); err != nil || week.Step == nil || week.Step.Rule != engine.RuleRepair {
		t.Fatalf("Omar's step: %+v, %v; want an apology", week, err)
	}
	p.crawl("Omar", []string{"/"}, e.sessionCookie(omar))

	// Nia, a leader with no step this week: she holds no power over Ola,
	// a peer, so authority cannot be far ahead of trust; her dashboard
	// says why there is no step.
	nia := e.accept(niaToken, "Nia")
	n := nia.User.LeaderID
	_, err = e.app.AddPerson(ctx, n, tl.PersonInput{Name: "Ola", Kind: engine.Peer, Start: now.AddDate(0, 0, -30)})
	must(t, err)
	_, err = e.app.SetPower(ctx, n, "Ola", map[string]int{"legitimate": 0, "reward": 0, "coercive": 0, "informational": 0, "expert": 0, "referent": 0})
	must(t, err)
	for i := range 4 {
		_, err = e.app.Log(ctx, n, tl.EventInput{Who: "Ola", Kind: engine.KindPromiseKept, At: now.AddDate(0, 0, -20+5*i)})
		must(t, err)
	}
	if week, err := e.app.Week(ctx, n); err != nil || week.Step != nil || week.None == "" {
		t.Fatalf("Nia's week: %+v, %v; want no step, and why", week, err)
	}
	if page := p.get("/", e.sessionCookie(nia)).Body.String(); !strings.Contains(page, "No step this week:") {
		t.Fatalf("Nia's dashboard does not say there is no step:\n%s", pagesTrim(page))
	}

	// The weekly email's links: Lena asks for it today at this hour, so
	// the tick sends it; each link's page before its button, then the
	// pages after accepting and after stopping the email. The email's
	// own words are read too.
	wm, err := e.app.WeeklyMail(ctx, l)
	must(t, err)
	zone, err := time.LoadLocation(wm.Zone)
	must(t, err)
	at := now.In(zone)
	_, err = e.app.SetWeeklyMail(ctx, l, tl.WeeklyMail{Day: tl.WeeklyMailDays[(int(at.Weekday())+6)%7], Hour: at.Hour(), Mail: true})
	must(t, err)
	_, err = e.app.Tick(ctx)
	must(t, err)
	links := map[string]string{}
	for _, letter := range e.deliver() {
		if letter.To != email {
			continue
		}
		for _, m := range weeklyLinkRE.FindAllStringSubmatch(letter.Text, -1) {
			links[m[1]] = "/" + m[2] + "/" + m[3]
		}
		p.problems["the weekly email"] = append(p.problems["the weekly email"], modelWordsIn(letter.Text)...)
		p.problems["the weekly email"] = append(p.problems["the weekly email"], plaintest.OddWordsIn(letter.Text)...)
	}
	if links["Accept it"] == "" || links["Stop these emails"] == "" {
		t.Fatalf("the weekly email to %s has no step or unsubscribe link: %v", email, links)
	}
	for _, link := range links {
		p.get(link)
	}
	for _, words := range []string{"Accept it", "Stop these emails"} {
		w := e.visit("POST", links[words], nil)
		if w.Code != http.StatusOK {
			t.Fatalf("POST %s (%s): %d\n%s", links[words], words, w.Code, pagesTrim(w.Body.String()))
		}
		p.check("POST "+links[words]+" ("+words+")", links[words], w)
	}
	p.get(links["Mark it done"])

	var routes []string
	for _, pat := range routePatterns(t) {
		method, _ := splitPattern(pat)
		if method != "GET" || p.read[pat] {
			continue
		}
		if _, ok := notPages[pat]; !ok {
			routes = append(routes, pat)
		}
	}
	if p.advanced == 0 {
		t.Error("no page had an advanced part: the settings page marks it with id=\"advanced\"")
	}
	if len(routes) > 0 {
		t.Errorf("no page of these routes was read; read one or say in notPages why not: %v", routes)
	}
	var whats []string
	for what, found := range p.problems {
		if len(found) > 0 {
			whats = append(whats, what)
		}
	}
	sort.Strings(whats)
	for _, what := range whats {
		t.Errorf("%s shows:\n\t%s", what, strings.Join(p.problems[what], "\n\t"))
	}
	t.Logf("read %d pages", p.pages)
}

// sessionCookie is the cookie a browser signed in as acc sends.
func (e *env) sessionCookie(acc *account) *http.Cookie {
	return &http.Cookie{Name: cookiePlain, Value: acc.Token}
}
