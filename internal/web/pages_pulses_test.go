package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// The leader's side of pulses: the launch form, the band while open, the
// results once released (means, agreement, outcome shares, comments,
// self–team gaps), the reason in words when they are withheld, and
// nothing of one leader's pulses for another.

// tenMembers is a team of ten, each with an address.
var tenMembers = []string{"Ana", "ana@example.org", "Ben", "ben@example.org", "Cleo", "cleo@example.org", "Dev", "dev@example.org",
	"Eli", "eli@example.org", "Fay", "fay@example.org", "Gus", "gus@example.org", "Hal", "hal@example.org", "Ivy", "ivy@example.org",
	"Jo", "jo@example.org"}

// fifteenMembers are tenMembers and five more: enough people asked for the
// "at least 10 answers" band to be published while a pulse is open (it
// shows only where at least k of them could still be missing when it is
// reached, 15 − 10 ≥ 5).
var fifteenMembers = append(append([]string(nil), tenMembers...), "Kim", "kim@example.org", "Lou", "lou@example.org",
	"Max", "max@example.org", "Ned", "ned@example.org", "Oli", "oli@example.org")

// answer answers a pulse once with f through one person's link.
func (e *env) answer(token string, f url.Values) {
	e.t.Helper()
	pass := e.open("p", token)
	if w := e.visit("POST", "/answer", f, pass); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/answer/done" {
		e.t.Fatalf("answer: %d\n%s", w.Code, w.Body.String())
	}
}

// answerN answers a pulse through the links of the first n of addrs.
func (e *env) answerN(links map[string]string, addrs []string, n int, f url.Values) {
	e.t.Helper()
	for _, a := range addrs[:n] {
		tok, ok := links[a]
		if !ok {
			e.t.Fatalf("%s was not asked", a)
		}
		e.answer(tok, f)
	}
}

// TestPulseResultsPage: ten answers, of fifteen people asked, with a
// question and the leader's own view; while open only the band, as
// published, after close the means, safety as "views differ" when people
// disagree, the outcome shares, every comment and the biggest self–team
// gap in words.
func TestPulseResultsPage(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, fifteenMembers...)
	id, links := e.launch(lena, form("question", "What should I keep doing?"))
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
		e.answer(links[emails(tenMembers...)[i]], f)
	}
	if open := e.do("GET", path, nil, lena).Body.String(); !strings.Contains(open, `data-band="below-k"`) {
		t.Fatal("the band moved before it was published")
	}
	e.publish()
	open := e.do("GET", path, nil, lena).Body.String()
	if !strings.Contains(open, `data-band="comments-k"`) || !strings.Contains(open, "At least 10 answers so far") ||
		strings.Contains(open, "comment-0") || strings.Contains(open, `id="results"`) {
		t.Fatalf("ten answers while open:\n%s", open)
	}
	if !strings.Contains(open, `id="close-pulse"`) || !regexp.MustCompile(`<form method="post" action="/pulses/`+id+`/close" class="inline" data-confirm="[^"]+">`).MatchString(open) {
		t.Error("the close button does not ask for confirmation")
	}
	if !strings.Contains(open, `id="remind"`) {
		t.Error("a pulse of personal links offers no reminder")
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

// TestPulseWithheldInWords: too few answers are withheld with the
// reason in words and no results; a wave whose people differ from a
// released one by fewer than k is refused before launch, in words; and
// two waves of the same people are both shown, whatever their counts
// (docs/ANONYMITY.md, rules 4 and 5).
func TestPulseWithheldInWords(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, sixMembers...)
	six := emails(sixMembers...)

	id, links := e.launch(lena, form())
	e.answer(links[six[0]], allAnswers(3))
	e.answer(links[six[1]], allAnswers(4))
	w := e.do("POST", "/pulses/"+id+"/close", nil, lena)
	body := e.follow(w, lena).Body.String()
	if !strings.Contains(body, "No results are shown: fewer than 5 people answered") ||
		!regexp.MustCompile(`(?s)id="withheld">.*fewer than 5 people answered.*no answer can be traced`).MatchString(body) ||
		strings.Contains(body, `id="results"`) || strings.Contains(body, "Results:") {
		t.Fatalf("two answers closed:\n%s", body)
	}

	// Wave 2 for everyone, released.
	id, links = e.launch(lena, form())
	e.answerN(links, six, 5, allAnswers(4))
	if body := e.follow(e.do("POST", "/pulses/"+id+"/close", nil, lena), lena).Body.String(); !strings.Contains(body, "Results: 5 answers") {
		t.Fatalf("wave 2:\n%s", body)
	}
	// Five of the six would differ from wave 2 by one person: refused
	// before anyone is asked, with the reason at the top of the form and
	// the choice kept.
	five := form("question", "kept text", "members", "Ana", "members", "Ben", "members", "Cleo", "members", "Dev", "members", "Eli")
	five.Set("team", tl.DefaultTeamName)
	w = e.do("POST", "/pulses", five, lena)
	body = w.Body.String()
	if w.Code != http.StatusUnprocessableEntity ||
		!regexp.MustCompile(`<p class="form-error" role="alert">this pulse&#39;s results could never be shown: [^<]*wave 2`).MatchString(body) ||
		!strings.Contains(body, `value="kept text"`) {
		t.Fatalf("a differencing wave: %d\n%s", w.Code, body)
	}
	if len(e.deliver()) != 0 {
		t.Error("a refused launch mailed someone")
	}
	// The same six again, with a different count: shown too.
	id, links = e.launch(lena, form())
	e.answerN(links, six, 6, allAnswers(2))
	body = e.follow(e.do("POST", "/pulses/"+id+"/close", nil, lena), lena).Body.String()
	if !strings.Contains(body, "Results: 6 answers") || strings.Contains(body, `id="withheld"`) {
		t.Fatalf("wave 3, the same people as wave 2:\n%s", body)
	}
	if list := e.do("GET", "/pulses", nil, lena).Body.String(); strings.Count(list, `<li><a href="/pulses/`) != 3 {
		t.Errorf("the list does not hold the three waves launched:\n%s", list)
	}
}

