package web

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/storetest"
)

// The respondent's side of team voice, seen through the whole handler:
// links become short-lived cookies and token-free addresses, the answer
// page says what the leader will and will not see, an answer goes in
// once, and no token or pass reaches any log line. Helpers here carry a
// voice prefix so they never collide with the package's other tests.

// voiceMailbox is a mail.Sender that keeps the letters of one delivery,
// for the worker that logs.
type voiceMailbox struct {
	mu      sync.Mutex
	letters []mail.Letter
}

func (b *voiceMailbox) Send(_ context.Context, _, to, _ string, m mail.Message) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.letters = append(b.letters, mail.Letter{To: to, Text: m.Text})
	return nil
}

// voiceEnv is env with every log line captured (server, services and the
// mail worker, at debug level).
type voiceEnv struct {
	*env
	logs *syncLog
}

func newVoiceEnv(t *testing.T) *voiceEnv {
	t.Helper()
	clk := &clock{t: start}
	db := storetest.OpenSQLite(t)
	logs := &syncLog{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := app.New(db, app.Options{Now: clk.Now, Logger: logger})
	srv, err := New(Config{Service: a, Now: clk.Now, Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	box := &voiceMailbox{}
	worker := &mail.Worker{DB: db, Sender: box, Renderer: a.MailRenderer(""), Log: logger, Now: clk.Now}
	e := &voiceEnv{env: &env{t: t, app: a, srv: srv, h: srv.Handler(), clk: clk, db: db}, logs: logs}
	e.post = func(ctx context.Context) ([]mail.Letter, error) {
		box.mu.Lock()
		box.letters = nil
		box.mu.Unlock()
		if _, err := worker.RunOnce(ctx); err != nil {
			return nil, err
		}
		box.mu.Lock()
		defer box.mu.Unlock()
		return box.letters, nil
	}
	return e
}

// sixMembers is a team of six, each with an address.
var sixMembers = []string{"Ana", "ana@example.org", "Ben", "ben@example.org", "Cleo", "cleo@example.org",
	"Dev", "dev@example.org", "Eli", "eli@example.org", "Fay", "fay@example.org"}

// countedTeam adds people to the leader's team and makes them count
// toward k.
func (e *env) countedTeam(acc *account, people ...string) {
	e.t.Helper()
	e.team(acc, people...)
	e.counted(emails(people...)...)
}

// open follows a link as a browser would: GET kind/token, which must
// answer 303 to a token-free address and set the pass cookie. It returns
// the cookie as the browser will send it back.
func (e *env) open(kind, token string) *http.Cookie {
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

// TestPassCookies: every link kind sets an HttpOnly, SameSite=Lax,
// Path=/ cookie without a Domain, lasting as long as its pass, named
// __Host- with Secure where the browser keeps those (TLS, loopback), and
// sends the browser to a token-free address with no-store.
func TestPassCookies(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, sixMembers...)
	_, links := e.launch(lena, form())
	pulseTok := links["ana@example.org"]
	_, checkinTok, err := e.app.AskCheckin(context.Background(), lena.User.LeaderID, "Ana", tl.DeliveryLink)
	must(t, err)
	must(t, e.app.SendWindowLink(context.Background(), lena.User.LeaderID, "Ana"))
	windowTok := e.linkTo("ana@example.org", "w")

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

// TestMailedPulseOnce: ten members answer through their mailed links;
// each link works once (a used link says "already answered", a used pass
// sends back to the link), the leader sees only the band, and only as
// published at fixed times, while it is open (ten asked: enough for a
// band, never the one that would say everyone answered); a reminder goes
// to everyone asked, answered or not; and no token or pass is in any log
// line (server, services or mail worker).
func TestMailedPulseOnce(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, tenMembers...)
	w := e.do("POST", "/pulses", form("team", tl.DefaultTeamName), lena)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("launch: %d\n%s", w.Code, w.Body.String())
	}
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "10 invitations") {
		t.Fatalf("the launch does not say 10 invitations went out:\n%s", body)
	}
	pulsePath := w.Header().Get("Location")
	links := e.links("p")
	if len(links) != 10 {
		t.Fatalf("%d people got a link, want 10", len(links))
	}
	// A reminder goes to everyone asked; its link replaces the first one.
	w = e.do("POST", pulsePath+"/remind", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "everyone asked, answered or not") || !strings.Contains(body, "Nobody, you included, learns who") {
		t.Fatalf("remind flash:\n%s", body)
	}
	old := links["ana@example.org"]
	links = e.links("p")
	if len(links) != 10 {
		t.Fatalf("the reminder reached %d people, want all 10", len(links))
	}
	if w := e.visit("GET", "/p/"+old, nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "newer email") {
		t.Fatalf("a replaced link: %d\n%s", w.Code, w.Body.String())
	}

	n := 0
	for _, addr := range emails(tenMembers...) {
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
		// The count is not live: it stays as last published, however
		// many have answered since.
		band := e.do("GET", pulsePath, nil, lena).Body.String()
		if !strings.Contains(band, `data-band="below-k"`) || strings.Contains(band, `id="results"`) {
			t.Fatalf("after %d answers, before a publication, the pulse page moved its band or shows results", n)
		}
	}
	// All ten answered, but "at least 10" would say so: the published band
	// stops at k (10 − comments_k < k).
	e.publish()
	if band := e.do("GET", pulsePath, nil, lena).Body.String(); !strings.Contains(band, `data-band="k"`) || strings.Contains(band, `id="results"`) {
		t.Fatal("after the publication the pulse page lacks the band k, or shows results while open")
	}
	// Everyone answered: a reminder still goes to all ten, and each link
	// says its person has answered.
	w = e.do("POST", pulsePath+"/remind", nil, lena)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("remind after everyone answered: %d", w.Code)
	}
	again := e.links("p")
	if len(again) != 10 {
		t.Fatalf("the reminder after everyone answered reached %d people, want 10: the count would tell who answered", len(again))
	}
	for addr, tok := range again {
		if w := e.visit("GET", "/p/"+tok, nil); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "already answered") {
			t.Errorf("%s: the reminder's link after answering: %d, want 409 already answered", addr, w.Code)
		}
	}
	w = e.do("POST", pulsePath+"/close", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Results: 10 answers") {
		t.Fatalf("after close:\n%s", body)
	}
	e.checkNoSecrets()
	if strings.Contains(e.logs.String(), `"/p/`) {
		t.Error("the request log shows a pulse link: answer pages are not logged (docs/ANONYMITY.md, rule 3)")
	}
}

