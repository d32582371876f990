package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
)

// The leader's side of pulses: the launch form, the band while open, the
// results once released (means, agreement, outcome shares, comments,
// self–team gaps), the reason in words when they are withheld, and
// nothing of one leader's pulses for another.

// tenMembers is a team of ten without addresses.
var tenMembers = []string{"Ana", "", "Ben", "", "Cleo", "", "Dev", "", "Eli", "", "Fay", "", "Gus", "", "Hal", "", "Ivy", "", "Jo", ""}

// answerShared answers a shared-link pulse once with f, as a new visitor.
func (e *voiceEnv) answerShared(token string, f url.Values) {
	e.t.Helper()
	pass := e.open("p", token)
	if w := e.visit("POST", "/answer", f, pass); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/answer/done" {
		e.t.Fatalf("answer: %d\n%s", w.Code, w.Body.String())
	}
}

// TestPulseResultsPage: ten answers with a question and the leader's own
// view; while open only the band, after close the means, safety as
// "views differ" when people disagree, the outcome shares, every comment
// and the biggest self–team gap in words.
func TestPulseResultsPage(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, tenMembers...)
	id, tok := e.launchShared(lena, form("question", "What should I keep doing?"))
	path := "/pulses/" + id

	// The leader's own view: the six trust items in the Self wording.
	page := e.do("GET", path, nil, lena).Body.String()
	for _, it := range tl.PulseItems {
		has := strings.Contains(page, "<legend>"+strings.ReplaceAll(it.Self, "'", "&#39;")+"</legend>")
		if it.Self != "" && !has {
			t.Errorf("the self form lacks %q", it.Self)
		}
	}
	if w := e.do("POST", path+"/self", form("a1", "7"), lena); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "must be 1–5") {
		t.Fatalf("bad self answer: %d\n%s", w.Code, w.Body.String())
	}
	self := form()
	for _, it := range tl.PulseItems {
		if it.Self != "" {
			self.Set(it.ID, "5")
		}
	}
	w := e.do("POST", path+"/self", self, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Your own view is saved") || !strings.Contains(body, "You have answered") {
		t.Fatalf("self answer:\n%s", body)
	}

	outcomes := []int{tl.OutcomeCommit, tl.OutcomeCommit, tl.OutcomeCommit, tl.OutcomeCommit, tl.OutcomeCommit, tl.OutcomeCommit,
		tl.OutcomeComply, tl.OutcomeComply, tl.OutcomeComply, tl.OutcomeResist}
	for i := range 10 {
		f := form("comment", fmt.Sprintf("comment-%02d", i))
		for _, it := range tl.PulseItems {
			switch it.Scale {
			case tl.ScaleSafety:
				f.Set(it.ID, fmt.Sprint(1+4*(i%2))) // half 1, half 5: no agreement
			case tl.ScaleOutcome:
				f.Set(it.ID, fmt.Sprint(outcomes[i]))
			default:
				f.Set(it.ID, "2")
			}
		}
		e.answerShared(tok, f)
	}
	open := e.do("GET", path, nil, lena).Body.String()
	if !strings.Contains(open, `data-band="comments-k"`) || !strings.Contains(open, "At least 10 answers so far") ||
		strings.Contains(open, "comment-0") || strings.Contains(open, `id="results"`) {
		t.Fatalf("ten answers while open:\n%s", open)
	}
	if !strings.Contains(open, `id="close-pulse"`) || !regexp.MustCompile(`<form method="post" action="/pulses/`+id+`/close" class="inline" data-confirm="[^"]+">`).MatchString(open) {
		t.Error("the close button does not ask for confirmation")
	}
	if strings.Contains(open, `id="remind"`) {
		t.Error("a shared-link pulse offers reminders")
	}

	w = e.do("POST", path+"/close", nil, lena)
	body := e.follow(w, lena).Body.String()
	if inline := inlineRE.FindString(body); inline != "" {
		t.Errorf("%q breaks the CSP", inline)
	}
	for _, want := range []string{
		"Pulse closed: 10 answers",
		`<h2 id="results-h">Results: 10 answers</h2>`,
		"<strong>60%</strong> commit, 30% comply, 10% resist",
		"Comments, in random order",
		`id="biggest-gap"`, "you rate yourself higher than the team does",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the results lack %q", want)
		}
	}
	if !regexp.MustCompile(`<th scope="row">Psychological safety</th>\s*<td>views differ</td>`).MatchString(body) {
		t.Error("safety with weak agreement is not shown as views differ")
	}
	if !regexp.MustCompile(`<th scope="row">ability</th>\s*<td>2\.00</td>`).MatchString(body) {
		t.Error("the ability mean is not shown")
	}
	for i := range 10 {
		if !strings.Contains(body, fmt.Sprintf("<li>comment-%02d</li>", i)) {
			t.Errorf("comment %d missing", i)
		}
	}
	if strings.Contains(body, `id="close-pulse"`) || strings.Contains(body, `id="withheld"`) {
		t.Error("a closed, released pulse still offers close or says withheld")
	}
	if list := e.do("GET", "/pulses", nil, lena).Body.String(); !strings.Contains(list, "Your team, wave 1</a> · closed") {
		t.Error("the pulse list does not show the pulse closed")
	}
	e.checkNoSecrets()
}

