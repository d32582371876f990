package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
)

// TestProgramPages: an admin makes a program with a coach and a leader;
// the coach's home is the programs page; the rollup counts the leader
// only after they consent on the program's page, and stops at once when
// they withdraw. A shared journal entry reaches the coach; an unshared
// one never does.
func TestProgramPages(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	cora := e.invite(lena, "Cora", "cora@example.org", tl.RoleCoach)
	sam := e.invite(lena, "Sam", "sam@example.org", tl.RoleLeader)

	if w := e.do("GET", "/", nil, cora); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/programs" {
		t.Fatalf("a coach's home: %d %s", w.Code, w.Header().Get("Location"))
	}
	if w := e.do("POST", "/programs", form("name", ""), lena); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "give the program a name") {
		t.Fatalf("empty name: %d", w.Code)
	}
	if w := e.do("POST", "/programs", form("name", "Cohort"), cora); w.Code != http.StatusForbidden {
		t.Fatalf("a coach creating a program: %d", w.Code)
	}
	w := e.do("POST", "/programs", form("name", "Spring cohort"), lena)
	page := e.follow(w, lena)
	if !strings.Contains(page.Body.String(), "Spring cohort") {
		t.Fatalf("program page:\n%s", page.Body.String())
	}
	path := w.Header().Get("Location")
	if w := e.do("POST", path+"/coaches", form("email", "sam@example.org"), lena); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "not a coach") {
		t.Fatalf("a leader as coach: %d\n%s", w.Code, w.Body.String())
	}
	e.follow(e.do("POST", path+"/coaches", form("email", "cora@example.org"), lena), lena)
	e.follow(e.do("POST", path+"/leaders", form("email", "sam@example.org"), lena), lena)

	ctx := context.Background()
	if _, err := e.app.AddPerson(ctx, sam.User.LeaderID, tl.PersonInput{Name: "Ana", Kind: "direct-report"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.app.Week(ctx, sam.User.LeaderID); err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/journal", form("question", "1", "text", "PRIVATE reflection"), sam)
	e.do("POST", "/journal", form("question", "2", "text", "what I learned asking first"), sam)
	entries, _ := e.app.Journal(ctx, sam.User.LeaderID)
	for _, j := range entries {
		if strings.Contains(j.Text, "learned") {
			if w := e.do("POST", "/journal/"+j.ID+"/share", form("shared", "1"), sam); w.Code != http.StatusSeeOther {
				t.Fatalf("share: %d", w.Code)
			}
		}
	}

	body := e.do("GET", path, nil, cora).Body.String()
	if !strings.Contains(body, "Leaders who consent: 0 of 1.") || strings.Contains(body, "learned") {
		t.Fatalf("the coach before consent:\n%s", body)
	}
	if w := e.do("GET", path, nil, sam); !strings.Contains(w.Body.String(), "Give consent") || strings.Contains(w.Body.String(), "Summary across leaders") {
		t.Fatalf("the leader's page before consent:\n%s", w.Body.String())
	}
	e.follow(e.do("POST", path+"/consent", form("consent", "give"), sam), sam)
	body = e.do("GET", path, nil, cora).Body.String()
	if !strings.Contains(body, "Leaders who consent: 1 of 1.") || !strings.Contains(body, "what I learned asking first") || strings.Contains(body, "PRIVATE") || !strings.Contains(body, `<svg`) {
		t.Fatalf("the coach after consent:\n%s", body)
	}
	e.follow(e.do("POST", path+"/consent", form("consent", "withdraw"), sam), sam)
	if body := e.do("GET", path, nil, cora).Body.String(); !strings.Contains(body, "Leaders who consent: 0 of 1.") || strings.Contains(body, "learned") {
		t.Fatalf("the coach after withdrawal:\n%s", body)
	}
	if w := e.do("GET", path, nil, e.invite(lena, "Otto", "otto@example.org", tl.RoleCoach)); w.Code != http.StatusNotFound {
		t.Fatalf("another coach: %d", w.Code)
	}
}

// TestRosterPages: a roster is previewed with its errors by line (422,
// nothing written), then a clean one is imported behind a progress page.
func TestRosterPages(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	e.invite(lena, "Sam", "sam@example.org", tl.RoleLeader)
	bad := "email,name,role\nnot-an-email,Bob,member\ncy@example.org,Cy,boss\n"
	w := e.do("POST", "/roster", form("csv", bad), lena)
	if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "2 with errors") || !strings.Contains(w.Body.String(), "unknown role") || strings.Contains(w.Body.String(), "/roster/import") {
		t.Fatalf("a bad roster: %d\n%s", w.Code, w.Body.String())
	}
	if w := e.do("POST", "/roster", form("csv", ""), lena); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "choose a CSV file") {
		t.Fatalf("an empty roster: %d", w.Code)
	}
	good := "email,name,role,team,leader_email\nana@example.org,Ana,member,Platform,sam@example.org\ncora@example.org,Cora,coach,,\n"
	w = e.do("POST", "/roster", form("csv", good), lena)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "all fine") || !strings.Contains(w.Body.String(), "Import 2 people") {
		t.Fatalf("a good roster: %d\n%s", w.Code, w.Body.String())
	}
	w = e.do("POST", "/roster/import", form("csv", good), lena)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/roster/jobs/") {
		t.Fatalf("import: %d %s", w.Code, w.Header().Get("Location"))
	}
	job := w.Header().Get("Location")
	// While it runs the page refreshes itself and shows the bar; a test
	// cannot catch that moment reliably, so it waits for the end.
	rosterJobs.Lock()
	j := rosterJobs.m[strings.TrimPrefix(job, "/roster/jobs/")]
	rosterJobs.Unlock()
	if j == nil {
		t.Fatalf("no job behind %s", job)
	}
	<-j.done
	done := e.do("GET", job, nil, lena)
	body := done.Body.String()
	const noScriptRefresh = `<noscript><meta http-equiv="refresh" content="1"></noscript>`
	if strings.Contains(body, noScriptRefresh) || strings.Contains(body, "<progress") {
		t.Fatalf("an ended import still refreshes:\n%s", body)
	}
	if w := e.do("GET", job+"/status", nil, lena); w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != `{"done":2,"total":2,"percent":100,"ended":true}` {
		t.Fatalf("the ended import's status: %d %s", w.Code, w.Body.String())
	}
	// A running import: the bar, polled by app.js, and a refresh for
	// browsers without scripts.
	running := &rosterJob{ID: "running", UserID: lena.User.ID, At: time.Now(), Done: 100, Total: 400, done: make(chan struct{})}
	rosterJobs.Lock()
	rosterJobs.m[running.ID] = running
	rosterJobs.Unlock()
	w = e.do("GET", "/roster/jobs/running", nil, lena)
	if !strings.Contains(w.Body.String(), noScriptRefresh) ||
		!strings.Contains(w.Body.String(), `<progress max="100" value="25" aria-describedby="roster-status" data-poll="/roster/jobs/running/status">`) {
		t.Fatalf("a running import:\n%s", w.Body.String())
	}
	w = e.do("GET", "/roster/jobs/running/status", nil, lena)
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/json" ||
		strings.TrimSpace(w.Body.String()) != `{"done":100,"total":400,"percent":25,"ended":false}` {
		t.Fatalf("a running import's status: %d %q %s", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	if w := e.do("GET", "/roster/jobs/nope/status", nil, lena); w.Code != http.StatusNotFound {
		t.Fatalf("an unknown import's status: %d", w.Code)
	}
	if !strings.Contains(body, "2 invitations are on their way") || !strings.Contains(body, "1 team member was added") {
		t.Fatalf("the import's end:\n%s", body)
	}
	other := e.invite(lena, "Max", "max@example.org", tl.RoleAdmin)
	for _, path := range []string{job, job + "/status"} {
		if w := e.do("GET", path, nil, other); w.Code != http.StatusNotFound {
			t.Fatalf("another admin's view of %s: %d", path, w.Code)
		}
	}
}

// TestInviteByMail: an invitation sent by email shows no link to the
// admin; the message, rendered when it is sent, carries a link that
// makes the account.
func TestInviteByMail(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	w := e.do("POST", "/invitations", form("email", "ana@example.org", "role", "member", "send", "mail"), lena)
	page := e.follow(w, lena).Body.String()
	if !strings.Contains(page, "queued for mail") || strings.Contains(page, "/invite/") {
		t.Fatalf("after sending by mail:\n%s", page)
	}
	ctx := context.Background()
	msgs := e.pendingMail(t)
	if len(msgs) != 1 || msgs[0].To != "ana@example.org" {
		t.Fatalf("queued: %+v", msgs)
	}
	m, err := e.app.MailRenderer("http://example.com").Render(ctx, msgs[0])
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(m.Text, "http://example.com/invite/")
	if i < 0 {
		t.Fatalf("no link in:\n%s", m.Text)
	}
	link := strings.Fields(m.Text[i:])[0]
	token := strings.TrimPrefix(link, "http://example.com/invite/")
	if _, err := e.app.AcceptInvite(ctx, token, "Ana", testPassword); err != nil {
		t.Fatalf("the mailed link: %v", err)
	}
	if w := e.do("POST", "/invitations", form("email", "ana@example.org", "role", "member", "send", "mail"), lena); w.Code != http.StatusConflict && w.Code != http.StatusUnprocessableEntity {
		t.Fatalf("inviting an account again: %d", w.Code)
	}
}

// TestRosterLarge: a roster over the forms' 1 MB cap (15,000 people) is
// previewed, not refused for its size.
func TestRosterLarge(t *testing.T) {
	e := newEnv(t)
	lena := e.owner("Lena", "lena@example.org")
	var b strings.Builder
	b.WriteString("email,name,role\n")
	for i := range 15000 {
		fmt.Fprintf(&b, "person%05d@example.org,Person %05d of the large and well-staffed organisation,member\n", i, i)
	}
	if b.Len() < 1<<20 {
		t.Fatalf("the roster is only %d bytes", b.Len())
	}
	w := e.do("POST", "/roster", form("csv", b.String()), lena)
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), "15000 lines, all fine") || !strings.Contains(w.Body.String(), "14980 more lines") {
		t.Fatalf("a large roster: %d\n%.500s", w.Code, w.Body.String())
	}
}
