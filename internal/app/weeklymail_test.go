package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	netmail "net/mail"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/mail"
	"github.com/trustledger/trustledger/internal/mail/mailtest"
	"github.com/trustledger/trustledger/internal/store"
	"github.com/trustledger/trustledger/internal/storetest"
)

// The weekly loop by mail (docs/OPERATIONS.md, "The weekly mail"), through
// a real SMTP conversation: the digest on the leader's morning, its
// content, its one-click links, the due-day reminder, unsubscribing, the
// webhook's digest, and once per leader and week however many instances
// tick. The leaders here live in UTC (leaderZone); the schedule's zones
// are TestDigestTimesInZones's.

// monday is the morning of the week the tests' digests tell of.
var monday = time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC)

const baseURL = "https://tl.example.org"

// letter is a message as a mail client reads it.
type letter struct {
	To      []string
	Header  netmail.Header
	Subject string
	Text    string
	HTML    string
}

// readLetter parses what the SMTP server received: headers, and the text
// and HTML parts decoded.
func readLetter(t *testing.T, m mailtest.Message) letter {
	t.Helper()
	msg, err := netmail.ReadMessage(strings.NewReader(m.Data))
	noErr(t, err)
	out := letter{To: m.To, Header: msg.Header}
	out.Subject, err = new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	noErr(t, err)
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	noErr(t, err)
	r := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := r.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		noErr(t, err)
		b, err := io.ReadAll(p)
		noErr(t, err)
		if strings.HasPrefix(p.Header.Get("Content-Type"), "text/html") {
			out.HTML = string(b)
		} else {
			out.Text = string(b)
		}
	}
	if out.Text == "" {
		t.Fatalf("no text part in:\n%s", m.Data)
	}
	return out
}

// stepLinkRE finds the step links in a digest's text, by their words.
var stepLinkRE = regexp.MustCompile(`(Accept it|Mark it done|Skip it this week): ` + regexp.QuoteMeta(baseURL) + `/d/([A-Z2-7]{26})\n`)

// unsubRE finds an unsubscribe link's token.
var unsubRE = regexp.MustCompile(regexp.QuoteMeta(baseURL) + `/u/([A-Z2-7]{26})`)

// links are a digest's step links by action.
func (l letter) links() map[tl.StepAction]string {
	out := map[tl.StepAction]string{}
	for _, m := range stepLinkRE.FindAllStringSubmatch(l.Text, -1) {
		out[map[string]tl.StepAction{"Accept it": tl.StepActionAccept, "Mark it done": tl.StepActionDone, "Skip it this week": tl.StepActionSkip}[m[1]]] = m[2]
	}
	return out
}

// unsub is the letter's unsubscribe token, which the List-Unsubscribe
// header and the visible link must share.
func (l letter) unsub(t *testing.T) string {
	t.Helper()
	h := l.Header.Get("List-Unsubscribe")
	m := unsubRE.FindStringSubmatch(h)
	if m == nil || h != "<"+baseURL+"/u/"+m[1]+">" {
		t.Fatalf("List-Unsubscribe %q", h)
	}
	if got := l.Header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe-Post %q", got)
	}
	if !strings.Contains(l.Text, "Stop these emails: "+baseURL+"/u/"+m[1]) || !strings.Contains(l.HTML, baseURL+"/u/"+m[1]) {
		t.Fatalf("no visible unsubscribe link in:\n%s", l.Text)
	}
	return m[1]
}

// postman sends the outbox over SMTP to an in-process server.
type postman struct {
	t    *testing.T
	srv  *mailtest.Server
	w    *mail.Worker
	seen int
}

func newPostman(t *testing.T, e *env, a *app.App, logger *slog.Logger) *postman {
	t.Helper()
	srv := mailtest.Start(t)
	cfg, err := mail.ParseURL(srv.URL("trustledger@tl.example.org"))
	noErr(t, err)
	return &postman{t: t, srv: srv, w: &mail.Worker{DB: e.db, Sender: mail.NewSMTP(cfg), Renderer: a.MailRenderer(baseURL + "/"), Log: logger, Now: e.clk.Now}}
}