// TestPulseWithheldInWords: too few answers, and a second wave whose
// people differ from the first by fewer than k, are withheld with the
// reason in words and no results.
func TestPulseWithheldInWords(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, sixMembers...)

	id, tok := e.launchShared(lena, form())
	e.answerShared(tok, allAnswers(3))
	e.answerShared(tok, allAnswers(4))
	w := e.do("POST", "/pulses/"+id+"/close", nil, lena)
	body := e.follow(w, lena).Body.String()
	if !strings.Contains(body, "No results are shown: fewer than 5 people answered") ||
		!regexp.MustCompile(`(?s)id="withheld">.*fewer than 5 people answered.*no answer can be traced`).MatchString(body) ||
		strings.Contains(body, `id="results"`) || strings.Contains(body, "Results:") {
		t.Fatalf("two answers closed:\n%s", body)
	}

	// Wave 2 for everyone, released; wave 3 for five of the six would
	// differ from it by one person.
	id, tok = e.launchShared(lena, form())
	for range 5 {
		e.answerShared(tok, allAnswers(4))
	}
	e.do("POST", "/pulses/"+id+"/close", nil, lena)
	id, tok = e.launchShared(lena, form("members", "Ana", "members", "Ben", "members", "Cleo", "members", "Dev", "members", "Eli"))
	for range 5 {
		e.answerShared(tok, allAnswers(1))
	}
	w = e.do("POST", "/pulses/"+id+"/close", nil, lena)
	body = e.follow(w, lena).Body.String()
	// Wave 2 came through a shared link five of six answered, so the count
	// rule speaks first; either reason withholds it in words.
	if !regexp.MustCompile(`(?s)id="withheld">.*(differ from those behind .* by fewer than 5|its count is within 5 of wave 2).*stays hidden`).MatchString(body) ||
		strings.Contains(body, `id="results"`) {
		t.Fatalf("a differencing wave:\n%s", body)
	}
}

