package app_test

import (
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

func TestCheckin(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Ana", Email: "ana@example.org", Kind: engine.DirectReport}))(t)
		ben := e.person(l.ID, "Ben", engine.DirectReport)
		_, _, err := e.app.AskCheckin(e.ctx, l.ID, ben.Person, tl.DeliveryEmail)
		wantCode(t, err, tl.EINVALID, "Ben has no email address", "ask by link")
		_, _, err = e.app.AskCheckin(e.ctx, l.ID, ben.Person, "pigeon")
		wantCode(t, err, tl.EINVALID, "delivery")

		// By mail: queued, and the link is made when the mail goes out.
		c, tok, err := e.app.AskCheckin(e.ctx, l.ID, ana.Person, "")
		noErr(t, err)
		if tok != "" || c.Delivery != tl.DeliveryEmail {
			t.Fatalf("mailed check-in returned a token or delivery %q", c.Delivery)
		}
		var queued []store.Mail // the check-in's, beside Ana's address confirmation
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			all, err := tx.Outbox(e.ctx)
			for _, m := range all {
				if m.Kind != store.MailAddressConfirm {
					queued = append(queued, m)
				}
			}
			return err
		}))
		if len(queued) != 1 || queued[0].DedupeKey != "checkin:"+c.ID || queued[0].To != "ana@example.org" ||
			queued[0].Kind != store.MailCheckin || queued[0].Ref != c.ID {
			t.Fatalf("outbox %+v", queued)
		}

		// By link, replacing the mailed one.
		c2, tok, err := e.app.AskCheckin(e.ctx, l.ID, ana.Person, tl.DeliveryLink)
		noErr(t, err)
		if tok == "" {
			t.Fatal("no token for a link check-in")
		}
		pass := must(e.app.OpenCheckinLink(e.ctx, tok))(t)
		form := must(e.app.CheckinForm(e.ctx, pass))(t)
		if form.Leader != "Lena" || form.Person != "Ana" || form.Question != tl.CheckinQuestion || len(form.Items) != 3 || form.Answered {
			t.Fatalf("form %+v", form)
		}
		wantCode(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 4}, ""), tl.EINVALID, "answer every question")
		wantCode(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 4, "cb": 9, "ci": 4}, ""), tl.EINVALID, "1–5")
		wantCode(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 4, "cb": 4, "ci": 4, "zz": 3}, ""), tl.EINVALID, "not one of the questions")
		wantCode(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 4, "cb": 4, "ci": 4}, strings.Repeat("x", 2001)), tl.EINVALID)
		before := must(e.app.Status(e.ctx, l.ID))(t).Relationships[0].Assessment
		noErr(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 5, "cb": 5, "ci": 5}, "Thanks for asking."))
		after := must(e.app.Status(e.ctx, l.ID))(t).Relationships[0].Assessment
		if !(after.Trust.E > before.Trust.E) || !(after.Trust.N > before.Trust.N) {
			t.Fatalf("a check-in of 5s did not raise trust: before %+v after %+v", before.Trust, after.Trust)
		}
		// A second answer is refused, by the same pass or a new one.
		wantCode(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 1, "cb": 1, "ci": 1}, ""), tl.ENOTFOUND)
		_, err = e.app.OpenCheckinLink(e.ctx, tok)
		wantCode(t, err, tl.ECONFLICT, "already answered")
		list := must(e.app.Checkins(e.ctx, l.ID))(t)
		if len(list) != 1 || list[0].ID != c2.ID || !slices.Equal(list[0].Ratings, []int{5, 5, 5}) || list[0].Comment != "Thanks for asking." ||
			list[0].AnsweredAt.IsZero() || list[0].Person != "Ana" {
			t.Fatalf("checkins %+v", list)
		}
		// The entry is the person's: confirmed, recorded by them, with the
		// snapshot of their answers.
		evs := must(e.app.Events(e.ctx, l.ID, tl.EventFilter{Who: "Ana"}))(t)
		if len(evs) != 1 || evs[0].Kind != engine.KindCheckin || evs[0].Source != engine.Confirmed || evs[0].RecordedBy != "person" ||
			evs[0].Snapshot == nil || evs[0].Snapshot.P != [engine.NumDims]float64{1, 1, 1} {
			t.Fatalf("check-in entries %+v", evs)
		}
		e.checkReplay(l.ID)

		// Another leader sees none of it and cannot ask Lena's people.
		o := e.leader("Omar")
		if got := must(e.app.Checkins(e.ctx, o.ID))(t); len(got) != 0 {
			t.Fatalf("another leader sees %d check-ins", len(got))
		}
		_, _, err = e.app.AskCheckin(e.ctx, o.ID, "Ana", tl.DeliveryLink)
		wantCode(t, err, tl.ENOTFOUND)
		_, err = e.app.Checkins(e.ctx, "no-such-leader")
		wantCode(t, err, tl.ENOTFOUND)
	})
}

