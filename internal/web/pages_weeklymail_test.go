package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// weeklyLinkRE finds the weekly email's links in a letter: a step link's
// words and token, or an unsubscribe link's.
var weeklyLinkRE = regexp.MustCompile(`(Accept it|Mark it done|Skip it this week|Stop these emails): /(d|u)/([A-Z2-7]{26})`)

// weeklyLetter ticks at Monday 9 March 08:00 and returns the tokens of the
// digest mailed to addr, by the words before them.
func (e *voiceEnv) weeklyLetter(addr string) map[string]string {
	e.t.Helper()
	e.advance(time.Date(2026, 3, 9, 8, 0, 0, 0, time.UTC).Sub(e.clk.Now()))
	if _, err := e.app.Tick(context.Background()); err != nil {
		e.t.Fatal(err)
	}
	out := map[string]string{}
	for _, l := range e.deliver() {
		if l.To != addr {
			continue
		}
		for _, m := range weeklyLinkRE.FindAllStringSubmatch(l.Text, -1) {
			out[m[1]] = m[3]
			e.secret = append(e.secret, m[3])
		}
	}
	if len(out) != 4 {
		e.t.Fatalf("the weekly email's links: %v", out)
	}
	return out
}

// leaderWithStep is Lena, who leads Ben, ordered about this week: the
// week's step is Ben's.
func (e *voiceEnv) leaderWithStep() *account {
	e.t.Helper()
	lena := e.owner("Lena", "lena@example.org")
	ctx := context.Background()
	if _, err := e.app.AddPerson(ctx, lena.User.LeaderID, tl.PersonInput{Name: "Ben", Kind: engine.DirectReport}); err != nil {
		e.t.Fatal(err)
	}
	for _, k := range []engine.Kind{"directive", "authority-overused", "authority-overused"} {
		if _, err := e.app.Log(ctx, lena.User.LeaderID, tl.EventInput{Who: "Ben", Kind: k}); err != nil {
			e.t.Fatal(err)
		}
	}
	return lena
}

