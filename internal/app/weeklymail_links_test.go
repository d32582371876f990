package app_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// snapshot is what a step link must not change behind its own action:
// the week's step, the promises and the ledger.
type snapshot struct {
	step     tl.Step
	promises []tl.Promise
	events   int
	mail     tl.WeeklyMail
}

func (e *env) snap(leaderID string) snapshot {
	e.t.Helper()
	w := must(e.app.Week(e.ctx, leaderID))(e.t)
	s := snapshot{promises: must(e.app.Promises(e.ctx, leaderID, ""))(e.t),
		events: len(must(e.app.Events(e.ctx, leaderID, tl.EventFilter{Limit: 1000}))(e.t)),
		mail:   *must(e.app.WeeklyMail(e.ctx, leaderID))(e.t)}
	if w.Step != nil {
		s.step = *w.Step
	}
	return s
}

func (e *env) sameAs(before snapshot, leaderID, what string) {
	e.t.Helper()
	after := e.snap(leaderID)
	if after.step.Status != before.step.Status || after.step.ID != before.step.ID || len(after.promises) != len(before.promises) ||
		after.events != before.events || after.mail.Mail != before.mail.Mail {
		e.t.Fatalf("%s changed something: before %+v, after %+v", what, before, after)
	}
	for i := range after.promises {
		if after.promises[i].Status != before.promises[i].Status {
			e.t.Fatalf("%s changed promise %q to %s", what, after.promises[i].What, after.promises[i].Status)
		}
	}
}

// digestLetter ticks on monday and returns the digest mailed to the
// week's leader.
func (e *env) digestLetter(t *testing.T, post *postman, to string) letter {
	t.Helper()
	e.tickAt(monday)
	got := post.deliver(to)
	if len(got) != 1 || len(got[0].links()) != 3 {
		t.Fatalf("%d digests to %s, or not three links", len(got), to)
	}
	return got[0]
}

// TestStepLinksWorkOnce: the accept link accepts this week's step, once;
// then it and the email's two other links are refused with a sentence
// that says so, and change nothing. Opening a link never changes anything.
func TestStepLinksWorkOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		w := e.weekBefore()
		lid := w.u.LeaderID
		post := newPostman(t, e, e.app, nil)
		links := e.digestLetter(t, post, "lena@example.org").links()
		e.clk.Set(monday.Add(2 * time.Hour))

		before := e.snap(lid)
		for range 3 {
			for _, tok := range links {
				must(e.app.StepLink(e.ctx, tok))(t)
			}
		}
		e.sameAs(before, lid, "opening the links")

		got := must(e.app.UseStepLink(e.ctx, links[tl.StepActionAccept]))(t)
		if !got.Used || got.Step.Status != tl.StepAccepted || got.Promise == nil || got.Promise.StepID != got.Step.ID || got.Promise.Status != tl.PromiseOpen {
			t.Fatalf("after accepting: %+v", got)
		}
		week := must(e.app.Week(e.ctx, lid))(t)
		if week.Step.Status != tl.StepAccepted || week.Step.PromiseID != got.Promise.ID {
			t.Fatalf("the week's step after the link: %+v", week.Step)
		}
		after := e.snap(lid)
		for action, tok := range links {
			for _, use := range []func() error{
				func() error { _, err := e.app.StepLink(e.ctx, tok); return err },
				func() error { _, err := e.app.UseStepLink(e.ctx, tok); return err },
			} {
				wantCode(t, use(), tl.ECONFLICT, "This link was used already: on Monday 23 March at 10:00 you accepted this week's step", "Each email's links work once")
			}
			e.sameAs(after, lid, "the used email's "+string(action)+" link")
		}
		// The step is still the leader's to close, on the dashboard.
		if s := must(e.app.CloseStep(e.ctx, lid, tl.StepDone))(t); s.Status != tl.StepDone {
			t.Fatalf("closing on the dashboard: %+v", s)
		}
	})
}