var checkinLinkRE = regexp.MustCompile(`https://tl\.example\.org/c/([A-Z2-7]{26})`)

// TestCheckinReplaced: asking again while a check-in is unanswered
// replaces it, and every way into the old one stops working: its link,
// its pass, and its queued mail (which is then dropped unsent).
func TestCheckinReplaced(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Ana", Email: "ana@example.org", Kind: engine.DirectReport}))(t)
		render := e.app.MailRenderer("https://tl.example.org/")
		old, tok1, err := e.app.AskCheckin(e.ctx, l.ID, "Ana", tl.DeliveryLink)
		noErr(t, err)
		pass1 := must(e.app.OpenCheckinLink(e.ctx, tok1))(t)
		mailed, _, err := e.app.AskCheckin(e.ctx, l.ID, "Ana", tl.DeliveryEmail)
		noErr(t, err)
		_, err = e.app.OpenCheckinLink(e.ctx, tok1)
		wantCode(t, err, tl.ENOTFOUND, "replaced")
		_, err = e.app.CheckinForm(e.ctx, pass1)
		wantCode(t, err, tl.ENOTFOUND)
		wantCode(t, e.app.AnswerCheckin(e.ctx, pass1, map[string]int{"ca": 3, "cb": 3, "ci": 3}, ""), tl.ENOTFOUND)

		// The mail, rendered, carries a fresh link; rendering it again
		// (a retry) replaces that link too.
		m := store.Mail{Kind: store.MailCheckin, Ref: mailed.ID, To: "ana@example.org"}
		msg := must(render.Render(e.ctx, m))(t)
		first := checkinLinkRE.FindStringSubmatch(msg.Text)
		if msg.Done || first == nil {
			t.Fatalf("check-in mail without a link: %+v", msg)
		}
		msg = must(render.Render(e.ctx, m))(t)
		second := checkinLinkRE.FindStringSubmatch(msg.Text)
		if second == nil || second[1] == first[1] {
			t.Fatalf("a re-rendered mail kept the old link: %v %v", first, second)
		}
		_, err = e.app.OpenCheckinLink(e.ctx, first[1])
		wantCode(t, err, tl.ENOTFOUND)
		pass := must(e.app.OpenCheckinLink(e.ctx, second[1]))(t)

		// Replaced by a link check-in: the queued mail renders to nothing.
		_, tok3, err := e.app.AskCheckin(e.ctx, l.ID, "Ana", tl.DeliveryLink)
		noErr(t, err)
		if msg := must(render.Render(e.ctx, m))(t); !msg.Done {
			t.Fatalf("the mail of a replaced check-in would still be sent: %+v", msg)
		}
		_, err = e.app.CheckinForm(e.ctx, pass)
		wantCode(t, err, tl.ENOTFOUND)
		list := must(e.app.Checkins(e.ctx, l.ID))(t)
		if len(list) != 1 || list[0].ID == old.ID || list[0].ID == mailed.ID {
			t.Fatalf("after two replacements: %+v", list)
		}
		// Answered: a mail for it is dropped too.
		noErr(t, e.app.AnswerCheckin(e.ctx, must(e.app.OpenCheckinLink(e.ctx, tok3))(t), map[string]int{"ca": 3, "cb": 3, "ci": 3}, ""))
		if msg := must(render.Render(e.ctx, store.Mail{Kind: store.MailCheckin, Ref: list[0].ID}))(t); !msg.Done {
			t.Fatalf("the mail of an answered check-in would be sent: %+v", msg)
		}
		// An answered check-in is not replaced by the next one: both stay.
		e.clk.Advance(day)
		must2(e.app.AskCheckin(e.ctx, l.ID, "Ana", tl.DeliveryLink))(t)
		if got := must(e.app.Checkins(e.ctx, l.ID))(t); len(got) != 2 || len(got[1].Ratings) != 3 || len(got[0].Ratings) != 0 {
			t.Fatalf("a new check-in after an answered one: %+v", got)
		}
		// Only active people are asked.
		must(e.app.SetActive(e.ctx, l.ID, "Ana", false))(t)
		_, _, err = e.app.AskCheckin(e.ctx, l.ID, "Ana", tl.DeliveryLink)
		wantCode(t, err, tl.EINVALID, "not active")
	})
}

