package web

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/storetest"
)

// The attacks of docs/ANONYMITY.md rule 3 on what the server records
// around an answer: a leader who reads /metrics while a pulse is open, and
// an operator who reads the request log, must not learn when anyone
// answered, opened a link or reacted.
//
// The respondent's side of team voice is played here by attackVoice: any
// link opens, every pass shows a form, every answer is accepted. What is
// attacked is the middleware (metrics and the request log), which sees
// only routes, statuses and times, so the test does not depend on how a
// pulse is launched or who may be asked; the accounts, sessions, tokens
// and every page are the real ones.

// attackVoice is the real team-voice service with the respondent's calls
// answered by the test. A token or pass starting with "BROKEN" fails as
// the database would (an internal error).
type attackVoice struct {
	tl.Services
	mu      sync.Mutex
	answers int // pulse answers, check-in answers and window actions accepted
}

var errAttackBroken = errors.New("attack: the database went away")

func (v *attackVoice) accept(pass string) error {
	if strings.HasPrefix(pass, "BROKEN") || strings.HasPrefix(pass, "pass-BROKEN") {
		return errAttackBroken
	}
	v.mu.Lock()
	v.answers++
	v.mu.Unlock()
	return nil
}

func attackOpen(token string) (string, error) {
	if strings.HasPrefix(token, "BROKEN") {
		return "", errAttackBroken
	}
	return "pass-" + token, nil
}

func (v *attackVoice) OpenPulseLink(_ context.Context, token string) (string, error) {
	return attackOpen(token)
}

func (v *attackVoice) OpenCheckinLink(_ context.Context, token string) (string, error) {
	return attackOpen(token)
}

func (v *attackVoice) OpenWindowLink(_ context.Context, token string) (string, error) {
	return attackOpen(token)
}

func (v *attackVoice) PulseForm(_ context.Context, pass string) (*tl.PulseForm, error) {
	if pass == "" {
		return nil, tl.Errorf(tl.ENOTFOUND, "open the link you were sent again")
	}
	return &tl.PulseForm{PulseID: "pulse-1", Leader: "Lena", Team: tl.DefaultTeamName, Items: tl.PulseItems,
		K: 5, CommentsK: 10, Status: tl.PulseOpen, ClosesAt: start.Add(7 * 24 * time.Hour)}, nil
}

func (v *attackVoice) SubmitPulse(_ context.Context, pass string, _ tl.PulseAnswers) error {
	return v.accept(pass)
}

func (v *attackVoice) CheckinForm(_ context.Context, pass string) (*tl.CheckinForm, error) {
	if pass == "" {
		return nil, tl.Errorf(tl.ENOTFOUND, "open the link you were sent again")
	}
	return &tl.CheckinForm{CheckinID: "checkin-1", Leader: "Lena", Person: "Ana", Question: tl.CheckinQuestion, Items: tl.CheckinItems}, nil
}

func (v *attackVoice) AnswerCheckin(_ context.Context, pass string, _ map[string]int, _ string) error {
	return v.accept(pass)
}

func (v *attackVoice) WindowForPass(_ context.Context, pass string) (string, error) {
	if pass == "" {
		return "", tl.Errorf(tl.ENOTFOUND, "open your link again")
	}
	return "rel-1", nil
}

func (v *attackVoice) Window(context.Context, string) (*tl.Window, error) {
	return &tl.Window{Leader: "Lena", Person: "Ana", Team: tl.DefaultTeamName, K: 5}, nil
}

func (v *attackVoice) ConfirmPromise(_ context.Context, _, id string, _ bool) error {
	return v.accept(id)
}

func (v *attackVoice) React(_ context.Context, _, id, _ string) error { return v.accept(id) }

// lines returns every log line written so far and forgets them.
func (l *syncLog) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := strings.TrimSpace(l.b.String())
	l.b.Reset()
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// attackEnv is env with the respondent's side played by attackVoice, its
// own metrics and every server log line captured.
type attackEnv struct {
	*env
	voice   *attackVoice
	metrics *Metrics
	logs    *syncLog
}

