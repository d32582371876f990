package e2e

import (
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/mail/mailtest"
)

// mailLinkRE finds a link in a letter the site sent: a confirmation
// (/v/) or a pulse invitation (/p/).
var mailLinkRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+(/([vp])/[A-Z2-7]{26})`)

// smtpMailbox delivers the site's outbox through a real SMTP conversation
// to an in-process server, and reads the links out of what arrived.
type smtpMailbox struct {
	t    *testing.T
	srv  *mailtest.Server
	w    *mail.Worker
	seen int // messages read so far
}

func newSMTPMailbox(t *testing.T, s *site) *smtpMailbox {
	t.Helper()
	srv := mailtest.Start(t)
	cfg, err := mail.ParseURL(srv.URL("trustledger@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	return &smtpMailbox{t: t, srv: srv, w: &mail.Worker{DB: s.DB, Sender: mail.NewSMTP(cfg), Renderer: s.App.MailRenderer(s.URL), Now: s.Now}}
}

// links runs the mail worker, expecting want messages, and returns the
// path of the link of kind ("v" or "p") in each, by recipient.
func (mb *smtpMailbox) links(kind string, want int) map[string]string {
	mb.t.Helper()
	if n, err := mb.w.RunOnce(context.Background()); err != nil || n != want {
		mb.t.Fatalf("the mail worker sent %d messages, want %d: %v", n, want, err)
	}
	msgs := mb.srv.Messages()
	out := map[string]string{}
	for _, m := range msgs[mb.seen:] {
		body, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Data)))
		got := mailLinkRE.FindStringSubmatch(string(body))
		if got == nil || got[2] != kind || len(m.To) != 1 {
			mb.t.Fatalf("no /%s/ link in the message to %v:\n%s", kind, m.To, body)
		}
		out[m.To[0]] = got[1]
	}
	mb.seen = len(msgs)
	return out
}

// countMembers makes the people mailed a confirmation count toward k, the
// way they would: each opens the /v/ link in their letter in m (the page
// shows what it confirms, and confirms nothing) and presses "Yes, this is
// my address"; then the site's clock moves to at, past tl.MemberWait
// (docs/ANONYMITY.md, rule 1). The pages must fit m's screen.
func countMembers(s *site, m *browser, mb *smtpMailbox, want int, at time.Time) {
	m.t.Helper()
	links := mb.links("v", want)
	addrs := make([]string, 0, len(links))
	for a := range links {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for _, a := range addrs {
		m.open(links[a], 200)
		if got := m.text("h1"); got != "Is "+a+" your address?" {
			m.fail("the confirmation page asks %q", got)
		}
		if w := m.overflow(); w > 0 {
			m.fail("the confirmation page is %d px wider than the screen", w)
		}
		m.submit("#confirm-address", 200)
		if got := m.text("main"); !strings.Contains(got, a+" is confirmed") {
			m.fail("after confirming: %q", got)
		}
	}
	if at.Before(s.Now().Add(tl.MemberWait)) {
		m.t.Fatalf("the clock moves to %s, before the members count", at)
	}
	s.Demo.Travel(at)
}

// TestBrowserPulse is team voice's browser test: a leader's team of ten
// confirm their addresses through the links mailed to them, in Chromium
// on a phone-sized screen; a week later the leader launches a pulse in
// the browser; the invitations go out through a real SMTP conversation;
// the ten answer through their own links, on the phone; the leader sees
// only a rough count, published at fixed times (ten asked: a pulse over
// fewer than 2k people shows none while open), no results while the
// pulse is open, the results once it closes, and the dashboard's team
// view changes.
func TestBrowserPulse(t *testing.T) {
	s := newSite(t, newUserNow, false)
	// The leader's browser, and the one the members use on their phones.
	bs := newBrowsers(t, s.URL, scriptsOff, scriptsOn)
	b, m := bs[0], bs[1]
	ctx := context.Background()

	b.signupMaya()
	leaders, err := s.App.Leaders(ctx)
	if err != nil || len(leaders) != 1 {
		t.Fatalf("leaders: %v %v", leaders, err)
	}
	const team = 10
	names := make([]string, team)
	for i := range team {
		names[i] = fmt.Sprintf("Member %d", i+1)
		if _, err := s.App.AddPerson(ctx, leaders[0].ID, tl.PersonInput{
			Name: names[i], Email: fmt.Sprintf("member%d@example.org", i+1), Kind: engine.DirectReport,
		}); err != nil {
			t.Fatal(err)
		}
	}
	b.open("/", 200)
	if got := b.text("#team-views"); !strings.Contains(got, "no pulse yet") {
		b.fail("before any pulse the team view says %q", got)
	}

	// The members, on a phone, confirm their addresses.
	mb := newSMTPMailbox(t, s)
	m.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	// A week on, a few minutes before the count is next published.
	publication := newUserNow.Add(tl.MemberWait).Truncate(tl.PublishEvery).Add(tl.PublishEvery)
	countMembers(s, m, mb, team, publication.Add(-5*time.Minute))

	// Maya's session ended while she was away: she signs in again, and
	// launches from the pulses page, where there is no shared link.
	b.open("/pulses", 200)
	b.signInMaya()
	if p := b.path(); p != "/pulses" {
		b.fail("after signing in again at %s, want /pulses", p)
	}
	if got := strings.Join(b.texts("#pulse-team option"), "|"); got != "Your team (10 of 10 people can be asked)" {
		b.fail("the team %q", got)
	}
	if b.count("#launch-form input[name=delivery]") != 0 {
		b.fail("the launch form offers a shared link")
	}
	b.submit("#launch", 200)
	b.wantFlash("10 invitations are on their way")
	pulsePath := b.path()
	if !strings.HasPrefix(pulsePath, "/pulses/") {
		b.fail("after launching at %s", pulsePath)
	}
	invited := mb.links("p", team)
	links := make([]string, 0, len(invited))
	for i := range team {
		link, ok := invited[fmt.Sprintf("member%d@example.org", i+1)]
		if !ok {
			t.Fatalf("member %d got no invitation: %v", i+1, invited)
		}
		links = append(links, link)
	}

	slices.Sort(names) // as the answer page lists them
	published := false
	for i, link := range links {
		m.open(link, 200)
		if p := m.path(); p != "/answer" {
			m.fail("the link led to %s, want the token-free /answer", p)
		}
		privacy := m.text("#privacy")
		for _, want := range []string{"Will not see", "who answered, when", "at least 5 people answered",
			"This pulse asked 10 people", strings.Join(names, ", ")} {
			if !strings.Contains(privacy, want) {
				m.fail("the answer page's privacy note lacks %q: %q", want, privacy)
			}
		}
		if w := m.overflow(); w > 0 {
			m.fail("the answer page is %d px wider than a phone", w)
		}
		v := 2 + i%4
		m.do("answer", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelectorAll('#answer-form fieldset.scale').forEach(f => {
			const r = f.querySelector('input[value="%d"]') || f.querySelector('input[value="3"]'); r.checked = true; })`, v)))
		m.submit("#submit-answers", 200)
		if got := m.text("#voice-message"); !strings.Contains(got, "nothing that links them to you") {
			m.fail("after answering: %q", got)
		}

		// What the leader sees meanwhile: a band as last published,
		// never results, and never the moment an answer arrived.
		b.open(pulsePath, 200)
		want := tl.CountBelowK
		if published {
			want = tl.CountK
		}
		if band := b.attr("#pulse-count", "data-band"); band != want {
			b.fail("after %d answers the leader sees band %q, want %q", i+1, band, want)
		}
		if b.count("#results") != 0 {
			b.fail("results shown while the pulse is open (%d answers)", i+1)
		}
		if i+1 == 5 {
			// The count is published at noon: five answers are in.
			s.Demo.Travel(publication)
			if _, err := s.App.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			published = true
			b.open(pulsePath, 200)
			if band := b.attr("#pulse-count", "data-band"); band != tl.CountK {
				b.fail("after the publication the leader sees band %q, want %q", band, tl.CountK)
			}
		}
	}
	// The link cannot be used again.
	m.open(links[0], 409)

	b.submit("#close-pulse", 200)
	b.wantFlash("Pulse closed: 10 answers")
	if got := b.text("#results-h"); got != "Results: 10 answers" {
		b.fail("results heading %q", got)
	}
	if n := b.count("#results tbody tr"); n != 4 {
		b.fail("%d scales in the results, want 4", n)
	}
	b.open("/", 200)
	if got := b.text("#team-views"); strings.Contains(got, "no pulse yet") || !strings.Contains(got, "Biggest gap") {
		b.fail("after the pulse the team view says %q", got)
	}
}
