package web

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

var patternRE = regexp.MustCompile(`^(?:(GET|POST|PUT|PATCH|DELETE|HEAD) )?(/\S*)$`)

// routePatterns lists every pattern registered on the mux, by reading the
// package's source: each string literal passed to a Handle, HandleFunc,
// handle or handlePublic call. ServeMux cannot list its patterns, and
// reading the source means a route added in any file (pages_*.go
// included) is tried by the tests below without anyone listing it again.
func routePatterns(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	seen := map[string]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		file, err := parser.ParseFile(fset, f, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			switch sel.Sel.Name {
			case "Handle", "HandleFunc", "handle", "handlePublic":
			default:
				return true
			}
			for _, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				p, err := strconv.Unquote(lit.Value)
				if err == nil && patternRE.MatchString(p) {
					seen[p] = true
				}
			}
			return true
		})
	}
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	sort.Strings(out)
	if len(out) < 20 {
		t.Fatalf("found only %d route patterns: %v", len(out), out)
	}
	return out
}

// splitPattern gives a pattern's method (GET when it has none) and path.
func splitPattern(p string) (method, path string) {
	m := patternRE.FindStringSubmatch(p)
	method, path = m[1], m[2]
	if method == "" {
		method = "GET"
	}
	path = strings.TrimSuffix(path, "{$}")
	return method, path
}

// inlineRE finds what the CSP default-src 'self' would block: style
// attributes and elements, inline scripts and event handlers.
var inlineRE = regexp.MustCompile(`(?i)\sstyle=|<style|<script>|<script [^>]*>[^<]|\son[a-z]+=`)

var wildcardRE = regexp.MustCompile(`\{([^}.]+)(\.\.\.)?\}`)

// fill substitutes every wildcard of path with v.
func fill(path, v string) string {
	return wildcardRE.ReplaceAllString(path, url.PathEscape(v))
}

// victim is leader A's data: one of everything, with names no other
// leader's page may ever show.
type victim struct {
	acc     *account
	ids     []string // every id A owns
	markers []string
}

