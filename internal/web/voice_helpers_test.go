package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
)

// Team voice as its people live it: letters arrive in their mailboxes,
// and they confirm their addresses, answer pulses and open their windows
// through the links in them (docs/ANONYMITY.md, rules 1, 2 and 6). The
// tests get every token that way, never from the services.

// mailLinkRE finds a link in a letter: its kind ("v" confirms an
// address, "p" a pulse, "c" a check-in, "w" a window, "invite" an
// account) and its token.
var mailLinkRE = regexp.MustCompile(`/(v|p|c|w|invite)/([A-Z2-7]{26})\b`)

// deliver hands the outbox to the mailboxes, as the mail worker would
// (mail.DeliverInProcess, or the test's own worker when it logs), keeps
// every letter in e.inbox and returns those that arrived now.
func (e *env) deliver() []mail.Letter {
	e.t.Helper()
	post := e.post
	if post == nil {
		post = func(ctx context.Context) ([]mail.Letter, error) {
			return mail.DeliverInProcess(ctx, e.db, e.app.MailRenderer(""), e.clk.Now)
		}
	}
	ls, err := post(context.Background())
	if err != nil {
		e.t.Fatalf("deliver the outbox: %v", err)
	}
	e.inbox = append(e.inbox, ls...)
	for _, l := range ls {
		for _, m := range mailLinkRE.FindAllStringSubmatch(l.Text, -1) {
			e.secret = append(e.secret, m[2])
		}
	}
	return ls
}

// links delivers the outbox and returns, for every address sent a link of
// kind just now, the token of the newest.
func (e *env) links(kind string) map[string]string {
	e.t.Helper()
	out := map[string]string{}
	for _, l := range e.deliver() {
		for _, m := range mailLinkRE.FindAllStringSubmatch(l.Text, -1) {
			if m[1] == kind {
				out[l.To] = m[2]
			}
		}
	}
	return out
}

// linkTo delivers the outbox and returns the newest link of kind that
// ever reached addr; it fails the test when none did.
func (e *env) linkTo(addr, kind string) string {
	e.t.Helper()
	e.deliver()
	for i := len(e.inbox) - 1; i >= 0; i-- {
		if e.inbox[i].To != addr {
			continue
		}
		ms := mailLinkRE.FindAllStringSubmatch(e.inbox[i].Text, -1)
		for j := len(ms) - 1; j >= 0; j-- {
			if ms[j][1] == kind {
				return ms[j][2]
			}
		}
	}
	e.t.Fatalf("no /%s/ link ever reached %s", kind, addr)
	return ""
}

// confirm has the person at each address confirm it as they would: open
// the link mailed to it, which only shows what it confirms (a mail
// scanner opens links too), and press "Yes, this is my address".
func (e *env) confirm(addrs ...string) {
	e.t.Helper()
	for _, a := range addrs {
		tok := e.linkTo(a, "v")
		if w := e.visit("GET", "/v/"+tok, nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `id="confirm-address"`) {
			e.t.Fatalf("%s opens their confirmation link: %d\n%s", a, w.Code, w.Body.String())
		}
		if w := e.visit("POST", "/v/"+tok, nil); w.Code != http.StatusOK || !strings.Contains(w.Body.String(), " is confirmed.") {
			e.t.Fatalf("%s confirms their address: %d\n%s", a, w.Code, w.Body.String())
		}
	}
}

// counted makes the people at addrs count toward k: each confirms their
// address, then the clock moves past tl.MemberWait (docs/ANONYMITY.md,
// rule 1). Where the installation has an administrator who does not lead
// them, they also need approving; these tests say so where it matters.
func (e *env) counted(addrs ...string) {
	e.t.Helper()
	e.confirm(addrs...)
	e.advance(tl.MemberWait + time.Minute)
}

// advance moves the clock by d. Everyone signed in signs in again, as
// people do after being away longer than a session lasts.
func (e *env) advance(d time.Duration) {
	e.t.Helper()
	e.clk.Add(d)
	for _, acc := range e.accounts {
		tok, err := e.app.CreateSession(context.Background(), acc.User.ID)
		if err != nil {
			e.t.Fatalf("session: %v", err)
		}
		acc.Token = tok
	}
}

// publish moves the clock to the next publication time and ticks, so
// what a leader may see of answers still coming in (an open pulse's
// rough count, reactions to decisions) is published (docs/ANONYMITY.md,
// rule 3).
func (e *env) publish() {
	e.t.Helper()
	now := e.clk.Now().UTC()
	e.advance(now.Truncate(tl.PublishEvery).Add(tl.PublishEvery).Sub(now))
	if _, err := e.app.Tick(context.Background()); err != nil {
		e.t.Fatalf("tick: %v", err)
	}
}

// team adds people (name, email pairs; "" for no address) to the
// leader's default team. Each address is sent its confirmation.
func (e *env) team(acc *account, people ...string) {
	e.t.Helper()
	for i := 0; i+1 < len(people); i += 2 {
		_, err := e.app.AddPerson(context.Background(), acc.User.LeaderID, tl.PersonInput{Name: people[i], Email: people[i+1], Kind: engine.DirectReport})
		must(e.t, err)
	}
}

// emails are the addresses of name, email pairs.
func emails(people ...string) []string {
	var out []string
	for i := 1; i < len(people); i += 2 {
		if people[i] != "" {
			out = append(out, people[i])
		}
	}
	return out
}

// launch launches a pulse from the pulses page (team: the default one
// unless f says) and delivers its invitations. It returns the pulse's id
// and each address's personal link.
func (e *env) launch(acc *account, v url.Values) (id string, links map[string]string) {
	e.t.Helper()
	if v.Get("team") == "" {
		v.Set("team", tl.DefaultTeamName)
	}
	w := e.do("POST", "/pulses", v, acc)
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/pulses/") {
		e.t.Fatalf("launch: %d → %q\n%s", w.Code, loc, w.Body.String())
	}
	links = e.links("p")
	if len(links) == 0 {
		e.t.Fatal("the launch mailed nobody a link")
	}
	return strings.TrimPrefix(loc, "/pulses/"), links
}
