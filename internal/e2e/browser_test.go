package e2e

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/trustledger/trustledger/internal/testenv"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/demo"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
	"github.com/trustledger/trustledger/internal/web"
)

// updateScreenshot copies the demo dashboard's screenshot to
// docs/dashboard.png, the picture the README shows.
var updateScreenshot = flag.Bool("update-screenshot", false, "copy the demo dashboard screenshot to docs/dashboard.png")

// Environment the browser tests read.
const (
	// envStrict, when "1", turns a missing Chromium into a failure (CI).
	envStrict = testenv.Strict
	// envArtifacts names the directory screenshots are written to.
	envArtifacts = "TRUSTLEDGER_ARTIFACTS"
	// envChromium overrides where Chromium is (default /usr/bin/chromium).
	envChromium = "TRUSTLEDGER_CHROMIUM"
)

// chromiumPath is Debian's Chromium, the browser STYLE.md names.
const chromiumPath = "/usr/bin/chromium"

// testTimeout bounds one browser test, far above what it needs (seconds),
// so a hung browser fails the test instead of the whole package run.
const testTimeout = 90 * time.Second

// site is the web app served over a real SQLite database on 127.0.0.1.
type site struct {
	URL string
	App *app.App
	DB  *store.DB
	Now func() time.Time
	// Demo lets demo.Seed's team read its mail and confirm its addresses
	// in the past, as serve --demo does.
	Demo demo.Options
	// Pages is every HTML page the site served, validated when the test
	// ends (htmlpages_test.go).
	Pages *pageLog
}

// newSite starts the whole app in-process: a migrated SQLite file in a
// temp dir, the services, the web handler and an httptest server on
// 127.0.0.1 (a loopback origin, where Chromium keeps the __Host- session
// cookie over plain http). The clock stands still at now for the
// services and the pages alike, so dates, due windows and the week's step
// are the same on every run; no test sleeps. demoMode tells the login
// page it is a demo.
func newSite(t *testing.T, now time.Time, demoMode bool) *site {
	t.Helper()
	var travel atomic.Int64 // unix nanoseconds the demo travelled to; 0: now
	clock := func() time.Time {
		if at := travel.Load(); at != 0 {
			return time.Unix(0, at).UTC()
		}
		return now
	}
	db := storetest.OpenSQLite(t)
	a := app.New(db, app.Options{Now: clock})
	srv, err := web.New(web.Config{
		Service: a, Now: clock, Demo: demoMode,
		Writes:      func() int64 { return db.WriteStats().Writes },
		ScenarioDir: filepath.Join(repoRoot(t), "scenarios"),
		Logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatalf("web.New: %v", err)
	}
	pages := newPageLog()
	ts := httptest.NewServer(collectPages(srv.Handler(), pages))
	t.Cleanup(ts.Close)
	validateOnCleanup(t, pages)
	if !strings.HasPrefix(ts.URL, "http://127.0.0.1:") {
		t.Fatalf("test server listens on %s, want 127.0.0.1", ts.URL)
	}
	return &site{URL: ts.URL, App: a, DB: db, Now: clock, Pages: pages, Demo: demo.Options{
		Mailbox: func(ctx context.Context) ([]mail.Letter, error) {
			return mail.DeliverInProcess(ctx, db, a.MailRenderer(""), clock)
		},
		Travel: func(at time.Time) {
			if at.IsZero() {
				travel.Store(0)
			} else {
				travel.Store(at.UnixNano())
			}
		},
	}}
}

// repoRoot is the module root, two levels above this package.
func repoRoot(t testing.TB) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatalf("no go.mod at %s: %v", root, err)
	}
	return root
}

// browser is one headless Chromium with one tab, bound to a test.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string  // the site's URL, prepended to paths
	js   scripts // whether page scripts run
}

// scripts says whether the pages' own JavaScript runs.
type scripts bool

const (
	scriptsOn  scripts = true
	scriptsOff scripts = false
)

// newBrowser starts Debian's Chromium headless with the flags STYLE.md
// lists and a fresh temp user-data dir (chromedp makes one per browser and
// removes it when the browser ends, since no UserDataDir is given). Without
// Chromium the test is skipped, or fails when TRUSTLEDGER_TEST_STRICT=1.
func newBrowser(t *testing.T, base string, js scripts) *browser {
	t.Helper()
	return newBrowsers(t, base, js)[0]
}

