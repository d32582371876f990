package web

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// The team's window, as its members see it through their links or a
// member account: promises to them and their team, confirm or dispute of
// kept ones, decisions with reasons, and reactions counted only in groups
// of k.

// windowLinks has the leader send each of their people with a confirmed
// address the link to their window from the person page, checks the page
// says it went by mail and shows no link, and returns each person's link
// as it arrived in their mailbox.
func (e *env) windowLinks(acc *account) map[string]string {
	e.t.Helper()
	people, err := e.app.People(context.Background(), acc.User.LeaderID)
	must(e.t, err)
	out := map[string]string{}
	for _, p := range people {
		if p.EmailConfirmedAt.IsZero() {
			continue
		}
		w := e.do("POST", "/people/"+p.ID+"/window", nil, acc)
		body := e.follow(w, acc).Body.String()
		if !strings.Contains(body, "The link to "+p.Person+"&#39;s window is on its way to "+p.Email) || mailLinkRE.MatchString(body) {
			e.t.Fatalf("window link for %s: the page does not say it went by mail, or shows a link:\n%s", p.Person, pagesTrim(body))
		}
		out[p.Person] = e.linkTo(p.Email, "w")
	}
	return out
}

// windowPasses opens each person's window link, as their browser would.
func (e *env) windowPasses(acc *account) map[string]*http.Cookie {
	e.t.Helper()
	out := map[string]*http.Cookie{}
	for who, tok := range e.windowLinks(acc) {
		out[who] = e.open("w", tok)
	}
	return out
}

// TestWindowPromises: a member sees open and kept promises to them and to
// their team (never another member's), confirms or disputes a kept one
// (the dispute asks first), and each sees only their own answer.
func TestWindowPromises(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, "Ana", "ana@example.org", "Ben", "ben@example.org")
	ctx, l := context.Background(), lena.User.LeaderID
	due := e.clk.Now().Add(72 * time.Hour)
	for _, in := range []tl.PromiseInput{
		{To: "Ana", What: "open-to-ana", Due: due},
		{To: "Ben", What: "open-to-ben", Due: due},
		{To: tl.DefaultTeamName, What: "open-to-team", Due: due},
	} {
		_, err := e.app.AddPromise(ctx, l, in)
		must(t, err)
	}
	kept, err := e.app.AddPromise(ctx, l, tl.PromiseInput{To: tl.DefaultTeamName, What: "kept-to-team", Due: due})
	must(t, err)
	_, err = e.app.ResolvePromise(ctx, l, kept.ID, tl.PromiseKept, time.Time{})
	must(t, err)
	pass := e.windowPasses(lena)

	body := e.visit("GET", "/window", nil, pass["Ana"]).Body.String()
	for _, want := range []string{"Lena's promises and decisions", "open-to-ana", "open-to-team", "kept-to-team", "Yes, it was kept", "No, not for me"} {
		if !strings.Contains(body, want) {
			t.Errorf("Ana's window lacks %q\n%s", want, pagesTrim(body[strings.Index(body, "voice-h"):]))
		}
	}
	if strings.Contains(body, "open-to-ben") {
		t.Error("Ana's window shows a promise to Ben")
	}
	if inline := inlineRE.FindString(body); inline != "" {
		t.Errorf("%q breaks the CSP", inline)
	}
	for _, no := range []string{`href="/log"`, `href="/pulses"`, `action="/logout"`} {
		if strings.Contains(body, no) {
			t.Errorf("the window through a link shows %s", no)
		}
	}
	dispute := regexp.MustCompile(`<form method="post" action="/window/promises/` + kept.ID + `" class="inline" data-confirm="[^"]+"><input type="hidden" name="kept" value="no">`)
	if !dispute.MatchString(body) {
		t.Error("the dispute button does not ask first")
	}

	w := e.visit("POST", "/window/promises/"+kept.ID, form("kept", "yes"), pass["Ana"])
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/window" {
		t.Fatalf("confirm: %d → %q", w.Code, w.Header().Get("Location"))
	}
	w = e.visit("POST", "/window/promises/"+kept.ID, form("kept", "no"), pass["Ben"])
	if w.Code != http.StatusSeeOther {
		t.Fatalf("dispute: %d\n%s", w.Code, w.Body.String())
	}
	ana := e.visit("GET", "/window", nil, pass["Ana"]).Body.String()
	ben := e.visit("GET", "/window", nil, pass["Ben"]).Body.String()
	if !strings.Contains(ana, "You confirmed it.") || strings.Contains(ana, "Yes, it was kept") {
		t.Error("Ana's window does not say she confirmed")
	}
	if !strings.Contains(ben, "You said it was not kept for you.") || strings.Contains(ben, "You confirmed it.") {
		t.Error("Ben's window does not show his own dispute")
	}
	// An open promise cannot be confirmed; a promise to someone else is
	// not there at all.
	open, err := e.app.Promises(ctx, l, tl.PromiseOpen)
	must(t, err)
	for _, c := range open {
		w := e.visit("POST", "/window/promises/"+c.ID, form("kept", "yes"), pass["Ana"])
		want, msg := http.StatusBadRequest, "only a kept promise can be confirmed"
		if c.What == "open-to-ben" {
			want, msg = http.StatusNotFound, "no promise"
		}
		if w.Code != want || !strings.Contains(w.Body.String(), msg) {
			t.Errorf("Ana confirms %s: %d, want %d with %q", c.What, w.Code, want, msg)
		}
	}
	e.checkNoSecrets()
	if strings.Contains(e.logs.String(), `"/w/`) {
		t.Error("the request log shows a window link: window pages are not logged (docs/ANONYMITY.md, rule 3)")
	}
}

