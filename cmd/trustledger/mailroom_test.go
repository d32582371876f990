package main

import (
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/store"
)

// mailroom is the team's side of a CLI transcript. A command line cannot
// open mail, so the test delivers the outbox in process, through the
// app's own renderer (links are made the moment a message is sent, as the
// mail worker makes them), and acts on the links as each person would:
// confirming an address, answering a pulse, opening a window. Each action
// leaves a "# mail:" line in the transcript, the same in local and remote
// mode.
type mailroom struct {
	s *session
	t *testing.T
	// with runs f with the app and database the commands use: the
	// session's SQLite file (local), or the test server's (remote).
	with  func(f func(a *app.App, db *store.DB))
	inbox map[string][]string // person → texts of their letters, oldest first
}

// localMailroom is the mailroom of a session on ./trustledger.db, with
// the session's clock.
func localMailroom(t *testing.T, s *session) *mailroom {
	return &mailroom{s: s, t: t, inbox: map[string][]string{}, with: func(f func(*app.App, *store.DB)) {
		t.Helper()
		db, err := store.Open(context.Background(), filepath.Join(s.dir, "trustledger.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		f(app.New(db, app.Options{Now: s.clock, Logger: slog.New(slog.DiscardHandler)}), db)
	}}
}

// remoteMailroom is the mailroom of the test server's app and database.
func remoteMailroom(t *testing.T, s *session, a *app.App, db *store.DB) *mailroom {
	return &mailroom{s: s, t: t, inbox: map[string][]string{}, with: func(f func(*app.App, *store.DB)) { f(a, db) }}
}

// clock is the session's TRUSTLEDGER_NOW.
func (s *session) clock() time.Time {
	now, err := parseNow(s.env["TRUSTLEDGER_NOW"])
	if err != nil || s.env["TRUSTLEDGER_NOW"] == "" {
		s.t.Fatalf("the mailroom needs TRUSTLEDGER_NOW: %v", err)
	}
	return now
}

var greeting = regexp.MustCompile(`(?m)^Hello (.+),$`)

// fetch delivers what waits in the outbox and files each letter under
// the person it greets.
func (m *mailroom) fetch(a *app.App, db *store.DB) {
	m.t.Helper()
	letters, err := mail.DeliverInProcess(context.Background(), db, a.MailRenderer(""), m.s.clock)
	if err != nil {
		m.t.Fatalf("deliver the outbox: %v", err)
	}
	for _, l := range letters {
		g := greeting.FindStringSubmatch(l.Text)
		if g == nil {
			m.t.Fatalf("a letter to %s greets nobody:\n%s", l.To, l.Text)
		}
		m.inbox[g[1]] = append(m.inbox[g[1]], l.Text)
	}
}

// tokens are the tokens of the links with prefix ("/v/", "/p/", "/w/")
// in person's letters, oldest first.
func (m *mailroom) tokens(person, prefix string) []string {
	var out []string
	re := regexp.MustCompile(regexp.QuoteMeta(prefix) + `([A-Z2-7]{26})\b`)
	for _, text := range m.inbox[person] {
		if g := re.FindStringSubmatch(text); g != nil {
			out = append(out, g[1])
		}
	}
	return out
}

// newest is the token of person's newest link with prefix.
func (m *mailroom) newest(person, prefix string) string {
	m.t.Helper()
	toks := m.tokens(person, prefix)
	if len(toks) == 0 {
		m.t.Fatalf("%s has no letter with a %s link; their letters:\n%s", person, prefix, strings.Join(m.inbox[person], "\n---\n"))
	}
	return toks[len(toks)-1]
}

// note writes a line about what the team did into the transcript.
func (m *mailroom) note(format string, args ...any) {
	m.s.out.WriteString("# mail: " + fmt.Sprintf(format, args...) + "\n\n")
}

// confirm: each person opens the newest link that confirms their address
// and presses "Yes, this is my address". The links mailed before it no
// longer work.
func (m *mailroom) confirm(people ...string) {
	m.t.Helper()
	m.with(func(a *app.App, db *store.DB) {
		m.fetch(a, db)
		ctx := context.Background()
		for _, p := range people {
			toks := m.tokens(p, "/v/")
			tok := m.newest(p, "/v/")
			for _, old := range toks[:len(toks)-1] {
				if _, err := a.AddressConfirmation(ctx, old); tl.ErrorCode(err) != tl.ENOTFOUND {
					m.t.Errorf("%s's earlier confirmation link still works: %v", p, err)
				}
			}
			c, err := a.AddressConfirmation(ctx, tok)
			if err != nil || c.Person != p || c.Confirmed {
				m.t.Fatalf("%s opens their confirmation link: %+v %v", p, c, err)
			}
			if err := a.ConfirmAddress(ctx, tok); err != nil {
				m.t.Fatalf("%s confirms their address: %v", p, err)
			}
		}
	})
	if len(people) == 1 {
		m.note("%s confirms their address through the newest link mailed to them", people[0])
	} else {
		m.note("%s confirm their addresses through the links mailed to them", and(people))
	}
}

// answer: each person answers the pulse through the newest pulse link
// mailed to them (an invitation or a reminder).
func (m *mailroom) answer(answers map[string]int, people ...string) {
	m.t.Helper()
	m.with(func(a *app.App, db *store.DB) {
		m.fetch(a, db)
		ctx := context.Background()
		for _, p := range people {
			pass, err := a.OpenPulseLink(ctx, m.newest(p, "/p/"))
			if err != nil {
				m.t.Fatalf("%s opens their pulse link: %v", p, err)
			}
			if err := a.SubmitPulse(ctx, pass, tl.PulseAnswers{Answers: answers}); err != nil {
				m.t.Fatalf("%s answers the pulse: %v", p, err)
			}
		}
	})
	m.note("%s answer%s the pulse through the newest link mailed to them", and(people), verbS(people))
}

// reminded checks that a reminder reached every one of people, answered
// or not, and nobody else.
func (m *mailroom) reminded(people ...string) {
	m.t.Helper()
	before := map[string]int{}
	for p, l := range m.inbox {
		before[p] = len(l)
	}
	m.with(func(a *app.App, db *store.DB) { m.fetch(a, db) })
	for p, l := range m.inbox {
		got := 0
		for _, text := range l[before[p]:] {
			if strings.Contains(text, "This reminder goes to everyone who was asked") {
				got++
			}
		}
		want := 0
		for _, q := range people {
			if q == p {
				want = 1
			}
		}
		if got != want {
			m.t.Errorf("%s got %d reminders, want %d", p, got, want)
		}
	}
	m.note("a reminder with a new link reaches each of %s, answered or not", and(people))
}

// window: the link to person's window arrives by mail and opens it; the
// links mailed before it no longer do.
func (m *mailroom) window(person string) {
	m.t.Helper()
	m.with(func(a *app.App, db *store.DB) {
		m.fetch(a, db)
		ctx := context.Background()
		toks := m.tokens(person, "/w/")
		tok := m.newest(person, "/w/")
		for _, old := range toks[:len(toks)-1] {
			if _, err := a.OpenWindowLink(ctx, old); err == nil {
				m.t.Errorf("%s's earlier window link still works", person)
			}
		}
		if _, err := a.OpenWindowLink(ctx, tok); err != nil {
			m.t.Fatalf("%s opens their window link: %v", person, err)
		}
	})
	m.note("the newest link to %s's window reaches %s's confirmed address only, and opens the window", person, person)
}

// and joins names as a sentence does: "Ana, Ben and Cleo".
func and(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// verbS is the verb's "s" for one person.
func verbS(names []string) string {
	if len(names) == 1 {
		return "s"
	}
	return ""
}