// TestPulseLaunchForm: defaults from settings, the floor, the team too
// small for k, and each mistake shown at its field with what was typed.
func TestPulseLaunchForm(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	if body := e.do("GET", "/pulses", nil, lena).Body.String(); !strings.Contains(body, "Add the people you lead first") || strings.Contains(body, `id="launch-form"`) {
		t.Fatal("with nobody to ask, the page offers the launch form")
	}
	e.team(lena, sixMembers...)
	body := e.do("GET", "/pulses", nil, lena).Body.String()
	for _, want := range []string{
		`<label for="pulse-team">`, `<label for="pulse-k">`, `<label for="pulse-question">`, `<label for="pulse-closes">`,
		`name="k" type="number" min="3" value="" placeholder="5"`, "default 5, at least 3",
		`value="2026-03-11"`,    // a week from today
		`value="email" checked`, // everyone has an address
		"Your team (6 people)",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the launch form lacks %q", want)
		}
	}
	if strings.Contains(body, "too few") {
		t.Error("a team of six is called too small for k=5")
	}

	for _, c := range []struct {
		f      url.Values
		status int
		field  string
		msg    string
	}{
		{form("k", "five", "question", "kept text"), 422, "pulse-k", "whole number"},
		{form("k", "2", "question", "kept text"), 422, "pulse-k", "k must be at least 3"},
		{form("k", "7", "question", "kept text"), 422, "", "team team has 6 people to ask"},
		{form("closes", "2026-03-01", "question", "kept text"), 422, "pulse-closes", "has passed"},
		{form("members", "Nobody", "question", "kept text"), 422, "", "is not an active member of team team"},
	} {
		c.f.Set("team", tl.DefaultTeamName)
		c.f.Set("delivery", "link")
		w := e.do("POST", "/pulses", c.f, lena)
		body := w.Body.String()
		if w.Code != c.status || !strings.Contains(body, c.msg) || !strings.Contains(body, `value="kept text"`) {
			t.Errorf("%v: %d, want %d with %q and the question kept", c.f, w.Code, c.status, c.msg)
		}
		if c.field != "" && !regexp.MustCompile(`id="`+c.field+`"[^>]* aria-invalid="true"`).MatchString(body) {
			t.Errorf("%v: the error is not at %s", c.f, c.field)
		}
	}
	if ps, _ := e.app.Pulses(context.Background(), lena.User.LeaderID); len(ps) != 0 {
		t.Fatalf("a refused launch made a pulse: %+v", ps)
	}

	// Email needs every address; one shared link does not.
	_, err := e.app.AddPerson(context.Background(), lena.User.LeaderID, tl.PersonInput{Name: "Gus", Kind: "direct-report"})
	must(t, err)
	if body := e.do("GET", "/pulses", nil, lena).Body.String(); !strings.Contains(body, `value="link" checked`) {
		t.Error("with someone lacking an address, the form still picks email")
	}
	w := e.do("POST", "/pulses", form("team", tl.DefaultTeamName, "delivery", "email"), lena)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "no email address for Gus") {
		t.Fatalf("email without Gus's address: %d\n%s", w.Code, w.Body.String())
	}
	id, tok := e.launchShared(lena, form("team", tl.DefaultTeamName))
	// The link is shown once: not on the pulse page, not in the list.
	for _, p := range []string{"/pulses/" + id, "/pulses"} {
		if strings.Contains(e.do("GET", p, nil, lena).Body.String(), tok) {
			t.Errorf("%s shows the shared link again", p)
		}
	}
	w = e.do("POST", "/pulses", form("team", tl.DefaultTeamName, "delivery", "link"), lena)
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "already has an open pulse") {
		t.Fatalf("a second open pulse: %d\n%s", w.Code, w.Body.String())
	}
	// A reminder needs personal links.
	w = e.do("POST", "/pulses/"+id+"/remind", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "remind the team yourself") {
		t.Fatalf("remind on a shared link:\n%s", body)
	}
}

// TestPulseTeamBelowK: the page says why a team smaller than k cannot
// launch, and a lower k (not below the floor) lets it.
func TestPulseTeamBelowK(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, "Ana", "", "Ben", "", "Cleo", "", "Dev", "")
	body := e.do("GET", "/pulses", nil, lena).Body.String()
	if !strings.Contains(body, "Your team (4 people: too few for k=5)") ||
		!strings.Contains(body, "Your team has 4 people: a pulse needs at least k=5 answers") || !strings.Contains(body, "not below 3") {
		t.Fatalf("the form does not say why four people cannot launch:\n%s", body)
	}
	w := e.do("POST", "/pulses", form("team", tl.DefaultTeamName, "delivery", "link"), lena)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "so that no answer can be traced to a person") {
		t.Fatalf("launch for four: %d", w.Code)
	}
	id, _ := e.launchShared(lena, form("team", tl.DefaultTeamName, "k", "3"))
	if body := e.do("GET", "/pulses/"+id, nil, lena).Body.String(); !strings.Contains(body, "k=3") || !strings.Contains(body, "Fewer than 3 answers") {
		t.Fatal("a pulse launched with k=3 does not say so")
	}
}