// TestWindowReactions: reactions are anonymous; counts are published
// four times a day, never as reactions arrive, only once five people
// reacted and only in steps of five; each member sees "you reacted"
// instead of the buttons.
func TestWindowReactions(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, sixMembers...)
	d, err := e.app.Decide(context.Background(), lena.User.LeaderID, tl.DecisionInput{What: "new on-call rota", Why: "fairer weekends", Affects: tl.DefaultTeamName})
	must(t, err)
	_, err = e.app.Decide(context.Background(), lena.User.LeaderID, tl.DecisionInput{What: "no-reason-decision", Affects: tl.DefaultTeamName})
	must(t, err)
	links := e.windowLinks(lena)
	pass := map[string]*http.Cookie{}
	for who, tok := range links {
		pass[who] = e.open("w", tok)
	}
	body := e.visit("GET", "/window", nil, pass["Ana"]).Body.String()
	for _, want := range []string{"new on-call rota", "Why: fairer weekends", "No reason was given.", "counts appear only once at least 5 people have reacted",
		"published four times a day", `name="reaction" value="understood"`, `name="reaction" value="not-clear"`, `name="reaction" value="disagree"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the window lacks %q", want)
		}
	}
	if strings.Contains(body, `id="not-counted"`) {
		t.Error("the window tells Ana, who counts, that she does not")
	}
	counts := regexp.MustCompile(`(\d+) reactions: (\d+) understood, (\d+) not clear, (\d+) disagree\.`)
	item := func(who string) string {
		t.Helper()
		mine := e.visit("GET", "/window", nil, pass[who]).Body.String()
		at := strings.Index(mine, "new on-call rota")
		if at < 0 {
			t.Fatalf("%s's window lacks the decision:\n%s", who, mine)
		}
		it := mine[at:]
		return it[:strings.Index(it, "</li>")]
	}
	reactions := []string{"understood", "understood", "not-clear", "disagree", "understood", "understood"}
	for i, who := range []string{"Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"} {
		w := e.visit("POST", "/window/decisions/"+d.ID, form("reaction", reactions[i]), pass[who])
		if w.Code != http.StatusSeeOther {
			t.Fatalf("%s reacts: %d\n%s", who, w.Code, w.Body.String())
		}
		it := item(who)
		if !strings.Contains(it, "You reacted.") || strings.Contains(it, `name="reaction"`) {
			t.Errorf("%s still sees the buttons after reacting", who)
		}
		// Never live: nothing moves until the next publication.
		if m := counts.FindStringSubmatch(it); i+1 <= 5 && m != nil {
			t.Errorf("counts shown after %d reactions, before they were published: %s", i+1, m[0])
		}
		if i+1 == 4 || i+1 == 5 {
			e.publish()
			m := counts.FindStringSubmatch(item(who))
			switch {
			case i+1 == 4 && m != nil:
				t.Errorf("four reactions were published: %s", m[0])
			case i+1 == 5 && (m == nil || m[0] != "5 reactions: 3 understood, 1 not clear, 1 disagree."):
				t.Errorf("after five reactions and a publication the counts are %v, want the five", m)
			}
		}
	}
	// A second reaction from the same person is refused, in words.
	if w := e.visit("POST", "/window/decisions/"+d.ID, form("reaction", "disagree"), pass["Ana"]); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "already reacted") {
		t.Errorf("a second reaction: %d, want 409 already reacted", w.Code)
	}
	if w := e.visit("POST", "/window/decisions/"+d.ID, form("reaction", "maybe"), pass["Ana"]); w.Code != http.StatusBadRequest {
		t.Errorf("an unknown reaction: %d, want 400", w.Code)
	}
	// The sixth reaction does not move the counts, published or not: the
	// next step is five more. (A window pass lasts half a day: Fay opens
	// her link again.)
	e.publish()
	pass["Fay"] = e.open("w", links["Fay"])
	if m := counts.FindStringSubmatch(item("Fay")); m == nil || m[0] != "5 reactions: 3 understood, 1 not clear, 1 disagree." {
		t.Errorf("the sixth reaction moved the counts before the next five: %v", m)
	}
}

// TestWindowVoice: the window lists everyone on the team and where they
// stand, the recent pulses with the names they asked, and says who checks
// who is added; someone who does not count yet sees why instead of the
// reaction buttons, and is refused if they react anyway; someone who has
// not confirmed their address is sent no window link.
func TestWindowVoice(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	ctx, l := context.Background(), lena.User.LeaderID
	e.countedTeam(lena, sixMembers...)
	_, _ = e.launch(lena, form())
	closes := e.clk.Now().AddDate(0, 0, 7)
	e.team(lena, "Gil", "gil@example.org", "Hana", "hana@example.org")
	e.confirm("gil@example.org") // Gil waits a week; Hana has not confirmed
	from := e.clk.Now().Add(tl.MemberWait)
	d, err := e.app.Decide(ctx, l, tl.DecisionInput{What: "new on-call rota", Why: "fairer weekends", Affects: tl.DefaultTeamName})
	must(t, err)
	pass := e.windowPasses(lena)
	if _, ok := pass["Hana"]; ok || len(pass) != 7 {
		t.Fatalf("window links went to %d people, Hana among them: %v", len(pass), ok)
	}

	body := e.visit("GET", "/window", nil, pass["Ana"]).Body.String()
	roster := regexp.MustCompile(`(?s)<ul class="plain" id="voice-roster">(.*?)</ul>`).FindStringSubmatch(body)
	if roster == nil {
		t.Fatalf("Ana's window has no roster:\n%s", body)
	}
	for _, want := range []string{"<li>Ana</li>", "<li>Fay</li>", "<li>Gil <span class=\"muted\">(counts from " + fmtDate(from),
		"<li>Hana <span class=\"muted\">(not counted: has not confirmed their address yet)</span></li>"} {
		if !strings.Contains(roster[1], want) {
			t.Errorf("the roster lacks %q:\n%s", want, roster[1])
		}
	}
	for _, want := range []string{"Who your team's voice stands for", "At this installation Lena is the only administrator"} {
		if !strings.Contains(body, want) {
			t.Errorf("Ana's window lacks %q\n%s", want, pagesTrim(body[strings.Index(body, "voice-h"):]))
		}
	}
	if strings.Contains(body, "an administrator who is not Lena approved them") {
		t.Error("the window speaks of an approving administrator where Lena is the only one")
	}
	pulses := regexp.MustCompile(`(?s)<ul class="plain" id="window-pulses">(.*?)</ul>`).FindStringSubmatch(body)
	if pulses == nil || !strings.Contains(pulses[1], "<li>Wave 1, open until "+fmtDate(closes)+": asked Ana, Ben, Cleo, Dev, Eli, Fay</li>") {
		t.Errorf("the window does not list the pulse with the names it asked:\n%v", pulses)
	}
	if !strings.Contains(body, `name="reaction" value="understood"`) || strings.Contains(body, `id="not-counted"`) {
		t.Error("Ana, who counts, cannot react")
	}

	gil := e.visit("GET", "/window", nil, pass["Gil"]).Body.String()
	if !strings.Contains(gil, `<p class="card" id="not-counted">Your reactions cannot be counted yet: your address counts from `+from.Format("Monday 2 January")+".</p>") ||
		strings.Contains(gil, `name="reaction"`) {
		t.Errorf("Gil's window does not explain why he cannot react, or offers the buttons:\n%s", pagesTrim(gil))
	}
	if w := e.visit("POST", "/window/decisions/"+d.ID, form("reaction", "disagree"), pass["Gil"]); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "count") {
		t.Errorf("Gil reacts anyway: %d, want 403 in words\n%s", w.Code, pagesTrim(w.Body.String()))
	}

	// Hana's page: the window link is refused until she confirms.
	var hana tl.Relationship
	people, err := e.app.People(ctx, l)
	must(t, err)
	for _, p := range people {
		if p.Person == "Hana" {
			hana = p
		}
	}
	page := e.do("GET", "/people/"+hana.ID, nil, lena).Body.String()
	if strings.Contains(page, `action="/people/`+hana.ID+`/window"`) {
		t.Error("Hana's page offers to email a window link to an address nobody confirmed")
	}
	w := e.do("POST", "/people/"+hana.ID+"/window", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Hana has not confirmed hana@example.org yet") {
		t.Errorf("a window link for Hana:\n%s", pagesTrim(body))
	}
	if ls := e.deliver(); len(ls) != 0 {
		t.Errorf("a window link went to an unconfirmed address: %+v", ls)
	}
}

// TestWindowMemberChooser: a member account whose address two leaders
// list picks a leader first; ?rel= only opens the member's own
// relationships; and the window acts as that relationship.
func TestWindowMemberChooser(t *testing.T) {
	e := newVoiceEnv(t)
	ctx := context.Background()
	lena := e.owner("Lena", "lena@example.org")
	omar := e.invite(lena, "Omar", "omar@example.org", tl.RoleLeader)
	anaAtLena, err := e.app.AddPerson(ctx, lena.User.LeaderID, tl.PersonInput{Name: "Ana", Email: "ana@example.org", Kind: engine.DirectReport})
	must(t, err)
	anaAtOmar, err := e.app.AddPerson(ctx, omar.User.LeaderID, tl.PersonInput{Name: "Ana P.", Email: "ana@example.org", Kind: engine.Peer})
	must(t, err)
	ben, err := e.app.AddPerson(ctx, lena.User.LeaderID, tl.PersonInput{Name: "Ben", Email: "ben@example.org", Kind: engine.DirectReport})
	must(t, err)
	_, err = e.app.AddPromise(ctx, lena.User.LeaderID, tl.PromiseInput{To: "Ana", What: "lena-to-ana", Due: start.Add(48 * time.Hour)})
	must(t, err)
	_, err = e.app.AddPromise(ctx, lena.User.LeaderID, tl.PromiseInput{To: "Ben", What: "lena-to-ben", Due: start.Add(48 * time.Hour)})
	must(t, err)
	_, err = e.app.AddPromise(ctx, omar.User.LeaderID, tl.PromiseInput{To: "Ana P.", What: "omar-to-ana", Due: start.Add(48 * time.Hour)})
	must(t, err)
	d, err := e.app.Decide(ctx, lena.User.LeaderID, tl.DecisionInput{What: "lena-decision", Why: "because", Affects: "Ana"})
	must(t, err)
	// The invitation comes by mail; accepting it proves the address, for
	// both leaders' Ana. A week on she counts toward k, and may react.
	member := e.invite(lena, "Ana", "ana@example.org", tl.RoleMember)
	e.advance(tl.MemberWait + time.Minute)

	body := e.do("GET", "/window", nil, member).Body.String()
	if !strings.Contains(body, "<h1>Your leaders</h1>") || !strings.Contains(body, `href="/window?rel=`+anaAtLena.ID+`"`) ||
		!strings.Contains(body, `href="/window?rel=`+anaAtOmar.ID+`"`) || strings.Contains(body, "lena-to-ana") {
		t.Fatalf("the chooser:\n%s", body)
	}
	if !strings.Contains(body, `href="/window" aria-current="page">Your leaders</a>`) || strings.Contains(body, `href="/log"`) {
		t.Error("a member's navigation is not the member's")
	}
	lenaWin := e.do("GET", "/window?rel="+anaAtLena.ID, nil, member).Body.String()
	if !strings.Contains(lenaWin, "lena-to-ana") || strings.Contains(lenaWin, "omar-to-ana") || strings.Contains(lenaWin, "lena-to-ben") {
		t.Fatalf("Lena's window for Ana:\n%s", lenaWin)
	}
	if omarWin := e.do("GET", "/window?rel="+anaAtOmar.ID, nil, member).Body.String(); !strings.Contains(omarWin, "omar-to-ana") || strings.Contains(omarWin, "lena-to-ana") {
		t.Fatal("Omar's window for Ana")
	}
	// Someone else's relationship id gives the chooser, not Ben's window.
	if other := e.do("GET", "/window?rel="+ben.ID, nil, member).Body.String(); strings.Contains(other, "lena-to-ben") || !strings.Contains(other, "Your leaders") {
		t.Fatal("a member opened another person's window by its id")
	}
	w := e.do("POST", "/window/decisions/"+d.ID+"?rel="+anaAtLena.ID, form("reaction", "understood"), member)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/window?rel="+anaAtLena.ID {
		t.Fatalf("a member reacts: %d → %q\n%s", w.Code, w.Header().Get("Location"), w.Body.String())
	}
	if body := e.follow(w, member).Body.String(); !strings.Contains(body, "You reacted.") {
		t.Fatal("after reacting the member's window does not say so")
	}
	// Acting as Ben's relationship through ?rel= does nothing.
	if w := e.do("POST", "/window/decisions/"+d.ID+"?rel="+ben.ID, form("reaction", "disagree"), member); w.Code != http.StatusNotFound {
		t.Errorf("a member reacts as Ben: %d, want 404", w.Code)
	}
}

// TestWindowLinks: a window link goes by mail, a new one replaces the
// old one, a window pass never reaches leader pages, and no pass at all
// asks for the link.
func TestWindowLinks(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.countedTeam(lena, "Ana", "ana@example.org")
	people, err := e.app.People(context.Background(), lena.User.LeaderID)
	must(t, err)
	first := e.windowLinks(lena)["Ana"]
	e.advance(time.Minute) // Lena sends it again a minute later
	second := e.windowLinks(lena)["Ana"]
	if first == second {
		t.Fatal("two window links were not made")
	}
	if w := e.visit("GET", "/w/"+first, nil); w.Code != http.StatusNotFound || cookie(w, "tl-window") != nil {
		t.Errorf("the replaced link: %d", w.Code)
	}
	pass := e.open("w", second)
	for _, p := range []string{"/", "/pulses", "/people/" + people[0].ID} {
		if w := e.visit("GET", p, nil, pass); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
			t.Errorf("a window pass opens %s: %d → %q", p, w.Code, w.Header().Get("Location"))
		}
	}
	if w := e.visit("GET", "/window", nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "open the link you were sent by email") {
		t.Errorf("the window without a pass: %d\n%s", w.Code, w.Body.String())
	}
	e.checkNoSecrets()
}
