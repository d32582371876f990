package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// These tests run the whole server (web pages, the JSON API and /readyz
// over store.DB.Ready) on a real listener and a real database that stops
// taking writes, or stops answering, and comes back
// (docs/OPERATIONS.md, "When the database is unavailable").

// liveServer is the app as `trustledger serve` wires it, on a real
// listener: Lena signed up, with a session cookie and an API token, and
// Sam in her team.
type liveServer struct {
	t       *testing.T
	db      *store.DB
	app     *app.App
	srv     *Server
	url     string
	logs    *syncLog
	metrics *Metrics
	cookie  *http.Cookie
	token   string
	leader  string
}

func startLive(t *testing.T, db *store.DB) *liveServer {
	t.Helper()
	logs := &syncLog{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := app.New(db, app.Options{Logger: log})
	m := NewMetrics(nil)
	srv, err := New(Config{Service: a, Logger: log, Metrics: m, Ready: db.Ready,
		API: api.New(api.Config{Service: a, Logger: log})})
	must(t, err)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	ctx := context.Background()
	u, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: testPassword})
	must(t, err)
	session, err := a.CreateSession(ctx, u.ID)
	must(t, err)
	_, token, err := a.CreateToken(ctx, u.ID, "test", tl.ScopeWrite)
	must(t, err)
	_, err = a.AddPerson(ctx, u.LeaderID, tl.PersonInput{Name: "Sam", Kind: "peer"})
	must(t, err)
	probe := httptest.NewRequest("GET", hs.URL+"/", nil)
	return &liveServer{t: t, db: db, app: a, srv: srv, url: hs.URL, logs: logs, metrics: m,
		cookie: &http.Cookie{Name: srv.cookieName(probe), Value: session}, token: token, leader: u.LeaderID}
}

type answer struct {
	status int
	header http.Header
	body   string
}

