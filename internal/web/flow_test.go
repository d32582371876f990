package web

import (
	"context"
	"crypto/tls"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

func TestDashboardWeeklyLoop(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.run(t, []scenario{
		{name: "empty state", url: "/", as: lena, status: 200,
			contains: []string{"<title>Dashboard · trustledger</title>", "Add the first person you lead", `action="/people"`}},
	})
	ctx, l := context.Background(), lena.User.LeaderID
	_, err := e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Ana", Kind: engine.DirectReport,
		Power: map[string]int{"legitimate": 4, "reward": 4, "coercive": 4, "informational": 4}})
	must(t, err)
	_, err = e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Ben", Kind: engine.Peer})
	must(t, err)
	_, err = e.app.Log(ctx, l, tl.EventInput{Who: "Ana", Kind: engine.KindDismissed})
	must(t, err)
	_, err = e.app.AddPromise(ctx, l, tl.PromiseInput{To: "Ben", What: "send the budget", Due: start.Add(3 * 24 * time.Hour)})
	must(t, err)
	_, err = e.app.AddPromise(ctx, l, tl.PromiseInput{To: "Ben", What: "far away", Due: start.Add(30 * 24 * time.Hour)})
	must(t, err)
	e.clk.Add(time.Hour)
	_, err = e.app.AddPromise(ctx, l, tl.PromiseInput{To: "Ana", What: "review the plan", Due: start.Add(30 * time.Minute)})
	if err != nil {
		// A promise cannot be made already overdue; make it due soon and move the clock.
		_, err = e.app.AddPromise(ctx, l, tl.PromiseInput{To: "Ana", What: "review the plan", Due: e.clk.Now().Add(time.Hour)})
		must(t, err)
		e.clk.Add(2 * time.Hour)
	}
	lena = e.session(lena.User) // the clock moved past the idle timeout

	e.run(t, []scenario{
		{name: "dashboard", url: "/", as: lena, status: 200, contains: []string{
			"Power and trust", "<svg", `href="/people/`, "Ana", "Ben", "Not enough evidence yet",
			"Fear risk", "This week's step", "Accept this step", "Skip this week",
			"Overdue since", "review the plan", "Due ", "send the budget"},
			excludes: []string{"far away", "Add the first person you lead"}},
	})

	w := e.do("POST", "/week/accept", form(), lena)
	page := e.follow(w, lena)
	if !strings.Contains(page.Body.String(), "Step accepted for Ana") || !strings.Contains(page.Body.String(), ">Done</button>") {
		t.Fatalf("after accept:\n%s", trim(page.Body.String()))
	}
	if w := e.do("POST", "/week/accept", form(), lena); w.Code != http.StatusConflict {
		t.Fatalf("accepting twice: %d, want 409", w.Code)
	}
	w = e.do("POST", "/week/close", form("status", "done"), lena)
	page = e.follow(w, lena)
	if !strings.Contains(page.Body.String(), "Step done for Ana") {
		t.Fatalf("after done:\n%s", trim(page.Body.String()))
	}
	if w := e.do("POST", "/week/close", form("status", "sideways"), lena); w.Code != http.StatusBadRequest {
		t.Fatalf("bad status: %d, want 400", w.Code)
	}
	kept, err := e.app.Promises(ctx, l, tl.PromiseKept)
	must(t, err)
	if len(kept) != 1 || kept[0].StepID == "" {
		t.Fatalf("the done step did not keep its promise: %+v", kept)
	}
}