// TestStepLinkActions: done on a suggested step accepts and keeps it at
// once; skip closes it without a broken promise; a link whose action no
// longer applies (the step was accepted on the dashboard) changes nothing
// and leaves the email's other links working.
func TestStepLinkActions(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		w := e.weekBefore()
		lid := w.u.LeaderID
		post := newPostman(t, e, e.app, nil)
		links := e.digestLetter(t, post, "lena@example.org").links()

		got := must(e.app.UseStepLink(e.ctx, links[tl.StepActionDone]))(t)
		if got.Step.Status != tl.StepDone || got.Promise == nil || got.Promise.Status != tl.PromiseKept {
			t.Fatalf("done on a suggested step: %+v %+v", got.Step, got.Promise)
		}
		evs := must(e.app.Events(e.ctx, lid, tl.EventFilter{Who: got.Step.Person}))(t)
		if len(evs) == 0 || evs[0].Kind != "promise-kept" || evs[0].PromiseID != got.Promise.ID {
			t.Fatalf("no kept promise in the ledger: %+v", evs[0])
		}

		// The next week: accepted on the dashboard first.
		e.clk.Set(monday.AddDate(0, 0, 6))
		e.log(lid, tl.EventInput{Who: "Ben", Kind: "authority-overused"})
		e.tickAt(monday.AddDate(0, 0, 7))
		next := post.deliver("lena@example.org")
		if len(next) != 1 {
			t.Fatalf("%d digests the next week", len(next))
		}
		links = next[0].links()
		if len(links) != 3 {
			t.Skipf("no step the next week: %s", next[0].Text)
		}
		must2(e.app.AcceptStep(e.ctx, lid))(t)
		before := e.snap(lid)
		_, err := e.app.UseStepLink(e.ctx, links[tl.StepActionAccept])
		wantCode(t, err, tl.ECONFLICT, "This week's step is accepted already: nothing changed.")
		_, err = e.app.StepLink(e.ctx, links[tl.StepActionAccept])
		wantCode(t, err, tl.ECONFLICT, "accepted already")
		e.sameAs(before, lid, "a moot accept link")
		got = must(e.app.UseStepLink(e.ctx, links[tl.StepActionSkip]))(t)
		if got.Step.Status != tl.StepSkipped || got.Promise == nil || got.Promise.Status != tl.PromiseRenegotiated {
			t.Fatalf("skip after accepting: %+v %+v", got.Step, got.Promise)
		}
		for _, p := range must(e.app.Promises(e.ctx, lid, tl.PromiseBroken))(t) {
			if p.StepID == got.Step.ID {
				t.Fatalf("skipping broke the step's promise")
			}
		}
	})
}

// TestStepLinkExpires: a week's links end when the leader's week ends;
// an expired link says so, changes nothing, and is forgotten a month
// later ("not valid").
func TestStepLinkExpires(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		w := e.weekBefore()
		lid := w.u.LeaderID
		post := newPostman(t, e, e.app, nil)
		links := e.digestLetter(t, post, "lena@example.org").links()
		must(e.app.SetWeeklyMail(e.ctx, lid, tl.WeeklyMail{Day: "monday", Hour: 8, Mail: false}))(t)
		sunday := time.Date(2026, 3, 29, 23, 59, 0, 0, time.UTC)
		e.clk.Set(sunday)
		must(e.app.StepLink(e.ctx, links[tl.StepActionSkip]))(t)
		e.clk.Set(sunday.Add(time.Minute))
		before := e.snap(lid)
		for _, tok := range links {
			_, err := e.app.StepLink(e.ctx, tok)
			wantCode(t, err, tl.EINVALID, "This link has expired", "Sign in")
			_, err = e.app.UseStepLink(e.ctx, tok)
			wantCode(t, err, tl.EINVALID, "expired")
		}
		e.sameAs(before, lid, "an expired link")
		e.tickAt(sunday.AddDate(0, 1, 1))
		_, err := e.app.UseStepLink(e.ctx, links[tl.StepActionAccept])
		wantCode(t, err, tl.ENOTFOUND, "not valid")
	})
}

