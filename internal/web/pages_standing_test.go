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
)

// Who counts toward k, through the pages (docs/ANONYMITY.md, rule 1): the
// page a person opens from the email that confirms their address, where
// the person page says each person stands, and the approvals an
// administrator who does not lead them gives.

// standingOf is where the leader's person stands, as the services say.
func (e *env) standingOf(acc *account, person string) tl.Standing {
	e.t.Helper()
	roster, err := e.app.VoiceRoster(context.Background(), acc.User.LeaderID)
	must(e.t, err)
	for _, st := range roster {
		if st.Person == person {
			return st
		}
	}
	e.t.Fatalf("%s is not on the roster: %+v", person, roster)
	return tl.Standing{}
}

// relID is the id of the leader's person.
func (e *env) relID(acc *account, person string) string {
	e.t.Helper()
	people, err := e.app.People(context.Background(), acc.User.LeaderID)
	must(e.t, err)
	for _, p := range people {
		if p.Person == person {
			return p.ID
		}
	}
	e.t.Fatalf("%s is not among the people of %s", person, acc.User.Name)
	return ""
}

// linkError checks a link's page in words for someone without an account:
// the status, the message and nothing to press.
func linkError(t *testing.T, what string, w *httptest.ResponseRecorder, status int, msg string) {
	t.Helper()
	body := w.Body.String()
	if w.Code != status || !strings.Contains(body, `<p class="card" id="voice-message">`) || !strings.Contains(body, msg) ||
		strings.Contains(body, `id="confirm-address"`) {
		t.Errorf("%s: %d, want %d with %q in words\n%s", what, w.Code, status, msg, pagesTrim(body))
	}
}