func newAttackEnv(t *testing.T) *attackEnv {
	t.Helper()
	clk := &clock{t: start}
	db := storetest.OpenSQLite(t)
	a := app.New(db, app.Options{Now: clk.Now})
	logs := &syncLog{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	v := &attackVoice{Services: a}
	m := NewMetrics(nil)
	srv, err := New(Config{Service: v, Now: clk.Now, Logger: logger, Metrics: m})
	must(t, err)
	return &attackEnv{env: &env{t: t, app: a, srv: srv, h: srv.Handler(), clk: clk, db: db}, voice: v, metrics: m, logs: logs}
}

// send makes one request through the whole handler with the given
// cookies and headers ("Name: value").
func (e *attackEnv) send(method, target string, f url.Values, cookies []*http.Cookie, headers ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var body io.Reader
	if f != nil {
		body = strings.NewReader(f.Encode())
	}
	r := httptest.NewRequest(method, target, body)
	if f != nil {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range cookies {
		r.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	for _, h := range headers {
		k, v, _ := strings.Cut(h, ": ")
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// attackMailbox keeps the text of every message, by address.
type attackMailbox struct {
	mu   sync.Mutex
	text map[string]string
}

func (b *attackMailbox) Send(_ context.Context, _, to, _ string, m mail.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.text[to] = m.Text
	return nil
}

var attackInviteRE = regexp.MustCompile(`/invite/([A-Za-z0-9_-]+)`)

// member makes a member account the way members get one: an invitation
// by mail, accepted through its link.
func (e *attackEnv) member(inviter *account, name, email string) *account {
	e.t.Helper()
	ctx := context.Background()
	_, err := e.app.InviteByMail(ctx, inviter.User.ID, email, tl.RoleMember)
	must(e.t, err)
	box := &attackMailbox{text: map[string]string{}}
	w := &mail.Worker{DB: e.db, Sender: box, Renderer: e.app.MailRenderer("http://example.com"), Now: e.clk.Now}
	_, err = w.RunOnce(ctx)
	must(e.t, err)
	m := attackInviteRE.FindStringSubmatch(box.text[email])
	if m == nil {
		e.t.Fatalf("the invitation to %s holds no link:\n%s", email, box.text[email])
	}
	u, err := e.app.AcceptInvite(ctx, m[1], name, testPassword)
	must(e.t, err)
	return e.session(u)
}

func sessionCookie(acc *account) []*http.Cookie {
	return []*http.Cookie{{Name: cookiePlain, Value: acc.Token}}
}

// attackAnswers is a full set of answers to the pulse form.
func attackAnswers() url.Values {
	f := url.Values{}
	for _, it := range tl.PulseItems {
		v := 4
		if it.Scale == tl.ScaleOutcome {
			v = tl.OutcomeCommit
		}
		f.Set(it.ID, strconv.Itoa(v))
	}
	return f
}

// respondentVisits is what one team member's browser sends while
// answering a pulse, a check-in and acting in the window: every
// respondent route, and a few requests near them that match no route
// (a mistyped link, a form sent with the wrong method). It returns the
// tokens used, which no log line may hold.
func (e *attackEnv) respondentVisits(t *testing.T) []string {
	t.Helper()
	var secrets []string
	step := func(method, target string, f url.Values, want int, cookies ...*http.Cookie) *httptest.ResponseRecorder {
		t.Helper()
		w := e.send(method, target, f, cookies)
		if w.Code != want {
			t.Fatalf("%s %s: %d, want %d\n%s", method, target, w.Code, want, w.Body.String())
		}
		return w
	}
	pass := func(w *httptest.ResponseRecorder, name string) *http.Cookie {
		t.Helper()
		c := cookie(w, name)
		if c == nil || c.Value == "" {
			t.Fatalf("no %s cookie in %v", name, w.Result().Cookies())
		}
		secrets = append(secrets, c.Value)
		return c
	}

	tok := rand.Text()
	secrets = append(secrets, tok)
	p := pass(step("GET", "/p/"+tok, nil, http.StatusSeeOther), "tl-pulse")
	step("GET", "/answer", nil, http.StatusOK, p)
	step("POST", "/answer", attackAnswers(), http.StatusSeeOther, p)
	step("GET", "/answer/done", nil, http.StatusOK)

	tok = rand.Text()
	secrets = append(secrets, tok)
	c := pass(step("GET", "/c/"+tok, nil, http.StatusSeeOther), "tl-checkin")
	step("GET", "/checkin", nil, http.StatusOK, c)
	step("POST", "/checkin", form("ca", "4", "cb", "4", "ci", "4"), http.StatusOK, c)

	tok = rand.Text()
	secrets = append(secrets, tok)
	wp := pass(step("GET", "/w/"+tok, nil, http.StatusSeeOther), "tl-window")
	step("GET", "/window", nil, http.StatusOK, wp)
	step("POST", "/window/promises/promise-1", form("kept", "yes"), http.StatusSeeOther, wp)
	step("POST", "/window/decisions/decision-1", form("reaction", tl.ReactionUnderstood), http.StatusSeeOther, wp)

	// Near misses: no route matches them, and they still say "someone is
	// answering now".
	e.send("GET", "/p/", nil, nil)
	e.send("PUT", "/answer", attackAnswers(), []*http.Cookie{p})
	e.send("POST", "/answer/done", nil, nil)
	e.send("DELETE", "/window/decisions/decision-1", nil, []*http.Cookie{wp})
	return secrets
}

// respondentWords are what a log line or a metric about a respondent
// route would hold.
var respondentWords = []string{"/p/", "/c/", "/w/", "/answer", "/checkin", "/window", "unmatched"}

// series reads a Prometheus text exposition into series → value.
func series(t *testing.T, text string) map[string]float64 {
	t.Helper()
	out := map[string]float64{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if i < 0 || err != nil {
			t.Fatalf("a metrics line that does not parse: %q", line)
		}
		out[line[:i]] = v
	}
	return out
}

// TestAttackMetricsWhileOpen: a leader who scrapes /metrics before and
// after members answer learns nothing: /metrics is there only for an
// owner or admin (a session or an API token), every other visitor gets
// the page-not-found answer, and no series moves with answers, answer
// pages, check-ins or window actions. The operator's own listener serves
// the same metrics without signing in.
func TestAttackMetricsWhileOpen(t *testing.T) {
	e := newAttackEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	mo := e.invite(lena, "Mo", "mo@example.org", tl.RoleLeader)
	ada := e.invite(lena, "Ada", "ada@example.org", tl.RoleAdmin)
	mia := e.member(lena, "Mia", "mia@example.org")
	ctx := context.Background()
	_, lenaToken, err := e.app.CreateToken(ctx, lena.User.ID, "prometheus", tl.ScopeRead)
	must(t, err)
	_, moToken, err := e.app.CreateToken(ctx, mo.User.ID, "curious", tl.ScopeRead)
	must(t, err)

	// Who may read /metrics. The refusal is the page-not-found answer,
	// so probing tells nothing.
	unknown := e.send("GET", "/no-such-page", nil, sessionCookie(mo))
	for _, c := range []struct {
		who     string
		cookies []*http.Cookie
		headers []string
		want    int
	}{
		{"nobody", nil, nil, http.StatusNotFound},
		{"a leader who is not an admin", sessionCookie(mo), nil, http.StatusNotFound},
		{"a member", sessionCookie(mia), nil, http.StatusNotFound},
		{"a leader's API token", nil, []string{"Authorization: Bearer " + moToken}, http.StatusNotFound},
		{"a made-up API token", nil, []string{"Authorization: Bearer tl_NOTATOKENNOTATOKENNOTATOK"}, http.StatusNotFound},
		{"a member with a made-up API token", sessionCookie(mia), []string{"Authorization: Bearer tl_NOTATOKEN"}, http.StatusNotFound},
		{"the owner", sessionCookie(lena), nil, http.StatusOK},
		{"an admin", sessionCookie(ada), nil, http.StatusOK},
		{"the owner's API token", nil, []string{"Authorization: Bearer " + lenaToken}, http.StatusOK},
	} {
		w := e.send("GET", "/metrics", nil, c.cookies, c.headers...)
		body := w.Body.String()
		if w.Code != c.want {
			t.Errorf("%s: GET /metrics %d, want %d", c.who, w.Code, c.want)
			continue
		}
		if c.want == http.StatusOK {
			if !strings.Contains(body, "trustledger_http_request_duration_seconds") {
				t.Errorf("%s: /metrics without the request histogram:\n%.300s", c.who, body)
			}
			continue
		}
		if strings.Contains(body, "trustledger_") || strings.Contains(body, "# HELP") {
			t.Errorf("%s: the refusal holds metrics", c.who)
		}
		if !strings.Contains(body, "there is no page at /metrics") ||
			w.Header().Get("Content-Type") != unknown.Header().Get("Content-Type") {
			t.Errorf("%s: the refusal differs from an unknown page's (%q):\n%s", c.who, w.Header().Get("Content-Type"), body)
		}
	}

	// The attack: scrape, let members answer, scrape again.
	const members = 4
	before := series(t, e.send("GET", "/metrics", nil, sessionCookie(lena)).Body.String())
	for range members {
		e.respondentVisits(t)
	}
	if e.voice.answers != members*4 {
		t.Fatalf("%d answers and actions were accepted, want %d", e.voice.answers, members*4)
	}
	text := e.send("GET", "/metrics", nil, sessionCookie(lena)).Body.String()
	after := series(t, text)
	var named, moved []string
	for s, v := range after {
		if strings.HasSuffix(strings.SplitN(s, "{", 2)[0], "_bucket") {
			continue // its _count says the same
		}
		for _, word := range respondentWords {
			if strings.Contains(s, word) {
				named = append(named, fmt.Sprintf("%s %v", s, v))
				break
			}
		}
		if strings.HasPrefix(s, "go_") || strings.HasPrefix(s, "process_") {
			// They move with every request served, the unobserved ones
			// too: a reader who saw them move without a request in the
			// histogram would know someone was answering.
			named = append(named, fmt.Sprintf("%s %v (the runtime's)", s, v))
			continue
		}
		if v != before[s] && !strings.Contains(s, `route="/metrics"`) {
			moved = append(moved, fmt.Sprintf("%s: %v → %v", s, before[s], v))
		}
	}
	slices.Sort(named)
	slices.Sort(moved)
	if len(named) > 0 {
		t.Errorf("%d series name a respondent route or move with them:\n%s", len(named), strings.Join(named, "\n"))
	}
	if len(moved) > 0 {
		t.Errorf("%d series moved while only members answered (%d of them):\n%s", len(moved), members, strings.Join(moved, "\n"))
	}

	// The operator's own listener, made as serve makes it: metrics
	// without signing in, and nothing else.
	hs := e.metrics.HTTPServer("127.0.0.1:0", slog.New(slog.NewTextHandler(io.Discard, nil)))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	go hs.Serve(ln)
	t.Cleanup(func() { hs.Close() })
	base := "http://" + ln.Addr().String()
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get(base + path)
		must(t, err)
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		must(t, err)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/metrics"); code != http.StatusOK || !strings.Contains(body, "trustledger_http_request_duration_seconds") ||
		!strings.Contains(body, "go_goroutines") {
		t.Errorf("the metrics listener: GET /metrics %d\n%.300s", code, body)
	}
	for _, path := range []string{"/", "/answer", "/healthz", "/login", "/api/v1/me"} {
		if code, _ := get(path); code != http.StatusNotFound {
			t.Errorf("the metrics listener serves %s: %d, want 404", path, code)
		}
	}
}

// TestAttackRequestLog: an operator reading the request log while members
// answer finds no line about an answer page, an answer, a check-in or the
// window; the leader's own requests are logged as before. A respondent
// request that fails is logged by its route pattern alone: no path, no
// token, no pass, no account.
func TestAttackRequestLog(t *testing.T) {
	// Which paths are quiet: the respondent's, and nothing a leader,
	// an admin or the operator uses.
	for _, p := range []string{"/p/TOKEN", "/p/", "/c/TOKEN", "/w/TOKEN", "/answer", "/answer/done", "/checkin",
		"/window", "/window/promises/ID", "/window/decisions/ID", "/static/app.css"} {
		if !quietPath(p) {
			t.Errorf("%s is counted and logged", p)
		}
	}
	for _, p := range []string{"/", "/pulses", "/pulses/ID", "/people/ID", "/promises", "/calendar/TOKEN", "/invite/TOKEN",
		"/week/accept", "/login", "/account", "/healthz", "/readyz", "/metrics", "/api/v1/pulses", "/answers", "/pages"} {
		if quietPath(p) {
			t.Errorf("%s is left out of the metrics and the log", p)
		}
	}

	e := newAttackEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	mia := e.member(lena, "Mia", "mia@example.org")
	e.logs.lines()

	e.send("GET", "/pulses", nil, sessionCookie(lena))
	var secrets []string
	for range 3 {
		secrets = append(secrets, e.respondentVisits(t)...)
	}
	// A member signed in on their window is a respondent too.
	if w := e.send("POST", "/window/decisions/decision-2", form("reaction", tl.ReactionDisagree), sessionCookie(mia)); w.Code >= 500 {
		t.Fatalf("a member's reaction: %d", w.Code)
	}
	e.send("GET", "/", nil, sessionCookie(lena))

	lines := e.logs.lines()
	var logged, mentions []string
	for _, l := range lines {
		if slices.ContainsFunc(respondentWords, func(word string) bool { return strings.Contains(l, word) }) {
			mentions = append(mentions, l)
		}
		if strings.Contains(l, `"msg":"request"`) {
			logged = append(logged, l)
		}
	}
	if len(mentions) > 0 {
		t.Errorf("%d of %d log lines are about respondent routes:\n%s", len(mentions), len(lines), strings.Join(mentions, "\n"))
	}
	for _, want := range []string{`"path":"/pulses"`, `"path":"/"`} {
		if !strings.Contains(strings.Join(logged, "\n"), want) {
			t.Errorf("the leader's request %s is not logged any more:\n%s", want, strings.Join(lines, "\n"))
		}
	}

	// Failures on respondent routes: the route pattern, the status and
	// the request id; nothing from the request.
	broken := "BROKEN" + rand.Text()
	secrets = append(secrets, broken)
	for _, c := range []struct {
		method, target, route string
		cookies               []*http.Cookie
	}{
		{"GET", "/p/" + broken, "GET /p/{token}", nil},
		{"POST", "/answer", "POST /answer", []*http.Cookie{{Name: "tl-pulse", Value: broken}}},
		{"POST", "/window/decisions/" + broken, "POST /window/decisions/{id}",
			append(sessionCookie(mia), &http.Cookie{Name: "tl-window", Value: "pass-window"})},
	} {
		w := e.send(c.method, c.target, attackAnswers(), c.cookies)
		if w.Code != http.StatusInternalServerError {
			t.Fatalf("%s %s: %d, want 500", c.method, c.target, w.Code)
		}
		lines := e.logs.lines()
		found := false
		for _, l := range lines {
			if strings.Contains(l, `"msg":"request"`) && strings.Contains(l, `"route":"`+c.route+`"`) && strings.Contains(l, `"status":500`) {
				found = true
			}
			var held []string
			for _, leak := range append([]string{`"path"`, `"method"`, `"user_id"`, mia.User.ID}, secrets...) {
				if strings.Contains(l, leak) {
					held = append(held, leak)
				}
			}
			if len(held) > 0 {
				t.Errorf("%s: a failure's log line holds %s:\n%s", c.route, strings.Join(held, ", "), l)
			}
		}
		if !found {
			t.Errorf("%s: the failure is not logged by its route:\n%s", c.route, strings.Join(lines, "\n"))
		}
	}
}