// TestStepLinkAttacks: someone holding another leader's links, a changed
// or made-up token, a token's stored hash, or an unsubscribe link in the
// place of a step link (and the other way round) changes nothing; a
// leader's link acts on that leader's step alone.
func TestStepLinkAttacks(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		w := e.weekBefore()
		lena := w.u.LeaderID
		_, token, err := e.app.Invite(e.ctx, w.u.ID, "max@example.org", tl.RoleLeader)
		noErr(t, err)
		max := must(e.app.AcceptInvite(e.ctx, token, "Max", "correct horse battery"))(t)
		e.person(max.LeaderID, "Ola", engine.DirectReport)
		e.log(max.LeaderID, tl.EventInput{Who: "Ola", Kind: "authority-overused"})
		post := newPostman(t, e, e.app, nil)
		e.tickAt(monday)
		var lenaLetter, maxLetter letter
		for _, l := range post.deliver("lena@example.org") {
			lenaLetter = l
		}
		for _, m := range post.srv.Messages() {
			if m.To[0] == "max@example.org" {
				maxLetter = readLetter(t, m)
			}
		}
		lenaLinks, maxLinks := lenaLetter.links(), maxLetter.links()
		if len(lenaLinks) != 3 || len(maxLinks) != 3 {
			t.Fatalf("links: Lena %d, Max %d", len(lenaLinks), len(maxLinks))
		}
		lenaUnsub, maxUnsub := lenaLetter.unsub(t), maxLetter.unsub(t)
		lenaBefore, maxBefore := e.snap(lena), e.snap(max.LeaderID)

		flip := func(tok string) string { // one character changed
			b := []byte(tok)
			if b[5] == 'A' {
				b[5] = 'B'
			} else {
				b[5] = 'A'
			}
			return string(b)
		}
		hash := func(tok string) string { sum := sha256.Sum256([]byte(tok)); return hex.EncodeToString(sum[:]) }
		for _, tok := range map[string]string{
			"changed":   flip(lenaLinks[tl.StepActionSkip]),
			"made up":   "AAAAAAAAAAAAAAAAAAAAAAAAAA",
			"empty":     "",
			"lower":     strings.ToLower(lenaLinks[tl.StepActionSkip]),
			"longer":    lenaLinks[tl.StepActionSkip] + "A",
			"the hash":  hash(lenaLinks[tl.StepActionSkip]),
			"unsub":     lenaUnsub,
			"max unsub": maxUnsub,
		} {
			_, err := e.app.UseStepLink(e.ctx, tok)
			wantCode(t, err, tl.ENOTFOUND, "not valid")
			_, err = e.app.StepLink(e.ctx, tok)
			wantCode(t, err, tl.ENOTFOUND)
		}
		for _, tok := range []string{lenaLinks[tl.StepActionSkip], flip(lenaUnsub), hash(lenaUnsub)} {
			_, err := e.app.Unsubscribe(e.ctx, tok)
			wantCode(t, err, tl.ENOTFOUND, "not valid")
		}
		e.sameAs(lenaBefore, lena, "forged links")
		e.sameAs(maxBefore, max.LeaderID, "forged links")

		// Max's link, in anyone's hands, acts on Max's step alone.
		got := must(e.app.UseStepLink(e.ctx, maxLinks[tl.StepActionSkip]))(t)
		if got.Leader != "Max" || got.Step.LeaderID != max.LeaderID || got.Step.Status != tl.StepSkipped {
			t.Fatalf("Max's skip link: %+v", got)
		}
		e.sameAs(lenaBefore, lena, "Max's link")
		// Lena's links are untouched by Max's use, and still work.
		must(e.app.UseStepLink(e.ctx, lenaLinks[tl.StepActionAccept]))(t)
		if _, err := e.app.UseStepLink(e.ctx, maxLinks[tl.StepActionAccept]); tl.ErrorCode(err) != tl.ECONFLICT {
			t.Fatalf("Max's second link after his first: %v", err)
		}
		// The database holds hashes only: no link is in a backup.
		var buf strings.Builder
		_, err = e.db.Dump(e.ctx, &buf)
		noErr(t, err)
		for _, tok := range []string{lenaLinks[tl.StepActionSkip], lenaUnsub, maxLinks[tl.StepActionDone]} {
			if strings.Contains(buf.String(), tok) {
				t.Fatal("a link's token is in the database")
			}
		}
	})
}