// TestAddressConfirmPage: opening the confirmation link shows who added
// whom and what it confirms, and confirms nothing, however often it is
// opened (mail scanners open links too); pressing the button confirms;
// a used, replaced, stale or unknown link gets a page in words; and no
// token reaches a log line.
func TestAddressConfirmPage(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, "Ana", "ana@example.org", "Ben", "ben@example.org", "Cleo", "cleo@example.org")
	tok := e.linkTo("ana@example.org", "v")

	// A scanner opens the link, then Ana does: the same page both times.
	for _, who := range []string{"a mail scanner", "Ana"} {
		w := e.visit("GET", "/v/"+tok, nil)
		body := w.Body.String()
		if w.Code != http.StatusOK {
			t.Fatalf("%s opens the link: %d\n%s", who, w.Code, body)
		}
		checkHeaders(t, "GET /v/…", w.Header())
		if cc := w.Header().Get("Cache-Control"); cc != "no-store" {
			t.Errorf("the confirmation page may be stored: Cache-Control %q", cc)
		}
		if inline := inlineRE.FindString(body); inline != "" {
			t.Errorf("%q breaks the CSP", inline)
		}
		for _, want := range []string{"<h1>Is ana@example.org your address?</h1>", "Lena added you in trustledger as <strong>Ana</strong>",
			`<form method="post" action="/v/` + tok + `" class="stack">`, `<button type="submit" id="confirm-address">Yes, this is my address</button>`,
			"If you do not know Lena, or this is not you, close this page"} {
			if !strings.Contains(body, want) {
				t.Errorf("the confirmation page lacks %q", want)
			}
		}
		for _, no := range []string{`href="/log"`, `action="/logout"`, "lena@example.org"} {
			if strings.Contains(body, no) {
				t.Errorf("the confirmation page shows %s", no)
			}
		}
		if st := e.standingOf(lena, "Ana"); st.Step != tl.StepConfirm {
			t.Fatalf("after %s opened the link Ana stands at %q, want still %q: a GET confirmed", who, st.Step, tl.StepConfirm)
		}
	}

	// Pressing the button confirms; she counts a week later.
	w := e.visit("POST", "/v/"+tok, nil)
	body := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(body, "<h1>Thank you, Ana</h1>") || !strings.Contains(body, "ana@example.org is confirmed.") ||
		strings.Contains(body, `id="confirm-address"`) || w.Header().Get("Cache-Control") != "no-store" {
		t.Fatalf("confirm: %d, Cache-Control %q\n%s", w.Code, w.Header().Get("Cache-Control"), pagesTrim(body))
	}
	if st := e.standingOf(lena, "Ana"); st.Step != tl.StepWait || !st.From.Equal(e.clk.Now().Add(tl.MemberWait)) {
		t.Fatalf("after confirming Ana stands %+v, want to wait until %s", st, e.clk.Now().Add(tl.MemberWait))
	}
	// Opening or pressing the link again says it is confirmed, and
	// changes nothing.
	for _, method := range []string{"GET", "POST"} {
		w = e.visit(method, "/v/"+tok, nil)
		if body := w.Body.String(); w.Code != http.StatusOK || !strings.Contains(body, "ana@example.org is confirmed.") || strings.Contains(body, `id="confirm-address"`) {
			t.Fatalf("%s the used link: %d\n%s", method, w.Code, pagesTrim(body))
		}
	}
	if st := e.standingOf(lena, "Ana"); st.Step != tl.StepWait {
		t.Fatalf("after pressing again Ana stands %+v", st)
	}

	// Lena sends Ben's confirmation again: the first link stops working,
	// and pressing it confirms nothing.
	stale := e.linkTo("ben@example.org", "v")
	e.advance(time.Hour) // later that day
	w = e.do("POST", "/people/"+e.relID(lena, "Ben")+"/confirmation", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "A new confirmation email is on its way to ben@example.org; the link sent before stops working.") {
		t.Fatalf("send again:\n%s", pagesTrim(body))
	}
	fresh := e.linkTo("ben@example.org", "v")
	if fresh == stale {
		t.Fatal("sending again mailed the same link")
	}
	for _, m := range []string{"GET", "POST"} {
		w := e.visit(m, "/v/"+stale, nil)
		linkError(t, m+" the replaced link", w, http.StatusNotFound, "replaced by a newer email")
	}
	if st := e.standingOf(lena, "Ben"); st.Step != tl.StepConfirm {
		t.Fatalf("the replaced link confirmed Ben: %+v", st)
	}
	if w := e.visit("GET", "/v/"+fresh, nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "Is ben@example.org your address?") {
		t.Fatalf("the new link: %d", w.Code)
	}

	// Cleo's address changes before she confirms: the old link is dead.
	old := e.linkTo("cleo@example.org", "v")
	e.do("POST", "/people/"+e.relID(lena, "Cleo")+"/email", form("email", "cleo@example.net"), lena)
	w = e.visit("POST", "/v/"+old, nil)
	linkError(t, "the link to an old address", w, http.StatusNotFound, "the address was changed")
	if st := e.standingOf(lena, "Cleo"); st.Step != tl.StepConfirm {
		t.Fatalf("the link to Cleo's old address confirmed her new one: %+v", st)
	}

	// Unknown and malformed tokens.
	for _, tok := range []string{"AAAAAAAAAAAAAAAAAAAAAAAAAA", "not-a-token"} {
		for _, m := range []string{"GET", "POST"} {
			w := e.visit(m, "/v/"+tok, nil)
			linkError(t, m+" /v/"+tok, w, http.StatusNotFound, "this confirmation link is not valid")
		}
	}
	e.checkNoSecrets()
}