// TestPulseLaunchForm: defaults from settings, the floor, no shared link,
// and each mistake shown at its field (or above the form) with what was
// typed.
func TestPulseLaunchForm(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	if body := e.do("GET", "/pulses", nil, lena).Body.String(); !strings.Contains(body, "Add the people you lead first") || strings.Contains(body, `id="launch-form"`) {
		t.Fatal("with nobody to ask, the page offers the launch form")
	}
	e.countedTeam(lena, sixMembers...)
	body := e.do("GET", "/pulses", nil, lena).Body.String()
	for _, want := range []string{
		`<label for="pulse-team">`, `<label for="pulse-k">`, `<label for="pulse-question">`, `<label for="pulse-closes">`,
		`name="k" type="number" min="3" value="" placeholder="5"`, "default 5, at least 3",
		`value="` + isoDate(e.clk.Now().AddDate(0, 0, 7)) + `"`, // a week from today
		"Your team (6 of 6 people can be asked)",
		"Each person gets a personal single-use link by email. There is no shared link",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the launch form lacks %q", want)
		}
	}
	if strings.Contains(body, `name="delivery"`) || strings.Contains(body, "too few") {
		t.Error("the form offers a choice of delivery, or calls a team of six too small for k=5")
	}

	for _, c := range []struct {
		f      url.Values
		status int
		field  string
		msg    string
	}{
		{form("k", "five", "question", "kept text"), 422, "pulse-k", "whole number"},
		{form("k", "2", "question", "kept text"), 422, "pulse-k", "at least 3 answers behind them, not 2"},
		{form("k", "7", "question", "kept text"), 422, "", "your team has 6 people who can be asked; a pulse needs at least 7 answers"},
		{form("closes", "2026-03-01", "question", "kept text"), 422, "pulse-closes", "has passed"},
		{form("members", "Nobody", "question", "kept text"), 422, "", "is not an active member of your team"},
		// A shared link, asked for by an old form or by hand.
		{form("delivery", "link", "question", "kept text"), 422, "", "pulses no longer go by one shared link"},
	} {
		c.f.Set("team", tl.DefaultTeamName)
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

	// Gus, without an address, is not asked; the launch says so.
	e.team(lena, "Gus", "")
	w := e.do("POST", "/pulses", form("team", tl.DefaultTeamName), lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "6 invitations are on their way by email. Not asked, because they cannot be asked yet: Gus has no email address yet.") {
		t.Fatalf("launch without Gus's address:\n%s", body)
	}
	id := strings.TrimPrefix(w.Header().Get("Location"), "/pulses/")
	// No link is ever shown: not on the pulse page, not in the list.
	for _, p := range []string{"/pulses/" + id, "/pulses"} {
		if body := e.do("GET", p, nil, lena).Body.String(); mailLinkRE.MatchString(body) {
			t.Errorf("%s shows a link", p)
		}
	}
	w = e.do("POST", "/pulses", form("team", tl.DefaultTeamName), lena)
	if w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "already has an open pulse") {
		t.Fatalf("a second open pulse: %d\n%s", w.Code, w.Body.String())
	}
}

