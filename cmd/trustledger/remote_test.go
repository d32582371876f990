package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/web"
)

// remoteServer starts the web app with the API on db, with its clock read
// from the session's TRUSTLEDGER_NOW (the server's own clock in a test),
// signs Lena up and sets TRUSTLEDGER_SERVER and TRUSTLEDGER_TOKEN for the
// session's commands. Before each request it runs what is due, as the
// server's ticker would.
func remoteServer(t *testing.T, s *session, db *store.DB) *app.App {
	t.Helper()
	clock := func() time.Time {
		now, err := parseNow(s.env["TRUSTLEDGER_NOW"])
		if err != nil || s.env["TRUSTLEDGER_NOW"] == "" {
			t.Fatalf("the test server needs TRUSTLEDGER_NOW: %v", err)
		}
		return now
	}
	a := app.New(db, app.Options{Now: clock})
	srv, err := web.New(web.Config{Service: a, Now: clock, API: api.New(api.Config{Service: a})})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := a.Tick(r.Context()); err != nil {
			t.Errorf("tick: %v", err)
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(hs.Close)
	ctx := context.Background()
	u, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.com", Name: "Lena", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	_, token, err := a.CreateToken(ctx, u.ID, "cli", tl.ScopeWrite)
	if err != nil {
		t.Fatal(err)
	}
	s.env["TRUSTLEDGER_SERVER"] = hs.URL
	s.env["TRUSTLEDGER_TOKEN"] = token
	s.dbs = append(s.dbs, hs.URL)
	return a
}

// TestTourRemote runs the CLI tour (tourSteps) with --server against a running
// server (TRUSTLEDGER_SERVER and TRUSTLEDGER_TOKEN), on both databases,
// and expects the SQLite transcript, but for what only a local database
// does: init makes the leader (here: signing up), and the CLI's own tick
// reports promises the system broke (here: the server does it).
func TestTourRemote(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(goldenDir, "tour.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			s := newSession(t)
			steps := tourSteps("")
			s.env["TRUSTLEDGER_NOW"] = steps[0].now
			var db *store.DB
			var err error
			if name == "sqlite" {
				db, err = store.Open(context.Background(), filepath.Join(t.TempDir(), "server.db"))
			} else {
				db, err = store.Open(context.Background(), postgresDSN(t))
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			remoteServer(t, s, db)
			for _, st := range steps[1:] {
				s.run(st)
			}
			if got, want := s.out.String(), localOnly(string(want)); got != want {
				path := filepath.Join(os.TempDir(), "trustledger-tour-remote-"+name+".txt")
				_ = os.WriteFile(path, []byte(got), 0o644)
				t.Errorf("the remote transcript differs from testdata/golden/tour.txt; it is in %s", path)
			}
		})
	}
}

// localOnly removes from a transcript what only a local database prints:
// the init step, the CLI's own notices of promises it broke, and the
// restore into a second database after the tour.
func localOnly(transcript string) string {
	if i := strings.Index(transcript, "$ trustledger status --json\n\n$ trustledger --db restored.db"); i >= 0 {
		transcript = transcript[:i]
	}
	if i := strings.Index(transcript, "$ trustledger person add"); i >= 0 {
		transcript = transcript[i:]
	}
	var out strings.Builder
	for _, l := range strings.SplitAfter(transcript, "\n") {
		if !strings.Contains(l, "Broken by the system") {
			out.WriteString(l)
		}
	}
	return out.String()
}

