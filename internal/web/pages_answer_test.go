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
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/storetest"
)

// The respondent's side of team voice, seen through the whole handler:
// links become short-lived cookies and token-free addresses, the answer
// page says what the leader will and will not see, an answer goes in
// once, and no token or pass reaches any log line. Helpers here carry a
// voice prefix so they never collide with the package's other tests.

// voiceLog is a log sink safe for the server, the services and the mail
// worker writing at once.
type voiceLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *voiceLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *voiceLog) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// voiceMailbox is a mail.Sender that keeps every message instead of
// talking SMTP, so a test can follow the links people were sent.
type voiceMailbox struct {
	mu   sync.Mutex
	sent map[string][]mail.Message // by address, oldest first
}

func (b *voiceMailbox) Send(_ context.Context, _, to, _ string, m mail.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sent[to] = append(b.sent[to], m)
	return nil
}

// voiceEnv is env with every log line captured (server, services and mail
// worker, at debug level) and the outbox delivered to a mailbox.
type voiceEnv struct {
	*env
	logs   *voiceLog
	box    *voiceMailbox
	worker *mail.Worker
	secret []string // every token and pass the test saw
}

func newVoiceEnv(t *testing.T) *voiceEnv {
	t.Helper()
	clk := &clock{t: start}
	db := storetest.OpenSQLite(t)
	logs := &voiceLog{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := app.New(db, app.Options{Now: clk.Now, Logger: logger})
	srv, err := New(Config{Service: a, Accounts: a, Now: clk.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	box := &voiceMailbox{sent: map[string][]mail.Message{}}
	return &voiceEnv{
		env:    &env{t: t, app: a, srv: srv, h: srv.Handler(), clk: clk},
		logs:   logs,
		box:    box,
		worker: &mail.Worker{DB: db, Sender: box, Renderer: a.MailRenderer("http://example.com"), Log: logger, Now: clk.Now},
	}
}

// team adds people (name → email, "" for none) to the leader's default
// team.
func (e *voiceEnv) team(acc *account, people ...string) {
	e.t.Helper()
	for i := 0; i+1 < len(people); i += 2 {
		_, err := e.app.AddPerson(context.Background(), acc.User.LeaderID, tl.PersonInput{Name: people[i], Email: people[i+1], Kind: engine.DirectReport})
		must(e.t, err)
	}
}

// sixMembers is a team of six, each with an address.
var sixMembers = []string{"Ana", "ana@example.org", "Ben", "ben@example.org", "Cleo", "cleo@example.org",
	"Dev", "dev@example.org", "Eli", "eli@example.org", "Fay", "fay@example.org"}

var voiceTokenRE = regexp.MustCompile(`/([pcw])/([A-Z2-7]{26})\b`)

// deliver runs the mail worker and returns the newest link token mailed
// to each address.
func (e *voiceEnv) deliver() map[string]string {
	e.t.Helper()
	if _, err := e.worker.RunOnce(context.Background()); err != nil {
		e.t.Fatalf("mail worker: %v", err)
	}
	e.box.mu.Lock()
	defer e.box.mu.Unlock()
	out := map[string]string{}
	for to, ms := range e.box.sent {
		m := voiceTokenRE.FindStringSubmatch(ms[len(ms)-1].Text)
		if m == nil {
			e.t.Fatalf("the mail to %s holds no link:\n%s", to, ms[len(ms)-1].Text)
		}
		out[to] = m[2]
		e.secret = append(e.secret, m[2])
	}
	return out
}

// open follows a link as a browser would: GET kind/token over host,
// which must answer 303 to a token-free address and set the pass cookie.
// It returns the cookie as the browser will send it back.
func (e *voiceEnv) open(kind, token string) *http.Cookie {
	e.t.Helper()
	w := e.visit("GET", "/"+kind+"/"+token, nil)
	if w.Code != http.StatusSeeOther {
		e.t.Fatalf("GET /%s/…: %d, want 303\n%s", kind, w.Code, w.Body.String())
	}
	loc := w.Header().Get("Location")
	if strings.Contains(loc, token) {
		e.t.Fatalf("the redirect keeps the token: %q", loc)
	}
	name := map[string]string{"p": "tl-pulse", "c": "tl-checkin", "w": "tl-window"}[kind]
	c := cookie(w, name)
	if c == nil || c.Value == "" {
		e.t.Fatalf("GET /%s/… set no %s cookie: %v", kind, name, w.Result().Cookies())
	}
	e.secret = append(e.secret, token, c.Value)
	return c
}

// checkNoSecrets fails when any token or pass the test saw is in a log
// line.
func (e *voiceEnv) checkNoSecrets() {
	e.t.Helper()
	logs := e.logs.String()
	if logs == "" {
		e.t.Fatal("nothing was logged: the capture is broken")
	}
	for _, s := range e.secret {
		if strings.Contains(logs, s) {
			e.t.Errorf("a secret (%s…) is in the logs", s[:4])
		}
	}
}

// launchShared launches a shared-link pulse from the page and returns its
// id and token.
func (e *voiceEnv) launchShared(acc *account, f url.Values) (id, token string) {
	e.t.Helper()
	f.Set("delivery", "link")
	w := e.do("POST", "/pulses", f, acc)
	m := sharedLinkRE.FindStringSubmatch(w.Body.String())
	if w.Code != http.StatusOK || m == nil {
		e.t.Fatalf("launch: %d, no shared link\n%s", w.Code, w.Body.String())
	}
	ps, err := e.app.Pulses(context.Background(), acc.User.LeaderID)
	must(e.t, err)
	e.secret = append(e.secret, m[1])
	return ps[0].ID, m[1]
}

// TestPassCookies: every link kind sets an HttpOnly, SameSite=Lax,
// Path=/ cookie without a Domain, lasting as long as its pass, named
// __Host- with Secure where the browser keeps those (TLS, loopback), and
// sends the browser to a token-free address with no-store.
func TestPassCookies(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, sixMembers...)
	_, pulseTok := e.launchShared(lena, form())
	ana, err := e.app.People(context.Background(), lena.User.LeaderID)
	must(t, err)
	_, checkinTok, err := e.app.AskCheckin(context.Background(), lena.User.LeaderID, ana[0].Person, tl.DeliveryLink)
	must(t, err)
	windowTok, err := e.app.WindowLink(context.Background(), lena.User.LeaderID, ana[0].Person)
	must(t, err)

	for _, c := range []struct {
		path, dest, name string
		ttl              time.Duration
	}{
		{"/p/" + pulseTok, "/answer", "pulse", tl.AnswerPassTTL},
		{"/c/" + checkinTok, "/checkin", "checkin", tl.AnswerPassTTL},
		{"/w/" + windowTok, "/window", "window", tl.WindowPassTTL},
	} {
		for _, o := range []struct {
			url    string
			secure bool
		}{
			{"http://tl.example.org" + c.path, false},
			{"https://tl.example.org" + c.path, true},
			{"http://127.0.0.1:8080" + c.path, true},
		} {
			r := httptest.NewRequest("GET", o.url, nil)
			w := httptest.NewRecorder()
			e.h.ServeHTTP(w, r)
			if w.Code != http.StatusSeeOther || w.Header().Get("Location") != c.dest {
				t.Fatalf("%s: %d → %q, want 303 → %s", o.url, w.Code, w.Header().Get("Location"), c.dest)
			}
			if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
				t.Errorf("%s: Cache-Control %q", o.url, cc)
			}
			name := "tl-" + c.name
			if o.secure {
				name = "__Host-" + name
			}
			k := cookie(w, name)
			if k == nil {
				t.Fatalf("%s: no cookie %s in %v", o.url, name, w.Result().Cookies())
			}
			if !k.HttpOnly || k.SameSite != http.SameSiteLaxMode || k.Path != "/" || k.Domain != "" ||
				k.Secure != o.secure || k.MaxAge != int(c.ttl/time.Second) {
				t.Errorf("%s: cookie %+v", o.url, k)
			}
			for _, tok := range []string{pulseTok, checkinTok, windowTok} {
				if k.Value == tok || strings.Contains(w.Header().Get("Location"), tok) {
					t.Errorf("%s: the token is in the cookie or the redirect", o.url)
				}
			}
		}
	}
}

// TestMailedPulseOnce: six members answer through their mailed links;
// each link works once (a used link says "already answered", a used pass
// sends back to the link), the leader sees only the band while it is
// open, and no token or pass is in any log line (server, services or
// mail worker).
func TestMailedPulseOnce(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, sixMembers...)
	w := e.do("POST", "/pulses", form("team", tl.DefaultTeamName, "delivery", "email"), lena)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("launch by email: %d\n%s", w.Code, w.Body.String())
	}
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "6 invitations") {
		t.Fatalf("the launch does not say 6 invitations went out:\n%s", body)
	}
	pulsePath := w.Header().Get("Location")
	links := e.deliver()
	if len(links) != 6 {
		t.Fatalf("%d people got a link, want 6", len(links))
	}
	// A reminder goes to those who have not answered; its link replaces
	// the first one.
	w = e.do("POST", pulsePath+"/remind", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Nobody, you included, learns who") {
		t.Fatalf("remind flash:\n%s", body)
	}
	old := links["ana@example.org"]
	links = e.deliver()
	if w := e.visit("GET", "/p/"+old, nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "newer email") {
		t.Fatalf("a replaced link: %d\n%s", w.Code, w.Body.String())
	}

	n := 0
	for _, addr := range []string{"ana@example.org", "ben@example.org", "cleo@example.org", "dev@example.org", "eli@example.org", "fay@example.org"} {
		pass := e.open("p", links[addr])
		page := e.visit("GET", "/answer", nil, pass)
		if page.Code != http.StatusOK || !strings.Contains(page.Body.String(), `id="answer-form"`) {
			t.Fatalf("%s: answer page %d", addr, page.Code)
		}
		w := e.visit("POST", "/answer", allAnswers(4), pass)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/answer/done" {
			t.Fatalf("%s: submit %d to %q\n%s", addr, w.Code, w.Header().Get("Location"), w.Body.String())
		}
		// Reloading the thank-you page thanks again; it sends nothing.
		if done := e.visit("GET", "/answer/done", nil); done.Code != http.StatusOK || !strings.Contains(done.Body.String(), "Thank you") {
			t.Fatalf("%s: thank-you page %d\n%s", addr, done.Code, done.Body.String())
		}
		n++
		// The pass is dropped at once.
		if c := cookie(w, "tl-pulse"); c == nil || c.MaxAge >= 0 {
			t.Errorf("%s: the pass cookie is not cleared after answering: %+v", addr, c)
		}
		// A browser that kept the pass, or resends the form: the services
		// dropped the pass with the answer, so the page sends them back to
		// their link, which says it was used.
		for _, w := range []*httptest.ResponseRecorder{e.visit("GET", "/answer", nil, pass), e.visit("POST", "/answer", allAnswers(1), pass)} {
			if body := w.Body.String(); w.Code != http.StatusNotFound || !strings.Contains(body, "open the link you were sent again") || strings.Contains(body, `id="answer-form"`) {
				t.Errorf("%s: the used pass again: %d\n%s", addr, w.Code, body)
			}
		}
		if w := e.visit("GET", "/p/"+links[addr], nil); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "already answered") {
			t.Errorf("%s: the used link again: %d, want 409 already answered", addr, w.Code)
		}
		// A form resent after the cookie was cleared is a page in words.
		if w := e.visit("POST", "/answer", allAnswers(1)); w.Code >= 500 {
			t.Errorf("%s: answer without a pass: %d", addr, w.Code)
		}
		band := e.do("GET", pulsePath, nil, lena).Body.String()
		want := `data-band="below-k"`
		if n >= 5 {
			want = `data-band="k"`
		}
		if !strings.Contains(band, want) || strings.Contains(band, `id="results"`) {
			t.Fatalf("after %d answers the pulse page lacks %s or shows results", n, want)
		}
	}
	// Everyone answered: a reminder has nobody to go to, and none is sent.
	e.do("POST", pulsePath+"/remind", nil, lena)
	before := len(e.box.sent["ana@example.org"])
	e.deliver()
	if got := len(e.box.sent["ana@example.org"]); got != before {
		t.Errorf("a reminder went to someone who answered (%d mails, had %d)", got, before)
	}
	w = e.do("POST", pulsePath+"/close", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Results: 6 answers") {
		t.Fatalf("after close:\n%s", body)
	}
	e.checkNoSecrets()
	if strings.Contains(e.logs.String(), `"/p/`) {
		t.Error("the request log shows a pulse link: answer pages are not logged (docs/ANONYMITY.md, rule 3)")
	}
}