// deliver sends what is due and returns the new letters to addr.
func (p *postman) deliver(addr string) []letter {
	p.t.Helper()
	_, err := p.w.RunOnce(context.Background())
	noErr(p.t, err)
	all := p.srv.Messages()
	var out []letter
	for _, m := range all[p.seen:] {
		if slices.Contains(m.To, addr) {
			out = append(out, readLetter(p.t, m))
		}
	}
	p.seen = len(all)
	return out
}

// outbox lists the queued messages of one kind.
func (e *env) outbox(kind string) []store.Mail {
	e.t.Helper()
	var out []store.Mail
	noErr(e.t, e.db.Read(e.ctx, func(tx *store.Tx) error {
		all, err := tx.Outbox(e.ctx)
		for _, m := range all {
			if m.Kind == kind {
				out = append(out, m)
			}
		}
		return err
	}))
	return out
}

// weekly is a leader with an account and a week to tell of.
type weekly struct {
	u    *tl.User
	team []*tl.Relationship
	p1   string // the pulse released last week
	p2   string // the pulse still open
}

// signup makes the first account, which leads.
func (e *env) signup(name, email string) *tl.User {
	e.t.Helper()
	return must(e.app.Signup(e.ctx, tl.SignupInput{Email: email, Name: name, Password: "correct horse battery"}))(e.t)
}

// weekBefore sets up the week before monday: Lena leads five people who
// count, a pulse was released on Tuesday and another is still open, a
// check-in was answered on Wednesday, and on Thursday she made promises
// due Saturday, next Wednesday and the Wednesday after.
func (e *env) weekBefore() *weekly {
	e.t.Helper()
	w := &weekly{u: e.signup("Lena", "lena@example.org")}
	lid := w.u.LeaderID
	w.team = e.team(lid, 5)
	e.clk.Set(time.Date(2026, 3, 17, 10, 0, 0, 0, time.UTC))
	p1 := must(e.app.LaunchPulse(e.ctx, lid, tl.PulseInput{}))(e.t)
	e.answerN(p1.Pulse.ID, 5, func(int) tl.PulseAnswers { return uniform(4) })
	if rep := must(e.app.ClosePulse(e.ctx, lid, p1.Pulse.ID))(e.t); !rep.Released {
		e.t.Fatalf("the first pulse was not released: %+v", rep)
	}
	p2 := must(e.app.LaunchPulse(e.ctx, lid, tl.PulseInput{}))(e.t)
	e.answerN(p2.Pulse.ID, 3, func(int) tl.PulseAnswers { return uniform(1) })
	w.p1, w.p2 = p1.Pulse.ID, p2.Pulse.ID

	e.clk.Set(time.Date(2026, 3, 18, 10, 0, 0, 0, time.UTC))
	_, tok, err := e.app.AskCheckin(e.ctx, lid, w.team[0].Person, tl.DeliveryLink)
	noErr(e.t, err)
	noErr(e.t, e.app.AnswerCheckin(e.ctx, must(e.app.OpenCheckinLink(e.ctx, tok))(e.t),
		map[string]int{"ca": 4, "cb": 3, "ci": 5}, "only Lena should read this"))

	// Ben joined after the pulses and was ordered about: this week's step.
	e.clk.Set(time.Date(2026, 3, 19, 10, 0, 0, 0, time.UTC))
	e.person(lid, "Ben", engine.DirectReport)
	for _, k := range []engine.Kind{"directive", "authority-overused", "authority-overused"} {
		e.log(lid, tl.EventInput{Who: "Ben", Kind: k, At: e.clk.Now().Add(-time.Hour)})
	}
	for _, p := range []tl.PromiseInput{
		{To: w.team[1].Person, What: "send the <budget> & plan", Due: time.Date(2026, 3, 21, 12, 0, 0, 0, time.UTC)},
		{To: w.team[2].Person, What: "review the roadmap", Due: time.Date(2026, 3, 25, 17, 0, 0, 0, time.UTC)},
		{To: w.team[3].Person, What: "book the offsite", Due: time.Date(2026, 4, 1, 17, 0, 0, 0, time.UTC)},
	} {
		must(e.app.AddPromise(e.ctx, lid, p))(e.t)
	}
	return w
}