// newBrowsers starts one browser per js at once: each Chromium takes most
// of a second to start, so a test with a leader's and a member's browser
// waits for one start, not two.
func newBrowsers(t *testing.T, base string, js ...scripts) []*browser {
	t.Helper()
	path := chromiumPath
	if p := os.Getenv(envChromium); p != "" {
		path = p
	}
	if _, err := os.Stat(path); err != nil {
		msg := fmt.Sprintf("Chromium is not at %s (%v): install Debian's chromium package (apt-get install chromium) "+
			"or set %s to a Chromium binary to run the browser tests", path, err, envChromium)
		testenv.Missing(t, msg)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("mute-audio", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.WindowSize(1280, 900),
	}
	out := make([]*browser, len(js))
	errs := make([]error, len(js))
	var wg sync.WaitGroup
	for i, j := range js {
		// The deadline covers the browser's life: chromedp ties the process
		// to the context of the first Run, so the timeout is set here, not
		// per step.
		root, cancelRoot := context.WithTimeout(context.Background(), testTimeout)
		actx, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
		ctx, cancelTab := chromedp.NewContext(actx)
		t.Cleanup(func() {
			cancelTab()
			cancelAlloc() // waits for the process to end and its dir to go
			cancelRoot()
		})
		out[i] = &browser{t: t, ctx: ctx, base: base, js: j}
		wg.Go(func() { errs[i] = out[i].start() })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("start %s: %v", path, err)
		}
	}
	return out
}

// start runs the browser's process and readies its tab. It may run beside
// other browsers' starts, so it reports instead of failing the test.
func (b *browser) start() error {
	if err := chromedp.Do(b.ctx); err != nil {
		return err
	}
	if b.js == scriptsOff {
		// Page scripts off, as for a visitor without JavaScript; the test
		// still reads the DOM through DevTools.
		if _, err := chromedp.Call(b.ctx, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			return fmt.Errorf("turn page scripts off: %w", err)
		}
		return nil
	}
	// Record every Content-Security-Policy violation of every page (an
	// inline style or script the CSP blocked), for checkCSP.
	if _, err := chromedp.Call(b.ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: cspProbe}); err != nil {
		return fmt.Errorf("add the CSP probe: %w", err)
	}
	return nil
}

// cspProbe collects the page's CSP violations in window.__tlCSP. DevTools
// runs it before the page's own scripts, outside the page's CSP.
const cspProbe = `window.__tlCSP = [];
document.addEventListener("securitypolicyviolation", e =>
	window.__tlCSP.push(e.effectiveDirective + " blocked " + (e.blockedURI || "?") + " at " + (e.sourceFile || location.pathname) + ":" + e.lineNumber));`

// checkCSP fails when the page broke its Content-Security-Policy: the
// browser blocked something the page meant to use, such as an inline
// style in a chart, so the page does not look as intended. Only with page
// scripts on, where the probe runs.
func (b *browser) checkCSP(what string) {
	b.t.Helper()
	if b.js != scriptsOn {
		return
	}
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`window.__tlCSP || ["the CSP probe did not run"]`))
	if err != nil {
		b.fail("%s: read CSP violations: %v", what, err)
	}
	if len(v) > 0 {
		b.fail("%s: the page broke its Content-Security-Policy: %q", what, v)
	}
}