// TestPulsesPageWhoIsAsked: the pulses page lists, per team, who does not
// count toward k yet and why, with the way to send a confirmation again;
// only people who count can be ticked, naming another is refused in
// words, and the launch names who was not asked.
func TestPulsesPageWhoIsAsked(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, sixMembers...)
	e.team(lena, "Gus", "", "Hal", "hal@example.org", "Ivy", "ivy@example.org")
	e.confirm("ivy@example.org") // Ivy confirmed today: she waits a week
	from := e.clk.Now().Add(tl.MemberWait).Format("Monday 2 January")
	var hal string
	people, err := e.app.People(context.Background(), lena.User.LeaderID)
	must(t, err)
	for _, p := range people {
		if p.Person == "Hal" {
			hal = p.ID
		}
	}
	body := e.do("GET", "/pulses", nil, lena).Body.String()
	waiting := regexp.MustCompile(`(?s)<div class="hint waiting">(.*?)</div>`).FindStringSubmatch(body)
	if !strings.Contains(body, "Your team (6 of 9 people can be asked)") || waiting == nil {
		t.Fatalf("the pulses page does not say who counts:\n%s", body)
	}
	for _, want := range []string{
		"Your team: these people cannot be asked yet:",
		"<li>Gus has no email address yet</li>",
		`<li>Hal has not confirmed their address yet (<a href="/people/` + hal + `#voice">send the confirmation again</a>)</li>`,
		"<li>Ivy counts from " + from + "</li>",
	} {
		if !strings.Contains(waiting[1], want) {
			t.Errorf("the waiting list lacks %q:\n%s", want, waiting[1])
		}
	}
	for _, name := range []string{"Ana", "Fay"} {
		if !strings.Contains(body, `name="members" value="`+name+`"`) {
			t.Errorf("%s, who counts, cannot be ticked", name)
		}
	}
	for _, name := range []string{"Gus", "Hal", "Ivy"} {
		if strings.Contains(body, `name="members" value="`+name+`"`) {
			t.Errorf("%s, who does not count, can be ticked", name)
		}
	}
	// Naming someone who does not count is refused, with why.
	for _, name := range []string{"Gus", "Hal"} {
		f := form("team", tl.DefaultTeamName, "question", "kept text")
		for _, n := range []string{"Ana", "Ben", "Cleo", "Dev", "Eli", name} {
			f.Add("members", n)
		}
		w := e.do("POST", "/pulses", f, lena)
		if w.Code != http.StatusUnprocessableEntity || !regexp.MustCompile(`<p class="form-error" role="alert">this person cannot be asked yet: `+name+` [^<]*\. A pulse asks only people who confirmed their own address`).MatchString(w.Body.String()) {
			t.Errorf("asking %s by name: %d, want 422 with why above the form\n%s", name, w.Code, pagesTrim(w.Body.String()))
		}
	}
	w := e.do("POST", "/pulses", form("team", tl.DefaultTeamName), lena)
	flash := e.follow(w, lena).Body.String()
	if !strings.Contains(flash, "6 invitations are on their way by email. Not asked, because they cannot be asked yet: ") ||
		!strings.Contains(flash, "Gus has no email address yet") || !strings.Contains(flash, "Hal has not confirmed their address yet") ||
		!strings.Contains(flash, "Ivy counts from "+from) {
		t.Fatalf("the launch does not say who was not asked:\n%s", flash)
	}
	links := e.links("p")
	for _, a := range []string{"hal@example.org", "ivy@example.org"} {
		if _, ok := links[a]; ok {
			t.Errorf("%s, who does not count, was mailed a link", a)
		}
	}
	if len(links) != 6 {
		t.Errorf("%d people were mailed a link, want 6", len(links))
	}
}