// tickAt moves the clock and ticks.
func (e *env) tickAt(at time.Time) {
	e.t.Helper()
	e.clk.Set(at)
	must(e.app.Tick(e.ctx))(e.t)
}

// TestWeeklyDigest: on Monday at 08:00 (the default), and not a minute
// before, one email goes to the leader's account with this week's step
// and why, three one-click links, the promises overdue and due this week,
// the check-in answer and the released pulse of last week; nothing of the
// pulse still open, nobody's comment, and no token outside the message.
func TestWeeklyDigest(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		logs := &syncBuffer{}
		logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		e.app = app.New(e.db, app.Options{Now: e.clk.Now, Logger: logger})
		w := e.weekBefore()
		post := newPostman(t, e, e.app, logger)
		post.deliver("lena@example.org")

		e.tickAt(monday.Add(-time.Minute))
		if got := e.outbox(store.MailDigest); len(got) != 0 {
			t.Fatalf("a digest was queued before 08:00: %+v", got)
		}
		if got := post.deliver("lena@example.org"); len(got) != 0 {
			t.Fatalf("mail before 08:00: %q", got[0].Subject)
		}
		e.tickAt(monday)
		e.tickAt(monday.Add(time.Minute))
		queued := e.outbox(store.MailDigest)
		if len(queued) != 1 || queued[0].To != "lena@example.org" || queued[0].ToName != "Lena" {
			t.Fatalf("digests queued: %+v", queued)
		}
		got := post.deliver("lena@example.org")
		if len(got) != 1 {
			t.Fatalf("%d letters to Lena, want 1", len(got))
		}
		l := got[0]
		week := must(e.app.Week(e.ctx, w.u.LeaderID))(t)
		if week.Step == nil || week.Why == nil {
			t.Fatalf("no step this week: %+v", week)
		}
		s := week.Step
		if want := fmt.Sprintf("This week's step: %s, %s", s.Person, s.Move); l.Subject != want {
			t.Errorf("subject %q, want %q", l.Subject, want)
		}
		for _, want := range []string{
			"Hello Lena,\n\nHere is your week of Monday 23 March.",
			fmt.Sprintf("%s, %s: %s", s.Person, s.Move, s.Text),
			"Why: " + week.Why.Sentence,
			"They work once (using one ends all three) and until Sunday 29 March ends.",
			`Overdue: to Member 002, "send the <budget> & plan", was due Saturday 21 March.`,
			`Due Wednesday 25 March: to Member 003, "review the roadmap".`,
			"Member 001 answered your check-in on Wednesday 18 March: ability 4, benevolence 3, integrity 5 (of 5). Member 001 added a comment: read it on their page.",
			"Pulse results for your team (wave 1, 5 answers): ability 4.00, benevolence 4.00, integrity 4.00",
			"100% commit",
			"lena@example.org is the address of your trustledger account",
			baseURL + "/account",
		} {
			if !strings.Contains(l.Text, want) {
				t.Errorf("the digest lacks %q:\n%s", want, l.Text)
			}
		}
		for _, never := range []string{"book the offsite", "wave 2", "only Lena should read this", "1.00"} {
			if strings.Contains(l.Text, never) || strings.Contains(l.HTML, never) {
				t.Errorf("the digest shows %q:\n%s", never, l.Text)
			}
		}
		if !strings.Contains(l.HTML, "send the &lt;budget&gt; &amp; plan") {
			t.Errorf("the HTML part does not escape what was typed:\n%s", l.HTML)
		}
		links := l.links()
		if len(links) != 3 {
			t.Fatalf("step links %v in:\n%s", links, l.Text)
		}
		unsub := l.unsub(t)

		// Opening a link changes nothing; it says what its button does.
		sl := must(e.app.StepLink(e.ctx, links[tl.StepActionAccept]))(t)
		if sl.Leader != "Lena" || sl.Action != tl.StepActionAccept || sl.Step.ID != s.ID || sl.Why != week.Why.Sentence || sl.Used {
			t.Fatalf("step link %+v", sl)
		}
		if again := must(e.app.Week(e.ctx, w.u.LeaderID))(t); again.Step.Status != tl.StepSuggested {
			t.Fatalf("opening the link changed the step to %s", again.Step.Status)
		}

		// No token in the outbox, the database's links or the logs.
		var rows []store.Mail
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			rows, err = tx.Outbox(e.ctx)
			return err
		}))
		var buf strings.Builder
		_, err := e.db.Dump(e.ctx, &buf)
		noErr(t, err)
		for _, tok := range append(slices.Collect(mapValues(links)), unsub) {
			if strings.Contains(fmt.Sprintf("%+v", rows), tok) || strings.Contains(logs.String(), tok) || strings.Contains(buf.String(), tok) {
				t.Fatal("a link's token is stored or logged")
			}
		}

		// The rest of the week: no second digest, whatever ticks.
		for _, at := range []time.Time{monday.Add(time.Hour), monday.Add(3 * day), monday.Add(6*day + 15*time.Hour)} {
			e.tickAt(at)
		}
		if n := len(e.outbox(store.MailDigest)); n != 1 {
			t.Fatalf("%d digests in the week, want 1", n)
		}
		// The next Monday, the next one, telling only of what came since.
		e.tickAt(monday.AddDate(0, 0, 7))
		if n := len(e.outbox(store.MailDigest)); n != 2 {
			t.Fatalf("%d digests after two Mondays, want 2", n)
		}
		next := post.deliver("lena@example.org")
		if len(next) < 1 {
			t.Fatal("no second digest")
		}
		for _, l := range next {
			if strings.Contains(l.Text, "answered your check-in") || strings.Contains(l.Text, "wave 1") {
				t.Errorf("the second digest repeats the first's news:\n%s", l.Text)
			}
		}
	})
}