// TestPersonStanding: the person page says where the person stands for
// the team's voice and what is missing; it offers "Send the confirmation
// again" only while their address waits for it, and the window link only
// once it is confirmed; the window link goes by mail and is never shown.
func TestPersonStanding(t *testing.T) {
	e := newVoiceEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.team(lena, "Ana", "", "Ben", "ben@example.org")
	ana, ben := e.relID(lena, "Ana"), e.relID(lena, "Ben")
	standing := regexp.MustCompile(`<p id="standing">([^<]*)</p>`)
	page := func(id string) (string, string) {
		t.Helper()
		w := e.do("GET", "/people/"+id, nil, lena)
		body := w.Body.String()
		m := standing.FindStringSubmatch(body)
		if w.Code != http.StatusOK || m == nil {
			t.Fatalf("person page %s: %d, no standing\n%s", id, w.Code, pagesTrim(body))
		}
		return m[1], body
	}
	again := func(id string) string { return `action="/people/` + id + `/confirmation"` }
	window := func(id string) string { return `action="/people/` + id + `/window"` }

	// Ana has no address: nothing to confirm, no window to send.
	st, body := page(ana)
	if st != "Ana does not count in your team's voice yet: has no email address yet." || strings.Contains(body, again(ana)) || strings.Contains(body, window(ana)) {
		t.Errorf("Ana without an address: %q; offers the confirmation %v, the window %v", st, strings.Contains(body, again(ana)), strings.Contains(body, window(ana)))
	}
	w := e.do("POST", "/people/"+ana+"/confirmation", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Ana has no email address: add one first") {
		t.Errorf("a confirmation for Ana without an address:\n%s", pagesTrim(body))
	}

	// Ben has not confirmed: the page offers to send it again.
	st, body = page(ben)
	if st != "Ben does not count in your team's voice yet: has not confirmed their address yet. A new address is sent a link to confirm it; they count a week after they do." ||
		!strings.Contains(body, again(ben)+` class="inline"><button type="submit" class="secondary">Send the confirmation again</button>`) || strings.Contains(body, window(ben)) {
		t.Errorf("Ben unconfirmed: %q; offers the confirmation %v, the window %v", st, strings.Contains(body, again(ben)), strings.Contains(body, window(ben)))
	}
	e.confirm("ben@example.org")
	from := e.clk.Now().Add(tl.MemberWait)
	st, body = page(ben)
	if st != "Ben does not count in your team's voice yet: counts from "+from.Format("Monday 2 January")+"." || strings.Contains(body, again(ben)) || !strings.Contains(body, window(ben)) {
		t.Errorf("Ben confirmed: %q; offers the confirmation %v, the window %v", st, strings.Contains(body, again(ben)), strings.Contains(body, window(ben)))
	}
	w = e.do("POST", "/people/"+ben+"/confirmation", nil, lena)
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Ben already confirmed ben@example.org") {
		t.Errorf("a confirmation for Ben, confirmed:\n%s", pagesTrim(body))
	}
	if ls := e.deliver(); len(ls) != 0 {
		t.Errorf("a refused confirmation mailed %d letters", len(ls))
	}

	// The window link goes to Ben's mailbox, and only there.
	w = e.do("POST", "/people/"+ben+"/window", nil, lena)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/people/"+ben+"#voice" {
		t.Fatalf("send the window link: %d → %q", w.Code, w.Header().Get("Location"))
	}
	body = e.follow(w, lena).Body.String()
	if !strings.Contains(body, "The link to Ben&#39;s window is on its way to ben@example.org. Only Ben receives it; an earlier link stops working.") ||
		mailLinkRE.MatchString(body) || strings.Contains(body, "/w/") {
		t.Fatalf("the window link's page:\n%s", pagesTrim(body))
	}
	letters := e.deliver()
	if len(letters) != 1 || letters[0].To != "ben@example.org" || !strings.Contains(letters[0].Text, "/w/") {
		t.Fatalf("the window link's letters: %+v", letters)
	}

	// A week on, Ben counts.
	e.advance(tl.MemberWait)
	if st, _ := page(ben); st != "Ben counts in your team's voice: they are asked in your pulses and their reactions count." {
		t.Errorf("Ben a week after confirming: %q", st)
	}
	// A new address starts again, and the old window link stops.
	w = e.do("POST", "/people/"+ben+"/email", form("email", "ben@example.net"), lena)
	e.follow(w, lena)
	st, body = page(ben)
	if !strings.HasPrefix(st, "Ben does not count in your team's voice yet: has not confirmed their address yet.") || !strings.Contains(body, again(ben)) || strings.Contains(body, window(ben)) {
		t.Errorf("Ben with a new address: %q", st)
	}
	if w := e.visit("GET", "/w/"+e.linkTo("ben@example.org", "w"), nil); w.Code != http.StatusNotFound {
		t.Errorf("the window link to Ben's old address still opens: %d", w.Code)
	}
	if e.linkTo("ben@example.net", "v") == "" {
		t.Error("the new address was sent no confirmation")
	}
}

