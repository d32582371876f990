package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Every page a browser test loads is validated as the server sent it
// (not the DOM after scripts ran) with html-validate, under the rules in
// testdata/htmlvalidate.json; testdata/README.md says why each rule that
// is off is off. The site's handler is wrapped (collectPages), and when
// the test ends its pages are written to a temp dir and validated in one
// run of the pinned html-validate (validatePages). Without npx the
// validation is skipped with a message, or fails when
// TRUSTLEDGER_TEST_STRICT=1.

// htmlValidate is the pinned html-validate; .ci/run fetches it ahead of
// the tests. Version 10 runs on Node.js 20, Debian's and CI's; 11 needs
// Node.js 22.22 or later.
var htmlValidate = []string{"--yes", "html-validate@10.14.0"}

// perRoute caps how many different bodies of one route (method, path
// with its ids and tokens generalised, status) are kept: the first few
// states of a page (empty, filled, with a confirmation) catch what one
// would miss, and the cap keeps a long test's validation quick.
const perRoute = 4

// servedPage is one HTML answer the site gave.
type servedPage struct {
	Route string // "GET /people/{id} 200"
	URL   string // the request's path and query, for the report
	Body  []byte
}

// pageLog keeps the HTML answers of one site, de-duplicated by route and
// body.
type pageLog struct {
	mu     sync.Mutex
	pages  []servedPage
	seen   map[[32]byte]bool
	routes map[string]int // route → bodies kept
	// checked is set by a test that validates the pages itself.
	checked bool
}

func newPageLog() *pageLog {
	return &pageLog{seen: map[[32]byte]bool{}, routes: map[string]int{}}
}

// add keeps a page unless its body was seen or its route has perRoute
// bodies already.
func (l *pageLog) add(p servedPage) {
	sum := sha256.Sum256(p.Body)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[sum] || l.routes[p.Route] >= perRoute {
		return
	}
	l.seen[sum] = true
	l.routes[p.Route]++
	l.pages = append(l.pages, p)
}

// snapshot is the pages kept so far, in the order they were served.
func (l *pageLog) snapshot() []servedPage {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.pages)
}

// routeNames is the distinct routes (without the status) kept so far.
func (l *pageLog) routeNames() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for r := range l.routes {
		out = append(out, r)
	}
	slices.Sort(out)
	return out
}

// collectPages wraps the site's handler: every answer with an HTML body
// is kept in l, decompressed when the site gzipped it.
func collectPages(h http.Handler, l *pageLog) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &pageRecorder{ResponseWriter: w}
		h.ServeHTTP(rec, r)
		if !rec.html {
			return
		}
		body := rec.buf.Bytes()
		if strings.EqualFold(w.Header().Get("Content-Encoding"), "gzip") {
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				return
			}
			if body, err = io.ReadAll(zr); err != nil {
				return
			}
		}
		status := rec.status
		if status == 0 {
			status = http.StatusOK
		}
		if status >= 300 && status < 400 {
			return // a redirect's "See Other" line, not a page
		}
		l.add(servedPage{
			Route: fmt.Sprintf("%s %s %d", r.Method, routeOf(r.URL.Path), status),
			URL:   r.URL.RequestURI(),
			Body:  slices.Clone(body),
		})
	})
}

// pageRecorder copies an HTML body on its way to the client.
type pageRecorder struct {
	http.ResponseWriter
	status  int
	decided bool
	html    bool
	buf     bytes.Buffer
}

func (p *pageRecorder) decide() {
	if p.decided {
		return
	}
	p.decided = true
	mt, _, _ := mime.ParseMediaType(p.Header().Get("Content-Type"))
	p.html = mt == "text/html"
}