func mapValues[K comparable, V any](m map[K]V) func(func(V) bool) {
	return func(yield func(V) bool) {
		for _, v := range m {
			if !yield(v) {
				return
			}
		}
	}
}

// TestWeeklyMailSchedule: a leader chooses another day and hour, or turns
// the mail off; the digest follows, and a late server does not send last
// week's mail days later.
func TestWeeklyMailSchedule(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		w := e.weekBefore()
		lid := w.u.LeaderID
		def := must(e.app.WeeklyMail(e.ctx, lid))(t)
		if def.Day != "monday" || def.Hour != 8 || !def.Mail || def.Email != "lena@example.org" || def.Zone != "UTC" ||
			!def.Next.Equal(monday) {
			t.Fatalf("default %+v", def)
		}
		_, err := e.app.SetWeeklyMail(e.ctx, lid, tl.WeeklyMail{Day: "someday", Hour: 8, Mail: true})
		wantCode(t, err, tl.EINVALID, "day of the week")
		_, err = e.app.SetWeeklyMail(e.ctx, lid, tl.WeeklyMail{Day: "monday", Hour: 24, Mail: true})
		wantCode(t, err, tl.EINVALID, "0 to 23")
		got := must(e.app.SetWeeklyMail(e.ctx, lid, tl.WeeklyMail{Day: "Wednesday", Hour: 17, Mail: true}))(t)
		wed := time.Date(2026, 3, 25, 17, 0, 0, 0, time.UTC)
		if got.Day != "wednesday" || got.Hour != 17 || !got.Next.Equal(wed) {
			t.Fatalf("after choosing Wednesday 17:00: %+v", got)
		}
		e.tickAt(monday)
		e.tickAt(wed.Add(-time.Minute))
		if n := len(e.outbox(store.MailDigest)); n != 0 {
			t.Fatalf("%d digests before Wednesday 17:00", n)
		}
		e.tickAt(wed)
		if n := len(e.outbox(store.MailDigest)); n != 1 {
			t.Fatalf("%d digests on Wednesday 17:00", n)
		}
		if got := must(e.app.WeeklyMail(e.ctx, lid))(t); !got.Next.Equal(wed.AddDate(0, 0, 7)) {
			t.Fatalf("next after this week's went: %s", got.Next)
		}
		// Off: nothing the next week; the schedule keeps its day and hour.
		off := must(e.app.SetWeeklyMail(e.ctx, lid, tl.WeeklyMail{Day: "wednesday", Hour: 17, Mail: false}))(t)
		if off.Mail || !off.Next.IsZero() {
			t.Fatalf("off: %+v", off)
		}
		e.tickAt(wed.AddDate(0, 0, 7))
		if n := len(e.outbox(store.MailDigest)); n != 1 {
			t.Fatalf("%d digests with the mail off, want the first only", n)
		}
		// On again, but the server was down all Wednesday: that week is
		// skipped rather than told on Thursday.
		must(e.app.SetWeeklyMail(e.ctx, lid, tl.WeeklyMail{Day: "wednesday", Hour: 17, Mail: true}))(t)
		e.tickAt(wed.AddDate(0, 0, 15))
		if n := len(e.outbox(store.MailDigest)); n != 1 {
			t.Fatalf("a digest went a day late")
		}
		e.tickAt(wed.AddDate(0, 0, 21))
		if n := len(e.outbox(store.MailDigest)); n != 2 {
			t.Fatalf("%d digests, want the second on its Wednesday", n)
		}
		// A leader of nobody, or without an account, gets no digest.
		bare := e.leader("Max")
		e.tickAt(monday.AddDate(0, 0, 28))
		for _, m := range e.outbox(store.MailDigest) {
			if m.To != "lena@example.org" {
				t.Fatalf("a digest for %s", m.To)
			}
		}
		_, err = e.app.WeeklyMail(e.ctx, "no such leader")
		wantCode(t, err, tl.ENOTFOUND)
		if got := must(e.app.WeeklyMail(e.ctx, bare.ID))(t); got.Email != "" || !got.Next.IsZero() {
			t.Fatalf("a leader without an account: %+v", got)
		}
	})
}

