package app_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
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
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
		// Five answer: all five the benevolence and safety items, four the
		// ability items, nobody the integrity items, one the outcome item.
		for i := range 5 {
			a := map[string]int{"b1": 4, "b2": 4, "s1": 2, "s2": 4, "s3": 2, "s4": 4, "s5": 2, "s6": 4, "s7": 4}
			if i < 4 {
				a["a1"], a["a2"] = 3, 3
			}
			if i == 0 {
				a["a1"], a["a2"], a["o1"] = 1, 1, tl.OutcomeResist
			}
			noErr(t, e.answer(p.SharedLink, tl.PulseAnswers{Answers: a}))
		}
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
		e.clk.Advance(day)
		// (Another team: a second wave of the first team this close in count
		// to a partial shared-link wave would be withheld, see leak.)
		must(e.app.AddTeam(e.ctx, l.ID, "design"))(t)
		for i := range 5 {
			must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: fmt.Sprintf("Designer %d", i), Kind: engine.Peer, Team: "design"}))(t)
		}
		q := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Team: "design", Delivery: tl.DeliveryLink}))(t)
		for range 5 {
			noErr(t, e.answer(q.SharedLink, tl.PulseAnswers{Answers: map[string]int{"s2": 5, "o1": tl.OutcomeCommit}}))
		}
		rep = must(e.app.ClosePulse(e.ctx, l.ID, q.Pulse.ID))(t)
		if !rep.Released || !slices.Equal(scaleNames(rep.Scales), []string{tl.ScaleSafety}) || rep.Outcome == nil || rep.Outcome.Commit != 100 {
			t.Fatalf("safety-only wave: %+v", rep)
		}
		if n := len(must(e.app.Events(e.ctx, l.ID, tl.EventFilter{}))(t)); n != 1 {
			t.Fatalf("%d entries after a wave without trust answers, want still 1", n)
		}
	})
}

// TestPulseRemindBatches: a reminder goes once per batch to each member
// who has not answered, can be sent again later, and only for an open
// pulse with personal links.
func TestPulseRemindBatches(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 5)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{}))(t)
		tok := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[0].ID))(t)
		noErr(t, e.answer(tok, uniform(4)))
		reminders := func() int {
			return e.count(t, "outbox WHERE kind = $1 AND ref_id = $2", store.MailPulseReminder, p.Pulse.ID)
		}
		noErr(t, e.app.RemindPulse(e.ctx, l.ID, p.Pulse.ID))
		noErr(t, e.app.RemindPulse(e.ctx, l.ID, p.Pulse.ID)) // a double click
		if n := reminders(); n != 4 {
			t.Fatalf("%d reminders after one batch (clicked twice), want 4", n)
		}
		e.clk.Advance(2 * day)
		noErr(t, e.app.RemindPulse(e.ctx, l.ID, p.Pulse.ID))
		if n := reminders(); n != 8 {
			t.Fatalf("%d reminders after a second batch, want 8", n)
		}
		if n := e.count(t, "outbox WHERE kind = $1 AND ref2 = $2", store.MailPulseReminder, people[0].ID); n != 0 {
			t.Fatalf("the member who answered got %d reminders", n)
		}
		must(e.app.ClosePulse(e.ctx, l.ID, p.Pulse.ID))(t)
		wantCode(t, e.app.RemindPulse(e.ctx, l.ID, p.Pulse.ID), tl.EINVALID, "closed")
		// Nothing to send after the close: a queued mail finds no link.
		if tok := must(e.app.PulseLinkForTest(e.ctx, p.Pulse.ID, people[1].ID))(t); tok != "" {
			t.Fatal("a link was issued for a closed pulse")
		}
		e.clk.Advance(time.Hour)
		q := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
		wantCode(t, e.app.RemindPulse(e.ctx, l.ID, q.Pulse.ID), tl.EINVALID, "shared link")
		o := e.leader("Omar")
		wantCode(t, e.app.RemindPulse(e.ctx, o.ID, q.Pulse.ID), tl.ENOTFOUND)
	})
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
		q := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
		must(e.app.OpenPulseLink(e.ctx, q.SharedLink))(t)
		must(e.app.OpenPulseLink(e.ctx, q.SharedLink))(t)
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

// TestPulseSharedLinkCap: one shared link used by more people than it was
// meant for, all at once, stores exactly as many answers as the
// population.
func TestPulseSharedLinkCap(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		e.team(l.ID, 6)
		p := must(e.app.LaunchPulse(e.ctx, l.ID, tl.PulseInput{Delivery: tl.DeliveryLink}))(t)
		passes := make([]string, 20)
		for i := range passes {
			passes[i] = must(e.app.OpenPulseLink(e.ctx, p.SharedLink))(t)
		}
		var ok, refused atomic.Int32
		var wg sync.WaitGroup
		for i := range passes {
			wg.Go(func() {
				err := e.app.SubmitPulse(e.ctx, passes[i], uniform(1+i%5))
				switch tl.ErrorCode(err) {
				case "":
					ok.Add(1)
				case tl.ECONFLICT:
					refused.Add(1)
				default:
					t.Errorf("submit: %v", err)
				}
			})
		}
		wg.Wait()
		if ok.Load() != 6 || refused.Load() != 14 {
			t.Fatalf("%d stored, %d refused; want 6 and 14", ok.Load(), refused.Load())
		}
		if n := responses(t, e, p.Pulse.ID); n != 6 {
			t.Fatalf("%d responses stored for a population of 6", n)
		}
	})
}
