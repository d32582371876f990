package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
)

// TestVoiceCommands covers the leader's side of team voice from the
// command line, and the team's side through the mail (see mailroom): who
// counts toward k and why not, addresses confirmed through mailed links,
// the week's wait, a launch refused until k people count, reminders to
// everyone asked, a pulse closed below k, then one released; check-ins,
// a window link that goes only by mail, and privacy.
func TestVoiceCommands(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db"}
	s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"init", "--leader", "Lena"}, quiet: true})
	voiceScript(s, localMailroom(t, s), false)
	s.golden("voice")
}

// TestBackupRestoreCommands: backup writes a file while the database is
// in use; restore loads it into a new database and refuses a used one.
func TestBackupRestoreCommands(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db", "./restored.db"}
	s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"init", "--leader", "Lena"}, quiet: true})
	s.run(step{args: []string{"person", "add", "Ana", "--kind", "direct-report"}, quiet: true})
	s.run(step{args: []string{"log", "Ana", "person-valued"}, quiet: true})
	s.run(step{args: []string{"backup", "./tl.backup"}})
	s.run(step{args: []string{"--db", "./restored.db", "restore", "./tl.backup"}})
	s.run(step{args: []string{"--db", "./restored.db", "person", "list"}})
	s.run(step{args: []string{"--db", "./restored.db", "restore", "./tl.backup"}, code: 1, err: "not empty"})
	s.run(step{args: []string{"--db", "./other.db", "restore", "./missing.backup"}, code: 2, err: "cannot read ./missing.backup"})
	s.golden("backup")
}