// TestDigestOncePerLeaderWeek: two App instances, each with its own
// connections to one database, tick at once over and over on Monday
// morning; then one of them restarts. One digest per leader and week is
// queued, mailed and posted to the webhook, on PostgreSQL and on SQLite.
func TestDigestOncePerLeaderWeek(t *testing.T) {
	for _, be := range []struct {
		name string
		dsn  func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "tl.db") }},
		{"postgres", func(t *testing.T) string { return storetest.PostgresSchemaURL(t) }},
	} {
		t.Run(be.name, func(t *testing.T) {
			dsn := be.dsn(t)
			ctx := context.Background()
			open := func() *store.DB {
				db, err := store.Open(ctx, dsn)
				noErr(t, err)
				return db
			}
			db1, db2 := open(), open()
			defer db2.Close()
			clk := newClock(start)
			e := &env{t: t, ctx: ctx, db: db1, clk: clk, app: app.New(db1, app.Options{Now: clk.Now})}
			w := e.weekBefore()
			_, _, err := e.app.AddWebhook(ctx, w.u.LeaderID, "https://hooks.example.org/slack", nil)
			noErr(t, err)
			// A second leader, so that the instances have more than one
			// digest to race for.
			_, token, err := e.app.Invite(ctx, w.u.ID, "max@example.org", tl.RoleLeader)
			noErr(t, err)
			max := must(e.app.AcceptInvite(ctx, token, "Max", "correct horse battery"))(t)
			e.person(max.LeaderID, "Ola", engine.DirectReport)

			apps := []*app.App{e.app, app.New(db2, app.Options{Now: clk.Now})}
			clk.Set(monday.Add(30 * time.Second))
			var wg sync.WaitGroup
			errs := make(chan error, 40)
			for i := range 40 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, err := apps[i%2].Tick(ctx)
					errs <- err
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				noErr(t, err)
			}
			count := func(db *store.DB) (digests, mails, hooks int) {
				noErr(t, db.Read(ctx, func(tx *store.Tx) error {
					all, err := tx.Outbox(ctx)
					for _, m := range all {
						switch {
						case m.Kind == store.MailDigest:
							mails++
						case m.Kind == store.KindWebhook && strings.Contains(m.Body, `"event":"digest.weekly"`):
							hooks++
						}
					}
					if err != nil {
						return err
					}
					digests, err = tx.CountRows(ctx, "SELECT COUNT(*) FROM digests")
					return err
				}))
				return
			}
			if d, m, h := count(db1); d != 2 || m != 2 || h != 1 {
				t.Fatalf("after racing ticks: %d digests, %d digest mails, %d webhook digests; want 2, 2, 1", d, m, h)
			}
			// A restart: one instance goes, a new one comes on the same
			// database and ticks through the week.
			noErr(t, db1.Close())
			db3 := open()
			defer db3.Close()
			a3 := app.New(db3, app.Options{Now: clk.Now})
			for _, at := range []time.Time{monday.Add(time.Minute), monday.Add(2 * time.Hour), monday.Add(3 * day)} {
				clk.Set(at)
				must(a3.Tick(ctx))(t)
			}
			if d, m, h := count(db3); d != 2 || m != 2 || h != 1 {
				t.Fatalf("after a restart: %d digests, %d digest mails, %d webhook digests; want 2, 2, 1", d, m, h)
			}
			clk.Set(monday.AddDate(0, 0, 7))
			must(a3.Tick(ctx))(t)
			if d, m, h := count(db3); d != 4 || m != 4 || h != 2 {
				t.Fatalf("the next Monday: %d digests, %d digest mails, %d webhook digests; want 4, 4, 2", d, m, h)
			}
		})
	}
}

