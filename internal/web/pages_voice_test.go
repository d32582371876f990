package web

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// visit sends a request as a respondent: no session, only the given
// cookies.
func (e *env) visit(method, target string, f url.Values, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	e.t.Helper()
	var r *http.Request
	if f != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(f.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	for _, c := range cookies {
		if c != nil {
			r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
		}
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// allAnswers fills every pulse item with v.
func allAnswers(v int) url.Values {
	f := url.Values{}
	for _, it := range tl.PulseItems {
		x := v
		if it.Scale == tl.ScaleOutcome {
			x = tl.OutcomeCommit
		}
		f.Set(it.ID, fmt.Sprint(x))
	}
	return f
}

func TestPulsePagesEndToEnd(t *testing.T) {
	e := newEnv(t)
	var logs bytes.Buffer
	srv, err := New(Config{Service: e.app, Now: e.clk.Now, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	must(t, err)
	e.h, e.srv = srv.Handler(), srv
	lena := e.owner("Lena", "lena@example.org")

	// Four people who count cannot launch with k=5, and the page says why.
	four := []string{"P0", "p0@example.org", "P1", "p1@example.org", "P2", "p2@example.org", "P3", "p3@example.org"}
	e.countedTeam(lena, four...)
	w := e.do("GET", "/pulses", nil, lena)
	if !strings.Contains(w.Body.String(), "too few, a pulse needs at least 5") {
		t.Fatalf("pulses page does not say the team is too small:\n%s", w.Body.String())
	}
	w = e.do("POST", "/pulses", form("team", "team"), lena)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "traced to a person") {
		t.Fatalf("launch with 4 people: %d\n%s", w.Code, w.Body.String())
	}
	// Ten: enough people asked for a rough count to be shown while the
	// pulse is open (with fewer than 2k none is).
	e.countedTeam(lena, "P4", "p4@example.org", "P5", "p5@example.org", "P6", "p6@example.org", "P7", "p7@example.org",
		"P8", "p8@example.org", "P9", "p9@example.org")
	w = e.do("POST", "/pulses", form("team", "team", "question", "What should I keep doing?"), lena)
	if w.Code != http.StatusSeeOther || !strings.Contains(e.follow(w, lena).Body.String(), "10 invitations are on their way by email") {
		t.Fatalf("launch: %d\n%s", w.Code, w.Body.String())
	}
	pulsePath := w.Header().Get("Location")
	links := e.links("p")
	if len(links) != 10 {
		t.Fatalf("%d personal links mailed, want 10", len(links))
	}

	for i := range 5 {
		token := links[fmt.Sprintf("p%d@example.org", i)]
		// The link becomes a cookie and a token-free address.
		w := e.visit("GET", "/p/"+token, nil)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/answer" {
			t.Fatalf("open link: %d → %q", w.Code, w.Header().Get("Location"))
		}
		pass := cookie(w, "tl-pulse")
		if pass == nil || !pass.HttpOnly || pass.MaxAge <= 0 || pass.Value == token {
			t.Fatalf("pass cookie %+v", pass)
		}
		page := e.visit("GET", "/answer", nil, pass).Body.String()
		for _, want := range []string{"What Lena will and will not see", "Will not see:", "who answered, when", "What should I keep doing?",
			"This pulse asked 10 people", "P0, P1, P2, P3, P4, P5, P6, P7, P8, P9"} {
			if !strings.Contains(page, want) {
				t.Fatalf("answer page lacks %q", want)
			}
		}
		if i == 0 {
			// A bad answer is a clear error, not a 500, and uses nothing.
			bad := allAnswers(3)
			bad.Set("a1", "9")
			if w := e.visit("POST", "/answer", bad, pass); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "must be 1–5") {
				t.Fatalf("bad answer: %d", w.Code)
			}
		}
		f := allAnswers(2 + i%3)
		f.Set("comment", fmt.Sprintf("keep it up %d", i))
		w = e.visit("POST", "/answer", f, pass)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/answer/done" {
			t.Fatalf("submit: %d\n%s", w.Code, w.Body.String())
		}
		// The same pass cannot answer twice.
		w = e.visit("POST", "/answer", allAnswers(1), pass)
		if w.Code == http.StatusOK && !strings.Contains(w.Body.String(), "already") {
			t.Fatalf("second submit: %d", w.Code)
		}
		// Only the coarse count while open, as last published: not live.
		body := e.do("GET", pulsePath, nil, lena).Body.String()
		if strings.Contains(body, "Results:") {
			t.Fatalf("results shown while open after %d answers", i+1)
		}
		if !strings.Contains(body, "Fewer than 5 answers") || !strings.Contains(body, "four times a day") {
			t.Fatalf("after %d answers, before a publication, the pulse page lacks the band below k", i+1)
		}
	}
	e.publish()
	if body := e.do("GET", pulsePath, nil, lena).Body.String(); !strings.Contains(body, "At least 5 answers") || strings.Contains(body, "Results:") {
		t.Fatal("after the publication the pulse page does not say at least 5 answers, or shows results while open")
	}

	w = e.do("POST", pulsePath+"/close", nil, lena)
	body := e.follow(w, lena).Body.String()
	if !strings.Contains(body, "Results: 5 answers") || strings.Contains(body, "keep it up") {
		t.Fatalf("after close (comments need 10):\n%s", body)
	}
	// The dashboard shows the team's view.
	if body := e.do("GET", "/", nil, lena).Body.String(); !strings.Contains(body, "Three views of your leadership") || strings.Contains(body, "no pulse yet") {
		t.Fatalf("dashboard team view missing or empty")
	}
	for _, tok := range e.secret {
		if strings.Contains(logs.String(), tok) {
			t.Fatalf("a link's token (%s…) is in the request log", tok[:4])
		}
	}
	if strings.Contains(logs.String(), `"/p/`) {
		t.Fatal("the request log shows the link: answer pages are not logged (docs/ANONYMITY.md, rule 3)")
	}
	// After closing, the link of the one who did not answer says so.
	if w := e.visit("GET", "/p/"+links["p5@example.org"], nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "closed") {
		t.Fatalf("link after close: %d", w.Code)
	}
}

func TestCheckinAndWindowPages(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ctx := context.Background()
	l := lena.User.LeaderID
	e.countedTeam(lena, "Ana", "ana@example.org")
	ana, err := e.app.People(ctx, l)
	must(t, err)
	// The leader asks by link from the person page: a check-in is named,
	// so its link may be passed on by hand.
	w := e.do("POST", "/people/"+ana[0].ID+"/checkin", form("delivery", "link"), lena)
	m := regexp.MustCompile(`/c/([A-Z2-7]{26})`).FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil {
		t.Fatalf("ask: %d\n%s", w.Code, w.Body.String())
	}
	w = e.visit("GET", "/c/"+m[1], nil)
	pass := cookie(w, "tl-checkin")
	page := e.visit("GET", "/checkin", nil, pass).Body.String()
	if !strings.Contains(page, "This is not anonymous") || !strings.Contains(page, "your name") {
		t.Fatalf("check-in page does not say it is not anonymous:\n%s", page)
	}
	w = e.visit("POST", "/checkin", form("ca", "4", "cb", "5", "ci", "3", "comment", "thanks for asking"), pass)
	if w.Code != http.StatusOK {
		t.Fatalf("answer check-in: %d\n%s", w.Code, w.Body.String())
	}
	if body := e.do("GET", "/people/"+ana[0].ID, nil, lena).Body.String(); !strings.Contains(body, "thanks for asking") {
		t.Fatal("the person page does not show the named answer")
	}

	// The window: its link goes by mail to Ana's confirmed address, and
	// the leader's page never shows it.
	_, err = e.app.AddPromise(ctx, l, tl.PromiseInput{To: "Ana", What: "review the plan", Due: e.clk.Now().Add(72 * time.Hour)})
	must(t, err)
	d, err := e.app.Decide(ctx, l, tl.DecisionInput{What: "new on-call rota", Why: "fairer weekends", Affects: "team"})
	must(t, err)
	w = e.do("POST", "/people/"+ana[0].ID+"/window", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "on its way to ana@example.org") || mailLinkRE.MatchString(body) {
		t.Fatalf("the window link is not said to go by mail, or is shown:\n%s", body)
	}
	w = e.visit("GET", "/w/"+e.linkTo("ana@example.org", "w"), nil)
	if w.Header().Get("Location") != "/window" {
		t.Fatalf("window link → %q", w.Header().Get("Location"))
	}
	wp := cookie(w, "tl-window")
	body := e.visit("GET", "/window", nil, wp).Body.String()
	for _, want := range []string{"review the plan", "new on-call rota", "fairer weekends", "Understood", "at least 5 people", "steps of 5"} {
		if !strings.Contains(body, want) {
			t.Fatalf("window lacks %q:\n%s", want, body)
		}
	}
	w = e.visit("POST", "/window/decisions/"+d.ID, form("reaction", "not-clear"), wp)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("react: %d\n%s", w.Code, w.Body.String())
	}
	if body := e.visit("GET", "/window", nil, wp).Body.String(); !strings.Contains(body, "You reacted.") {
		t.Fatal("the window does not say you reacted")
	}
	// Without a pass or an account, the window asks for the link.
	if w := e.visit("GET", "/window", nil); w.Code != http.StatusNotFound {
		t.Fatalf("window without a pass: %d", w.Code)
	}
}

