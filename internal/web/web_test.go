package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// scenario is one request and what its response must show.
type scenario struct {
	name      string
	method    string
	url       string
	form      url.Values
	as        *account // nil: no session
	status    int
	contains  []string
	excludes  []string
	location  string // for redirects: the Location prefix
	setCookie string // a cookie the response must set
}

func (e *env) run(t *testing.T, scs []scenario) {
	t.Helper()
	for _, sc := range scs {
		t.Run(sc.name, func(t *testing.T) {
			method := sc.method
			if method == "" {
				method = "GET"
			}
			w := e.do(method, sc.url, sc.form, sc.as)
			body := w.Body.String()
			if w.Code != sc.status {
				t.Fatalf("%s %s: status %d, want %d\n%s", method, sc.url, w.Code, sc.status, trim(body))
			}
			for _, c := range sc.contains {
				if !strings.Contains(body, c) {
					t.Errorf("%s %s: body lacks %q\n%s", method, sc.url, c, trim(body))
				}
			}
			for _, c := range sc.excludes {
				if strings.Contains(body, c) {
					t.Errorf("%s %s: body has %q", method, sc.url, c)
				}
			}
			if sc.location != "" && !strings.HasPrefix(w.Header().Get("Location"), sc.location) {
				t.Errorf("%s %s: Location %q, want prefix %q", method, sc.url, w.Header().Get("Location"), sc.location)
			}
			if sc.setCookie != "" && cookie(w, sc.setCookie) == nil {
				t.Errorf("%s %s: no Set-Cookie %s", method, sc.url, sc.setCookie)
			}
		})
	}
}

func trim(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "…"
	}
	return s
}

func TestFirstVisitSignsUp(t *testing.T) {
	e := newEnv(t)
	e.run(t, []scenario{
		{name: "dashboard without accounts goes to signup", url: "/", status: 303, location: "/signup"},
		{name: "login without accounts goes to signup", url: "/login", status: 303, location: "/signup"},
		{name: "signup form", url: "/signup", status: 200, contains: []string{"<title>Create the first account · trustledger</title>", `name="password2"`}},
		{name: "short password keeps input", method: "POST", url: "/signup",
			form:   form("name", "Lena", "email", "lena@example.org", "password", "short", "password2", "short"),
			status: 422, contains: []string{`value="lena@example.org"`, `value="Lena"`, "at least 10 characters", `aria-invalid="true"`}},
		{name: "mismatched passwords", method: "POST", url: "/signup",
			form:   form("name", "Lena", "email", "lena@example.org", "password", testPassword, "password2", testPassword+"x"),
			status: 422, contains: []string{"The two passwords differ"}},
		{name: "bad email", method: "POST", url: "/signup",
			form:   form("name", "Lena", "email", "lena", "password", testPassword, "password2", testPassword),
			status: 422, contains: []string{"name@example.org"}},
		{name: "signup", method: "POST", url: "/signup",
			form:   form("name", "Lena", "email", "lena@example.org", "password", testPassword, "password2", testPassword),
			status: 303, location: "/", setCookie: cookiePlain},
		{name: "second signup is refused", method: "POST", url: "/signup",
			form:   form("name", "Max", "email", "max@example.org", "password", testPassword, "password2", testPassword),
			status: 303, location: "/login"},
		{name: "signup form after the first account", url: "/signup", status: 303, location: "/login"},
		{name: "dashboard now needs a login", url: "/", status: 303, location: "/login"},
		{name: "deep link remembers where", url: "/log?who=Ana", status: 303, location: "/login?next=%2Flog%3Fwho%3DAna"},
	})
	has, err := e.app.HasUsers(context.Background())
	if err != nil || !has {
		t.Fatalf("HasUsers = %v, %v after signup", has, err)
	}
}