// TestPromiseDueReminder: on the morning a promise falls due, at the
// leader's hour, one reminder; none for a promise made later that morning,
// none once it is kept, none with the mail off.
func TestPromiseDueReminder(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		w := e.weekBefore()
		lid := w.u.LeaderID
		post := newPostman(t, e, e.app, nil)
		e.tickAt(monday) // the digest
		post.deliver("lena@example.org")
		wed := time.Date(2026, 3, 25, 8, 0, 0, 0, time.UTC) // "review the roadmap" is due at 17:00
		e.tickAt(wed.Add(-time.Minute))
		if n := len(e.outbox(store.MailPromiseDue)); n != 0 {
			t.Fatalf("%d reminders before 08:00", n)
		}
		e.tickAt(wed)
		e.clk.Set(wed.Add(time.Hour))
		late := must(e.app.AddPromise(e.ctx, lid, tl.PromiseInput{To: w.team[4].Person, What: "call back", Due: wed.Add(10 * time.Hour)}))(t)
		e.tickAt(wed.Add(2 * time.Hour))
		queued := e.outbox(store.MailPromiseDue)
		if len(queued) != 1 || queued[0].To != "lena@example.org" {
			t.Fatalf("reminders queued: %+v", queued)
		}
		got := post.deliver("lena@example.org")
		if len(got) != 1 {
			t.Fatalf("%d letters, want the reminder", len(got))
		}
		l := got[0]
		if l.Subject != "Due today: your promise to Member 003" ||
			!strings.Contains(l.Text, `Your promise to Member 003: "review the roadmap", due Wednesday 25 March.`) ||
			!strings.Contains(l.Text, baseURL+"/promises") || strings.Contains(l.Text, late.What) {
			t.Fatalf("reminder %q:\n%s", l.Subject, l.Text)
		}
		l.unsub(t)

		// Kept before its reminder goes: the reminder is dropped.
		thu := wed.AddDate(0, 0, 1)
		e.clk.Set(thu.Add(-time.Hour))
		kept := must(e.app.AddPromise(e.ctx, lid, tl.PromiseInput{To: w.team[4].Person, What: "send the notes", Due: thu.Add(9 * time.Hour)}))(t)
		e.tickAt(thu)
		must(e.app.ResolvePromise(e.ctx, lid, kept.ID, tl.PromiseKept, time.Time{}))(t)
		if got := post.deliver("lena@example.org"); len(got) != 0 {
			t.Fatalf("a reminder of a kept promise: %q", got[0].Subject)
		}
		// Mail off: no reminder.
		must(e.app.SetWeeklyMail(e.ctx, lid, tl.WeeklyMail{Day: "monday", Hour: 8, Mail: false}))(t)
		fri := thu.AddDate(0, 0, 1)
		e.clk.Set(fri.Add(-time.Hour))
		must(e.app.AddPromise(e.ctx, lid, tl.PromiseInput{To: w.team[4].Person, What: "share the minutes", Due: fri.Add(9 * time.Hour)}))(t)
		e.tickAt(fri)
		if n := len(e.outbox(store.MailPromiseDue)); n != 2 {
			t.Fatalf("%d reminders queued, want the two before the mail went off", n)
		}
	})
}