// TestPulseTeamBelowK: the page says why a team with fewer people who
// count than k cannot launch, and a lower k (not below the floor) lets it.
func TestPulseTeamBelowK(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, "Ana", "ana@example.org", "Ben", "ben@example.org", "Cleo", "cleo@example.org", "Dev", "dev@example.org")
	body := e.do("GET", "/pulses", nil, lena).Body.String()
	if !strings.Contains(body, "Your team (4 of 4 people can be asked: too few, a pulse needs at least 5)") ||
		!strings.Contains(body, "Your team has 4 people who can be asked: a pulse needs at least 5 answers") || !strings.Contains(body, "at least 3") {
		t.Fatalf("the form does not say why four people cannot launch:\n%s", body)
	}
	w := e.do("POST", "/pulses", form("team", tl.DefaultTeamName), lena)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "so that no answer can be traced to a person") {
		t.Fatalf("launch for four: %d", w.Code)
	}
	id, links := e.launch(lena, form("team", tl.DefaultTeamName, "k", "3"))
	if len(links) != 4 {
		t.Errorf("a pulse with k=3 mailed %d people, want the four", len(links))
	}
	// Four asked is fewer than 2k: no count while it is open, and the
	// page says why in terms of k=3.
	if body := e.do("GET", "/pulses/"+id, nil, lena).Body.String(); !strings.Contains(body, "results need at least 3 answers") ||
		!strings.Contains(body, "No count is shown while it is open: with 4 people asked, a count reaching 3 would say") {
		t.Fatal("a pulse launched with k=3 does not say so")
	}
}

// TestPulseSmallTeamNoCount: a pulse that asked fewer than 2k people
// shows no count at all while it is open, from the launch to the close,
// through every answer and every publication: a band that moved to "at
// least 5" with six asked would say that nearly everyone, named on the
// answer page, had answered. The page says so in words, and the results
// show once it closes.
func TestPulseSmallTeamNoCount(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, sixMembers...)
	id, links := e.launch(lena, form())
	path := "/pulses/" + id
	hidden := func(when string) {
		t.Helper()
		body := e.do("GET", path, nil, lena).Body.String()
		if !strings.Contains(body, `data-band="hidden"`) ||
			!strings.Contains(body, "No count is shown while it is open: with 6 people asked, a count reaching 5 would say that (nearly) everyone had answered.") {
			t.Fatalf("%s, the pulse page does not say that no count is shown:\n%s", when, pagesTrim(body))
		}
		for _, band := range []string{`data-band="below-k"`, `data-band="k"`, `data-band="comments-k"`, "Fewer than 5 answers", "At least 5 answers", "At least 10 answers", `id="results"`, "Results:"} {
			if strings.Contains(body, band) {
				t.Fatalf("%s, the pulse page shows %q while it is open", when, band)
			}
		}
		rep, err := e.app.PulseReport(context.Background(), lena.User.LeaderID, id)
		must(t, err)
		if rep.Count != tl.CountHidden || rep.Released {
			t.Fatalf("%s, the report is %+v, want the count %q and nothing released", when, rep, tl.CountHidden)
		}
	}
	hidden("at the launch")
	e.publish()
	hidden("at the first publication, before anyone answered")
	for i, a := range emails(sixMembers...) {
		e.answer(links[a], allAnswers(2+i%3))
		hidden(fmt.Sprintf("after %d answers", i+1))
		if i+1 >= 5 {
			e.publish()
			hidden(fmt.Sprintf("after %d answers and a publication", i+1))
		}
	}
	w := e.do("POST", path+"/close", nil, lena)
	body := e.follow(w, lena).Body.String()
	if !strings.Contains(body, "Pulse closed: 6 answers") || !strings.Contains(body, `<h2 id="results-h">Results: 6 answers</h2>`) ||
		strings.Contains(body, "No count is shown") || strings.Contains(body, `id="pulse-count"`) {
		t.Fatalf("after close:\n%s", pagesTrim(body))
	}
	e.checkNoSecrets()
}