// TestAnswerPageForRespondents: the page a member answers on is for
// someone without an account: no leader navigation, the "will and will
// not see" box above the form, one fieldset with a legend per question,
// labelled 1–5 radios, the outcome item's three choices, the comment box
// only when there is a question (with the writing-style warning), and
// nothing the CSP would block.
func TestAnswerPageForRespondents(t *testing.T) {
	for _, question := range []string{"", "What should I keep doing?"} {
		t.Run(fmt.Sprintf("question=%q", question), func(t *testing.T) {
			e := newVoiceEnv(t)
			lena := e.owner("Lena", "lena@example.org")
			e.team(lena, sixMembers...)
			_, tok := e.launchShared(lena, form("question", question))
			pass := e.open("p", tok)
			w := e.visit("GET", "/answer", nil, pass)
			body := w.Body.String()
			if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
				t.Fatalf("answer page: %d, Cache-Control %q", w.Code, w.Header().Get("Cache-Control"))
			}
			checkHeaders(t, "GET /answer", w.Header())
			if inline := inlineRE.FindString(body); inline != "" {
				t.Errorf("%q breaks the CSP", inline)
			}
			for _, no := range []string{`href="/log"`, `href="/pulses"`, `action="/logout"`, "lena@example.org"} {
				if strings.Contains(body, no) {
					t.Errorf("the respondent's page shows %s", no)
				}
			}
			box, formAt := strings.Index(body, `id="privacy"`), strings.Index(body, `id="answer-form"`)
			if box < 0 || formAt < 0 || box > formAt {
				t.Fatalf("the will/will-not-see box is not above the form (%d, %d)", box, formAt)
			}
			privacy := body[box:formAt]
			for _, want := range []string{"What Lena will and will not see", "only after the pulse closes", "at least 5 people answered",
				"who answered, when, or any single person", "no time, no address, no device"} {
				if !strings.Contains(privacy, want) {
					t.Errorf("the box lacks %q:\n%s", want, privacy)
				}
			}
			if got := strings.Count(body, "<legend>"); got != len(tl.PulseItems) {
				t.Errorf("%d legends, want one per item (%d)", got, len(tl.PulseItems))
			}
			for _, it := range tl.PulseItems {
				fs := regexp.MustCompile(`(?s)<fieldset class="scale" id="item-` + it.ID + `">\s*<legend>([^<]*)</legend>(.*?)</fieldset>`).FindStringSubmatch(body)
				if fs == nil {
					t.Errorf("item %s has no fieldset with a legend", it.ID)
					continue
				}
				if strings.TrimSpace(fs[1]) != strings.ReplaceAll(it.Text, "'", "&#39;") {
					t.Errorf("item %s legend %q, want %q", it.ID, fs[1], it.Text)
				}
				radios := regexp.MustCompile(`<label[^>]*><input type="radio" name="`+it.ID+`" value="(\d)"[^>]*> [^<]+</label>`).FindAllStringSubmatch(fs[2], -1)
				want := []string{"1", "2", "3", "4", "5"}
				if it.Scale == tl.ScaleOutcome {
					want = []string{fmt.Sprint(tl.OutcomeCommit), fmt.Sprint(tl.OutcomeComply), fmt.Sprint(tl.OutcomeResist)}
					for _, c := range tl.OutcomeChoices {
						if !strings.Contains(fs[2], c) {
							t.Errorf("the outcome item lacks the choice %q", c)
						}
					}
				}
				var got []string
				for _, r := range radios {
					got = append(got, r[1])
				}
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("item %s: labelled radios %v, want %v", it.ID, got, want)
				}
			}
			hasComment := strings.Contains(body, `<textarea id="comment" name="comment"`)
			style := strings.Contains(privacy, "way of writing")
			if question == "" && (hasComment || style) {
				t.Error("a pulse without a question offers a comment box")
			}
			if question != "" && (!hasComment || !style || !strings.Contains(body, `<label for="comment">`+question)) {
				t.Error("a pulse with a question lacks the labelled comment box or the writing-style warning")
			}
		})
	}
}

