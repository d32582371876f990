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

// windowPasses makes a window link for each of the leader's people and
// opens it, as each person's browser would.
func (e *voiceEnv) windowPasses(acc *account) map[string]*http.Cookie {
	e.t.Helper()
	people, err := e.app.People(context.Background(), acc.User.LeaderID)
	must(e.t, err)
	out := map[string]*http.Cookie{}
	for _, p := range people {
		w := e.do("POST", "/people/"+p.ID+"/window", nil, acc)
		m := voiceTokenRE.FindStringSubmatch(w.Body.String())
		if w.Code != http.StatusOK || m == nil || m[1] != "w" || !strings.Contains(w.Body.String(), `id="made-link"`) {
			e.t.Fatalf("window link for %s: %d\n%s", p.Person, w.Code, w.Body.String())
		}
		out[p.Person] = e.open("w", m[2])
	}
	return out
}

// TestWindowPromises: a member sees open and kept promises to them and to
// their team (never another member's), confirms or disputes a kept one
// (the dispute asks first), and each sees only their own answer.
func TestWindowPromises(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, "Ana", "", "Ben", "")
	ctx, l := context.Background(), lena.User.LeaderID
	due := start.Add(72 * time.Hour)
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
	_, err = e.app.ResolvePromise(ctx, l, kept.ID, tl.CommitmentKept, time.Time{})
	must(t, err)
	pass := e.windowPasses(lena)

	body := e.visit("GET", "/window", nil, pass["Ana"]).Body.String()
	for _, want := range []string{"Lena's promises and decisions", "open-to-ana", "open-to-team", "kept-to-team", "Yes, it was kept", "No, not for me"} {
		if !strings.Contains(body, want) {
			t.Errorf("Ana's window lacks %q", want)
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
	open, err := e.app.Promises(ctx, l, tl.CommitmentOpen)
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

// TestWindowReactions: reactions are anonymous; counts appear only once
// five people reacted, move only in steps of five, and each member sees
// "you reacted" instead of the buttons.
func TestWindowReactions(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, sixMembers...)
	d, err := e.app.Decide(context.Background(), lena.User.LeaderID, tl.DecisionInput{What: "new on-call rota", Why: "fairer weekends", Affects: tl.DefaultTeamName})
	must(t, err)
	_, err = e.app.Decide(context.Background(), lena.User.LeaderID, tl.DecisionInput{What: "no-reason-decision", Affects: tl.DefaultTeamName})
	must(t, err)
	pass := e.windowPasses(lena)
	body := e.visit("GET", "/window", nil, pass["Ana"]).Body.String()
	for _, want := range []string{"new on-call rota", "Why: fairer weekends", "No reason was given.", "counts appear only once at least 5 people have reacted",
		`name="reaction" value="understood"`, `name="reaction" value="not-clear"`, `name="reaction" value="disagree"`} {
		if !strings.Contains(body, want) {
			t.Errorf("the window lacks %q", want)
		}
	}
	counts := regexp.MustCompile(`(\d+) reactions: (\d+) understood, (\d+) not clear, (\d+) disagree\.`)
	reactions := []string{"understood", "understood", "not-clear", "disagree", "understood", "understood"}
	for i, who := range []string{"Ana", "Ben", "Cleo", "Dev", "Eli", "Fay"} {
		w := e.visit("POST", "/window/decisions/"+d.ID, form("reaction", reactions[i]), pass[who])
		if w.Code != http.StatusSeeOther {
			t.Fatalf("%s reacts: %d\n%s", who, w.Code, w.Body.String())
		}
		mine := e.visit("GET", "/window", nil, pass[who]).Body.String()
		item := mine[strings.Index(mine, "new on-call rota"):]
		item = item[:strings.Index(item, "</li>")]
		if !strings.Contains(item, "You reacted.") || strings.Contains(item, `name="reaction"`) {
			t.Errorf("%s still sees the buttons after reacting", who)
		}
		m := counts.FindStringSubmatch(item)
		switch {
		case i+1 < 5 && m != nil:
			t.Errorf("counts shown after %d reactions: %s", i+1, m[0])
		case i+1 >= 5 && (m == nil || m[0] != "5 reactions: 3 understood, 1 not clear, 1 disagree."):
			t.Errorf("after %d reactions the counts are %v, want the first five", i+1, m)
		}
	}
	// A second reaction from the same person is refused, in words.
	if w := e.visit("POST", "/window/decisions/"+d.ID, form("reaction", "disagree"), pass["Ana"]); w.Code != http.StatusConflict || !strings.Contains(w.Body.String(), "already reacted") {
		t.Errorf("a second reaction: %d, want 409 already reacted", w.Code)
	}
	if w := e.visit("POST", "/window/decisions/"+d.ID, form("reaction", "maybe"), pass["Ana"]); w.Code != http.StatusBadRequest {
		t.Errorf("an unknown reaction: %d, want 400", w.Code)
	}
	if body := e.visit("GET", "/window", nil, pass["Fay"]).Body.String(); !counts.MatchString(body) || !strings.Contains(body, "5 reactions") {
		t.Error("the sixth reaction moved the counts before the next five")
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
	member := e.invite(lena, "Ana", "ana@example.org", tl.RoleMember)

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

// TestWindowLinks: a new window link replaces the old one, a window pass
// never reaches leader pages, and no pass at all asks for the link.
func TestWindowLinks(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, "Ana", "")
	people, err := e.app.People(context.Background(), lena.User.LeaderID)
	must(t, err)
	first := voiceTokenRE.FindStringSubmatch(e.do("POST", "/people/"+people[0].ID+"/window", nil, lena).Body.String())
	second := voiceTokenRE.FindStringSubmatch(e.do("POST", "/people/"+people[0].ID+"/window", nil, lena).Body.String())
	if first == nil || second == nil || first[2] == second[2] {
		t.Fatal("two window links were not made")
	}
	e.secret = append(e.secret, first[2], second[2])
	if w := e.visit("GET", "/w/"+first[2], nil); w.Code != http.StatusNotFound || cookie(w, "tl-window") != nil {
		t.Errorf("the replaced link: %d", w.Code)
	}
	pass := e.open("w", second[2])
	for _, p := range []string{"/", "/pulses", "/people/" + people[0].ID} {
		if w := e.visit("GET", p, nil, pass); w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
			t.Errorf("a window pass opens %s: %d → %q", p, w.Code, w.Header().Get("Location"))
		}
	}
	if w := e.visit("GET", "/window", nil); w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "open the link your leader gave you") {
		t.Errorf("the window without a pass: %d", w.Code)
	}
	e.checkNoSecrets()
}
