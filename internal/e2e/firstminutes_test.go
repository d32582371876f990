package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/trustledger/trustledger/internal/demo"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/mail/mailtest"
)

// demoTeam is everyone the demo's story names, each of whom the map must
// show.
var demoTeam = []string{"Ana", "Ben", "Chen", "Dara", "Femi", demo.Newcomer}

// TestBrowserFirstMinutes is what a new user does in the first minutes,
// at a desktop's width and at a phone's, with the page scripts on: start
// the demo, sign in, find every person on the map, read why this week's
// step is for this person, log an apology for a promise they broke on the
// web, and receive the weekly email through a real SMTP conversation,
// whose accept link works once and only once. At both widths nothing on
// the way is cut off at the screen's edge and nothing on the map is
// printed over anything else.
func TestBrowserFirstMinutes(t *testing.T) {
	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprintf("%dpx", width), func(t *testing.T) { firstMinutes(t, width) })
	}
}

func firstMinutes(t *testing.T, width int64) {
	ctx := context.Background()
	// Monday morning, just after the leader's weekly email is due.
	s := newSite(t, weeklyNow, true)
	email, password, err := demo.Seed(ctx, s.App, filepath.Join(repoRoot(t), "scenarios", demo.File), weeklyNow, s.Demo)
	if err != nil {
		t.Fatalf("demo.Seed: %v", err)
	}
	b := newBrowser(t, s.URL, scriptsOn)
	dialogs := b.answerDialogs()
	if width < 500 {
		b.do("emulate a phone", chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulatePortrait))
	} else {
		b.do("emulate a desktop", chromedp.EmulateViewport(width, 900))
	}
	at := fmt.Sprintf(" at %d px", width)
	shot := func(name string) { b.screenshot(fmt.Sprintf("first-minutes-%s-%d", name, width)) }

	// Sign in with the demo's account.
	b.open("/", 200)
	b.wantTitle("Sign in · trustledger")
	b.checkNoOverflow("the sign-in page"+at, false)
	b.typeIn("#email", email)
	b.typeIn("#password", password)
	b.submit(`form[action="/login"] button[type=submit]`, 200)
	b.wantTitle("Dashboard · trustledger")

	// Every person of the story is on the map, named, with nothing
	// printed over anything.
	b.open("/", 200)
	m := b.readMap()
	if len(m.Titles) != len(demoTeam) {
		b.fail("%d points on the map%s, want %d: %q", len(m.Titles), at, len(demoTeam), m.Titles)
	}
	b.checkMapReads("the demo's map"+at, m, demoTeam)
	b.checkNoOverflow("the dashboard"+at, false)
	shot("dashboard")

	// Why this person this week, in a sentence, with the entries behind
	// it on the person's page.
	d := b.dashboard()
	person, _, _ := strings.Cut(d.Step, " · ")
	if person == "" || !strings.HasPrefix(d.Why, "Why "+person+", why this:") || len(d.Why) < len("Why , why this:")+len(person)+40 {
		b.fail("the step %q says why%s: %q", d.Step, at, d.Why)
	}
	b.submit("#step-evidence a", 200)
	b.wantTitle(person + " · trustledger")
	b.checkNoOverflow(person+"'s page"+at, false)
	b.open("/", 200)
	b.submit("#step-moves", 200)
	if got := b.text("h1"); !strings.Contains(got, "five moves") {
		b.fail("the step's move leads to %q", got)
	}
	b.checkNoOverflow("the five moves"+at, false)

	// A promise broken, and the apology for it, on the web.
	b.submit(`nav a[href="/promises"]`, 200)
	type promiseRow struct{ ID, What string }
	row, err := chromedp.Run(b.ctx, chromedp.Evaluate[promiseRow](`(() => {
		const btn = document.querySelector('form[action$="/resolve"] button[value=broken]');
		if (!btn) return {ID: "", What: ""};
		const id = btn.form.getAttribute("action").split("/")[2];
		return {ID: id, What: btn.closest("li").querySelector("strong").textContent};
	})()`))
	if err != nil || row.ID == "" {
		b.fail("no open promise to mark broken%s (%v)", at, err)
	}
	b.checkNoOverflow("the promises page"+at, false)
	b.submit(`form[action="/promises/`+row.ID+`/resolve"] button[value=broken]`, 200)
	if got := dialogs.last(); !strings.Contains(got, "as broken") {
		b.fail("marking a promise broken asked %q, want the confirmation", got)
	}
	b.submit("#broken-"+row.ID+" a.apology-link", 200)
	chosen, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(s => s && s.selectedOptions.length ? s.selectedOptions[0].textContent : "")(document.querySelector("#repairs"))`))
	if err != nil || !strings.Contains(chosen, row.What) {
		b.fail("the apology form chose %q, want the breach of %q", chosen, row.What)
	}
	if got := b.text("#apology-advice"); !strings.Contains(got, "owning what happened") {
		b.fail("no advice beside the apology form: %q", got)
	}
	b.checkNoOverflow("the apology form"+at, false)
	shot("apology")
	b.do("own it", chromedp.Click(chromedp.CSS(`input[name=acknowledges]`)))
	b.do("offer to put it right", chromedp.Click(chromedp.CSS(`input[name=offers_repair]`)))
	b.submit(`form[action="/log/apology"] button[type=submit]`, 200)
	b.wantFlash("Logged: your apology to")
	if got := b.text("#repair"); !strings.Contains(got, "Apology logged") || !strings.Contains(got, "owning it and offering to put it right") {
		b.fail("the person page after the apology: %q", got)
	}
	b.checkNoOverflow("the person page after the apology"+at, false)

	// Monday's weekly email, over SMTP.
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
	var subject, text string
	n := 0
	for _, msg := range smtp.Messages() {
		if len(msg.To) == 1 && msg.To[0] == email {
			if sub, txt := readText(t, msg.Data); strings.HasPrefix(sub, "This week's step") {
				subject, text = sub, txt
				n++
			}
		}
	}
	if n != 1 || !strings.Contains(subject, person) {
		t.Fatalf("%d weekly emails for %s, want one about %s: %q\n%s", n, email, person, subject, text)
	}
	link := regexp.MustCompile(`Accept it: ` + regexp.QuoteMeta(s.URL) + `(/d/[A-Z2-7]{26})\n`).FindStringSubmatch(text)
	if link == nil {
		t.Fatalf("no accept link in the weekly email:\n%s", text)
	}
	b.open(link[1], 200)
	b.checkNoOverflow("the accept link's page"+at, false)
	b.submit("#step-link-button", 200)
	if got := b.text("#step-link-result"); !strings.Contains(got, "You accepted this week's step") {
		b.fail("the accept link's button: %q", got)
	}
	b.open("/", 200)
	if d := b.dashboard(); !strings.Contains(d.Card, "Status: accepted") {
		b.fail("after the link, the dashboard's step: %q", d.Card)
	}
	// The second use changes nothing and says so.
	b.open(link[1], 409)
	if got := b.text("#step-link-message"); !strings.Contains(got, "This link was used already") {
		b.fail("the used link: %q", got)
	}
	if b.count("#step-link-button") != 0 {
		b.fail("the used link still offers its button")
	}
	b.checkNoOverflow("the used link's page"+at, false)
	shot("used-link")
}

// dialogLog is what the pages asked through window.confirm, each
// accepted as a person who means it would.
type dialogLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *dialogLog) last() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.msgs) == 0 {
		return ""
	}
	return l.msgs[len(l.msgs)-1]
}

// answerDialogs accepts every dialog the pages open (the confirmation
// app.js asks before a form marked data-confirm) and records its message.
// The listener may not call the browser itself, so a goroutine answers.
func (b *browser) answerDialogs() *dialogLog {
	b.t.Helper()
	log := &dialogLog{}
	opened := make(chan string, 16)
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if e, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			opened <- e.Message
		}
	}); err != nil {
		b.fail("listen for dialogs: %v", err)
	}
	go func() {
		for {
			select {
			case msg := <-opened:
				log.mu.Lock()
				log.msgs = append(log.msgs, msg)
				log.mu.Unlock()
				_, _ = chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
			case <-b.ctx.Done():
				return
			}
		}
	}()
	return log
}