func seedVictim(t *testing.T, e *env, acc *account) victim {
	t.Helper()
	ctx, l := context.Background(), acc.User.LeaderID
	v := victim{acc: acc, markers: []string{"Anastasia-A", "secret-note-A", "promise-text-A", "decision-text-A", "journal-text-A", "Skunkworks-A"}}
	tm, err := e.app.AddTeam(ctx, l, "Skunkworks-A")
	must(t, err)
	rel, err := e.app.AddPerson(ctx, l, tl.PersonInput{Name: "Anastasia-A", Email: "a1@example.org", Kind: engine.DirectReport, Power: map[string]int{"coercive": 4}})
	must(t, err)
	ev, err := e.app.Log(ctx, l, tl.EventInput{Who: "Anastasia-A", Kind: engine.KindDismissed, Note: "secret-note-A", Severity: engine.Major})
	must(t, err)
	pr, err := e.app.AddPromise(ctx, l, tl.PromiseInput{To: "Anastasia-A", What: "promise-text-A", Due: start.Add(48 * time.Hour)})
	must(t, err)
	de, err := e.app.Decide(ctx, l, tl.DecisionInput{What: "decision-text-A", Affects: "Anastasia-A"})
	must(t, err)
	jo, err := e.app.AddJournal(ctx, l, 1, "journal-text-A")
	must(t, err)
	e.team(acc, "Boris-A", "a2@example.org", "Cora-A", "a3@example.org")
	// A's three people count toward k, so A can ask them in a pulse.
	e.counted("a1@example.org", "a2@example.org", "a3@example.org")
	pl, err := e.app.LaunchPulse(ctx, l, tl.PulseInput{K: 3, Question: "pulse-question-A"})
	must(t, err)
	ck, _, err := e.app.AskCheckin(ctx, l, "Anastasia-A", tl.DeliveryLink)
	must(t, err)
	v.markers = append(v.markers, "pulse-question-A")
	v.ids = []string{tm.ID, rel.ID, ev.ID, pr.ID, de.ID, jo.ID, acc.User.ID, l, pl.Pulse.ID, ck.ID}
	if wk, err := e.app.Week(ctx, l); err == nil && wk.Step != nil {
		v.ids = append(v.ids, wk.Step.ID)
	}
	return v
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// probeForm is sent with every unsafe request: plausible values for the
// fields of every form, naming A's person where a name is asked for.
func probeForm() url.Values {
	return form("who", "Anastasia-A", "to", "Anastasia-A", "affects", "Anastasia-A", "person", "Anastasia-A",
		"name", "Anastasia-A", "kind", "promise-kept", "outcome", "kept", "status", "done", "note", "x",
		"text", "x", "what", "x", "why", "x", "due", "2026-03-10", "when", "2026-03-03", "value", "1", "question", "1")
}

func exportOf(t *testing.T, e *env, leader string) *tl.Backup {
	t.Helper()
	b, err := e.app.Export(context.Background(), leader)
	must(t, err)
	return b
}

// adminOnly are the routes with an {id} that only an owner or an
// administrator may use, whoever's id it is: approving the people leaders
// add (docs/ANONYMITY.md, rule 1).
var adminOnly = map[string]bool{"POST /approvals/{id}": true}

// TestEveryRouteAsAnotherLeader tries every registered route as leader B
// with each of leader A's ids: every route with an id answers 404 (403
// for the few only an administrator may use), no page shows A's data, and
// A's ledger is unchanged at the end.
func TestEveryRouteAsAnotherLeader(t *testing.T) {
	e := newEnv(t)
	owner := e.owner("Lena", "lena@example.org")
	a := seedVictim(t, e, owner)
	b := e.invite(owner, "Bruno", "bruno@example.org", tl.RoleLeader)
	ctx := context.Background()
	_, err := e.app.AddPerson(ctx, b.User.LeaderID, tl.PersonInput{Name: "Bea", Kind: engine.Peer})
	must(t, err)
	before := exportOf(t, e, a.acc.User.LeaderID)

	for _, p := range routePatterns(t) {
		if e.srv.public[p] {
			continue
		}
		method, path := splitPattern(p)
		t.Run(p, func(t *testing.T) {
			targets := []string{path}
			// Only {id} wildcards name a leader's rows; others ({name} of a
			// setting, say) are words every leader shares, so they are
			// checked for leaks and for A's data, not for 404.
			wantNotFound := true
			for _, m := range wildcardRE.FindAllStringSubmatch(path, -1) {
				if m[1] != "id" {
					wantNotFound = false
				}
			}
			if wildcardRE.MatchString(path) {
				targets = nil
				for _, id := range a.ids {
					targets = append(targets, fill(path, id))
				}
			}
			for _, target := range targets {
				var f url.Values
				if method != "GET" && method != "HEAD" {
					f = probeForm()
				}
				w := e.do(method, target, f, e.session(b.User))
				body := w.Body.String()
				switch {
				case target == path || !wantNotFound:
				case adminOnly[p]:
					// Refused before any id is looked at: the same answer
					// for every id tells nothing about which exist.
					if w.Code != http.StatusForbidden {
						t.Errorf("%s %s as a leader who is not an administrator: %d, want 403", method, target, w.Code)
					}
				case w.Code != http.StatusNotFound:
					t.Errorf("%s %s as another leader: %d, want 404", method, target, w.Code)
				}
				for _, m := range a.markers {
					if f != nil && f.Get("name") == m {
						continue // a form may echo what B typed
					}
					if strings.Contains(body, m) {
						t.Errorf("%s %s as another leader shows %q", method, target, m)
					}
				}
			}
		})
	}
	after := exportOf(t, e, a.acc.User.LeaderID)
	if d := cmp.Diff(before, after, cmpopts.IgnoreFields(tl.Backup{}, "Exported"), cmpopts.EquateEmpty()); d != "" {
		t.Fatalf("another leader's requests changed A's data (-before +after):\n%s", d)
	}
}

// TestEveryRouteHeaders checks every route, signed in and not, for the
// security headers, the login redirect, no-store and the 100 KB budget.
func TestEveryRouteHeaders(t *testing.T) {
	e := newEnv(t)
	owner := e.owner("Lena", "lena@example.org")
	a := seedVictim(t, e, owner)
	pats := routePatterns(t)
	pats = append(pats, "GET /static/app.css", "GET /static/chart.css", "GET /static/app.js", "GET /no/such/page")
	for _, p := range pats {
		method, path := splitPattern(p)
		targets := []string{path}
		if wildcardRE.MatchString(path) {
			targets = []string{fill(path, a.ids[1])} // A's person; other ids are tried above
		}
		for _, target := range targets {
			for _, as := range []*account{nil, owner} {
				var f url.Values
				if method != "GET" && method != "HEAD" {
					f = form()
				}
				var acc *account
				if as != nil {
					acc = e.session(as.User) // POST /logout ends a session
				}
				w := e.do(method, target, f, acc)
				name := method + " " + target
				if acc != nil {
					name += " (signed in)"
				}
				checkHeaders(t, name, w.Header())
				if w.Body.Len() > 100<<10 {
					t.Errorf("%s: %d bytes, over 100 KB", name, w.Body.Len())
				}
				public := e.srv.public[p] || strings.HasPrefix(path, "/static/")
				if acc == nil && !public {
					if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/login") {
						t.Errorf("%s without a session: %d to %q, want 303 to /login", name, w.Code, w.Header().Get("Location"))
					}
				}
				if !strings.HasPrefix(path, "/static/") && (acc != nil || !public) && w.Header().Get("Cache-Control") != "no-store" {
					t.Errorf("%s: Cache-Control %q, want no-store", name, w.Header().Get("Cache-Control"))
				}
				if acc != nil && method == "GET" && w.Code == 200 && strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
					if !strings.Contains(w.Body.String(), `href="/log"`) {
						t.Errorf("%s: no one-tap Log link", name)
					}
					if !regexp.MustCompile(`<title>[^<]+ · trustledger</title>`).MatchString(w.Body.String()) {
						t.Errorf("%s: the title does not say where you are", name)
					}
					if inline := inlineRE.FindString(w.Body.String()); inline != "" {
						t.Errorf("%s: %q breaks the CSP (no inline style or script)", name, inline)
					}
				}
			}
		}
	}
}

func checkHeaders(t *testing.T, name string, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
		"X-Content-Type-Options":  "nosniff",
		"Referrer-Policy":         "no-referrer",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %s = %q, want %q", name, k, got, v)
		}
	}
	if h.Get("X-Request-Id") == "" {
		t.Errorf("%s: no X-Request-Id", name)
	}
}
