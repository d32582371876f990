package web

import (
	"bytes"
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/storetest"
)

// The pages' tests run every request through the real handler (security
// headers, session gate, mux) over the real services on SQLite. Their
// helpers carry a pages prefix so they never collide with the other web
// tests in this package.

// pagesNow is a Thursday afternoon: the week has days on both sides.
var pagesNow = time.Date(2026, 11, 26, 15, 4, 5, 0, time.UTC)

const pagesPassword = "correct horse battery staple"

// pagesClock is the fixed clock of one env; tests move it by hand.
type pagesClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *pagesClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *pagesClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// pagesUser is a signed-in browser: its session and the cookies the
// server set (the flash among them).
type pagesUser struct {
	id      string
	leader  string
	cookies map[string]string
}

type pagesEnv struct {
	t     *testing.T
	ctx   context.Context
	app   *app.App
	clock *pagesClock
	h     http.Handler
	lena  *pagesUser // the owner
	omar  *pagesUser // another leader, invited
}

// newPagesEnv starts the web app on a fresh SQLite database with two
// leaders, Lena and Omar, each signed in.
func newPagesEnv(t *testing.T) *pagesEnv {
	t.Helper()
	ctx := context.Background()
	clock := &pagesClock{t: pagesNow}
	a := app.New(storetest.OpenSQLite(t), app.Options{Now: clock.Now})
	srv, err := New(Config{Service: a, Now: clock.Now, ScenarioDir: "../../scenarios"})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	e := &pagesEnv{t: t, ctx: ctx, app: a, clock: clock, h: srv.Handler()}
	lena, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: pagesPassword})
	if err != nil {
		t.Fatalf("signup: %v", err)
	}
	_, token, err := a.Invite(ctx, lena.ID, "omar@example.org", tl.RoleLeader)
	if err != nil {
		t.Fatalf("invite: %v", err)
	}
	omar, err := a.AcceptInvite(ctx, token, "Omar", pagesPassword)
	if err != nil {
		t.Fatalf("accept invite: %v", err)
	}
	e.lena = &pagesUser{id: lena.ID, leader: lena.LeaderID}
	e.omar = &pagesUser{id: omar.ID, leader: omar.LeaderID}
	e.signIn(e.lena)
	e.signIn(e.omar)
	return e
}

// signIn starts a new session for u (again after the clock moved past the
// idle timeout).
func (e *pagesEnv) signIn(u *pagesUser) {
	e.t.Helper()
	tok, err := e.app.CreateSession(e.ctx, u.id)
	if err != nil {
		e.t.Fatalf("session: %v", err)
	}
	u.cookies = map[string]string{cookieSecure: tok}
}

// must fails the test on a fixture error.
func (e *pagesEnv) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("fixture: %v", err)
	}
}

// pagesBody is a request body with its content type.
type pagesBody struct {
	contentType string
	data        []byte
}

func pagesForm(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// pagesMultipart builds a multipart body with text fields and, when
// fileName is not "", one file field named "file".
func pagesMultipart(t *testing.T, fields url.Values, fileName string, file []byte) *pagesBody {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("file", fileName)
		if err != nil {
			t.Fatal(err)
		}
		fw.Write(file)
	} else {
		// A browser sends the empty file input too.
		if _, err := mw.CreateFormFile("file", ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return &pagesBody{contentType: mw.FormDataContentType(), data: buf.Bytes()}
}

// do sends one request as u (nil: no session) from a loopback origin, so
// the session cookie is the __Host- one, and keeps the cookies it sets.
func (e *pagesEnv) do(method, target string, body *pagesBody, u *pagesUser) *httptest.ResponseRecorder {
	e.t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body.data)
	}
	req := httptest.NewRequest(method, "http://127.0.0.1"+target, r)
	if body != nil {
		req.Header.Set("Content-Type", body.contentType)
	}
	if u != nil {
		for k, v := range u.cookies {
			req.AddCookie(&http.Cookie{Name: k, Value: v})
		}
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, req)
	checkHTML(e.t, method+" "+target, w.Header(), w.Body.String())
	if u != nil {
		for _, c := range w.Result().Cookies() {
			if c.MaxAge < 0 || c.Value == "" {
				delete(u.cookies, c.Name)
			} else {
				u.cookies[c.Name] = c.Value
			}
		}
	}
	return w
}

// pagesCase is one request through the real handler and what the answer
// must hold. A 303 with then set is followed (GET Location, with the
// cookies it set) and then must appear on the page it leads to: the
// confirmation after the redirect.
type pagesCase struct {
	name     string
	method   string // default GET
	url      string
	form     url.Values
	body     *pagesBody // instead of form (multipart)
	as       *pagesUser
	status   int
	contains []string
	excludes []string
	location string   // Location prefix of a redirect
	then     []string // on the page the redirect leads to
}

func (e *pagesEnv) run(t *testing.T, cases []pagesCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			method := c.method
			if method == "" {
				method = http.MethodGet
			}
			body := c.body
			if body == nil && c.form != nil {
				body = &pagesBody{contentType: "application/x-www-form-urlencoded", data: []byte(c.form.Encode())}
			}
			w := e.do(method, c.url, body, c.as)
			got := w.Body.String()
			if w.Code != c.status {
				t.Fatalf("%s %s: status %d, want %d\n%s", method, c.url, w.Code, c.status, pagesTrim(got))
			}
			pagesCheck(t, method+" "+c.url, got, c.contains, c.excludes)
			if w.Code == http.StatusOK || w.Code == http.StatusUnprocessableEntity {
				if n := len(got); n > 100_000 {
					t.Errorf("%s %s: page is %d bytes, over the 100 KB budget", method, c.url, n)
				}
				if !strings.Contains(got, " · trustledger</title>") {
					t.Errorf("%s %s: no page title naming where you are", method, c.url)
				}
			}
			loc := w.Header().Get("Location")
			if c.location != "" && !strings.HasPrefix(loc, c.location) {
				t.Errorf("%s %s: Location %q, want prefix %q", method, c.url, loc, c.location)
			}
			if c.then != nil {
				if w.Code != http.StatusSeeOther {
					t.Fatalf("%s %s: want a 303 to follow, got %d", method, c.url, w.Code)
				}
				if i := strings.IndexByte(loc, '#'); i >= 0 {
					loc = loc[:i] // a browser keeps the fragment to itself
				}
				next := e.do(http.MethodGet, loc, nil, c.as)
				if next.Code != http.StatusOK {
					t.Fatalf("GET %s after %s: status %d\n%s", loc, c.url, next.Code, pagesTrim(next.Body.String()))
				}
				pagesCheck(t, "GET "+loc, next.Body.String(), c.then, nil)
			}
		})
	}
}

func pagesCheck(t *testing.T, what, body string, contains, excludes []string) {
	t.Helper()
	for _, s := range contains {
		if !strings.Contains(body, s) {
			t.Errorf("%s: body lacks %q\n%s", what, s, pagesTrim(body))
		}
	}
	for _, s := range excludes {
		if strings.Contains(body, s) {
			t.Errorf("%s: body has %q", what, s)
		}
	}
}

// pagesTrim keeps failure output readable: the main element only.
func pagesTrim(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 4000 {
		return s[:4000] + "…"
	}
	return s
}
