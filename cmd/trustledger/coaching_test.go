package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/store"
)

// TestProgramCommands: the owner runs a program and a roster from the
// command line; a leader consents and withdraws with --leader.
func TestProgramCommands(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db"}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(s.dir, "trustledger.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, app.Options{})
	owner, err := a.Signup(ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	coachAndLeader(t, a, owner.ID)
	db.Close()

	s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"--leader", "Lena", "program", "list"}})
	s.run(step{args: []string{"--leader", "Lena", "program", "create", "Spring cohort"}, capture: "p", match: "created"})
	s.run(step{args: []string{"--leader", "Lena", "program", "add-coach", "{p}", "sam@example.org"}, code: 2, err: "not a coach"})
	s.run(step{args: []string{"--leader", "Lena", "program", "add-coach", "{p}", "cora@example.org"}})
	s.run(step{args: []string{"--leader", "Lena", "program", "add-leader", "{p}", "sam@example.org"}})
	s.run(step{args: []string{"--leader", "Sam", "program", "consent", "{p}"}})
	s.run(step{args: []string{"--leader", "Sam", "program", "create", "Mine"}, code: 1, err: "only"})
	s.run(step{args: []string{"--leader", "Lena", "program", "show", "{p}"}})
	s.run(step{args: []string{"--leader", "Sam", "program", "withdraw", "{p}"}})
	if err := os.WriteFile(filepath.Join(s.dir, "bad.csv"), []byte("email,name,role\nx,Bob,member\nann@example.org,Ann,boss\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(s.dir, "staff.csv"), []byte("email,name,role,team,leader_email\nann@example.org,Ann,member,Platform,sam@example.org\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	s.run(step{args: []string{"--leader", "Lena", "roster", "import", "bad.csv"}, code: 2, err: "2 of 2 lines have errors"})
	s.run(step{args: []string{"--leader", "Lena", "roster", "import", "staff.csv", "--dry-run"}})
	s.run(step{args: []string{"--leader", "Lena", "roster", "import", "staff.csv"}})
	s.run(step{args: []string{"--leader", "Sam", "person", "list"}})
	s.run(step{args: []string{"--leader", "Lena", "roster", "import", "missing.csv"}, code: 1, err: "no such file"})
	out := s.out.String()
	for _, want := range []string{"Spring cohort", "now coaches", "Rollup: 1 of 1 leaders consent", "line 2:", "All 1 lines are fine", "Imported 1 people", "Ann"} {
		if !strings.Contains(out, want) {
			t.Errorf("the transcript lacks %q:\n%s", want, out)
		}
	}
}

// coachAndLeader gives the installation a coach, Cora, and a leader, Sam,
// invited by the owner; it returns their accounts by name.
func coachAndLeader(t *testing.T, a *app.App, ownerID string) map[string]*tl.User {
	t.Helper()
	ctx := context.Background()
	out := map[string]*tl.User{}
	for _, inv := range []struct {
		email, name string
		role        tl.Role
	}{{"cora@example.org", "Cora", tl.RoleCoach}, {"sam@example.org", "Sam", tl.RoleLeader}} {
		_, token, err := a.Invite(ctx, ownerID, inv.email, inv.role)
		if err != nil {
			t.Fatal(err)
		}
		if out[inv.name], err = a.AcceptInvite(ctx, token, inv.name, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// TestProgramWithoutAccount: a database made by init has a leader but no
// account; program and roster commands say how to get one.
func TestProgramWithoutAccount(t *testing.T) {
	s := newSession(t)
	s.dbs = []string{"./trustledger.db"}
	s.run(step{now: "2026-11-02T09:00:00Z", args: []string{"init", "--leader", "Lena"}})
	if err := os.WriteFile(filepath.Join(s.dir, "staff.csv"), []byte("email,name,role\nsam@example.org,Sam,leader\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"program", "list"}, {"program", "create", "Spring"}, {"roster", "import", "staff.csv", "--dry-run"}} {
		s.run(step{args: args, code: 1, err: "create the owner account, then run this again with --leader"})
	}
}
