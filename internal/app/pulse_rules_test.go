package app_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// scaleNames lists the scales a report shows.
func scaleNames(rs []tl.ScaleResult) []string {
	var out []string
	for _, s := range rs {
		out = append(out, s.Scale)
	}
	return out
}

// TestPulseScaleNeedsK: items may be skipped, so a released pulse can
// hold a scale that fewer than k people answered. Such a scale (and the
// outcome item) is not shown and gives the model no evidence: every
// number the leader sees stands on at least k people.
func TestPulseScaleNeedsK(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.team(l.ID, 6)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		// Five answer: all five the benevolence and safety items, four the
		// ability items, nobody the integrity items, one the outcome item.
		e.answerN(p.Pulse.ID, 5, func(i int) tl.PulseAnswers {
			a := map[string]int{"b1": 4, "b2": 4, "s1": 2, "s2": 4, "s3": 2, "s4": 4, "s5": 2, "s6": 4, "s7": 4}
			if i < 4 {
				a["a1"], a["a2"] = 3, 3
			}
			if i == 0 {
				a["a1"], a["a2"], a["o1"] = 1, 1, tl.OutcomeResist
			}
			return tl.PulseAnswers{Answers: a}
		})
		noErr(t, e.app.AnswerSelf(e.ctx, l.ID, p.Pulse.ID, map[string]int{"a1": 5, "a2": 5, "b1": 5, "b2": 5, "i1": 5, "i2": 5}))
		rep := must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		if !rep.Released || rep.N != 5 {
			t.Fatalf("five answers not released: %+v", rep)
		}
		if got, want := scaleNames(rep.Scales), []string{tl.ScaleBenevolence, tl.ScaleSafety}; !slices.Equal(got, want) {
			t.Fatalf("scales shown %v, want %v: ability (4 answers) and integrity (none) need k=5", got, want)
		}
		if rep.Outcome != nil {
			t.Fatalf("the outcome item, answered by one person, is shown: %+v", rep.Outcome)
		}
		if len(rep.Gaps) != 1 || rep.Gaps[0].Scale != tl.ScaleBenevolence {
			t.Fatalf("gaps %+v, want benevolence only", rep.Gaps)
		}
		// The model gets benevolence only.
		evs := must(e.app.Events(e.ctx, l.ID, tl.EventFilter{}))(t)
		if len(evs) != 1 || evs[0].Snapshot == nil {
			t.Fatalf("events %+v, want one pulse entry with a snapshot", evs)
		}
		s := evs[0].Snapshot
		if s.Rwg[engine.Ability] != 0 || s.Rwg[engine.Integrity] != 0 || s.Rwg[engine.Benevolence] <= 0 {
			t.Fatalf("snapshot agreement %v: ability and integrity must carry no weight", s.Rwg)
		}
		if !closeTo(s.P[engine.Benevolence], 0.75) {
			t.Fatalf("snapshot p %v, want benevolence .75", s.P)
		}
		e.checkReplay(l.ID)
		v := must(e.app.TeamViews(e.ctx, l.ID))(t)
		if len(v) != 1 || v[0].Dims[engine.Ability].HasTeam || v[0].Dims[engine.Integrity].HasTeam ||
			!v[0].Dims[engine.Benevolence].HasTeam || v[0].Safety == nil {
			t.Fatalf("team view %+v", v)
		}

		// A wave where no trust scale reaches k is released for what it
		// shows, and enters no evidence.
		// (Another team, of five who count.)
		e.clk.Advance(day)
		must(e.app.AddTeam(e.ctx, l.ID, "design"))(t)
		var designers []*tl.Relationship
		for i := range 5 {
			designers = append(designers, must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: fmt.Sprintf("Designer %d", i),
				Email: fmt.Sprintf("designer%d@example.org", i), Kind: engine.Peer, Team: "design"}))(t))
		}
		e.counted(designers...)
		q := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Team: "design"}))(t)
		e.answerN(q.Pulse.ID, 5, func(int) tl.PulseAnswers {
			return tl.PulseAnswers{Answers: map[string]int{"s2": 5, "o1": tl.OutcomeCommit}}
		})
		rep = must(e.app.ClosePulse(e.ctx, l.ID, q.Pulse.ID))(t)
		if !rep.Released || !slices.Equal(scaleNames(rep.Scales), []string{tl.ScaleSafety}) || rep.Outcome == nil || rep.Outcome.Commit != 100 {
			t.Fatalf("safety-only wave: %+v", rep)
		}
		if n := len(must(e.app.Events(e.ctx, l.ID, tl.EventFilter{}))(t)); n != 1 {
			t.Fatalf("%d entries after a wave without trust answers, want still 1", n)
		}
	})
}