func TestPersonPageHistoryAndExplanation(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ctx, l := context.Background(), lena.User.LeaderID
	rel, err := e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Ana", Kind: engine.DirectReport, Start: start.AddDate(0, 0, -120)})
	must(t, err)
	// Twelve weeks of kept promises, then a dismissal this week.
	for k := 12; k >= 1; k-- {
		src := engine.Self
		if k%3 == 0 {
			src = engine.Confirmed
		}
		_, err := e.app.Log(ctx, l, tl.EventInput{Who: "Ana", Kind: engine.KindPromiseKept, At: start.AddDate(0, 0, -7*k), Source: src})
		must(t, err)
		if k%4 == 0 {
			_, err := e.app.Log(ctx, l, tl.EventInput{Who: "Ana", Kind: engine.KindCompetenceFailure, At: start.AddDate(0, 0, -7*k+2)})
			must(t, err)
		}
	}
	_, err = e.app.Log(ctx, l, tl.EventInput{Who: "Ana", Kind: engine.KindDismissed, Severity: engine.Severe, Note: "brushed off the concern"})
	must(t, err)

	d, err := e.srv.trustHistory(ctx, l, mustExplain(t, e, l))
	must(t, err)
	if len(d) != historyWeeks {
		t.Fatalf("%d weekly points, want %d", len(d), historyWeeks)
	}
	for i := 1; i < len(d); i++ {
		if !d[i].At.After(d[i-1].At) {
			t.Fatalf("points out of order at %d", i)
		}
	}
	// Trust rises while promises are kept, and the severe dismissal pulls
	// the last reading down.
	if !(d[3].E < d[len(d)-2].E) || !(d[len(d)-1].E < d[len(d)-2].E) {
		t.Fatalf("history does not follow the ledger: %+v", d)
	}
	// Each past point equals a replay of the ledger up to its time.
	set, err := e.app.Settings(ctx, l)
	must(t, err)
	evs, err := e.app.Events(ctx, l, tl.EventFilter{Who: "Ana", Limit: 1000})
	must(t, err)
	for _, p := range d[:len(d)-1] {
		w := p.At.Add(time.Millisecond)
		var upTo []engine.Event
		for _, ev := range evs {
			if !ev.OccurredAt.After(w) {
				upTo = append(upTo, engine.Event{ID: ev.ID, Kind: ev.Kind, At: ev.OccurredAt, Source: ev.Source, Severity: ev.Severity})
			}
		}
		want := set.Assess(set.Replay(upTo), rel.Bases, nil, w).Trust
		if math.Abs(want.E-p.E) > 1e-9 || math.Abs(want.Low-p.Low) > 1e-9 || math.Abs(want.High-p.High) > 1e-9 {
			t.Errorf("at %s: history E %.6f [%.6f, %.6f], replay %.6f [%.6f, %.6f]", w, p.E, p.Low, p.High, want.E, want.Low, want.High)
		}
	}

	w := e.do("GET", "/people/"+rel.ID, nil, lena)
	body := w.Body.String()
	for _, want := range []string{"brushed off the concern", "dismissed", "Why these numbers", "would fall from", ">Reverse</button>", "tl-band", "tl-line"} {
		if !strings.Contains(body, want) {
			t.Errorf("person page lacks %q", want)
		}
	}
}

func mustExplain(t *testing.T, e *env, leader string) *tl.Explanation {
	t.Helper()
	ex, err := e.app.Explain(context.Background(), leader, "Ana")
	must(t, err)
	return ex
}

func TestInvitationsAndPassword(t *testing.T) {
	e := newEnv(t)
	owner := e.owner("Lena", "lena@example.org")
	w := e.do("POST", "/invitations", form("email", "max@example.org", "role", "leader"), owner)
	if w.Code != 200 {
		t.Fatalf("invite: %d\n%s", w.Code, trim(w.Body.String()))
	}
	body := w.Body.String()
	i := strings.Index(body, "/invite/")
	if i < 0 || !strings.Contains(body, "shown only") {
		t.Fatalf("no invitation link:\n%s", trim(body))
	}
	link := body[i:]
	link = link[:strings.IndexAny(link, `"<`)]
	if got := e.do("GET", "/invitations", nil, owner).Body.String(); strings.Contains(got, link) || !strings.Contains(got, "Open invitations") || !strings.Contains(got, "max@example.org") {
		t.Fatalf("the invitation link is shown again, or the open invitation is not listed:\n%s", trim(got))
	}
	e.run(t, []scenario{
		{name: "bad role", method: "POST", url: "/invitations", form: form("email", "x@example.org", "role", "owner"), as: owner, status: 422},
		{name: "accept page", url: link, status: 200, contains: []string{"Accept your invitation", "max@example.org", "leader"}},
		{name: "mistyped link", url: link + "x", status: 404, contains: []string{"not valid"}, excludes: []string{`name="password"`}},
		{name: "accept with a short password", method: "POST", url: link, form: form("name", "Max", "password", "x", "password2", "x"), status: 422},
		{name: "accept", method: "POST", url: link, form: form("name", "Max", "password", testPassword, "password2", testPassword), status: 303, location: "/", setCookie: cookiePlain},
		{name: "used link", url: link, status: 404, contains: []string{"already used"}},
		{name: "accept twice", method: "POST", url: link, form: form("name", "Max", "password", testPassword, "password2", testPassword), status: 404, contains: []string{"not valid any more"}},
	})
	max := e.do("POST", "/login", form("email", "max@example.org", "password", testPassword), nil)
	if max.Code != 303 {
		t.Fatalf("invited user cannot log in: %d", max.Code)
	}
	macc := &account{Token: cookie(max, cookiePlain).Value}
	if w := e.do("GET", "/invitations", nil, macc); w.Code != http.StatusForbidden {
		t.Fatalf("a leader opens invitations: %d, want 403", w.Code)
	}
	e.run(t, []scenario{
		{name: "account page", url: "/account", as: macc, status: 200, contains: []string{"max@example.org", "Change password"}, excludes: []string{"Invite someone"}},
		{name: "wrong old password", method: "POST", url: "/account/password", as: macc,
			form: form("old", "nope nope nope", "password", "a new long password", "password2", "a new long password"), status: 422, contains: []string{"current password is not right"}},
		{name: "change password", method: "POST", url: "/account/password", as: macc,
			form: form("old", testPassword, "password", "a new long password", "password2", "a new long password"), status: 303, location: "/account"},
	})
	if w := e.do("POST", "/login", form("email", "max@example.org", "password", "a new long password"), nil); w.Code != 303 {
		t.Fatalf("new password does not work: %d", w.Code)
	}
}