// TestApprovals: where the installation has an administrator who does not
// lead a team, that team's people count only once one approved them. An
// administrator lists and approves other leaders' people, never their own;
// a leader who is not an administrator can do neither; and an
// administrator the leader brought in approves none of the leader's
// people (docs/ANONYMITY.md, rule 1).
func TestApprovals(t *testing.T) {
	e := newVoiceEnv(t)
	// Hal set the installation up and invited, by mail, Lena (who
	// administers and leads a team too), Omar and Ada; each accepted
	// through the link in their letter, so their addresses are proved.
	hal := e.owner("Hal", "hal@example.org")
	lena := e.mailedInvite(hal, "Lena", "lena@example.org", tl.RoleAdmin)
	omar := e.mailedInvite(hal, "Omar", "omar@example.org", tl.RoleLeader)
	ada := e.mailedInvite(hal, "Ada", "ada@example.org", tl.RoleAdmin)
	// Zed is an administrator Lena brought in, by mail: Lena could have
	// made him up, so he approves none of her people.
	zed := e.mailedInvite(lena, "Zed", "zed@elsewhere.example", tl.RoleAdmin)
	e.team(omar, "Ola", "ola@example.org", "Oskar", "oskar@example.org", "Pia", "pia@example.org")
	e.team(lena, "Ana", "ana@example.org")
	e.counted("ola@example.org", "oskar@example.org", "ana@example.org") // Pia has not confirmed
	ola, ana := e.relID(omar, "Ola"), e.relID(lena, "Ana")

	if st := e.standingOf(omar, "Ola"); st.Step != tl.StepApproval {
		t.Fatalf("Ola, confirmed a week ago, stands %+v, want to wait for approval", st)
	}
	st := regexp.MustCompile(`<p id="standing">([^<]*)</p>`).FindStringSubmatch(e.do("GET", "/people/"+ola, nil, omar).Body.String())
	if st == nil || st[1] != "Ola does not count in your team's voice yet: waits for an administrator to approve them." {
		t.Errorf("Ola's page: %v", st)
	}

	// Omar leads, and administers nothing.
	for _, r := range []struct{ method, path string }{{"GET", "/approvals"}, {"POST", "/approvals/" + ola}} {
		if w := e.do(r.method, r.path, form(), omar); w.Code != http.StatusForbidden {
			t.Errorf("Omar %s %s: %d, want 403", r.method, r.path, w.Code)
		}
	}
	if acct := e.do("GET", "/account", nil, omar).Body.String(); strings.Contains(acct, `href="/approvals"`) {
		t.Error("Omar's account page offers approvals")
	}

	// Ada, who leads nobody here, sees everyone waiting.
	if acct := e.do("GET", "/account", nil, ada).Body.String(); !strings.Contains(acct, `<a href="/approvals">Approve people for the team's voice</a>`) {
		t.Error("Ada's account page does not lead to the approvals")
	}
	rows := func(acc *account) map[string]string {
		t.Helper()
		w := e.do("GET", "/approvals", nil, acc)
		if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "<title>Approvals · trustledger</title>") {
			t.Fatalf("approvals as %s: %d", acc.User.Name, w.Code)
		}
		out := map[string]string{}
		for _, m := range regexp.MustCompile(`(?s)<tr><td>([^<]*)</td><td>([^<]*)</td>(.*?)</tr>`).FindAllStringSubmatch(w.Body.String(), -1) {
			out[m[2]] = m[1] + " " + m[3]
		}
		return out
	}
	got := rows(ada)
	for _, want := range []struct{ person, has string }{
		{"Ola", "Omar <td>team</td><td>ola@example.org</td>"},
		{"Oskar", "Omar <td>team</td><td>oskar@example.org</td>"},
		{"Pia", `pia@example.org <span class="muted">(not confirmed yet)</span>`},
		{"Ana", "Lena <td>team</td><td>ana@example.org</td>"},
	} {
		if !strings.Contains(got[want.person], want.has) {
			t.Errorf("Ada's approvals: %s's row %q lacks %q", want.person, got[want.person], want.has)
		}
	}
	if strings.Contains(got["Ola"], "not confirmed") {
		t.Error("Ola, confirmed, is listed as not confirmed")
	}

	// Lena administers, and leads Ana: she sees Omar's people, not her own,
	// and cannot approve her own.
	got = rows(lena)
	if _, ok := got["Ana"]; ok || got["Ola"] == "" {
		t.Errorf("Lena's approvals list her own people, or not Omar's: %v", got)
	}
	w := e.do("POST", "/approvals/"+ana, form(), lena)
	if w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "you lead Ana") {
		t.Errorf("Lena approves Ana: %d\n%s", w.Code, pagesTrim(w.Body.String()))
	}
	if st := e.standingOf(lena, "Ana"); st.Counts {
		t.Fatal("Lena's own approval made Ana count")
	}
	// Zed, whom Lena brought in, is offered none of her people and cannot
	// approve Ana either.
	if got := rows(zed); got["Ana"] != "" || got["Ola"] == "" {
		t.Errorf("Zed's approvals list Lena's people, or not Omar's: %v", got)
	}
	if w := e.do("POST", "/approvals/"+ana, form(), zed); w.Code != http.StatusForbidden {
		t.Errorf("Zed approves Ana: %d, want 403\n%s", w.Code, pagesTrim(w.Body.String()))
	}
	if st := e.standingOf(lena, "Ana"); st.Counts {
		t.Fatal("the approval of an administrator Lena brought in made Ana count")
	}
	w = e.do("POST", "/approvals/"+ola, form(), lena)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/approvals" {
		t.Fatalf("Lena approves Ola: %d → %q", w.Code, w.Header().Get("Location"))
	}
	if body := e.follow(w, lena).Body.String(); !strings.Contains(body, "Approved: they count in their leader&#39;s team voice") || strings.Contains(body, "<td>Ola</td>") {
		t.Errorf("after approving Ola:\n%s", pagesTrim(body))
	}
	if st := e.standingOf(omar, "Ola"); !st.Counts {
		t.Errorf("Ola, approved, stands %+v", st)
	}
	if st := e.standingOf(omar, "Oskar"); st.Step != tl.StepApproval {
		t.Errorf("Oskar, not approved, stands %+v", st)
	}
	w = e.do("POST", "/approvals/"+ola, form(), ada)
	if body := e.follow(w, ada).Body.String(); !strings.Contains(body, "Ola is already approved") {
		t.Errorf("approving Ola twice:\n%s", pagesTrim(body))
	}
	// Ada approves Ana, whom Lena could not.
	w = e.do("POST", "/approvals/"+ana, form(), ada)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("Ada approves Ana: %d\n%s", w.Code, pagesTrim(w.Body.String()))
	}
	if st := e.standingOf(lena, "Ana"); !st.Counts {
		t.Errorf("Ana, approved by Ada, stands %+v", st)
	}
	if w := e.do("POST", "/approvals/no-such-person", form(), ada); w.Code != http.StatusNotFound {
		t.Errorf("approving nobody: %d, want 404", w.Code)
	}
}
