package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/oidctest"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// oidcEnv is the web app on a real listener, signing in through a test
// provider, with a browser-like client (a cookie jar; it follows
// redirects unless told to stop).
type oidcEnv struct {
	t      *testing.T
	app    *app.App
	idp    *oidctest.Provider
	base   string
	client *http.Client
	stop   *bool // when set, the client does not follow redirects
}

// with is e reporting to the subtest t.
func (e *oidcEnv) with(t *testing.T) *oidcEnv {
	c := *e
	c.t = t
	return &c
}

func newOIDCEnv(t *testing.T, open func(testing.TB) *store.DB) *oidcEnv {
	t.Helper()
	clk := &clock{t: start}
	a := app.New(open(t), app.Options{Now: clk.Now})
	idp := oidctest.New(t, "trustledger", "s3cret-of-the-client")
	ts := httptest.NewUnstartedServer(nil)
	base := "http://" + ts.Listener.Addr().String()
	srv, err := New(Config{Service: a, Now: clk.Now, OIDC: &OIDCConfig{
		Issuer: idp.Issuer(), ClientID: idp.ClientID, ClientSecret: idp.ClientSecret,
		RedirectURL: OIDCRedirectURL(base), Name: "Acme Login",
	}})
	if err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	jar, _ := cookiejar.New(nil)
	stop := false
	e := &oidcEnv{t: t, app: a, idp: idp, base: base, stop: &stop}
	e.client = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		if stop {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	return e
}

// get fetches u (a path on the app, or a full URL) and returns the
// response with its body read.
func (e *oidcEnv) get(u string) (*http.Response, string) {
	e.t.Helper()
	if strings.HasPrefix(u, "/") {
		u = e.base + u
	}
	resp, err := e.client.Get(u)
	if err != nil {
		e.t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// signIn clicks "Sign in with …" and follows every redirect, as a
// browser does; it returns the page it lands on.
func (e *oidcEnv) signIn(next string) (*http.Response, string) {
	e.t.Helper()
	*e.stop = false
	path := "/login/oidc"
	if next != "" {
		path += "?next=" + url.QueryEscape(next)
	}
	return e.get(path)
}

// callbackURL starts a sign-in and returns where the provider sends the
// browser back, without going there.
func (e *oidcEnv) callbackURL() *url.URL {
	e.t.Helper()
	*e.stop = true
	defer func() { *e.stop = false }()
	resp, _ := e.get("/login/oidc")
	if resp.StatusCode != http.StatusFound || resp.Header.Get("Cache-Control") != "no-store" {
		e.t.Fatalf("start: status %d, Cache-Control %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	auth := resp.Header.Get("Location")
	if !strings.HasPrefix(auth, e.idp.Issuer()+"/authorize?") {
		e.t.Fatalf("start redirects to %q, not the provider", auth)
	}
	q := mustURL(auth).Query()
	for _, k := range []string{"state", "nonce", "code_challenge"} {
		if q.Get(k) == "" {
			e.t.Fatalf("authorization request lacks %s: %s", k, auth)
		}
	}
	if q.Get("code_challenge_method") != "S256" || q.Get("redirect_uri") != e.base+OIDCCallbackPath {
		e.t.Fatalf("authorization request %s", auth)
	}
	resp, _ = e.get(auth)
	back := mustURL(resp.Header.Get("Location"))
	if back.Path != OIDCCallbackPath {
		e.t.Fatalf("provider sends back to %s", back)
	}
	return back
}

func mustURL(s string) *url.URL {
	v, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// landed checks that a sign-in ended signed in on path.
func (e *oidcEnv) landed(resp *http.Response, body, path, want string) {
	e.t.Helper()
	if resp.StatusCode != http.StatusOK || resp.Request.URL.Path != path || !strings.Contains(body, want) {
		e.t.Fatalf("landed on %s with %d, want %s showing %q:\n%s", resp.Request.URL, resp.StatusCode, path, want, trim(body))
	}
}

// refused checks that a sign-in ended on the refusal page with status
// and words, and that no session started.
func (e *oidcEnv) refused(resp *http.Response, body string, status int, words ...string) {
	e.t.Helper()
	if resp.StatusCode != status || resp.Request.URL.Path != OIDCCallbackPath {
		e.t.Fatalf("refusal: %d at %s, want %d at the callback:\n%s", resp.StatusCode, resp.Request.URL, status, trim(body))
	}
	for _, w := range words {
		if !strings.Contains(body, w) {
			e.t.Errorf("refusal page lacks %q:\n%s", w, trim(body))
		}
	}
	if r, _ := e.get("/account"); r.Request.URL.Path != "/login" {
		e.t.Fatalf("a refused sign-in left a session: /account answered at %s", r.Request.URL)
	}
}

func forEachBackend(t *testing.T, fn func(t *testing.T, open func(testing.TB) *store.DB)) {
	for _, be := range []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.OpenSQLite}, {"postgres", storetest.OpenPostgres}} {
		t.Run(be.name, func(t *testing.T) { fn(t, be.open) })
	}
}

func TestOIDCSignIn(t *testing.T) {
	forEachBackend(t, func(t *testing.T, open func(testing.TB) *store.DB) {
		e := newOIDCEnv(t, open)
		ctx := context.Background()
		owner, err := e.app.Signup(ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}

		resp, body := e.get("/login")
		if !strings.Contains(body, "Sign in with Acme Login") || !strings.Contains(body, `href="/login/oidc"`) {
			t.Fatalf("login page has no provider button:\n%s", trim(body))
		}
		if _, body = e.get("/login?next=%2Fpromises"); !strings.Contains(body, `href="/login/oidc?next=%2fpromises"`) {
			t.Fatalf("login page button drops next:\n%s", trim(body))
		}

		t.Run("unknown email is told to ask for an invitation", func(t *testing.T) {
			e := e.with(t)
			e.idp.SetUser(oidctest.User{Subject: "s-stranger", Email: "stranger@example.org", EmailVerified: true})
			resp, body := e.signIn("")
			e.refused(resp, body, http.StatusForbidden, "stranger@example.org", "ask an admin", "invite", `href="/login"`)
		})
		t.Run("unverified email is refused", func(t *testing.T) {
			e := e.with(t)
			e.idp.SetUser(oidctest.User{Subject: "s-lena", Email: "lena@example.org", EmailVerified: false})
			resp, body := e.signIn("")
			e.refused(resp, body, http.StatusForbidden, "not verified your email")
		})
		t.Run("bad nonce is refused", func(t *testing.T) {
			e := e.with(t)
			e.idp.SetUser(oidctest.User{Subject: "s-lena", Email: "lena@example.org", EmailVerified: true})
			e.idp.SetNonce("a nonce from another sign-in")
			defer e.idp.SetNonce("")
			resp, body := e.signIn("")
			e.refused(resp, body, http.StatusBadRequest, "not made for this sign-in")
		})
		t.Run("wrong state is refused", func(t *testing.T) {
			e := e.with(t)
			e.idp.SetUser(oidctest.User{Subject: "s-lena", Email: "lena@example.org", EmailVerified: true})
			back := e.callbackURL()
			q := back.Query()
			genuine := q.Get("state")
			q.Set("state", "forged")
			back.RawQuery = q.Encode()
			resp, body := e.get(back.String())
			e.refused(resp, body, http.StatusBadRequest, "could not be finished")
			// The flow cookie was spent: the genuine answer no longer works.
			q.Set("state", genuine)
			back.RawQuery = q.Encode()
			resp, body = e.get(back.String())
			e.refused(resp, body, http.StatusBadRequest, "could not be finished")
		})
		t.Run("an answer without a flow cookie is refused", func(t *testing.T) {
			e := e.with(t)
			back := e.callbackURL()
			other := &oidcEnv{t: t, base: e.base, client: &http.Client{}, stop: new(bool)}
			resp, body := other.get(back.String())
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "could not be finished") {
				t.Fatalf("no cookie: %d\n%s", resp.StatusCode, trim(body))
			}
		})
		t.Run("a code is redeemed once", func(t *testing.T) {
			e := e.with(t)
			back := e.callbackURL()
			resp, _ := e.get(back.String())
			if resp.Request.URL.Path != "/" {
				t.Fatalf("first use landed at %s", resp.Request.URL)
			}
			logout(t, e)
			// Start a new flow (a new cookie) but answer with the old code.
			fresh := e.callbackURL()
			q := back.Query()
			q.Set("state", fresh.Query().Get("state"))
			back.RawQuery = q.Encode()
			resp, body := e.get(back.String())
			e.refused(resp, body, http.StatusBadRequest, "did not confirm")
		})
		t.Run("provider says no", func(t *testing.T) {
			e := e.with(t)
			e.idp.Deny("access_denied")
			defer e.idp.Deny("")
			resp, body := e.signIn("")
			e.refused(resp, body, http.StatusUnauthorized, "You declined to sign in with Acme Login")
		})
		t.Run("existing user is linked and lands where they were going", func(t *testing.T) {
			e := e.with(t)
			e.idp.SetUser(oidctest.User{Subject: "s-lena", Email: "LENA@example.org", EmailVerified: true})
			resp, body := e.signIn("/promises")
			e.landed(resp, body, "/promises", "Promises")
			_, body = e.get("/account")
			if !strings.Contains(body, "With your email and password, or with Acme Login") || !strings.Contains(body, "Change password") {
				t.Fatalf("account page of a linked account:\n%s", trim(body))
			}
			logout(t, e)
			// Later sign-ins go by the subject, even with another email.
			e.idp.SetUser(oidctest.User{Subject: "s-lena", Email: "lena@new.example", EmailVerified: true})
			resp, body = e.signIn("")
			e.landed(resp, body, "/", "Lena")
			logout(t, e)
			// A tab between two slashes, which browsers drop, lands home.
			resp, body = e.signIn("/\t/evil.example")
			e.landed(resp, body, "/", "Lena")
			logout(t, e)
			_, issuers, err := e.app.SignInMethods(ctx, owner.ID)
			if err != nil || len(issuers) != 1 || issuers[0] != e.idp.Issuer() {
				t.Fatalf("links of the owner: %v %v", issuers, err)
			}
		})
		t.Run("invitation accepted through the provider", func(t *testing.T) {
			e := e.with(t)
			_, token, err := e.app.Invite(ctx, owner.ID, "ana@example.org", tl.RoleLeader)
			if err != nil {
				t.Fatal(err)
			}
			if _, body := e.get("/invite/" + token); !strings.Contains(body, "Sign in with Acme Login") || !strings.Contains(body, "use ana@example.org") {
				t.Fatalf("the invitation page does not offer the provider:\n%s", trim(body))
			}
			e.idp.SetUser(oidctest.User{Subject: "s-ana", Email: "ana@example.org", EmailVerified: true, Name: "Ana Lima"})
			resp, body := e.signIn("")
			e.landed(resp, body, "/", "Add the first person you lead")
			_, body = e.get("/account")
			for _, want := range []string{"Ana Lima", "With Acme Login: this account has no password"} {
				if !strings.Contains(body, want) {
					t.Fatalf("account page lacks %q:\n%s", want, trim(body))
				}
			}
			if strings.Contains(body, "Change password") {
				t.Fatalf("account without a password offers to change it")
			}
			logout(t, e)
			// No password, empty or not, opens the account.
			for _, pw := range []string{"", testPassword} {
				r, err := e.client.PostForm(e.base+"/login", url.Values{"email": {"ana@example.org"}, "password": {pw}})
				if err != nil {
					t.Fatal(err)
				}
				r.Body.Close()
				if r.StatusCode != http.StatusUnauthorized {
					t.Fatalf("password %q for an account without one: %d", pw, r.StatusCode)
				}
			}
			// The invitation is used up: signing in again goes by the link.
			resp, body = e.signIn("")
			e.landed(resp, body, "/", "Add the first person you lead")
			logout(t, e)
		})
		_ = resp
	})
}

// logout ends the client's session with the sign-out form's POST.
func logout(t *testing.T, e *oidcEnv) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.base+"/logout", nil)
	req.Header.Set("Origin", e.base)
	resp, err := e.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if r, _ := e.get("/account"); r.Request.URL.Path != "/login" {
		t.Fatalf("still signed in after logout: %s", r.Request.URL)
	}
}

func TestOIDCOff(t *testing.T) {
	e := newEnv(t)
	acc := e.owner("Lena", "lena@example.org")
	e.run(t, []scenario{
		{name: "no button", url: "/login", status: 200, excludes: []string{"Sign in with", "/login/oidc"}},
		{name: "no start", url: "/login/oidc", as: acc, status: 404},
		{name: "no callback", url: "/login/oidc/callback?code=x&state=y", as: acc, status: 404},
		{name: "account page says password", url: "/account", as: acc, status: 200, contains: []string{"With your email and password.", "Change password"}},
	})
}

func TestOIDCConfigValidate(t *testing.T) {
	good := OIDCConfig{Issuer: "https://login.example.org/realms/acme", ClientID: "tl", ClientSecret: "s",
		RedirectURL: "https://trust.example.org/login/oidc/callback"}
	for _, tc := range []struct {
		name string
		edit func(*OIDCConfig)
		want string
	}{
		{"good", func(*OIDCConfig) {}, ""},
		{"loopback http", func(c *OIDCConfig) { c.Issuer = "http://127.0.0.1:5556" }, ""},
		{"plain http elsewhere", func(c *OIDCConfig) { c.Issuer = "http://login.example.org" }, "must use https"},
		{"not a URL", func(c *OIDCConfig) { c.Issuer = "login.example.org" }, "not an issuer URL"},
		{"no client id", func(c *OIDCConfig) { c.ClientID = " " }, "--oidc-client-id"},
		{"no secret", func(c *OIDCConfig) { c.ClientSecret = "" }, "TRUSTLEDGER_OIDC_CLIENT_SECRET"},
		{"no redirect", func(c *OIDCConfig) { c.RedirectURL = "" }, "--base-url"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.edit(&c)
			err := c.Validate()
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if tl.ErrorCode(err) != tl.EINVALID || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate: %v, want EINVALID with %q", err, tc.want)
			}
		})
	}
}