// TestMemberAccount: a team member signed in with an account lands on the
// window of the leader who lists their address, and no leader page.
func TestMemberAccount(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	_, err := e.app.AddPerson(context.Background(), lena.User.LeaderID, tl.PersonInput{Name: "Ana", Email: "ana@example.org", Kind: engine.DirectReport})
	must(t, err)
	_, err = e.app.AddPromise(context.Background(), lena.User.LeaderID, tl.PromiseInput{To: "Ana", What: "send the budget", Due: start.Add(48 * 3600e9)})
	must(t, err)
	ana := e.invite(lena, "Ana", "ana@example.org", tl.RoleMember)
	for _, path := range []string{"/", "/pulses", "/promises", "/journal"} {
		if w := e.do("GET", path, nil, ana); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/window" {
			t.Errorf("member GET %s: %d → %q, want the window", path, w.Code, w.Header().Get("Location"))
		}
	}
	body := e.do("GET", "/window", nil, ana).Body.String()
	if !strings.Contains(body, "send the budget") || !strings.Contains(body, "Your leaders") {
		t.Fatalf("member window:\n%s", body)
	}
	if w := e.do("GET", "/account", nil, ana); w.Code != http.StatusOK {
		t.Fatalf("member account page: %d", w.Code)
	}
}

// TestCalendarFeed: the feed is made from the promises page, shown once,
// serves the promises as iCalendar without a session, and stops when
// replaced or turned off.
func TestCalendarFeed(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ctx := context.Background()
	_, err := e.app.AddPerson(ctx, lena.User.LeaderID, tl.PersonInput{Name: "Ana", Kind: engine.DirectReport})
	must(t, err)
	_, err = e.app.AddPromise(ctx, lena.User.LeaderID, tl.PromiseInput{To: "Ana", What: "review the plan, with care", Due: start.Add(72 * 3600e9)})
	must(t, err)
	urlRE := regexp.MustCompile(`/calendar/([A-Z2-7]{26})\.ics`)
	w := e.do("POST", "/promises/calendar", nil, lena)
	m := urlRE.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil {
		t.Fatalf("turn the feed on: %d\n%s", w.Code, w.Body.String())
	}
	feed := e.visit("GET", m[0], nil)
	body := feed.Body.String()
	if feed.Code != http.StatusOK || !strings.HasPrefix(feed.Header().Get("Content-Type"), "text/calendar") ||
		!strings.Contains(body, "BEGIN:VCALENDAR\r\n") || !strings.Contains(body, `SUMMARY:Promise to Ana: review the plan\, with care`) ||
		!strings.Contains(body, "DTSTART;VALUE=DATE:20260307") {
		t.Fatalf("feed %d %q:\n%s", feed.Code, feed.Header().Get("Content-Type"), body)
	}
	if page := e.do("GET", "/promises", nil, lena).Body.String(); strings.Contains(page, m[1]) || !strings.Contains(page, "Your calendar feed is on") {
		t.Fatal("the promises page shows the address again, or not that the feed is on")
	}
	w = e.do("POST", "/promises/calendar", nil, lena) // a new address
	if e.visit("GET", m[0], nil).Code != http.StatusNotFound {
		t.Fatal("the old address still works after a new one was made")
	}
	m = urlRE.FindStringSubmatch(w.Body.String())
	e.do("POST", "/promises/calendar/revoke", nil, lena)
	if e.visit("GET", m[0], nil).Code != http.StatusNotFound {
		t.Fatal("the feed still works after it was turned off")
	}
}