func TestLoginLogout(t *testing.T) {
	e := newEnv(t)
	e.owner("Lena", "lena@example.org")

	w := e.do("POST", "/login", form("email", "lena@example.org", "password", testPassword, "next", "/log"), nil)
	if w.Code != 303 || w.Header().Get("Location") != "/log" {
		t.Fatalf("login: %d %q", w.Code, w.Header().Get("Location"))
	}
	c := cookie(w, cookiePlain)
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Fatalf("session cookie %+v: want HttpOnly, Lax, Path=/, not Secure over plain http", c)
	}
	acc := &account{Token: c.Value}
	if got := e.do("GET", "/", nil, acc); got.Code != 200 || !strings.Contains(got.Body.String(), "Add the first person you lead") {
		t.Fatalf("dashboard after login: %d", got.Code)
	}

	// A second login gets a new session id, and the old one ends.
	r := e.do("POST", "/login", form("email", "lena@example.org", "password", testPassword), acc)
	c2 := cookie(r, cookiePlain)
	if c2 == nil || c2.Value == acc.Token {
		t.Fatalf("second login kept the session id")
	}
	if got := e.do("GET", "/", nil, acc); got.Code != 303 {
		t.Fatalf("old session still works after a new login: %d", got.Code)
	}
	acc2 := &account{Token: c2.Value}

	// An open redirect is not followed.
	r = e.do("POST", "/login", form("email", "lena@example.org", "password", testPassword, "next", "//evil.example/"), nil)
	if r.Header().Get("Location") != "/" {
		t.Fatalf("next=//evil.example redirected to %q", r.Header().Get("Location"))
	}

	out := e.do("POST", "/logout", form(), acc2)
	if out.Code != 303 || !strings.HasPrefix(out.Header().Get("Location"), "/login") {
		t.Fatalf("logout: %d %q", out.Code, out.Header().Get("Location"))
	}
	if c := cookie(out, cookiePlain); c == nil || c.MaxAge >= 0 {
		t.Fatalf("logout does not clear the cookie: %+v", c)
	}
	if page := e.follow(out, nil); !strings.Contains(page.Body.String(), "You are signed out.") {
		t.Fatalf("no confirmation after logout:\n%s", trim(page.Body.String()))
	}
	if got := e.do("GET", "/", nil, acc2); got.Code != 303 {
		t.Fatalf("session works after logout: %d", got.Code)
	}
}

func TestNoUserEnumeration(t *testing.T) {
	e := newEnv(t)
	e.owner("Lena", "lena@example.org")
	wrong := e.do("POST", "/login", form("email", "lena@example.org", "password", "wrong password"), nil)
	unknown := e.do("POST", "/login", form("email", "nobody@example.org", "password", "wrong password"), nil)
	if wrong.Code != unknown.Code || wrong.Code != http.StatusUnauthorized {
		t.Fatalf("statuses differ or are not 401: wrong password %d, unknown user %d", wrong.Code, unknown.Code)
	}
	strip := func(s, email string) string { return strings.ReplaceAll(s, email, "EMAIL") }
	if a, b := strip(wrong.Body.String(), "lena@example.org"), strip(unknown.Body.String(), "nobody@example.org"); a != b {
		t.Fatalf("bodies differ for a wrong password and an unknown user")
	}
}

func TestLoginThrottle(t *testing.T) {
	e := newEnv(t)
	e.owner("Lena", "lena@example.org")
	var last int
	for i := 0; i < tl.LoginMaxFailures+1; i++ {
		w := e.do("POST", "/login", form("email", "lena@example.org", "password", "wrong password"), nil)
		last = w.Code
		if w.Code == http.StatusTooManyRequests {
			ra := w.Header().Get("Retry-After")
			if ra == "" || ra == "0" {
				t.Fatalf("429 without Retry-After")
			}
			if !strings.Contains(w.Body.String(), "Too many failed sign-ins") {
				t.Fatalf("429 page does not say why")
			}
			// Even the right password is refused while throttled.
			ok := e.do("POST", "/login", form("email", "lena@example.org", "password", testPassword), nil)
			if ok.Code != http.StatusTooManyRequests {
				t.Fatalf("right password while throttled: %d", ok.Code)
			}
			// After the window the account opens again.
			e.clk.Add(tl.LoginWindow + 1)
			ok = e.do("POST", "/login", form("email", "lena@example.org", "password", testPassword), nil)
			if ok.Code != http.StatusSeeOther {
				t.Fatalf("login after the window: %d", ok.Code)
			}
			return
		}
		if i < tl.LoginMaxFailures && w.Code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, w.Code)
		}
	}
	t.Fatalf("no 429 after %d failures (last %d)", tl.LoginMaxFailures+1, last)
}