// TestCheckinSnapshotReplaces: a later check-in replaces the earlier one
// as that relationship's check-in evidence (MODEL.md §5) instead of
// adding to it, and the ledger replays to the same state.
func TestCheckinSnapshotReplaces(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := e.person(l.ID, "Ana", engine.DirectReport)
		ask := func(r int) {
			t.Helper()
			_, tok, err := e.app.AskCheckin(e.ctx, l.ID, "Ana", tl.DeliveryLink)
			noErr(t, err)
			noErr(t, e.app.AnswerCheckin(e.ctx, must(e.app.OpenCheckinLink(e.ctx, tok))(t), map[string]int{"ca": r, "cb": r, "ci": r}, ""))
		}
		set := must(e.app.Settings(e.ctx, l.ID))(t)
		ask(5)
		hr := set.Read(e.states(l.ID)[ana.ID], e.clk.Now())
		e.clk.Advance(day)
		ask(1)
		low := e.states(l.ID)[ana.ID]
		if low.Checkin == nil || low.Checkin.P != [engine.NumDims]float64{} || !low.Checkin.At.Equal(e.clk.Now()) {
			t.Fatalf("the latest check-in snapshot is %+v, want the answer of 1s", low.Checkin)
		}
		lr := set.Read(low, e.clk.Now())
		// Replaced, not added: all of the evidence is now negative, and
		// there is no more of it than one check-in carries.
		if !closeTo(lr.RTotal, 0) || !(lr.STotal > 0) || !closeTo(lr.STotal, hr.RTotal) {
			t.Fatalf("after a 5s then 1s check-in: r %.4f s %.4f (the 5s gave r %.4f)", lr.RTotal, lr.STotal, hr.RTotal)
		}
		e.checkReplay(l.ID)
	})
}

// TestCheckinAnsweredOnce: many concurrent answers through one pass store
// exactly one answer and one entry.
func TestCheckinAnsweredOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		_, tok, err := e.app.AskCheckin(e.ctx, l.ID, "Ana", tl.DeliveryLink)
		noErr(t, err)
		pass := must(e.app.OpenCheckinLink(e.ctx, tok))(t)
		var ok atomic.Int32
		var wg sync.WaitGroup
		for i := range 12 {
			wg.Go(func() {
				r := 1 + i%5
				if e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": r, "cb": r, "ci": r}, "") == nil {
					ok.Add(1)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 1 {
			t.Fatalf("%d answers accepted, want 1", ok.Load())
		}
		if evs := must(e.app.Events(e.ctx, l.ID, tl.EventFilter{}))(t); len(evs) != 1 {
			t.Fatalf("%d entries, want 1", len(evs))
		}
		e.checkReplay(l.ID)
	})
}

// TestTheirWordCannotBeReversed: a leader reverses their own records,
// never what a person or the team said: a check-in answer, a
// confirmation, or the verdict of the team's reactions.
func TestTheirWordCannotBeReversed(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		noErr(t, e.app.SetSetting(e.ctx, l.ID, "anonymity_k", 3))
		people := e.team(l.ID, 3)
		ana := people[0]
		_, tok, err := e.app.AskCheckin(e.ctx, l.ID, ana.Person, tl.DeliveryLink)
		noErr(t, err)
		noErr(t, e.app.AnswerCheckin(e.ctx, must(e.app.OpenCheckinLink(e.ctx, tok))(t), map[string]int{"ca": 1, "cb": 1, "ci": 1}, ""))
		c := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: ana.Person, What: "w", Due: e.clk.Now().Add(day)}))(t)
		must(e.app.ResolvePromise(e.ctx, l.ID, c.ID, tl.PromiseKept, time.Time{}))(t)
		noErr(t, e.app.ConfirmPromise(e.ctx, ana.ID, c.ID, true))
		d := must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "x", Why: "y", Affects: "team"}))(t)
		for _, p := range people {
			noErr(t, e.app.React(e.ctx, p.ID, d.ID, tl.ReactionNotClear))
		}
		e.publish() // the reactions' verdict is released at a publication time
		n := 0
		for _, ev := range must(e.app.Events(e.ctx, l.ID, tl.EventFilter{}))(t) {
			if ev.Reverses != "" || ev.RecordedBy == "leader" {
				continue
			}
			n++
			_, err := e.app.Reverse(e.ctx, l.ID, ev.ID, "I disagree")
			switch ev.RecordedBy {
			case "person":
				wantCode(t, err, tl.EINVALID, "recorded by "+ana.Person, "cannot be reversed")
			default:
				wantCode(t, err, tl.EINVALID, "comes from your team", "cannot be reversed")
			}
		}
		if n != 3 {
			t.Fatalf("%d entries by the person or the team, want 3 (check-in, confirmation, reactions)", n)
		}
		e.checkReplay(l.ID)
	})
}
