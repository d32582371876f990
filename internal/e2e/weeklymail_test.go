package e2e

import (
	"context"
	"io"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/demo"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/mail/mailtest"
)

// weeklyNow is a Monday morning, just after the demo leader's weekly
// email is due (08:00 in her zone, UTC).
var weeklyNow = time.Date(2026, 11, 23, 8, 30, 0, 0, time.UTC)

// TestBrowserWeeklyDigest is the weekly loop by mail with the demo
// organisation: on Monday morning Lena's weekly email reaches her mailbox
// through a real SMTP conversation, she opens its accept link in the
// browser (without signing in), presses the page's one button, and the
// page and her dashboard show the step accepted; opening the link again
// says it was used already.
func TestBrowserWeeklyDigest(t *testing.T) {
	s := newSite(t, weeklyNow, true)
	ctx := context.Background()
	email, password, err := demo.Seed(ctx, s.App, filepath.Join(repoRoot(t), "scenarios", demo.File), weeklyNow, s.Demo)
	if err != nil {
		t.Fatalf("demo.Seed: %v", err)
	}
	b := newBrowser(t, s.URL, scriptsOn)

	// The tick queues the email; the mail worker sends it over SMTP.
	if _, err := s.App.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	smtp := mailtest.Start(t)
	cfg, err := mail.ParseURL(smtp.URL("trustledger@demo.trustledger.local"))
	if err != nil {
		t.Fatal(err)
	}
	w := &mail.Worker{DB: s.DB, Sender: mail.NewSMTP(cfg), Renderer: s.App.MailRenderer(s.URL), Now: s.Now}
	if _, err := w.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	var text, subject string
	for _, m := range smtp.Messages() {
		if len(m.To) == 1 && m.To[0] == email {
			subject, text = readText(t, m.Data)
		}
	}
	if !strings.HasPrefix(subject, "This week's step: Ben, ") || !strings.Contains(text, "Why: ") {
		t.Fatalf("Lena's weekly email %q:\n%s", subject, text)
	}
	m := regexp.MustCompile(`Accept it: ` + regexp.QuoteMeta(s.URL) + `(/d/[A-Z2-7]{26})\n`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no accept link in:\n%s", text)
	}
	accept := m[1]

	// The link opens a page with the step and one button, signed out.
	b.open(accept, 200)
	b.wantTitle("Accept this week's step · trustledger")
	if got := b.text("main"); !strings.Contains(got, "Ben") || !strings.Contains(got, "Why Ben, why this:") {
		b.fail("the link's page: %q", got)
	}
	b.submit("#step-link-button", 200)
	b.wantTitle("Step accepted · trustledger")
	if got := b.text("#step-link-result"); !strings.Contains(got, "You accepted this week's step: it is now a promise to Ben") {
		b.fail("after the button: %q", got)
	}

	// A second visit says it was used, and offers nothing to press.
	b.open(accept, 409)
	if got := b.text("#step-link-message"); !strings.Contains(got, "This link was used already") || !strings.Contains(got, "you accepted this week's step") {
		b.fail("the used link: %q", got)
	}
	if n := b.count("#step-link-button"); n != 0 {
		b.fail("the used link still has its button")
	}

	// Signed in, the dashboard shows the step accepted.
	b.open("/login", 200)
	b.typeIn("#email", email)
	b.typeIn("#password", password)
	b.submit(`form[action="/login"] button[type=submit]`, 200)
	if d := b.dashboard(); !strings.HasPrefix(d.Step, "Ben · ") || !strings.Contains(d.Card, "Status: accepted") {
		b.fail("the dashboard's step after the link: %q / %q", d.Step, d.Card)
	}
}

// readText is a message's decoded subject and plain-text part.
func readText(t *testing.T, data string) (subject, text string) {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subject, _ = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") {
			b, _ := io.ReadAll(p)
			return subject, string(b)
		}
	}
	t.Fatalf("no text part in:\n%s", data)
	return "", ""
}