func (l *liveServer) send(r *http.Request) answer {
	l.t.Helper()
	client := &http.Client{Timeout: 20 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	res, err := client.Do(r)
	if err != nil {
		l.t.Fatalf("%s %s: %v", r.Method, r.URL.Path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, string(b)}
}

// apiLog logs an entry for Sam with note through the API.
func (l *liveServer) apiLog(note string) answer {
	l.t.Helper()
	body, _ := json.Marshal(map[string]string{"who": "Sam", "kind": "recognition", "note": note})
	r, _ := http.NewRequest("POST", l.url+api.Prefix+"/events", bytes.NewReader(body))
	r.Header.Set("Authorization", "Bearer "+l.token)
	r.Header.Set("Content-Type", "application/json")
	return l.send(r)
}

// webLog logs an entry for Sam with note through the web form.
func (l *liveServer) webLog(note string) answer {
	l.t.Helper()
	form := url.Values{"who": {"Sam"}, "kind": {"recognition"}, "severity": {"normal"}, "source": {"self"}, "note": {note}}
	r, _ := http.NewRequest("POST", l.url+"/log", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(l.cookie)
	return l.send(r)
}

func (l *liveServer) get(path string) answer {
	l.t.Helper()
	r, _ := http.NewRequest("GET", l.url+path, nil)
	r.AddCookie(l.cookie)
	return l.send(r)
}

// wantUnavailable checks a 503 with Retry-After in seconds and, from the
// API, the envelope with code "unavailable"; the message is for people.
func wantUnavailable(t *testing.T, what string, a answer, isAPI bool) {
	t.Helper()
	if a.status != http.StatusServiceUnavailable {
		t.Errorf("%s: status %d, want 503; body %.300q", what, a.status, a.body)
		return
	}
	if s, err := strconv.Atoi(a.header.Get("Retry-After")); err != nil || s < 1 || s > 120 {
		t.Errorf("%s: Retry-After %q, want a few seconds", what, a.header.Get("Retry-After"))
	}
	if !strings.Contains(a.body, "nothing was saved") || strings.Contains(a.body, "something went wrong") {
		t.Errorf("%s: the message does not say the database is unavailable: %.300q", what, a.body)
	}
	if isAPI {
		var env struct {
			Error struct {
				Code       string `json:"code"`
				RetryAfter int    `json:"retry_after"`
			} `json:"error"`
		}
		if err := json.Unmarshal([]byte(a.body), &env); err != nil || env.Error.Code != tl.EUNAVAILABLE || env.Error.RetryAfter < 1 {
			t.Errorf("%s: envelope %.300q, want code %q with retry_after", what, a.body, tl.EUNAVAILABLE)
		}
	}
}

// wantNoServerErrors checks the log holds no error line and no request
// answered 500.
func (l *liveServer) wantNoServerErrors() {
	l.t.Helper()
	for _, line := range strings.Split(l.logs.String(), "\n") {
		if strings.Contains(line, "level=ERROR") || strings.Contains(line, "status=500") {
			l.t.Errorf("log line: %s", line)
		}
	}
}

// wantWarning checks the log has "database unavailable" warnings, from
// the API and from the pages, whose err holds cause (the driver's error,
// never the sentence people read), and a "not ready" one whose err holds
// detail (when not "").
func (l *liveServer) wantWarning(cause, detail string) {
	l.t.Helper()
	var apiLine, webLine, ready bool
	for _, line := range strings.Split(l.logs.String(), "\n") {
		if strings.Contains(line, `level=WARN msg="database unavailable"`) && strings.Contains(line, cause) &&
			!strings.Contains(line, "nothing was saved") {
			apiLine = apiLine || strings.Contains(line, "path="+api.Prefix)
			webLine = webLine || !strings.Contains(line, "path="+api.Prefix)
		}
		if strings.Contains(line, `level=WARN msg="not ready"`) && strings.Contains(line, detail) {
			ready = true
		}
	}
	if !apiLine || !webLine || !ready {
		l.t.Errorf("the log lacks a warning with %q (database unavailable from the API: %v, from the pages: %v) or %q (not ready: %v):\n%s",
			cause, apiLine, webLine, detail, ready, l.logs.String())
	}
}

func (l *liveServer) events() int {
	l.t.Helper()
	evs, err := l.app.Events(context.Background(), l.leader, tl.EventFilter{Who: "Sam"})
	must(l.t, err)
	return len(evs)
}

// TestSQLiteFullIsUnavailable fills a real SQLite database (its page count
// capped at its size, so a write that needs a page fails with SQLITE_FULL):
// the API and the form answer 503 with Retry-After, nothing is written,
// /readyz says the database cannot take writes; once the cap is lifted it
// is ready again and the same writes work.
func TestSQLiteFullIsUnavailable(t *testing.T) {
	db := storetest.OpenSQLite(t)
	l := startLive(t, db)
	ctx := context.Background()
	w := db.SQL()
	if _, err := w.ExecContext(ctx, "VACUUM"); err != nil { // no free pages left to reuse
		t.Fatal(err)
	}
	if _, err := w.ExecContext(ctx, "PRAGMA max_page_count = 1"); err != nil { // capped at the current size
		t.Fatal(err)
	}
	// A note of 10,000 characters takes pages of its own (overflow pages).
	note := strings.Repeat("Sam named the fix in the all-hands. ", 300)[:tl.MaxNoteLength]
	before := l.events()

	wantUnavailable(t, "API POST /events", l.apiLog(note), true)
	wantUnavailable(t, "web POST /log", l.webLog(note), false)
	if n := l.events(); n != before {
		t.Errorf("%d entries after the failed writes, want %d (nothing written)", n, before)
	}
	r := l.get("/readyz")
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "full") {
		t.Errorf("readyz on a full database: %d %q, want 503 saying it is full", r.status, r.body)
	}
	if r := l.get("/healthz"); r.status != http.StatusOK {
		t.Errorf("healthz: %d, want 200 (the process is alive)", r.status)
	}
	l.wantNoServerErrors()
	l.wantWarning("database or disk is full", "max_page_count")

	if _, err := w.ExecContext(ctx, "PRAGMA max_page_count = 1073741823"); err != nil {
		t.Fatal(err)
	}
	if r := l.get("/readyz"); r.status != http.StatusOK {
		t.Errorf("readyz once there is room: %d %q", r.status, r.body)
	}
	if r := l.apiLog(note); r.status != http.StatusCreated {
		t.Errorf("API POST /events once there is room: %d %.300q", r.status, r.body)
	}
	if r := l.webLog(note); r.status != http.StatusSeeOther {
		t.Errorf("web POST /log once there is room: %d %.300q", r.status, r.body)
	}
	if n := l.events(); n != before+2 {
		t.Errorf("%d entries, want %d", n, before+2)
	}
}

func (l *liveServer) metricsText() string {
	rec := httptest.NewRecorder()
	l.metrics.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// tcpProxy forwards connections to target until cut, and again once
// restored, on the same address.
type tcpProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
}

func newTCPProxy(t *testing.T, target string) *tcpProxy {
	p := &tcpProxy{t: t, target: target}
	p.listen("127.0.0.1:0")
	p.addr = p.ln.Addr().String()
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) listen(addr string) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatalf("proxy listen %s: %v", addr, err)
	}
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go func() { io.Copy(c, up); c.Close() }()
		}
	}()
}

// cut closes the listener and every connection: the database is gone.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *tcpProxy) restore() { p.listen(p.addr) }