// TestUnsubscribe: the mail's unsubscribe link shows whose mail it stops
// without stopping it; using it (the one-click POST) stops the weekly
// email and the reminders, also one already queued; again changes
// nothing; the account page turns it back on.
func TestUnsubscribe(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		w := e.weekBefore()
		lid := w.u.LeaderID
		post := newPostman(t, e, e.app, nil)
		unsub := e.digestLetter(t, post, "lena@example.org").unsub(t)

		u := must(e.app.Unsubscription(e.ctx, unsub))(t)
		if u.Leader != "Lena" || u.Email != "lena@example.org" || u.Off {
			t.Fatalf("unsubscription %+v", u)
		}
		if !must(e.app.WeeklyMail(e.ctx, lid))(t).Mail {
			t.Fatal("opening the unsubscribe link turned the mail off")
		}
		// A reminder is queued on Wednesday morning, and the leader
		// unsubscribes before it goes: it does not go.
		e.tickAt(time.Date(2026, 3, 25, 8, 0, 0, 0, time.UTC))
		if n := len(e.outbox(store.MailPromiseDue)); n != 1 {
			t.Fatalf("%d reminders queued", n)
		}
		for range 2 {
			u = must(e.app.Unsubscribe(e.ctx, unsub))(t)
			if !u.Off {
				t.Fatalf("after unsubscribing: %+v", u)
			}
		}
		if got := post.deliver("lena@example.org"); len(got) != 0 {
			t.Fatalf("mail after unsubscribing: %q", got[0].Subject)
		}
		wm := must(e.app.WeeklyMail(e.ctx, lid))(t)
		if wm.Mail || wm.Day != "monday" || wm.Hour != 8 {
			t.Fatalf("after unsubscribing: %+v", wm)
		}
		e.tickAt(monday.AddDate(0, 0, 7))
		if n := len(e.outbox(store.MailDigest)); n != 1 {
			t.Fatalf("%d digests queued after unsubscribing, want the first only", n)
		}
		// Back on from the account page: the next Monday, mail again.
		must(e.app.SetWeeklyMail(e.ctx, lid, tl.WeeklyMail{Day: "monday", Hour: 8, Mail: true}))(t)
		e.tickAt(monday.AddDate(0, 0, 14))
		if got := post.deliver("lena@example.org"); len(got) != 1 {
			t.Fatalf("%d digests after turning the mail back on", len(got))
		}
	})
}

// TestDigestFollowsLeaderZone: a leader in Berlin gets the digest at
// 08:00 Berlin time, 07:00 UTC in March and 06:00 UTC once summer time
// begins, not a minute before.
func TestDigestFollowsLeaderZone(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		w := e.weekBefore()
		must(e.app.SetTimeZone(e.ctx, w.u.ID, "Europe/Berlin"))(t)
		if wm := must(e.app.WeeklyMail(e.ctx, w.u.LeaderID))(t); wm.Zone != "Europe/Berlin" || !wm.Next.Equal(monday.Add(-time.Hour)) {
			t.Fatalf("in Berlin: %+v", wm)
		}
		for _, at := range []time.Time{monday.Add(-time.Hour - time.Minute), monday.AddDate(0, 0, 7).Add(-2*time.Hour - time.Minute)} {
			n := len(e.outbox(store.MailDigest))
			e.tickAt(at)
			if got := len(e.outbox(store.MailDigest)); got != n {
				t.Fatalf("a digest at %s, before 08:00 in Berlin", at)
			}
			e.tickAt(at.Add(time.Minute))
			if got := len(e.outbox(store.MailDigest)); got != n+1 {
				t.Fatalf("no digest at %s, 08:00 in Berlin", at.Add(time.Minute))
			}
		}
	})
}