// TestAnswerPageForRespondents: the page a member answers on is for
// someone without an account: no leader navigation, the "will and will
// not see" box above the form, naming everyone the pulse asked (and
// nobody it did not), one fieldset with a legend per question, labelled
// 1–5 radios, the outcome item's three choices, the comment box only when
// there is a question (with the writing-style warning), and nothing the
// CSP would block.
func TestAnswerPageForRespondents(t *testing.T) {
	for _, question := range []string{"", "What should I keep doing?"} {
		t.Run(fmt.Sprintf("question=%q", question), func(t *testing.T) {
			e := newVoiceEnv(t)
			lena := e.owner("Lena", "lena@example.org")
			e.countedTeam(lena, sixMembers...)
			// Gus joined after the others: not confirmed, so not asked.
			e.team(lena, "Gus", "gus@example.org")
			_, links := e.launch(lena, form("question", question))
			if _, ok := links["gus@example.org"]; ok || len(links) != 6 {
				t.Fatalf("the pulse asked %d people, Gus among them: %v", len(links), ok)
			}
			pass := e.open("p", links["cleo@example.org"])
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
			asked := regexp.MustCompile(`<p id="asked">This pulse asked (\d+) people, and its result stands for them alone: ([^<.]*)\.`).FindStringSubmatch(privacy)
			if asked == nil || asked[1] != "6" {
				t.Fatalf("the box does not say how many people the pulse asked:\n%s", privacy)
			}
			names := strings.Split(asked[2], ", ")
			sort.Strings(names)
			if strings.Join(names, ",") != "Ana,Ben,Cleo,Dev,Eli,Fay" {
				t.Errorf("the box names %q as asked, want the six who count (not Gus)", asked[2])
			}
			if !strings.Contains(privacy, "If someone here is not on your team, tell your team") {
				t.Error("the box does not tell the member what to do about a name they do not know")
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
	e.countedTeam(lena, sixMembers...)
	_, links := e.launch(lena, form())
	pass := e.open("p", links["ben@example.org"])

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
	e.countedTeam(lena, sixMembers...)
	id, links := e.launch(lena, form())
	tok := links["dev@example.org"]
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
	links := e.links("c")
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