// TestPulsesOfAnotherLeader: Omar gets 404 on every one of Lena's pulse
// and person voice routes, and nothing of hers changes. (The every-route
// test checks the 404s too, but its export does not hold pulses or
// check-ins, so this one looks at them directly.)
func TestPulsesOfAnotherLeader(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	omar := e.invite(lena, "Omar", "omar@example.org", tl.RoleLeader)
	e.team(lena, sixMembers...)
	ctx := context.Background()
	id, _ := e.launchShared(lena, form("question", "lena-question"))
	people, err := e.app.People(ctx, lena.User.LeaderID)
	must(t, err)
	ana := people[0]
	self := form()
	for _, it := range tl.PulseItems {
		self.Set(it.ID, "1")
	}
	for _, r := range []struct {
		method, path string
		f            url.Values
	}{
		{"GET", "/pulses/" + id, nil},
		{"POST", "/pulses/" + id + "/close", form()},
		{"POST", "/pulses/" + id + "/remind", form()},
		{"POST", "/pulses/" + id + "/self", self},
		{"POST", "/people/" + ana.ID + "/email", form("email", "omar-took@example.org")},
		{"POST", "/people/" + ana.ID + "/checkin", form("delivery", "link")},
		{"POST", "/people/" + ana.ID + "/checkin", form("delivery", "email")},
		{"POST", "/people/" + ana.ID + "/window", form()},
	} {
		w := e.do(r.method, r.path, r.f, omar)
		if w.Code != http.StatusNotFound {
			t.Errorf("Omar %s %s: %d, want 404", r.method, r.path, w.Code)
		}
		if strings.Contains(w.Body.String(), "lena-question") || voiceTokenRE.MatchString(w.Body.String()) {
			t.Errorf("Omar %s %s shows Lena's pulse or a link", r.method, r.path)
		}
	}
	for _, p := range []string{"/pulses", "/"} {
		if body := e.do("GET", p, nil, omar).Body.String(); strings.Contains(body, "/pulses/"+id) || strings.Contains(body, "Ana") {
			t.Errorf("Omar's %s shows Lena's pulse or people", p)
		}
	}
	rep, err := e.app.PulseReport(ctx, lena.User.LeaderID, id)
	must(t, err)
	if rep.Pulse.Status != tl.PulseOpen || rep.Pulse.SelfDone {
		t.Errorf("Omar changed Lena's pulse: %+v", rep.Pulse)
	}
	if cs, err := e.app.Checkins(ctx, lena.User.LeaderID); err != nil || len(cs) != 0 {
		t.Errorf("Omar asked a check-in for Lena: %v %+v", err, cs)
	}
	if people, _ := e.app.People(ctx, lena.User.LeaderID); people[0].Email != ana.Email {
		t.Errorf("Omar changed Ana's address to %q", people[0].Email)
	}
	if n, err := e.worker.RunOnce(ctx); err != nil || n != 0 {
		t.Errorf("Omar's requests queued %d mails (%v)", n, err)
	}
}

// TestDashboardTeamViews: without a released pulse the dashboard says how
// to get the team's view; after one it shows the ledger's, the team's and
// the leader's own view per dimension in a table, with the biggest gap in
// words.
func TestDashboardTeamViews(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, sixMembers...)
	body := e.do("GET", "/", nil, lena).Body.String()
	if !strings.Contains(body, "No released pulse for this team yet") || !strings.Contains(body, `<a href="/pulses">launch one</a>`) {
		t.Fatalf("the dashboard's empty team view:\n%s", body)
	}
	id, tok := e.launchShared(lena, form())
	self := form()
	for _, it := range tl.PulseItems {
		if it.Self != "" {
			self.Set(it.ID, "5")
		}
	}
	e.do("POST", "/pulses/"+id+"/self", self, lena)
	for range 5 {
		e.answerShared(tok, allAnswers(1))
	}
	if body := e.do("GET", "/", nil, lena).Body.String(); !strings.Contains(body, "No released pulse for this team yet") {
		t.Fatal("the team view changed before the pulse closed")
	}
	e.do("POST", "/pulses/"+id+"/close", nil, lena)
	body = e.do("GET", "/", nil, lena).Body.String()
	table := regexp.MustCompile(`(?s)<table class="views" id="view-team">(.*?)</table>`).FindStringSubmatch(body)
	if table == nil {
		t.Fatalf("no team view table:\n%s", body)
	}
	for _, want := range []string{"<caption>", `<th scope="col">Ledger</th>`, `<th scope="col">Team</th>`, `<th scope="col">You</th>`,
		`<th scope="row">ability</th>`, `<th scope="row">benevolence</th>`, `<th scope="row">integrity</th>`} {
		if !strings.Contains(table[1], want) {
			t.Errorf("the team view table lacks %q", want)
		}
	}
	// Everyone answered 1 (0%), Lena 5 (100%).
	if strings.Count(table[1], "<td>0%</td>") < 3 || strings.Count(table[1], "<td>100%</td>") < 3 {
		t.Errorf("the team's and Lena's columns do not show 0%% and 100%%:\n%s", table[1])
	}
	if !regexp.MustCompile(`<p class="biggest-gap">Biggest gap: <strong>(ability|benevolence|integrity)</strong>, 100% between the views.</p>`).MatchString(body) {
		t.Errorf("the biggest gap is not called out in words:\n%s", body)
	}
	if strings.Contains(body, "No released pulse for this team yet") {
		t.Error("the empty state stays after a released pulse")
	}
}