// fail stops the test with the page the browser is on, to see what went
// wrong.
func (b *browser) fail(format string, args ...any) {
	b.t.Helper()
	msg := fmt.Sprintf(format, args...)
	if loc, err := chromedp.Run(b.ctx, chromedp.Location()); err == nil {
		msg += "\n  at " + loc
	}
	if body, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.querySelector("main") ? document.querySelector("main").innerText : document.body.innerText`)); err == nil {
		if len(body) > 3000 {
			body = body[:3000] + "…"
		}
		msg += "\n  page text:\n" + body
	}
	b.t.Fatal(msg)
}

// do runs steps that return nothing.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.fail("%s: %v", what, err)
	}
}

// stepTimeout bounds one navigation, so a click that loads nothing (a
// form the browser refuses to submit, say) fails fast with its selector.
const stepTimeout = 20 * time.Second

// open loads path and checks the final status (after redirects).
func (b *browser) open(path string, wantStatus int64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(b.base+path))
	if err != nil {
		b.fail("open %s: %v", path, err)
	}
	b.checkStatus("open "+path, resp, wantStatus)
	b.checkCSP("open " + path)
}

// submit clicks a button (or link) like a person does and waits for the
// page that answers; it checks that page's status, after redirects.
func (b *browser) submit(sel string, wantStatus int64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.fail("click %s: %v", sel, err)
	}
	b.checkStatus("click "+sel, resp, wantStatus)
	b.checkCSP("click " + sel)
}

func (b *browser) checkStatus(what string, resp *network.Response, want int64) {
	b.t.Helper()
	if resp == nil {
		b.fail("%s: no response", what)
	}
	if resp.Status != want {
		b.fail("%s: status %d, want %d", what, resp.Status, want)
	}
}

// fill sets a form field's value (an input, a select or a textarea).
func (b *browser) fill(sel, value string) {
	b.t.Helper()
	b.do("fill "+sel, chromedp.SetValue(chromedp.CSS(sel), value))
}

// typeIn types text into an empty field with key events, as a person
// would. (chromedp v0.23's SetValue cannot set "", and its Clear needs a
// text node in a textarea, so a field with a value is filled instead.)
func (b *browser) typeIn(sel, text string) {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		b.fail("value of %s: %v", sel, err)
	}
	if v != "" {
		b.fill(sel, text)
		return
	}
	b.do("type into "+sel, chromedp.SendKeys(chromedp.CSS(sel), text))
}

// text is the rendered text of the first element matching sel.
func (b *browser) text(sel string) string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		b.fail("text of %s: %v", sel, err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// texts is the rendered text of every element matching sel, in document
// order, whitespace collapsed; none is an empty list (no waiting).
func (b *browser) texts(sel string) []string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](fmt.Sprintf(
		`Array.from(document.querySelectorAll(%q), e => (e.innerText || e.textContent).split(/\s+/).filter(Boolean).join(" "))`, sel)))
	if err != nil {
		b.fail("texts of %s: %v", sel, err)
	}
	return out
}

// count is how many elements match sel now (no waiting).
func (b *browser) count(sel string) int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
	if err != nil {
		b.fail("count %s: %v", sel, err)
	}
	return n
}

// attr is an attribute of the first element matching sel ("" when absent).
func (b *browser) attr(sel, name string) string {
	b.t.Helper()
	r, err := chromedp.Run(b.ctx, chromedp.AttributeValue(chromedp.CSS(sel), name))
	if err != nil {
		b.fail("attribute %s of %s: %v", name, sel, err)
	}
	return r.Value
}

// title is the document's title.
func (b *browser) title() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Title())
	if err != nil {
		b.fail("title: %v", err)
	}
	return s
}

// path is the path of the page the browser shows.
func (b *browser) path() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.fail("location: %v", err)
	}
	return strings.TrimPrefix(loc, b.base)
}

// flash is the confirmation the page shows after an action ("" for none).
func (b *browser) flash() string {
	b.t.Helper()
	if b.count(".flash") == 0 {
		return ""
	}
	return b.text(".flash p")
}

// wantFlash checks the confirmation contains every part.
func (b *browser) wantFlash(parts ...string) {
	b.t.Helper()
	got := b.flash()
	for _, p := range parts {
		if !strings.Contains(got, p) {
			b.fail("confirmation %q lacks %q", got, p)
		}
	}
}

// wantTitle checks the page title says where we are.
func (b *browser) wantTitle(want string) {
	b.t.Helper()
	if got := b.title(); got != want {
		b.fail("title %q, want %q", got, want)
	}
}

// screenshot saves a full-page PNG as a test artifact and returns its
// path.
func (b *browser) screenshot(name string) string {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fail("screenshot %s: %v", name, err)
	}
	if len(png) < 8 || string(png[1:4]) != "PNG" {
		b.fail("screenshot %s is not a PNG (%d bytes)", name, len(png))
	}
	dir := artifactDir(b.t)
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatalf("write %s: %v", p, err)
	}
	b.t.Logf("screenshot: %s (%d KB)", p, len(png)/1024)
	return p
}

// artifactDir is where screenshots go: $TRUSTLEDGER_ARTIFACTS, else
// trustledger-artifacts in the system's temp dir (kept after the test so
// a person or CI can pick them up).
func artifactDir(t testing.TB) string {
	t.Helper()
	dir := os.Getenv(envArtifacts)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "trustledger-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("artifacts dir: %v", err)
	}
	return dir
}

// copyFile copies a file, for the screenshot the README shows.
func copyFile(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if len(b) == 0 {
		return errors.New("empty file " + src)
	}
	return os.WriteFile(dst, b, 0o644)
}

// dashboardView is what the dashboard shows, read from the DOM.
type dashboardView struct {
	Points []string          // the map's points, by their hover titles
	Rows   map[string]string // relationship list: person → the row's text
	Order  []string          // persons in list order
	Step   string            // this week's step: who, the move, what to do ("" when none)
	Why    string            // why this person, why this move
	Card   string            // the whole step card, its status included
	Due    []string          // promises due and overdue
}

// dashboard reads the dashboard the browser shows.
func (b *browser) dashboard() dashboardView {
	b.t.Helper()
	if p := b.path(); p != "/" {
		b.fail("reading the dashboard at %s", p)
	}
	v := dashboardView{
		Points: b.texts(".tl-points .tl-mark > title"),
		Rows:   map[string]string{},
		Due:    b.texts(`section[aria-labelledby=due-h] li`),
	}
	for _, row := range b.texts("ul.rels > li") {
		name, _, _ := strings.Cut(row, " ")
		v.Rows[name] = row
		v.Order = append(v.Order, name)
	}
	if b.count(".step") > 0 {
		// The step itself (who, which move, what to do); the sentence on
		// why follows the ledger's numbers as they move during the week.
		v.Step = strings.Join(b.texts(".step > p:nth-of-type(-n+2)"), " ")
		v.Why = strings.Join(b.texts("#step-why"), " ")
		v.Card = b.text(".step")
	}
	return v
}

// confirmListeners counts the forms marked data-confirm that have a submit
// listener: static/app.js adds one to each, so it tells whether the page's
// script ran (under the CSP, from /static/app.js). It fails when the page
// has no such form.
func (b *browser) confirmListeners() int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`(() => {
		const forms = Array.from(document.querySelectorAll("form[data-confirm]"));
		if (forms.length === 0) return -1;
		return forms.filter(f => (getEventListeners(f).submit || []).length > 0).length;
	})()`, chromedp.EvalWithCommandLineAPI))
	if err != nil {
		b.fail("count submit listeners: %v", err)
	}
	if n < 0 {
		b.fail("no form on this page asks before submitting")
	}
	return n
}

// darkMode makes the pages see prefers-color-scheme: dark (or light).
func (b *browser) darkMode(on bool) {
	b.t.Helper()
	scheme := "light"
	if on {
		scheme = "dark"
	}
	_, err := chromedp.Call(b.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
	if err != nil {
		b.fail("emulate %s colour scheme: %v", scheme, err)
	}
}

// overflow is how many CSS pixels the page is wider than the viewport
// (0 when nothing scrolls sideways).
func (b *browser) overflow() int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`Math.max(0, document.documentElement.scrollWidth - window.innerWidth)`))
	if err != nil {
		b.fail("measure the page width: %v", err)
	}
	return n
}

// tabTo presses Tab, as a keyboard user does, until the element matching
// sel has the focus, and checks the focus can be seen (an outline). It
// fails after max presses.
func (b *browser) tabTo(sel string, max int) {
	b.t.Helper()
	for i := 0; i < max; i++ {
		b.do("press Tab", chromedp.KeyEvent(kb.Tab))
		at, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.activeElement.matches(%q)`, sel)))
		if err != nil {
			b.fail("check the focus: %v", err)
		}
		if !at {
			continue
		}
		outline, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](
			`(s => s.outlineStyle === "none" ? "" : s.outlineWidth + " " + s.outlineStyle)(getComputedStyle(document.activeElement))`))
		if err != nil {
			b.fail("read the focus outline: %v", err)
		}
		if outline == "" || strings.HasPrefix(outline, "0px") {
			b.fail("%s has the keyboard focus but no visible outline (%q)", sel, outline)
		}
		return
	}
	b.fail("%d presses of Tab never reached %s", max, sel)
}

// pressEnter presses Enter on the focused element and waits for the page
// that answers, checking its status.
func (b *browser) pressEnter(wantStatus int64) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.KeyEvent(kb.Enter))
	if err != nil {
		b.fail("press Enter: %v", err)
	}
	b.checkStatus("press Enter", resp, wantStatus)
	b.checkCSP("press Enter")
}

// signupMaya makes the first account, Maya's, through the signup page.
func (b *browser) signupMaya() {
	b.t.Helper()
	b.open("/signup", 200)
	b.typeIn("#name", "Maya")
	b.typeIn("#email", "maya@example.org")
	b.typeIn("#password", "a long enough password")
	b.typeIn("#password2", "a long enough password")
	b.submit(`form[action="/signup"] button[type=submit]`, 200)
}

// signInMaya signs Maya in again through the login page (where the site
// sent the browser, or opened here), after her session ended.
func (b *browser) signInMaya() {
	b.t.Helper()
	if !strings.HasPrefix(b.path(), "/login") {
		b.open("/login", 200)
	}
	b.typeIn("#email", "maya@example.org")
	b.typeIn("#password", "a long enough password")
	b.submit(`form[action="/login"] button[type=submit]`, 200)
}