// TestPulsesOfAnotherLeader: Omar gets 404 on every one of Lena's pulse
// and person voice routes, and nothing of hers changes. (The every-route
// test checks the 404s too, but its export does not hold pulses or
// check-ins, so this one looks at them directly.)
func TestPulsesOfAnotherLeader(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	omar := e.invite(lena, "Omar", "omar@example.org", tl.RoleLeader)
	e.countedTeam(lena, sixMembers...)
	ctx := context.Background()
	id, _ := e.launch(lena, form("question", "lena-question"))
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
		{"POST", "/people/" + ana.ID + "/confirmation", form()},
	} {
		w := e.do(r.method, r.path, r.f, omar)
		if w.Code != http.StatusNotFound {
			t.Errorf("Omar %s %s: %d, want 404", r.method, r.path, w.Code)
		}
		if strings.Contains(w.Body.String(), "lena-question") || mailLinkRE.MatchString(w.Body.String()) {
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
	if n := len(e.deliver()); n != 0 {
		t.Errorf("Omar's requests queued %d mails", n)
	}
}

// TestDashboardTeamViews: without a released pulse the dashboard says how
// to get the team's view; after one it shows the ledger's, the team's and
// the leader's own view per dimension in a table, with the biggest gap in
// words.
func TestDashboardTeamViews(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, sixMembers...)
	body := e.do("GET", "/", nil, lena).Body.String()
	if !strings.Contains(body, "No released pulse for this team yet") || !strings.Contains(body, `<a href="/pulses">launch one</a>`) {
		t.Fatalf("the dashboard's empty team view:\n%s", body)
	}
	id, links := e.launch(lena, form())
	self := form()
	for _, it := range tl.PulseItems {
		if it.Self != "" {
			self.Set(it.ID, "5")
		}
	}
	e.do("POST", "/pulses/"+id+"/self", self, lena)
	e.answerN(links, emails(sixMembers...), 5, allAnswers(1))
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

// TestOldSharedPulsePages: a pulse launched by one shared link before
// pulses went by personal links only (stored as it was) says so, offers
// no reminder, refuses its link in words, and shows nothing when it
// closes (docs/ANONYMITY.md, rule 2).
func TestOldSharedPulsePages(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, sixMembers...)
	ctx, now := context.Background(), e.clk.Now()
	teams, err := e.app.Teams(ctx, lena.User.LeaderID)
	must(t, err)
	people, err := e.app.People(ctx, lena.User.LeaderID)
	must(t, err)
	var ids []string
	for _, p := range people {
		ids = append(ids, p.ID)
	}
	const shared = "SHAREDLINKFROMBEFORETHERULE"
	sum := sha256.Sum256([]byte(shared))
	p := &store.PulseRow{Pulse: tl.Pulse{ID: store.NewID(now), LeaderID: lena.User.LeaderID, TeamID: teams[0].ID, Team: teams[0].Name,
		Wave: 1, K: 5, CommentsK: 10, Delivery: tl.DeliveryLink, Status: tl.PulseOpen, Population: len(ids),
		CreatedAt: now, ClosesAt: now.Add(48 * time.Hour)}, SharedHash: hex.EncodeToString(sum[:])}
	must(t, e.db.Write(ctx, func(tx *store.Tx) error { return tx.CreatePulse(ctx, p, store.AskedIDs(ids)) }))
	path := "/pulses/" + p.ID

	body := e.do("GET", path, nil, lena).Body.String()
	if !strings.Contains(body, "6 people asked by one shared link") || strings.Contains(body, `id="remind"`) {
		t.Errorf("the old pulse's page does not say it went by one shared link, or offers a reminder:\n%s", pagesTrim(body))
	}
	w := e.do("POST", path+"/remind", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "remind the team yourself") {
		t.Errorf("remind on a shared link:\n%s", pagesTrim(body))
	}
	if w := e.visit("GET", "/p/"+shared, nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "this shared link no longer takes answers") ||
		cookie(w, "tl-pulse") != nil {
		t.Errorf("the old shared link: %d\n%s", w.Code, pagesTrim(w.Body.String()))
	}
	w = e.do("POST", path+"/close", nil, lena)
	body = e.follow(w, lena).Body.String()
	if !strings.Contains(body, "No results are shown: it went by one shared link") ||
		!regexp.MustCompile(`(?s)id="withheld">.*one shared link, which its holder could have filled`).MatchString(body) || strings.Contains(body, `id="results"`) {
		t.Errorf("closing the old pulse:\n%s", pagesTrim(body))
	}
}