// TestWebhookDigest: a webhook that asked for digest.weekly gets the same
// digest in Slack's shape, with what people typed escaped, naming who
// answered a check-in and which results are in but not the answers; it
// comes at the leader's hour even with the mail off.
func TestWebhookDigest(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		w := e.weekBefore()
		lid := w.u.LeaderID
		for _, h := range []struct {
			url    string
			events []string
		}{{"https://hooks.example.org/all", nil}, {"https://hooks.example.org/steps", []string{tl.EventStepSuggested}}} {
			_, _, err := e.app.AddWebhook(e.ctx, lid, h.url, h.events)
			noErr(t, err)
		}
		must(e.app.SetWeeklyMail(e.ctx, lid, tl.WeeklyMail{Day: "monday", Hour: 8, Mail: false}))(t)
		e.clk.Set(time.Date(2026, 3, 20, 9, 0, 0, 0, time.UTC))
		must(e.app.AddPerson(e.ctx, lid, tl.PersonInput{Name: "Ana <Dev> & Co", Kind: engine.Peer}))(t)
		must(e.app.AddPromise(e.ctx, lid, tl.PromiseInput{To: "Ana <Dev> & Co", What: "ship <v2> & *docs*", Due: time.Date(2026, 3, 26, 17, 0, 0, 0, time.UTC)}))(t)

		e.tickAt(monday)
		if n := len(e.outbox(store.MailDigest)); n != 0 {
			t.Fatalf("%d digest mails with the mail off", n)
		}
		var hooks []store.Mail
		for _, m := range e.outbox(store.KindWebhook) {
			if strings.Contains(m.Body, `"event":"digest.weekly"`) {
				hooks = append(hooks, m)
			}
		}
		if len(hooks) != 1 || hooks[0].To != "https://hooks.example.org/all" {
			t.Fatalf("webhook digests: %+v", hooks)
		}
		var p app.WebhookPayload
		noErr(t, json.Unmarshal([]byte(hooks[0].Body), &p))
		week := must(e.app.Week(e.ctx, lid))(t)
		if p.Event != tl.EventDigestWeekly || p.Leader != "Lena" || !p.At.Equal(monday) {
			t.Fatalf("payload %+v", p)
		}
		for _, want := range []string{
			"*Lena's week of Monday 23 March*\n",
			"*This week's step:* " + week.Step.Person,
			"_Why:_ ",
			"*Overdue:*\n• to Member 002: “send the &lt;budget&gt; &amp; plan” (Saturday 21 March)\n",
			"• to Ana &lt;Dev&gt; &amp; Co: “ship &lt;v2&gt; &amp; *docs*” (Thursday 26 March)\n",
			"*Since the last digest:* Member 001 answered your check-in (Wednesday 18 March); pulse results for your team (wave 1) are in.",
		} {
			if !strings.Contains(p.Text, want) {
				t.Errorf("webhook text lacks %q:\n%s", want, p.Text)
			}
		}
		for _, never := range []string{"<v2>", "<Dev>", "ability", "4.00", "only Lena should read this", "wave 2", "book the offsite"} {
			if strings.Contains(p.Text, never) {
				t.Errorf("webhook text has %q:\n%s", never, p.Text)
			}
		}
		step, _ := p.Data["step"].(map[string]any)
		if step["person"] != week.Step.Person || step["why"] != week.Why.Sentence || step["status"] != "suggested" {
			t.Errorf("data.step %+v", step)
		}
		if due, _ := p.Data["due"].([]any); len(due) != 2 || due[1].(map[string]any)["what"] != "ship <v2> & *docs*" {
			t.Errorf("data.due %+v", p.Data["due"])
		}
		if cks, _ := p.Data["checkins"].([]any); len(cks) != 1 || len(cks[0].(map[string]any)) != 3 {
			t.Errorf("data.checkins %+v", p.Data["checkins"])
		}
		e.tickAt(monday.Add(time.Hour))
		n := 0
		for _, m := range e.outbox(store.KindWebhook) {
			if strings.Contains(m.Body, `"event":"digest.weekly"`) {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("%d webhook digests after another tick", n)
		}
	})
}