// TestWeeklyMailAccount: the account page says when the weekly email goes
// and where; its form changes the day and hour, refuses an hour that is
// none, and turns the email off.
func TestWeeklyMailAccount(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.leaderWithStep()
	body := e.do("GET", "/account", nil, lena).Body.String()
	for _, want := range []string{`<h2 id="weekly-mail">Weekly email</h2>`, "Next one to lena@example.org: Monday 9 March, 08:00.",
		`<option value="monday" selected>Monday</option>`, `<option value="sunday">Sunday</option>`, `<option value="8" selected>08:00</option>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the account page lacks %q", want)
		}
	}
	w := e.do("POST", "/account/weekly-mail", form("mail", "on", "day", "friday", "hour", "16"), lena)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", w.Code, pagesTrim(w.Body.String()))
	}
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Weekly email saved: Fridays at 16:00 (UTC).") ||
		!strings.Contains(body, "Next one to lena@example.org: Friday 6 March, 16:00.") {
		t.Fatalf("after saving:\n%s", pagesTrim(body))
	}
	w = e.do("POST", "/account/weekly-mail", form("mail", "on", "day", "friday", "hour", "25"), lena)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "Pick an hour from 0 to 23") {
		t.Fatalf("hour 25: %d\n%s", w.Code, pagesTrim(w.Body.String()))
	}
	w = e.do("POST", "/account/weekly-mail", form("mail", "off", "day", "friday", "hour", "16"), lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Weekly email turned off") ||
		!strings.Contains(body, "Off: no weekly email and no reminders go to lena@example.org.") {
		t.Fatalf("after turning off:\n%s", pagesTrim(body))
	}
	if wm, _ := e.app.WeeklyMail(context.Background(), lena.User.LeaderID); wm.Mail || wm.Day != "friday" {
		t.Fatalf("the schedule after the form: %+v", wm)
	}
	// Integrations offer the weekly digest to a webhook.
	if body := e.do("GET", "/integrations", nil, lena).Body.String(); !strings.Contains(body, "digest.weekly") {
		t.Errorf("the integrations page does not offer digest.weekly")
	}
}

// TestStepLinkPages: the email's accept link opens a page with the step
// and one button, however often it is opened (mail scanners open links);
// the button accepts; afterwards each of the email's links says, in
// words, that it was used; a link that was changed says it is not valid;
// no token reaches a log line.
func TestStepLinkPages(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.leaderWithStep()
	links := e.weeklyLetter("lena@example.org")
	accept := "/d/" + links["Accept it"]
	for _, who := range []string{"a mail scanner", "Lena"} {
		w := e.visit("GET", accept, nil)
		body := w.Body.String()
		if w.Code != http.StatusOK || w.Header().Get("Cache-Control") != "no-store" {
			t.Fatalf("%s opens the link: %d, Cache-Control %q\n%s", who, w.Code, w.Header().Get("Cache-Control"), pagesTrim(body))
		}
		checkHeaders(t, "GET /d/…", w.Header())
		for _, want := range []string{"<h1>Accept this week&#39;s step</h1>", "<strong>Ben</strong>", "Why Ben, why this:",
			`<form method="post" action="` + accept + `" class="stack">`, `id="step-link-button">Accept this week&#39;s step</button>`} {
			if !strings.Contains(body, want) {
				t.Errorf("the link's page lacks %q", want)
			}
		}
		if week, _ := e.app.Week(context.Background(), lena.User.LeaderID); week.Step.Status != tl.StepSuggested {
			t.Fatalf("after %s opened the link the step is %s", who, week.Step.Status)
		}
	}
	w := e.visit("POST", accept, nil)
	if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, "<h1>Step accepted</h1>") ||
		!strings.Contains(body, "You accepted this week's step: it is now a promise to Ben, due") || strings.Contains(body, "step-link-button") {
		t.Fatalf("pressing the button: %d\n%s", w.Code, pagesTrim(body))
	}
	if week, _ := e.app.Week(context.Background(), lena.User.LeaderID); week.Step.Status != tl.StepAccepted {
		t.Fatalf("after the button the step is %s", week.Step.Status)
	}
	for _, words := range []string{"Accept it", "Mark it done", "Skip it this week"} {
		for _, method := range []string{"GET", "POST"} {
			w := e.visit(method, "/d/"+links[words], nil)
			if body := w.Body.String(); w.Code != http.StatusConflict || !strings.Contains(body, "This link was used already: on Monday 9 March at 08:00 you accepted this week&#39;s step") ||
				strings.Contains(body, "step-link-button") {
				t.Errorf("%s %q after the email's first link: %d\n%s", method, words, w.Code, pagesTrim(body))
			}
		}
	}
	if week, _ := e.app.Week(context.Background(), lena.User.LeaderID); week.Step.Status != tl.StepAccepted {
		t.Fatalf("the used links changed the step to %s", week.Step.Status)
	}
	bad := []byte(links["Skip it this week"])
	bad[0] ^= 1
	for _, method := range []string{"GET", "POST"} {
		w := e.visit(method, "/d/"+string(bad), nil)
		if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "This link is not valid") {
			t.Errorf("%s a changed link: %d\n%s", method, w.Code, pagesTrim(w.Body.String()))
		}
	}
	for _, tok := range e.secret {
		if strings.Contains(e.logs.String(), tok) {
			t.Fatalf("a token is in the logs")
		}
	}
}

// TestUnsubscribeOneClick: the email's unsubscribe link opens a page that
// asks, and stops nothing; a mail client's one-click POST (RFC 8058: the
// body List-Unsubscribe=One-Click, no cookie, no browser headers) stops
// the weekly email, and again says it is stopped.
func TestUnsubscribeOneClick(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.leaderWithStep()
	unsub := "/u/" + e.weeklyLetter("lena@example.org")["Stop these emails"]
	w := e.visit("GET", unsub, nil)
	if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, `id="unsubscribe-button"`) || !strings.Contains(body, "lena@example.org") {
		t.Fatalf("open the unsubscribe link: %d\n%s", w.Code, pagesTrim(body))
	}
	if wm, _ := e.app.WeeklyMail(context.Background(), lena.User.LeaderID); !wm.Mail {
		t.Fatal("opening the unsubscribe link stopped the mail")
	}
	for range 2 {
		r := httptest.NewRequest("POST", unsub, strings.NewReader("List-Unsubscribe=One-Click"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		e.h.ServeHTTP(rec, r)
		if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "No more weekly emails") {
			t.Fatalf("one-click POST: %d\n%s", rec.Code, pagesTrim(body))
		}
	}
	if wm, _ := e.app.WeeklyMail(context.Background(), lena.User.LeaderID); wm.Mail {
		t.Fatal("the one-click POST did not stop the mail")
	}
	if w := e.visit("POST", "/u/AAAAAAAAAAAAAAAAAAAAAAAAAA", nil); w.Code != http.StatusNotFound {
		t.Fatalf("a made-up unsubscribe link: %d", w.Code)
	}
}
