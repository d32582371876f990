package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	tl "github.com/trustledger/trustledger"
)

// TestBrowserProgram: in Chromium, an owner imports a roster (preview,
// then the progress page until it ends), creates a program, adds a coach
// and herself, and consents; the coach signs in, lands on the programs,
// and reads the rollup with its charts on a phone-sized screen.
func TestBrowserProgram(t *testing.T) {
	s := newSite(t, newUserNow, false)
	b := newBrowser(t, s.URL, scriptsOff)
	ctx := context.Background()

	b.signupMaya()

	// A roster with a mistake is shown line by line, and nothing is written.
	b.open("/roster", 200)
	b.fill("#csv", "email,name,role\ncora@example.org,Cora,coach\nnot-an-email,Bob,member\n")
	b.submit(`form[action="/roster"] button[type=submit]`, 422)
	if got := b.text("tr.row-error"); !strings.Contains(got, "email") {
		b.fail("the line in error shows %q", got)
	}
	b.fill("#csv", "email,name,role\ncora@example.org,Cora,coach\n")
	b.submit(`form[action="/roster"] button[type=submit]`, 200)
	b.submit(`form[action="/roster/import"] button[type=submit]`, 200)
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(b.text("main"), "invitation is on its way") {
		if time.Now().After(deadline) {
			b.fail("the import did not end: %q", b.text("main"))
		}
		b.do("wait for the refresh", chromedp.Sleep(300*time.Millisecond))
	}
	invs, err := s.App.Invitations(ctx, mustUser(t, s, "maya@example.org").ID)
	if err != nil || len(invs) != 1 || invs[0].Role != tl.RoleCoach {
		t.Fatalf("invitations: %+v %v", invs, err)
	}
	// Cora accepts (the mail itself is tested elsewhere).
	_, token, err := s.App.Invite(ctx, mustUser(t, s, "maya@example.org").ID, "cora2@example.org", tl.RoleCoach)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.AcceptInvite(ctx, token, "Cora", "a long enough password"); err != nil {
		t.Fatal(err)
	}

	b.open("/programs", 200)
	b.fill("#name", "Spring cohort")
	b.submit(`form[action="/programs"] button[type=submit]`, 200)
	b.wantFlash("Spring cohort")
	program := b.path()
	b.fill("#coach", "cora2@example.org")
	b.submit(`form[action$="/coaches"] button[type=submit]`, 200)
	b.fill("#leader", "maya@example.org")
	b.submit(`form[action$="/leaders"] button[type=submit]`, 200)
	maya := mustUser(t, s, "maya@example.org")
	for _, name := range []string{"Ana", "Ben", "Chen"} {
		if _, err := s.App.AddPerson(ctx, maya.LeaderID, tl.PersonInput{Name: name, Kind: "direct-report"}); err != nil {
			t.Fatal(err)
		}
	}
	b.open("/", 200) // Maya's week is chosen, and recorded for the rollup
	b.open(program, 200)
	b.submit(`form[action$="/consent"] button[type=submit]`, 200)
	b.wantFlash("Your coaches now see your aggregates")

	c := newBrowser(t, s.URL, scriptsOff)
	c.open("/login", 200)
	c.typeIn("#email", "cora2@example.org")
	c.typeIn("#password", "a long enough password")
	c.submit(`form[action="/login"] button[type=submit]`, 200)
	if c.path() != "/programs" {
		c.fail("a coach lands on %s, want /programs", c.path())
	}
	c.submit(`main a[href^="/programs/"]`, 200)
	if got := c.text("main"); !strings.Contains(got, "Leaders who consent: 1 of 1.") {
		c.fail("the summary across leaders says %q", got)
	}
	if got := c.texts("nav li"); len(got) != 2 {
		c.fail("a coach's menu is %q, want Programs and Account", got)
	}
	if c.count("main svg") == 0 {
		c.fail("the rollup has no chart")
	}
	if n := c.overflow(); n > 0 {
		c.fail("%d elements overflow the phone-sized screen", n)
	}
	c.screenshot("program-rollup")
}

func mustUser(t *testing.T, s *site, email string) *tl.User {
	t.Helper()
	u, err := s.App.Login(context.Background(), email, "a long enough password")
	if err != nil {
		t.Fatalf("no user %s: %v", email, err)
	}
	return u
}