func TestPeopleAndPersonPage(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	w := e.do("POST", "/people", form("name", "Ana", "kind", "direct-report"), lena)
	if w.Code != 303 || !strings.HasPrefix(w.Header().Get("Location"), "/people/") {
		t.Fatalf("add person: %d %q\n%s", w.Code, w.Header().Get("Location"), trim(w.Body.String()))
	}
	page := e.follow(w, lena)
	if page.Code != 200 {
		t.Fatalf("person page %d", page.Code)
	}
	body := page.Body.String()
	for _, want := range []string{"<title>Ana · trustledger</title>", "Added Ana (direct report)", "Trust over time",
		"Ability: can deliver", "Benevolence: acts in my interest", "Integrity: keeps their word",
		"What one broken promise would cost now", "Not enough evidence yet", `name="coercive"`} {
		if !strings.Contains(body, want) {
			t.Errorf("person page lacks %q", want)
		}
	}
	id := strings.TrimPrefix(w.Header().Get("Location"), "/people/")

	e.run(t, []scenario{
		{name: "duplicate name keeps input", method: "POST", url: "/people", form: form("name", "Ana", "kind", "peer"), as: lena,
			status: 409, contains: []string{"already exists", `value="Ana"`}},
		{name: "empty name", method: "POST", url: "/people", form: form("name", "", "kind", "peer"), as: lena,
			status: 422, contains: []string{"needs a name"}},
		{name: "bad kind", method: "POST", url: "/people", form: form("name", "Bo", "kind", "boss"), as: lena,
			status: 422, contains: []string{`aria-invalid="true"`}},
		{name: "unknown person id", url: "/people/nope", as: lena, status: 404},
		{name: "power out of range", method: "POST", url: "/people/" + id + "/power",
			form: form("legitimate", "9", "reward", "1", "coercive", "1", "informational", "1", "expert", "1", "referent", "1"), as: lena,
			status: 422, contains: []string{"Pick 0 (none) to 4"}},
		{name: "power saved", method: "POST", url: "/people/" + id + "/power",
			form: form("legitimate", "4", "reward", "3", "coercive", "4", "informational", "1", "expert", "1", "referent", "0"), as: lena,
			status: 303, location: "/people/" + id},
	})
	rels, err := e.app.People(context.Background(), lena.User.LeaderID)
	if err != nil || len(rels) != 1 || rels[0].Bases != (engine.Bases{4, 3, 4, 1, 1, 0}) {
		t.Fatalf("power not saved: %+v %v", rels, err)
	}
}

func TestLogAndUndo(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	if _, err := e.app.AddPerson(context.Background(), lena.User.LeaderID, tl.PersonInput{Name: "Ana", Kind: engine.DirectReport}); err != nil {
		t.Fatal(err)
	}
	e.run(t, []scenario{
		{name: "log form", url: "/log?who=Ana", as: lena, status: 200,
			contains: []string{"<title>Log · trustledger</title>", "Builders", "Barriers", "Promises are kept", `value="2026-03-04"`, `<option value="Ana" selected>`}},
		{name: "missing kind keeps input", method: "POST", url: "/log", form: form("who", "Ana", "note", "the 1:1"), as: lena,
			status: 422, contains: []string{"Pick what happened", "the 1:1"}},
		{name: "future date", method: "POST", url: "/log", form: form("who", "Ana", "kind", "promise-kept", "when", "2026-03-09"), as: lena,
			status: 422, contains: []string{"in the future"}},
		{name: "unknown person", method: "POST", url: "/log", form: form("who", "Zed", "kind", "promise-kept"), as: lena,
			status: 422, contains: []string{"unknown person"}},
	})
	w := e.do("POST", "/log", form("who", "Ana", "kind", "promise-kept", "severity", "major", "source", "self", "when", "2026-03-02", "note", "shipped the plan"), lena)
	page := e.follow(w, lena)
	body := page.Body.String()
	if !strings.Contains(body, "Logged: promise kept for Ana.") || !strings.Contains(body, "shipped the plan") {
		t.Fatalf("no confirmation after logging:\n%s", trim(body))
	}
	evs, _ := e.app.Events(context.Background(), lena.User.LeaderID, tl.EventFilter{})
	if len(evs) != 1 || evs[0].Severity != engine.Major || evs[0].OccurredAt.Format("2006-01-02") != "2026-03-02" {
		t.Fatalf("logged %+v", evs)
	}
	undo := `action="/ledger/` + evs[0].ID + `/reverse?back=`
	if !strings.Contains(body, undo) {
		t.Fatalf("confirmation has no undo form %q", undo)
	}
	w = e.do("POST", "/ledger/"+evs[0].ID+"/reverse?back="+url.QueryEscape("/log?who=Ana"), form(), lena)
	if w.Code != 303 || w.Header().Get("Location") != "/log?who=Ana" {
		t.Fatalf("undo: %d %q", w.Code, w.Header().Get("Location"))
	}
	if !strings.Contains(e.follow(w, lena).Body.String(), "Reversed") {
		t.Fatalf("no confirmation after undo")
	}
	evs, _ = e.app.Events(context.Background(), lena.User.LeaderID, tl.EventFilter{})
	if len(evs) != 2 || evs[0].Reverses != evs[1].ID {
		t.Fatalf("after undo: %+v", evs)
	}
	// Reversing twice is refused.
	if w := e.do("POST", "/ledger/"+evs[1].ID+"/reverse", form(), lena); w.Code == 303 {
		t.Fatalf("second reversal accepted")
	}
}