// TestAnswerFormErrors: an empty or out-of-range answer re-shows the form
// with the message and what was chosen; skipping questions is allowed.
func TestAnswerFormErrors(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, sixMembers...)
	_, tok := e.launchShared(lena, form())
	pass := e.open("p", tok)

	w := e.visit("POST", "/answer", form(), pass)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "answer at least one") || !strings.Contains(w.Body.String(), `id="answer-form"`) {
		t.Fatalf("empty answer: %d\n%s", w.Code, w.Body.String())
	}
	w = e.visit("POST", "/answer", form("a1", "9", "b1", "4"), pass)
	body := w.Body.String()
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(body, "must be 1–5") ||
		!strings.Contains(body, `name="b1" value="4" checked`) {
		t.Fatalf("out of range: %d, message or kept choice missing\n%s", w.Code, body)
	}
	w = e.visit("POST", "/answer", form("i1", "2"), pass)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/answer/done" {
		t.Fatalf("one answer, the rest skipped: %d\n%s", w.Code, w.Body.String())
	}
	e.checkNoSecrets()
}

// TestAnswerAfterClose: a member holding a pass when the pulse closes
// gets a page in words instead of the form, and a late answer is not
// stored.
func TestAnswerAfterClose(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, sixMembers...)
	id, tok := e.launchShared(lena, form())
	pass := e.open("p", tok)
	e.do("POST", "/pulses/"+id+"/close", nil, lena)
	// Closing drops every pass: the page sends the member back to the
	// link, and the link says the pulse closed.
	for _, w := range []*httptest.ResponseRecorder{e.visit("GET", "/answer", nil, pass), e.visit("POST", "/answer", allAnswers(3), pass)} {
		if body := w.Body.String(); w.Code != http.StatusNotFound || strings.Contains(body, `id="answer-form"`) || !strings.Contains(body, "open the link you were sent again") {
			t.Errorf("the pass after close: %d\n%s", w.Code, body)
		}
	}
	if w := e.visit("GET", "/p/"+tok, nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "this pulse has closed") {
		t.Errorf("the link after close: %d\n%s", w.Code, w.Body.String())
	}
	rep, err := e.app.PulseReport(context.Background(), lena.User.LeaderID, id)
	must(t, err)
	if rep.Count != tl.CountBelowK || rep.Released {
		t.Fatalf("a late answer changed the pulse: %+v", rep)
	}
}