func TestCrossOriginAndBodyCap(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	r := httptest.NewRequest("POST", "/people", strings.NewReader("name=Eve&kind=peer"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.AddCookie(&http.Cookie{Name: cookiePlain, Value: lena.Token})
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Fatalf("cross-site POST: %d, want 403", w.Code)
	}
	checkHeaders(t, "cross-site POST", w.Header())
	if people, _ := e.app.People(context.Background(), lena.User.LeaderID); len(people) != 0 {
		t.Fatalf("cross-site POST added a person")
	}

	big := "note=" + strings.Repeat("x", maxFormBytes+10) + "&who=Ana&kind=promise-kept"
	r = httptest.NewRequest("POST", "/log", strings.NewReader(big))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(&http.Cookie{Name: cookiePlain, Value: lena.Token})
	w = httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body: %d, want 413", w.Code)
	}
}

func TestCookieNames(t *testing.T) {
	e := newEnv(t)
	e.owner("Lena", "lena@example.org")
	login := func(host string, tlsOn bool) *http.Cookie {
		r := httptest.NewRequest("POST", "/login", strings.NewReader("email=lena%40example.org&password="+strings.ReplaceAll(testPassword, " ", "+")))
		r.Host = host
		if tlsOn {
			r.TLS = &tls.ConnectionState{}
		}
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, r)
		if w.Code != 303 {
			t.Fatalf("login on %s: %d", host, w.Code)
		}
		return w.Result().Cookies()[0]
	}
	for _, c := range []struct {
		host   string
		tls    bool
		name   string
		secure bool
	}{
		{"127.0.0.1:8080", false, cookieSecure, true},
		{"localhost:8080", false, cookieSecure, true},
		{"[::1]:8080", false, cookieSecure, true},
		{"team.example.org", true, cookieSecure, true},
		{"192.168.1.20:8080", false, cookiePlain, false},
	} {
		got := login(c.host, c.tls)
		if got.Name != c.name || got.Secure != c.secure || !got.HttpOnly || got.Path != "/" || got.Domain != "" {
			t.Errorf("%s tls=%v: cookie %s Secure=%v HttpOnly=%v Path=%q Domain=%q", c.host, c.tls, got.Name, got.Secure, got.HttpOnly, got.Path, got.Domain)
		}
	}
}

func TestServerTimeouts(t *testing.T) {
	e := newEnv(t)
	hs := e.srv.HTTPServer("127.0.0.1:0")
	if hs.ReadHeaderTimeout != 5*time.Second || hs.ReadTimeout != 15*time.Second || hs.WriteTimeout != 30*time.Second ||
		hs.IdleTimeout != 120*time.Second || hs.MaxHeaderBytes != 64<<10 || hs.Handler == nil {
		t.Fatalf("server settings: %+v", hs)
	}
}
