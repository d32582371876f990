package e2e

import (
	"bufio"
	"fmt"
	"net"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/trustledger/trustledger/internal/demo"
	"github.com/trustledger/trustledger/internal/mail/mailtest"
)

// demoTeam is everyone the demo's story names, each of whom the map must
// show.
var demoTeam = []string{"Ana", "Ben", "Chen", "Dara", "Femi", demo.Newcomer}

// TestBrowserFirstMinutes is what a new user does in the first minutes,
// at a desktop's width and at a phone's, with the page scripts on: run
// `trustledger serve --demo` (the binary, built from this repository, in a
// process of its own, mailing through a real SMTP server), sign in with
// the login it prints, find every person on the map, read why this week's
// step is for this person, log an apology for a promise they broke on the
// web, and receive the weekly email, whose accept link works once and
// only once. At both widths nothing on the way is cut off at the screen's
// edge and nothing on the map is printed over anything else.
//
// The server's clock is set (the hidden --now) to a Monday morning just
// after the leader's weekly email is due, so its tick sends it at once.
func TestBrowserFirstMinutes(t *testing.T) {
	bin := buildTrustledger(t)
	for _, width := range []int64{1280, 390} {
		t.Run(fmt.Sprintf("%dpx", width), func(t *testing.T) { firstMinutes(t, bin, width) })
	}
}

func firstMinutes(t *testing.T, bin string, width int64) {
	srv := serveDemo(t, bin, weeklyNow)
	email, password := srv.Email, srv.Password
	b := newBrowser(t, srv.URL, scriptsOn)
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

	// Monday's weekly email, sent by the server's own tick and mail
	// worker over SMTP.
	var subject, text string
	deadline := time.Now().Add(30 * time.Second)
	for subject == "" && time.Now().Before(deadline) {
		for _, msg := range srv.SMTP.Wait(1, time.Second) {
			if len(msg.To) == 1 && msg.To[0] == email {
				if sub, txt := readText(t, msg.Data); strings.HasPrefix(sub, "This week's step") {
					if subject != "" {
						t.Fatalf("two weekly emails for %s: %q and %q", email, subject, sub)
					}
					subject, text = sub, txt
				}
			}
		}
		if subject == "" {
			time.Sleep(100 * time.Millisecond)
		}
	}
	if !strings.Contains(subject, person) {
		t.Fatalf("the weekly email for %s is %q, want one about %s:\n%s", email, subject, person, text)
	}
	link := regexp.MustCompile(`Accept it: ` + regexp.QuoteMeta(srv.URL) + `(/d/[A-Z2-7]{26})\n`).FindStringSubmatch(text)
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

// demoServer is `trustledger serve --demo` running in a process of its own.
type demoServer struct {
	URL             string
	Email, Password string // the demo login it printed
	SMTP            *mailtest.Server
}

// buildTrustledger builds the command from this repository into the
// test's temp dir.
func buildTrustledger(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil && os.Getenv(envChromium) == "" && os.Getenv(envStrict) != "1" {
		t.Skipf("Chromium is not at %s: the browser walk is skipped, so is the build", chromiumPath)
	}
	bin := filepath.Join(t.TempDir(), "trustledger")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/trustledger")
	cmd.Dir = repoRoot(t)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/trustledger: %v\n%s", err, out)
	}
	return bin
}

// serveDemo starts `serve --demo` with its clock at now, mailing through
// a test SMTP server, and waits for the demo login it prints.
func serveDemo(t *testing.T, bin string, now time.Time) *demoServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	// The browser reaches the process through a proxy that keeps the
	// pages it serves, for html-validate (htmlpages_test.go); the proxy's
	// address is the server's base URL, so mailed links lead through it.
	target := &url.URL{Scheme: "http", Host: addr}
	pages := newPageLog()
	proxy := httptest.NewServer(collectPages(httputil.NewSingleHostReverseProxy(target), pages))
	t.Cleanup(proxy.Close)
	validateOnCleanup(t, pages)
	d := &demoServer{URL: proxy.URL, SMTP: mailtest.Start(t)}
	cmd := exec.Command(bin, "serve", "--demo", "--addr", addr, "--base-url", d.URL,
		"--smtp", d.SMTP.URL("trustledger@demo.trustledger.local"),
		"--now", now.Format(time.RFC3339), "--tick-every", "200ms", "--mail-poll", "100ms")
	// The demo's temporary database goes under the test's temp dir.
	cmd.Env = append(os.Environ(), "TMPDIR="+t.TempDir())
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	login := regexp.MustCompile(`Demo login: (\S+)\s+password: (\S+)`)
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(60 * time.Second)
	for d.Email == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("serve --demo ended without a demo login:\n%s", stderr.String())
			}
			if m := login.FindStringSubmatch(line); m != nil {
				d.Email, d.Password = m[1], m[2]
			}
		case <-timeout:
			t.Fatalf("serve --demo printed no demo login in a minute:\n%s", stderr.String())
		}
	}
	go func() {
		for range lines { // keep the pipe drained
		}
	}()
	return d
}