// TestPersonDataPages: the person page downloads their data and erases it
// only when the name is typed to confirm.
func TestPersonDataPages(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ana, err := e.app.AddPerson(context.Background(), lena.User.LeaderID, tl.PersonInput{Name: "Anastasia", Email: "an@example.org", Kind: engine.DirectReport})
	must(t, err)
	w := e.do("GET", "/people/"+ana.ID+"/data", nil, lena)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"an@example.org"`) || !strings.Contains(w.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("data download: %d %q", w.Code, w.Body.String())
	}
	w = e.do("POST", "/people/"+ana.ID+"/erase", form("confirm", "Ana"), lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Nothing was erased") {
		t.Fatal("erased without the name typed")
	}
	w = e.do("POST", "/people/"+ana.ID+"/erase", form("confirm", "Anastasia"), lena)
	body := e.follow(w, lena).Body.String()
	if !strings.Contains(body, "Erased person 1") || strings.Contains(body, "Anastasia") || strings.Contains(body, "an@example.org") {
		t.Fatalf("after erasure the person page:\n%s", body)
	}
}

// TestWindowShowsTheLeadersK: the window states the k the service uses.
func TestWindowShowsTheLeadersK(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ctx := context.Background()
	must(t, e.app.SetSetting(ctx, lena.User.LeaderID, "anonymity_k", 3))
	e.countedTeam(lena, "Ana", "ana@example.org")
	must(t, e.app.SendWindowLink(ctx, lena.User.LeaderID, "Ana"))
	w := e.visit("GET", "/w/"+e.linkTo("ana@example.org", "w"), nil)
	body := e.visit("GET", "/window", nil, cookie(w, "tl-window")).Body.String()
	if !strings.Contains(body, "at least 3 people") || strings.Contains(body, "at least 5 people") {
		t.Fatalf("the window does not state k=3:\n%s", body)
	}
}

// TestAccountTokens: a token is made on the account page, shown once,
// listed by name, and revoked; another user cannot revoke it.
func TestAccountTokens(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	bruno := e.invite(lena, "Bruno", "bruno@example.org", tl.RoleLeader)
	w := e.do("POST", "/account/tokens", form("name", "", "scope", "read"), lena)
	if w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("a token without a name: %d", w.Code)
	}
	w = e.do("POST", "/account/tokens", form("name", "nightly export", "scope", "write"), lena)
	m := regexp.MustCompile(`value="(tl_[A-Z2-7]{26})"`).FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil {
		t.Fatalf("make a token: %d", w.Code)
	}
	page := e.do("GET", "/account", nil, lena).Body.String()
	if strings.Contains(page, m[1]) || !strings.Contains(page, "nightly export") {
		t.Fatal("the account page shows the token again, or not its name")
	}
	ts, err := e.app.Tokens(context.Background(), lena.User.ID)
	must(t, err)
	if w := e.do("POST", "/account/tokens/"+ts[0].ID+"/revoke", nil, bruno); w.Code != http.StatusNotFound {
		t.Fatalf("another user revoked the token: %d", w.Code)
	}
	e.do("POST", "/account/tokens/"+ts[0].ID+"/revoke", nil, lena)
	if _, _, err := e.app.TokenUser(context.Background(), m[1]); tl.ErrorCode(err) != tl.EUNAUTHORIZED {
		t.Fatalf("the revoked token still works: %v", err)
	}
}
