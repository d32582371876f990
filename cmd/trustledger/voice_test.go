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
// command line: emails, launching a pulse (refused when k is too low or a
// pulse is open), the coarse count, the leader's own answers, reminders,
// closing below k, a shared link, check-ins and window links.
func TestVoiceCommands(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db"}
	s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"init", "--leader", "Lena"}, quiet: true})
	for _, p := range []string{"Ana", "Ben", "Cleo", "Dev", "Eve"} {
		s.run(step{args: []string{"person", "add", p, "--kind", "direct-report", "--email", p + "@example.org"}, quiet: true})
	}
	for _, st := range voiceSteps() {
		s.run(st)
	}
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

// voiceSteps are the team-voice commands after five people are added.
func voiceSteps() []step {
	return []step{
		{args: []string{"person", "email", "Ana", "not-an-address"}, code: 2, err: "is not an email address"},
		{args: []string{"pulse", "list"}},
		{args: []string{"pulse", "launch", "--k", "2"}, code: 2, err: "k must be at least 3"},
		{args: []string{"pulse", "launch", "--k", "6"}, code: 2, err: "a pulse needs at least k=6 answers"},
		{args: []string{"pulse", "launch"}, capture: "p", match: "launched"},
		{args: []string{"pulse", "launch"}, code: 1, err: "already has an open pulse"},
		{args: []string{"pulse", "list"}},
		{args: []string{"pulse", "show", "{p}"}},
		{args: []string{"pulse", "self", "{p}", "a1=5,a2=5,b1=4,b2=4,i1=5,i2=4"}},
		{args: []string{"pulse", "self", "{p}", "s1=5"}, code: 2, err: "not one of the questions"},
		{args: []string{"pulse", "remind", "{p}"}},
		{args: []string{"settings", "set", "anonymity_k", "4"}, code: 1, err: "fixed for a pulse"},
		{now: "2026-11-03T09:00:00Z", args: []string{"pulse", "close", "{p}"}},
		{args: []string{"pulse", "launch", "--link", "--question", "What should I start doing?", "--json"}},
		{args: []string{"checkin", "ask", "Ana", "--link"}},
		{args: []string{"checkin", "ask", "Ben"}},
		{args: []string{"checkin", "list"}},
		{args: []string{"person", "email", "Ana"}},
		{args: []string{"checkin", "ask", "Ana"}},
		{args: []string{"person", "window", "Ben"}},
		{args: []string{"settings", "set", "share_say_do", "1"}},
		{args: []string{"promise", "calendar"}},
		{args: []string{"promise", "calendar", "--revoke"}},
		{args: []string{"token", "list"}, code: 1, err: "has no account yet"},
		{args: []string{"webhook", "list"}},
		{args: []string{"webhook", "add", "not a url"}, code: 2, err: "is not a web address"},
		{args: []string{"webhook", "add", "https://hooks.example.org/x", "--events", "pulse.released", "--json"}, capture: "h", match: `"id"`},
		{args: []string{"token", "list"}, code: 1, err: "has no account yet"},
		{args: []string{"webhook", "list"}},
		{args: []string{"webhook", "remove", "{h}"}},
		{args: []string{"person", "export", "Ben"}},
		{args: []string{"person", "erase", "Ben"}, code: 2, err: "add --yes"},
		{args: []string{"person", "erase", "Ben", "--yes"}},
		{args: []string{"person", "list"}},
	}
}
