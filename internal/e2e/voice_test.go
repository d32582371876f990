package e2e

import (
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/mail/mailtest"
)

var pulseLinkRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+(/p/[A-Z2-7]{26})`)

// TestBrowserPulse is issue 4's browser test: a leader launches a pulse
// for a team of six in the browser; the invitations go out through a real
// SMTP conversation; six members answer through their own links in
// Chromium, on a phone-sized screen; the leader sees only a rough count
// until the fifth answer, no results while the pulse is open, the results
// once it closes, and the dashboard's team view changes.
func TestBrowserPulse(t *testing.T) {
	s := newSite(t, newUserNow, false)
	b := newBrowser(t, s.URL, scriptsOff)
	ctx := context.Background()

	b.signupMaya()
	leaders, err := s.App.Leaders(ctx)
	if err != nil || len(leaders) != 1 {
		t.Fatalf("leaders: %v %v", leaders, err)
	}
	for i := range 6 {
		if _, err := s.App.AddPerson(ctx, leaders[0].ID, tl.PersonInput{
			Name: fmt.Sprintf("Member %d", i+1), Email: fmt.Sprintf("member%d@example.org", i+1), Kind: engine.DirectReport,
		}); err != nil {
			t.Fatal(err)
		}
	}
	b.open("/", 200)
	if got := b.text("#team-views"); !strings.Contains(got, "no pulse yet") {
		b.fail("before any pulse the team view says %q", got)
	}

	// Launch by email from the pulses page.
	b.open("/pulses", 200)
	b.do("choose email", chromedp.Click(`#launch-form input[name=delivery][value=email]`))
	b.submit("#launch", 200)
	b.wantFlash("6 invitations are on their way")
	pulsePath := b.path()
	if !strings.HasPrefix(pulsePath, "/pulses/") {
		b.fail("after launching at %s", pulsePath)
	}

	srv := mailtest.Start(t)
	cfg, err := mail.ParseURL(srv.URL("trustledger@example.org"))
	if err != nil {
		t.Fatal(err)
	}
	w := &mail.Worker{DB: s.DB, Sender: mail.NewSMTP(cfg), Renderer: s.App.MailRenderer(s.URL), Now: s.Now}
	if n, err := w.RunOnce(ctx); err != nil || n != 6 {
		t.Fatalf("mail worker sent %d: %v", n, err)
	}
	var links []string
	for _, m := range srv.Messages() {
		body, _ := io.ReadAll(quotedprintable.NewReader(strings.NewReader(m.Data)))
		got := pulseLinkRE.FindStringSubmatch(string(body))
		if got == nil {
			t.Fatalf("no link in the invitation:\n%s", body)
		}
		links = append(links, got[1])
	}

	// The members, in a browser of their own, on a phone.
	m := newBrowser(t, s.URL, scriptsOn)
	m.do("emulate a phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	for i, link := range links {
		m.open(link, 200)
		if p := m.path(); p != "/answer" {
			m.fail("the link led to %s, want the token-free /answer", p)
		}
		privacy := m.text("#privacy")
		for _, want := range []string{"Will not see", "who answered, when", "at least 5 people answered"} {
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

		// What the leader sees meanwhile: a band, never results.
		b.open(pulsePath, 200)
		band := b.attr("#pulse-count", "data-band")
		want := tl.CountBelowK
		if i+1 >= 5 {
			want = tl.CountK
		}
		if band != want {
			b.fail("after %d answers the leader sees band %q, want %q", i+1, band, want)
		}
		if b.count("#results") != 0 {
			b.fail("results shown while the pulse is open (%d answers)", i+1)
		}
	}
	// The link cannot be used again.
	m.open(links[0], 409)

	b.submit("#close-pulse", 200)
	b.wantFlash("Pulse closed: 6 answers")
	if got := b.text("#results-h"); got != "Results: 6 answers" {
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