func (p *pageRecorder) WriteHeader(code int) {
	if p.status == 0 && code >= 200 {
		p.status = code
		p.decide()
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *pageRecorder) Write(b []byte) (int, error) {
	p.decide()
	if p.html {
		p.buf.Write(b)
	}
	return p.ResponseWriter.Write(b)
}

// Flush and Unwrap keep streaming answers (the roster job's progress)
// streaming through the wrapper.
func (p *pageRecorder) Flush() {
	if f, ok := p.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (p *pageRecorder) Unwrap() http.ResponseWriter { return p.ResponseWriter }

// validateOnCleanup validates the pages in l when the test ends, after
// its browsers closed, unless the test failed or was skipped, or
// validated them itself (l.checked).
func validateOnCleanup(t *testing.T, l *pageLog) {
	t.Cleanup(func() {
		l.mu.Lock()
		checked := l.checked
		l.mu.Unlock()
		if checked || t.Failed() || t.Skipped() {
			return
		}
		n := validatePages(t, l.snapshot(), true)
		t.Logf("html-validate checked %d pages of %d routes", n, len(l.routeNames()))
	})
}

// tokenPrefixes are the first segments of the links whose second segment
// is a secret token (mailed or passed on links).
var tokenPrefixes = map[string]bool{"p": true, "c": true, "w": true, "v": true, "d": true, "u": true, "invite": true, "calendar": true}

// idSegment is a path segment that names a record: digits, or a long
// token.
var idSegment = regexp.MustCompile(`^(?:[0-9]+|[A-Za-z0-9_-]*[0-9][A-Za-z0-9_-]*|[A-Za-z0-9_-]{20,})$`)

// routeOf generalises a path to its route: ids become {id} and link
// tokens {token}, so /people/17 and /people/18 are one route.
func routeOf(path string) string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i, s := range segs {
		switch {
		case i == 1 && tokenPrefixes[segs[0]]:
			segs[i] = "{token}"
		case i > 0 && idSegment.MatchString(s):
			segs[i] = "{id}"
		}
	}
	return "/" + strings.Join(segs, "/")
}

// exempt is the few rules one route may break, each with why; every
// other route keeps every rule of testdata/htmlvalidate.json.
var exempt = map[[2]string]string{
	// The roster import's progress page reloads itself every second in
	// a browser without scripts (a <noscript> refresh; with scripts,
	// app.js polls instead), says so on the page, and stops once the
	// import ends: without it the page would never show the end.
	{"GET /roster/jobs/{id} 200", "meta-refresh"}: "the progress page's own refresh without scripts",
}

// htmlvalidateResult is one file of html-validate's JSON report.
type htmlvalidateResult struct {
	FilePath string `json:"filePath"`
	Messages []struct {
		RuleID   string `json:"ruleId"`
		Severity int    `json:"severity"` // 2: error, 1: warning
		Message  string `json:"message"`
		Line     int    `json:"line"`
		Column   int    `json:"column"`
		Selector string `json:"selector"`
	} `json:"messages"`
}

// npxPath finds npx, or skips the validation with a message (fails under
// TRUSTLEDGER_TEST_STRICT=1). ok is false when it skipped.
func npxPath(t testing.TB, inCleanup bool) (string, bool) {
	t.Helper()
	npx, err := exec.LookPath("npx")
	if err == nil {
		return npx, true
	}
	validatorMissing(t, inCleanup, "npx (Node.js) is not installed, so html-validate cannot check the pages the browser loaded: install nodejs and npm")
	return "", false
}

// validatorMissing skips, or fails under TRUSTLEDGER_TEST_STRICT=1; in a
// cleanup, after the test ran, it only logs instead of skipping.
func validatorMissing(t testing.TB, inCleanup bool, msg string) {
	t.Helper()
	switch {
	case os.Getenv(envStrict) == "1":
		t.Error(msg + " (" + envStrict + "=1 makes this a failure)")
	case inCleanup:
		t.Log(msg)
	default:
		t.Skip(msg)
	}
}

// validatePages writes the pages to a temp dir, one file each, runs
// html-validate over them under testdata/htmlvalidate.json, and reports
// every error and warning with the route, the address and the line of the
// page it is on. It returns how many files were validated.
func validatePages(t testing.TB, pages []servedPage, inCleanup bool) int {
	t.Helper()
	if len(pages) == 0 {
		return 0
	}
	npx, ok := npxPath(t, inCleanup)
	if !ok {
		return 0
	}
	config, err := filepath.Abs(filepath.Join("testdata", "htmlvalidate.json"))
	if err != nil {
		t.Fatal(err)
	}
	// Kept after a failure, to look at the pages as served.
	dir, err := os.MkdirTemp("", "trustledger-pages-")
	if err != nil {
		t.Fatal(err)
	}
	byFile := map[string]servedPage{}
	files := make([]string, 0, len(pages))
	for i, p := range pages {
		name := fmt.Sprintf("%03d%s.html", i, strings.NewReplacer("/", "_", " ", "_", "{", "", "}", "").Replace(p.Route))
		file := filepath.Join(dir, name)
		if err := os.WriteFile(file, p.Body, 0o600); err != nil {
			t.Fatal(err)
		}
		byFile[file] = p
		files = append(files, file)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	// The report goes to a file: Node may cut a long report short on a
	// pipe when html-validate exits.
	report := filepath.Join(dir, "report.json")
	args := append(append([]string{}, htmlValidate...), "--config", config, "--formatter", "json="+report)
	cmd := exec.CommandContext(ctx, npx, append(args, files...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "NO_COLOR=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var results []htmlvalidateResult
	text, err := os.ReadFile(report)
	if err == nil {
		err = json.Unmarshal(text, &results)
	}
	if err != nil {
		// No report: html-validate did not run (npx could not fetch it,
		// or the config is wrong), which is not the pages' fault.
		validatorMissing(t, inCleanup, fmt.Sprintf("html-validate did not run (%v): %s%s", runErr, stdout.Bytes(), stderr.Bytes()))
		return 0
	}
	var problems []string
	for _, res := range results {
		p, ok := byFile[res.FilePath]
		if !ok {
			p = servedPage{Route: res.FilePath}
		}
		lines := bytes.Split(p.Body, []byte("\n"))
		for _, m := range res.Messages {
			if _, ok := exempt[[2]string{p.Route, m.RuleID}]; ok {
				continue
			}
			kind := "error"
			if m.Severity == 1 {
				kind = "warning"
			}
			src := ""
			if m.Line >= 1 && m.Line <= len(lines) {
				src = strings.TrimSpace(string(lines[m.Line-1]))
				if len(src) > 160 {
					src = src[:160] + "…"
				}
			}
			problems = append(problems, fmt.Sprintf("%s (%s), line %d:%d: %s %s: %s\n      %s",
				p.Route, p.URL, m.Line, m.Column, kind, m.RuleID, m.Message, src))
		}
	}
	if len(problems) > 0 {
		t.Errorf("html-validate finds %d problems in the pages the site served (rules: %s; the pages are in %s):\n  %s",
			len(problems), config, dir, strings.Join(problems, "\n  "))
		return len(files)
	}
	// html-validate's exit status counts the exempt problems too: the
	// report, read above, is what counts.
	os.RemoveAll(dir)
	return len(files)
}