// TestVoiceCommandsRemote runs the team-voice transcript with --server,
// the team reading its mail from the server's outbox, and expects the
// local transcript, but for token list: in remote mode the leader has an
// account (the token's), so it lists instead of refusing.
func TestVoiceCommandsRemote(t *testing.T) {
	s, db := remoteSQLite(t)
	a := remoteServer(t, s, db)
	voiceScript(s, remoteMailroom(t, s, a, db), true)
	want, err := os.ReadFile(filepath.Join(goldenDir, "voice.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := renumber(withoutTokenList(s.out.String())), renumber(withoutTokenList(localOnly(string(want)))); got != want {
		path := filepath.Join(os.TempDir(), "trustledger-voice-remote.txt")
		_ = os.WriteFile(path, []byte(got), 0o644)
		t.Errorf("the remote transcript differs from testdata/golden/voice.txt; it is in %s", path)
	}
	if !strings.Contains(s.out.String(), "cli") {
		t.Errorf("token list in remote mode does not show the CLI's token:\n%s", s.out.String())
	}
}

// withoutTokenList drops the token list blocks from a transcript.
func withoutTokenList(transcript string) string {
	var keep []string
	for _, b := range strings.SplitAfter(transcript, "\n\n") {
		if !strings.HasPrefix(b, "$ trustledger token list") {
			keep = append(keep, b)
		}
	}
	return strings.Join(keep, "")
}

// TestRemoteErrors: what remote mode refuses, and how it says so.
func TestRemoteErrors(t *testing.T) {
	s, db := remoteSQLite(t)
	remoteServer(t, s, db)
	server, token := s.env["TRUSTLEDGER_SERVER"], s.env["TRUSTLEDGER_TOKEN"]

	s.run(step{args: []string{"init"}})
	s.run(step{args: []string{"init", "--leader", "Sam"}, code: 2, err: "not available with --server"})
	s.run(step{args: []string{"--leader", "Sam", "status"}, code: 2, err: "this token acts for Lena"})
	s.run(step{args: []string{"backup", "./x.backup"}, code: 2, err: "run it on the server's machine"})
	s.run(step{args: []string{"restore", "./x.backup"}, code: 2, err: "run it on the server's machine"})
	s.run(step{args: []string{"serve"}, code: 2, err: "give it --db, not --server"})
	s.run(step{args: []string{"person", "add", "Ana", "--kind", "direct-report"}, quiet: true})
	s.run(step{args: []string{"log", "Nobody", "recognition"}, code: 1, err: "Nobody"})

	s.env["TRUSTLEDGER_TOKEN"] = ""
	s.run(step{args: []string{"status"}, code: 2, err: "needs an API token"})
	s.env["TRUSTLEDGER_TOKEN"] = "tl_wrong"
	s.run(step{args: []string{"status"}, code: 1, err: "not valid"})
	s.env["TRUSTLEDGER_TOKEN"] = token
	s.run(step{args: []string{"--server", "ftp://x", "status"}, code: 2, err: "is not an http(s) address"})
	s.run(step{args: []string{"--server", "http://127.0.0.1:1", "status"}, code: 1, err: "cannot reach trustledger at http://127.0.0.1:1"})

	// A read token reads and cannot write.
	a := app.New(db, app.Options{})
	u, err := a.Login(context.Background(), "lena@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	_, read, err := a.CreateToken(context.Background(), u.ID, "reader", tl.ScopeRead)
	if err != nil {
		t.Fatal(err)
	}
	s.run(step{args: []string{"--token", read, "person", "list"}})
	s.run(step{args: []string{"--token", read, "person", "add", "Ben", "--kind", "peer"}, code: 1, err: "may only read"})
	if s.env["TRUSTLEDGER_SERVER"] != server {
		t.Fatal("the server changed")
	}
}

var placeholder = regexp.MustCompile(`<ID\d+>`)

// renumber numbers the id placeholders of a transcript afresh, in order
// of appearance, so transcripts that drop a few ids still compare.
func renumber(transcript string) string {
	seen := map[string]string{}
	return placeholder.ReplaceAllStringFunc(transcript, func(p string) string {
		if n, ok := seen[p]; ok {
			return n
		}
		seen[p] = "<ID" + strconv.Itoa(len(seen)+1) + ">"
		return seen[p]
	})
}

// TestProgramCommandsRemote: programs, consent and a roster from the
// command line against a server, each person with their own token.
func TestProgramCommandsRemote(t *testing.T) {
	s, db := remoteSQLite(t)
	a := remoteServer(t, s, db)
	ctx := context.Background()
	lena := s.env["TRUSTLEDGER_TOKEN"]
	owner, err := a.Login(ctx, "lena@example.com", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	tokens := map[string]string{}
	for name, u := range coachAndLeader(t, a, owner.ID) {
		if _, tokens[name], err = a.CreateToken(ctx, u.ID, "cli", tl.ScopeWrite); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(s.dir, "staff.csv"), []byte("email,name,role,team,leader_email\nann@example.org,Ann,member,Platform,sam@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.run(step{args: []string{"program", "create", "Spring cohort"}, capture: "p", match: "created"})
	s.run(step{args: []string{"program", "add-coach", "{p}", "cora@example.org"}})
	s.run(step{args: []string{"program", "add-leader", "{p}", "sam@example.org"}})
	s.run(step{args: []string{"roster", "import", "staff.csv", "--dry-run"}})
	s.run(step{args: []string{"roster", "import", "staff.csv"}})
	s.env["TRUSTLEDGER_TOKEN"] = tokens["Sam"]
	s.run(step{args: []string{"program", "consent", "{p}"}})
	s.run(step{args: []string{"journal", "answer", "1", "I asked before deciding"}})
	s.run(step{args: []string{"program", "create", "Mine"}, code: 1, err: "only"})
	s.env["TRUSTLEDGER_TOKEN"] = tokens["Cora"]
	s.run(step{args: []string{"program", "show", "{p}"}})
	s.run(step{args: []string{"program", "list"}})
	s.env["TRUSTLEDGER_TOKEN"] = lena
	out := s.out.String()
	for _, want := range []string{"now coaches", "All 1 lines are fine", "Imported 1 people", "now see your aggregates", "Rollup: 1 of 1 leaders consent", "Spring cohort"} {
		if !strings.Contains(out, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, out)
		}
	}
}

// remoteSQLite is a session on 2 November 2026 and a fresh SQLite file
// for its server.
func remoteSQLite(t *testing.T) (*session, *store.DB) {
	t.Helper()
	s := newSession(t)
	s.env["TRUSTLEDGER_NOW"] = "2026-11-02T09:00:00Z"
	db, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "server.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return s, db
}