// TestPostgresDownIsUnavailable puts a TCP proxy between the app and the
// real PostgreSQL and cuts it: the API and the pages answer 503 with
// Retry-After, /readyz says the database does not answer; restored, the
// app recovers without a restart.
func TestPostgresDownIsUnavailable(t *testing.T) {
	dsn := storetest.PostgresSchemaURL(t)
	u, err := url.Parse(dsn)
	must(t, err)
	p := newTCPProxy(t, u.Host)
	u.Host = p.addr
	db, err := store.Open(context.Background(), u.String())
	must(t, err)
	t.Cleanup(func() { db.Close() })
	l := startLive(t, db)
	note := "named Sam's fix in the all-hands"
	if r := l.apiLog(note); r.status != http.StatusCreated {
		t.Fatalf("API POST /events before the cut: %d %.300q", r.status, r.body)
	}

	p.cut()
	wantUnavailable(t, "API POST /events", l.apiLog(note), true)
	wantUnavailable(t, "web POST /log", l.webLog(note), false)
	wantUnavailable(t, "web GET /", l.get("/"), false)
	r := l.get("/readyz")
	if r.status != http.StatusServiceUnavailable || !strings.Contains(r.body, "not ready") {
		t.Errorf("readyz with the database down: %d %q", r.status, r.body)
	}
	l.wantNoServerErrors()
	l.wantWarning("", "")

	p.restore()
	if r := l.get("/readyz"); r.status != http.StatusOK {
		t.Errorf("readyz once the database is back: %d %q", r.status, r.body)
	}
	if r := l.apiLog(note); r.status != http.StatusCreated {
		t.Errorf("API POST /events once the database is back: %d %.300q", r.status, r.body)
	}
	if r := l.webLog(note); r.status != http.StatusSeeOther {
		t.Errorf("web POST /log once the database is back: %d %.300q", r.status, r.body)
	}
	if n := l.events(); n != 3 {
		t.Errorf("%d entries for Sam, want 3", n)
	}
}

// TestClientGoneIsNotAnError sends requests that wait for the database
// (the one writer is held busy) and hangs up: the server logs no error and
// no 500, and counts no 5xx.
func TestClientGoneIsNotAnError(t *testing.T) {
	db := storetest.OpenSQLite(t)
	l := startLive(t, db)
	release := make(chan struct{})
	held := make(chan struct{})
	go db.Write(context.Background(), func(*store.Tx) error { close(held); <-release; return nil })
	<-held
	defer close(release)

	for _, mk := range []func(ctx context.Context) *http.Request{
		func(ctx context.Context) *http.Request {
			// A request without a body: the server notices a hang-up
			// only once it has read the body.
			r, _ := http.NewRequestWithContext(ctx, "GET", l.url+api.Prefix+"/people", nil)
			r.Header.Set("Authorization", "Bearer "+l.token)
			return r
		},
		func(ctx context.Context) *http.Request {
			form := url.Values{"who": {"Sam"}, "kind": {"recognition"}, "severity": {"normal"}, "source": {"self"}}
			r, _ := http.NewRequestWithContext(ctx, "POST", l.url+"/log", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.AddCookie(l.cookie)
			return r
		},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		res, err := http.DefaultClient.Do(mk(ctx))
		cancel()
		if err == nil {
			res.Body.Close()
			t.Fatalf("the request was answered (%d) while the writer was held", res.StatusCode)
		}
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("client: %v", err)
		}
	}
	// Wait for both requests' log lines.
	deadline := time.Now().Add(10 * time.Second)
	for strings.Count(l.logs.String(), "client went away") < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("no \"client went away\" lines in the log:\n%s", l.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	l.wantNoServerErrors()
	if m := l.metricsText(); strings.Contains(m, `code="5xx"`) {
		t.Errorf("metrics count a client that went away as 5xx:\n%s", m)
	}
	if !strings.Contains(l.logs.String(), "status=499") {
		t.Errorf("the request lines do not say 499:\n%s", l.logs.String())
	}
}

// TestClientGoneQuiet: a team member whose client hangs up on a pulse link
// while the database is busy leaves no line in the log (a line with a time
// would say when someone was answering: docs/ANONYMITY.md, rule 3).
func TestClientGoneQuiet(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, sixMembers...)
	_, links := e.launch(lena, form())
	tok := links["ana@example.org"]
	logs := &syncLog{}
	srv, err := New(Config{Service: e.app, Now: e.clk.Now, Logger: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	must(t, err)
	served := make(chan struct{}, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		srv.Handler().ServeHTTP(w, r)
		served <- struct{}{}
	}))
	defer hs.Close()

	release := make(chan struct{})
	held := make(chan struct{})
	go e.db.Write(context.Background(), func(*store.Tx) error { close(held); <-release; return nil })
	<-held
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	r, _ := http.NewRequestWithContext(ctx, "GET", hs.URL+"/p/"+tok, nil)
	res, err := http.DefaultClient.Do(r)
	cancel()
	if err == nil {
		res.Body.Close()
		t.Fatalf("the link was answered (%d) while the writer was held", res.StatusCode)
	}
	close(release)
	<-served
	if l := logs.String(); l != "" {
		t.Errorf("a hang-up on a pulse link was logged:\n%s", l)
	}
}