// TestTokenCommands: a leader with an account makes, lists and revokes
// API tokens from the command line; the token works until revoked.
func TestTokenCommands(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db"}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(s.dir, "trustledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, app.Options{})
	if _, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out := s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"token", "create", "nightly export", "--json"}, capture: "tok", match: `"id"`})
	var created struct {
		Token string `json:"token"`
		Scope string `json:"scope"`
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || !strings.HasPrefix(created.Token, "tl_") || created.Scope != "read" {
		t.Fatalf("token create: %q %v", out, err)
	}
	s.run(step{args: []string{"token", "create", "x", "--scope", "admin"}, code: 2, err: "admin"})
	s.run(step{args: []string{"token", "list"}})
	s.run(step{args: []string{"token", "revoke", "{tok}"}})
	s.run(step{args: []string{"token", "revoke", "{tok}"}, code: 1, err: "no live token"})
	db, err = store.Open(ctx, filepath.Join(s.dir, "trustledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := app.New(db, app.Options{}).TokenUser(ctx, created.Token); tl.ErrorCode(err) != tl.EUNAUTHORIZED {
		t.Fatalf("a revoked token still works: %v", err)
	}
}

// team is who the voice transcript asks.
var team = []string{"Ana", "Ben", "Cleo", "Dev", "Eve"}

// voiceScript is the team-voice transcript after init, in local mode or
// (remote) against a server whose leader has an account.
func voiceScript(s *session, m *mailroom, remote bool) {
	tokenList := step{args: []string{"token", "list"}, code: 1, err: "has no account yet"}
	if remote {
		tokenList = step{args: []string{"token", "list"}}
	}
	for _, p := range team {
		s.run(step{args: []string{"person", "add", p, "--kind", "direct-report", "--email", p + "@example.org"}, quiet: true})
	}
	s.run(step{args: []string{"person", "add", "Finn", "--kind", "direct-report", "--email", "finn@example.org"}})
	s.run(step{args: []string{"person", "email", "Ana", "not-an-address"}, code: 2, err: "is not an email address"})
	s.run(step{args: []string{"person", "email", "Eve", "eve@example.net"}})
	s.run(step{args: []string{"person", "voice"}})
	s.run(step{args: []string{"pulse", "list"}})
	s.run(step{args: []string{"pulse", "launch", "--link"}, code: 2, err: "unknown flag --link"})
	s.run(step{args: []string{"pulse", "launch", "--k", "2"}, code: 2, err: "at least 3 answers behind them, not 2"})
	s.run(step{args: []string{"pulse", "launch"}, code: 2, err: "your team has nobody who can be asked yet"})
	s.run(step{args: []string{"person", "window", "Ben"}, code: 2, err: "has not confirmed"})

	// The team confirms; Eve, whose address changed, waits for a new link.
	m.confirm("Ana", "Ben", "Cleo", "Dev")
	s.run(step{args: []string{"person", "voice"}})
	s.run(step{args: []string{"person", "confirm", "Ana"}, code: 1, err: "already confirmed"})
	s.run(step{args: []string{"person", "confirm", "Nobody"}, code: 1, err: "Nobody"})
	s.run(step{now: "2026-11-03T09:00:00Z", args: []string{"person", "confirm", "Eve"}})
	s.run(step{args: []string{"person", "confirm", "Finn", "--json"}})
	m.confirm("Eve")
	s.run(step{args: []string{"person", "voice", "--json"}})
	for i, args := range [][]string{{"person", "window", "Ben"}, {"person", "window", "Ben", "--json"}} {
		st := step{args: args}
		if i > 0 {
			st.now = "2026-11-03T10:00:00Z" // a new link, an hour later
		}
		if out := s.run(st); strings.Contains(out, "/w/") || strings.Contains(out, "token") {
			s.t.Errorf("person window shows the link:\n%s", out)
		}
	}
	m.window("Ben")

	// A week after confirming, people count; Eve a day later.
	s.run(step{now: "2026-11-09T10:00:00Z", args: []string{"pulse", "launch"}, code: 2, err: "your team has 4 people who can be asked"})
	s.run(step{now: "2026-11-10T10:00:00Z", args: []string{"pulse", "launch", "--k", "6"}, code: 2, err: "a pulse needs at least 6 answers"})
	s.run(step{args: []string{"pulse", "launch"}, capture: "p", match: "launched"})
	s.run(step{args: []string{"pulse", "launch"}, code: 1, err: "already has an open pulse"})
	s.run(step{args: []string{"pulse", "list"}})
	s.run(step{args: []string{"pulse", "show", "{p}"}})
	s.run(step{args: []string{"pulse", "self", "{p}", "a1=5,a2=5,b1=4,b2=4,i1=5,i2=4"}})
	s.run(step{args: []string{"pulse", "self", "{p}", "s1=5"}, code: 2, err: "not one of the questions"})
	m.answer(answersOf(4), "Ana", "Ben", "Cleo")
	s.run(step{args: []string{"pulse", "remind", "{p}"}})
	m.reminded(team...)
	m.answer(answersOf(3), "Dev")
	s.run(step{args: []string{"settings", "set", "anonymity_k", "4"}, code: 1, err: "fixed for a pulse"})
	s.run(step{now: "2026-11-11T09:00:00Z", args: []string{"pulse", "show", "{p}"}})
	s.run(step{args: []string{"pulse", "close", "{p}"}})

	// The next wave: everyone answers. Five asked is fewer than 2k, so no
	// count is shown while it is open, not even after the noon
	// publication (a count reaching 5 would say everyone answered); the
	// results show at the close.
	s.run(step{args: []string{"pulse", "launch", "--question", "What should I start doing?", "--json"}, capture: "p2", match: `"id"`})
	m.answer(answersOf(4), team...)
	s.run(step{args: []string{"pulse", "show", "{p2}"}})
	s.run(step{now: "2026-11-11T12:00:00Z", args: []string{"pulse", "show", "{p2}"}})
	s.run(step{args: []string{"pulse", "close", "{p2}"}})

	s.run(step{args: []string{"checkin", "ask", "Ana", "--link"}})
	s.run(step{args: []string{"checkin", "ask", "Ben"}})
	s.run(step{args: []string{"checkin", "list"}})
	s.run(step{args: []string{"person", "email", "Ana"}})
	s.run(step{args: []string{"person", "voice"}})
	s.run(step{args: []string{"person", "window", "Ana"}, code: 2, err: "has no email address"})
	s.run(step{args: []string{"checkin", "ask", "Ana"}})
	s.run(step{args: []string{"settings", "set", "share_say_do", "1"}})
	s.run(step{args: []string{"promise", "calendar"}})
	s.run(step{args: []string{"promise", "calendar", "--revoke"}})
	s.run(tokenList)
	s.run(step{args: []string{"webhook", "list"}})
	s.run(step{args: []string{"webhook", "add", "not a url"}, code: 2, err: "is not a web address"})
	s.run(step{args: []string{"webhook", "add", "https://hooks.example.org/x", "--events", "pulse.released", "--json"}, capture: "h", match: `"id"`})
	s.run(tokenList)
	s.run(step{args: []string{"webhook", "list"}})
	s.run(step{args: []string{"webhook", "remove", "{h}"}})
	s.run(step{args: []string{"person", "export", "Ben"}})
	s.run(step{args: []string{"person", "erase", "Ben"}, code: 2, err: "add --yes"})
	s.run(step{args: []string{"person", "erase", "Ben", "--yes"}})
	s.run(step{args: []string{"person", "list"}})
}

// answersOf answers every item of the pulse with v (the outcome item with
// "commit").
func answersOf(v int) map[string]int {
	out := map[string]int{}
	for _, it := range tl.PulseItems {
		out[it.ID] = v
		if it.Scale == tl.ScaleOutcome {
			out[it.ID] = tl.OutcomeCommit
		}
	}
	return out
}

// TestCountWords: every count an open pulse may show, in words. The
// transcript's pulses ask five people, too few for any count while they
// are open, so the others are said here.
func TestCountWords(t *testing.T) {
	small := tl.Pulse{K: 5, CommentsK: 10, Population: 6}
	big := tl.Pulse{K: 5, CommentsK: 10, Population: 15}
	for _, c := range []struct {
		band string
		p    tl.Pulse
		want string
	}{
		{tl.CountHidden, small, "no count while it is open (6 people asked: a count reaching 5 would say that (nearly) everyone answered)"},
		{tl.CountBelowK, big, "fewer than 5 answers so far"},
		{tl.CountK, big, "at least 5 answers so far"},
		{tl.CountCommentsK, big, "at least 10 answers so far"},
	} {
		if got := countWords(c.band, c.p); got != c.want {
			t.Errorf("band %q over %d people: %q, want %q", c.band, c.p.Population, got, c.want)
		}
	}
}