// TestPulseRemindBatches: a reminder goes once per batch to everyone the
// pulse asked, answered or not, at the address they were asked at; it can
// be sent again later, and only for an open pulse with personal links.
func TestPulseRemindBatches(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 5)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		tok := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[0].ID))(t)
		noErr(t, e.answer(tok, uniform(4)))
		// An address changed after the launch changes nothing for this
		// pulse: its reminder goes where the invitation went.
		must(e.app.SetEmail(e.ctx, l.ID, people[2].Person, "elsewhere@example.org"))(t)
		reminders := func() int {
			return e.count(t, "outbox WHERE kind = $1 AND ref_id = $2", store.MailPulseReminder, p.Pulse.ID)
		}
		noErr(t, e.app.RemindPulse(e.ctx, l.ID, p.Pulse.ID))
		noErr(t, e.app.RemindPulse(e.ctx, l.ID, p.Pulse.ID)) // a double click
		if n := reminders(); n != 5 {
			t.Fatalf("%d reminders after one batch (clicked twice), want 5", n)
		}
		e.clk.Advance(2 * day)
		noErr(t, e.app.RemindPulse(e.ctx, l.ID, p.Pulse.ID))
		if n := reminders(); n != 10 {
			t.Fatalf("%d reminders after a second batch, want 10", n)
		}
		for _, r := range people {
			if n := e.count(t, "outbox WHERE kind = $1 AND ref_id = $2 AND ref2 = $3 AND to_addr = $4",
				store.MailPulseReminder, p.Pulse.ID, r.ID, r.Email); n != 2 {
				t.Fatalf("%s got %d reminders at %s, want 2, answered or not", r.Person, n, r.Email)
			}
		}
		if n := e.count(t, "outbox WHERE kind = $1 AND to_addr = $2", store.MailPulseReminder, "elsewhere@example.org"); n != 0 {
			t.Fatalf("%d reminders went to the address set after the launch", n)
		}
		must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		wantCode(t, e.app.RemindPulse(e.ctx, l.ID, p.Pulse.ID), tl.EINVALID, "closed")
		// Nothing to send after the close: a queued mail finds no link.
		if tok := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[1].ID))(t); tok != "" {
			t.Fatal("a link was issued for a closed pulse")
		}
		// An open shared-link pulse from before personal links only.
		q := oldSharedPulse(t, e, l.ID, people, "SHAREDLINKFROMBEFORETHERULE")
		wantCode(t, e.app.RemindPulse(e.ctx, l.ID, q.ID), tl.EINVALID, "shared link")
		o := e.leader("Omar")
		wantCode(t, e.app.RemindPulse(e.ctx, o.ID, q.ID), tl.ENOTFOUND)
	})
}

// oldSharedPulse stores, through the store, an open pulse launched by one
// shared link before pulses went by personal links only.
func oldSharedPulse(t *testing.T, e *env, leaderID string, people []*tl.Relationship, shared string) *store.PulseRow {
	t.Helper()
	teams := must(e.app.Teams(e.ctx, leaderID))(t)
	now := e.clk.Now()
	p := &store.PulseRow{Pulse: tl.Pulse{ID: store.NewID(now), LeaderID: leaderID, TeamID: teams[0].ID, Team: teams[0].Name,
		Wave: 99, K: 5, CommentsK: 10, Delivery: tl.DeliveryLink, Status: tl.PulseOpen, Population: len(people),
		CreatedAt: now, ClosesAt: now.Add(2 * day)}, SharedHash: sha256Hex(shared)}
	ids := make([]string, len(people))
	for i, r := range people {
		ids[i] = r.ID
	}
	noErr(t, e.db.Write(e.ctx, func(tx *store.Tx) error { return tx.CreatePulse(e.ctx, p, store.AskedIDs(ids)) }))
	return p
}

// TestPulsePassesEnd: a pass opened before the close stops working at the
// close and its row is gone; Tick removes expired passes.
func TestPulsePassesEnd(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 5)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		tok := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[0].ID))(t)
		pass := must(e.app.OpenPulseLink(e.ctx, tok))(t)
		must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		_, err := e.app.PulseForm(e.ctx, pass)
		wantCode(t, err, tl.ENOTFOUND)
		wantCode(t, e.app.SubmitPulse(e.ctx, pass, uniform(3)), tl.ENOTFOUND)
		if n := e.count(t, "passes"); n != 0 {
			t.Fatalf("%d passes left after the close", n)
		}

		e.clk.Advance(time.Hour)
		q := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		links := e.links(q.Pulse.ID)
		must(e.app.OpenPulseLink(e.ctx, links[people[1].ID]))(t)
		must(e.app.OpenPulseLink(e.ctx, links[people[2].ID]))(t)
		e.clk.Advance(tl.AnswerPassTTL - time.Minute)
		must(e.app.Tick(e.ctx))(t)
		if n := e.count(t, "passes"); n != 2 {
			t.Fatalf("%d passes before they expire, want 2", n)
		}
		e.clk.Advance(2 * time.Minute)
		must(e.app.Tick(e.ctx))(t)
		if n := e.count(t, "passes"); n != 0 {
			t.Fatalf("%d passes after they expired and Tick ran, want 0", n)
		}
	})
}
