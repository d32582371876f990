package web

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// clock is a settable test clock; no test sleeps.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// start is a Wednesday, so "this week" has days on both sides.
var start = time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)

// env is one server over a real SQLite database and the real services.
type env struct {
	t   *testing.T
	app *app.App
	srv *Server
	h   http.Handler
	clk *clock
	db  *store.DB

	accounts []*account // signed in through owner or invite; advance signs them in again
	// post delivers the outbox (mail.DeliverInProcess when nil); inbox
	// keeps every letter delivered, oldest first.
	post   func(context.Context) ([]mail.Letter, error)
	inbox  []mail.Letter
	secret []string // every token and pass the test saw
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := &clock{t: start}
	db := storetest.OpenSQLite(t)
	a := app.New(db, app.Options{Now: clk.Now})
	srv, err := New(Config{Service: a, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	return &env{t: t, app: a, srv: srv, h: srv.Handler(), clk: clk, db: db}
}

// account is a signed-in user: their session token and their leader.
type account struct {
	User  *tl.User
	Token string
	Pass  string
}

const testPassword = "correct horse battery"

// owner signs up the first account and starts a session for it.
func (e *env) owner(name, email string) *account {
	e.t.Helper()
	ctx := context.Background()
	u, err := e.app.Signup(ctx, tl.SignupInput{Email: email, Name: name, Password: testPassword})
	if err != nil {
		e.t.Fatalf("signup: %v", err)
	}
	acc := e.session(u)
	e.accounts = append(e.accounts, acc)
	return acc
}

// invite creates an account with role through an invitation by inviter.
// A member's invitation goes by mail, and its link is read from the
// letter, as the member would (docs/ANONYMITY.md, rule 6); accepting it
// confirms the address wherever a leader gave it to a person. Other roles
// are invited by a link the inviter sees, so their address is not proved
// (mailedInvite proves it).
func (e *env) invite(inviter *account, name, email string, role tl.Role) *account {
	e.t.Helper()
	if role == tl.RoleMember {
		return e.mailedInvite(inviter, name, email, role)
	}
	_, token, err := e.app.Invite(context.Background(), inviter.User.ID, email, role)
	if err != nil {
		e.t.Fatalf("invite: %v", err)
	}
	return e.accept(token, name)
}

// mailedInvite creates an account with role through an invitation inviter
// sends by mail, accepted through the link in the letter: the account's
// address is proved, as a real invitee's is (docs/ANONYMITY.md, rules 1
// and 6).
func (e *env) mailedInvite(inviter *account, name, email string, role tl.Role) *account {
	e.t.Helper()
	if _, err := e.app.InviteByMail(context.Background(), inviter.User.ID, email, role); err != nil {
		e.t.Fatalf("invite by mail: %v", err)
	}
	return e.accept(e.linkTo(email, "invite"), name)
}

// accept accepts the invitation token as name and signs the new account in.
func (e *env) accept(token, name string) *account {
	e.t.Helper()
	u, err := e.app.AcceptInvite(context.Background(), token, name, testPassword)
	if err != nil {
		e.t.Fatalf("accept invite: %v", err)
	}
	acc := e.session(u)
	e.accounts = append(e.accounts, acc)
	return acc
}

func (e *env) session(u *tl.User) *account {
	e.t.Helper()
	token, err := e.app.CreateSession(context.Background(), u.ID)
	if err != nil {
		e.t.Fatalf("session: %v", err)
	}
	return &account{User: u, Token: token, Pass: testPassword}
}

// do sends one request through the whole handler. form, when non-nil, is
// sent url-encoded (POST). The session cookie is the plain-http one, as
// httptest's requests go to example.com over http.
func (e *env) do(method, target string, form url.Values, acc *account) *httptest.ResponseRecorder {
	e.t.Helper()
	var r *http.Request
	if form != nil {
		r = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	if acc != nil {
		r.AddCookie(&http.Cookie{Name: cookiePlain, Value: acc.Token})
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	checkHTML(e.t, method+" "+target, w.Header(), w.Body.String())
	return w
}

// cookie returns the Set-Cookie named name, or nil.
func cookie(w *httptest.ResponseRecorder, name string) *http.Cookie {
	for _, c := range w.Result().Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// follow makes a GET to a 303's Location carrying its flash cookie, as a
// browser would.
func (e *env) follow(w *httptest.ResponseRecorder, acc *account) *httptest.ResponseRecorder {
	e.t.Helper()
	if w.Code != http.StatusSeeOther {
		e.t.Fatalf("want 303, got %d: %s", w.Code, w.Body.String())
	}
	loc, _, _ := strings.Cut(w.Header().Get("Location"), "#") // a browser keeps the fragment to itself
	r := httptest.NewRequest("GET", loc, nil)
	if acc != nil {
		r.AddCookie(&http.Cookie{Name: cookiePlain, Value: acc.Token})
	}
	if c := cookie(w, cookieFlash); c != nil && c.MaxAge > 0 {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	out := httptest.NewRecorder()
	e.h.ServeHTTP(out, r)
	checkHTML(e.t, "GET "+loc, out.Header(), out.Body.String())
	return out
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// pendingMail claims every message waiting in the outbox, as the mail
// worker would.
func (e *env) pendingMail(t *testing.T) []store.Mail {
	t.Helper()
	var out []store.Mail
	for {
		var m *store.Mail
		err := e.db.Write(context.Background(), func(tx *store.Tx) error {
			var err error
			m, err = tx.ClaimMail(context.Background(), e.clk.Now(), e.clk.Now().Add(time.Minute))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if m == nil {
			return out
		}
		out = append(out, *m)
	}
}

// syncLog is a log sink the server, the services and the workers may
// write to from any goroutine while the test reads it.
type syncLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