// TestNamedCheckinPages: a check-in says in a banner that it is not
// anonymous and who will see the name, takes one answer, and shows it
// on the person page with the name.
func TestNamedCheckinPages(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, "Ana", "ana@example.org", "Ben", "")
	rels, err := e.app.People(context.Background(), lena.User.LeaderID)
	must(t, err)
	var ana, ben tl.Relationship
	for _, r := range rels {
		switch r.Person {
		case "Ana":
			ana = r
		case "Ben":
			ben = r
		}
	}
	// By email for Ana; Ben has no address, so only the link is offered.
	if body := e.do("GET", "/people/"+ben.ID, nil, lena).Body.String(); strings.Contains(body, "Ask by email") || !strings.Contains(body, "Ask with a link") {
		t.Error("the person page offers email to someone without an address")
	}
	w := e.do("POST", "/people/"+ana.ID+"/checkin", form("delivery", "email"), lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Check-in sent to Ana by email") {
		t.Fatalf("ask by email:\n%s", body)
	}
	links := e.deliver()
	pass := e.open("c", links["ana@example.org"])
	w = e.visit("GET", "/checkin", nil, pass)
	body := w.Body.String()
	banner := regexp.MustCompile(`(?s)<section class="card notice" role="note" id="not-anonymous">(.*?)</section>`).FindStringSubmatch(body)
	if w.Code != http.StatusOK || banner == nil || !strings.Contains(banner[1], "This is not anonymous") ||
		!strings.Contains(banner[1], "Lena will see <strong>your name</strong> with your answers") {
		t.Fatalf("check-in banner: %d\n%s", w.Code, body)
	}
	if strings.Index(body, `id="not-anonymous"`) > strings.Index(body, `id="checkin-form"`) {
		t.Error("the not-anonymous banner is below the form")
	}
	if inline := inlineRE.FindString(body); inline != "" {
		t.Errorf("%q breaks the CSP", inline)
	}
	w = e.visit("POST", "/checkin", form("ca", "4"), pass)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "answer every question") {
		t.Fatalf("incomplete check-in: %d\n%s", w.Code, w.Body.String())
	}
	w = e.visit("POST", "/checkin", form("ca", "4", "cb", "2", "ci", "5", "comment", "more notice before changes"), pass)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "with your name") {
		t.Fatalf("answer: %d\n%s", w.Code, w.Body.String())
	}
	if w := e.visit("GET", "/c/"+links["ana@example.org"], nil); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "already answered") {
		t.Errorf("the used check-in link: %d", w.Code)
	}
	if w := e.visit("POST", "/checkin", form("ca", "1", "cb", "1", "ci", "1"), pass); w.Code != http.StatusNotFound {
		t.Errorf("a second check-in answer with the used pass: %d, want 404", w.Code)
	}
	page := e.do("GET", "/people/"+ana.ID, nil, lena).Body.String()
	if !strings.Contains(page, "ability 4, benevolence 2, integrity 5") || !strings.Contains(page, "more notice before changes") {
		t.Fatalf("the person page lacks Ana's named answer:\n%s", page)
	}
	e.checkNoSecrets()
	if strings.Contains(e.logs.String(), `"/c/`) {
		t.Error("the request log shows a check-in link: answer pages are not logged (docs/ANONYMITY.md, rule 3)")
	}
}
