package app_test

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
)

// TestEraseForgetsTheAddressAsked: an erased person is no longer reminded
// of an open pulse: the address they were asked at goes with the rest.
func TestEraseForgetsTheAddressAsked(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		people := e.team(lena.LeaderID, 6)
		p := must(e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{}))(t)
		e.mailboxes()
		must(e.app.ErasePerson(e.ctx, lena.LeaderID, people[0].Person))(t)
		noErr(t, e.app.RemindPulse(e.ctx, lena.LeaderID, p.Pulse.ID))
		boxes := e.mailboxes()
		if n := len(boxes[people[0].Email]); n != 0 {
			t.Fatalf("the erased person got %d reminders", n)
		}
		if n := len(boxes[people[1].Email]); n != 1 {
			t.Fatalf("another member got %d reminders, want 1", n)
		}
	})
}

// TestMemberSessionKeepsNoTime: a member's session does not record when
// they were last on the pages where they answer and react; it ends the
// idle timeout after they signed in.
func TestMemberSessionKeepsNoTime(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		ana := e.inviteAndAccept(t, lena.ID, "ana@example.org", "Ana", tl.RoleMember)
		tok := must(e.app.CreateSession(e.ctx, ana.ID))(t)
		created := e.clk.Now()
		e.clk.Advance(10 * time.Minute)
		must(e.app.SessionUser(e.ctx, tok))(t)
		var last int64
		noErr(t, e.db.SQL().QueryRowContext(e.ctx, "SELECT last_seen FROM sessions").Scan(&last))
		if last != created.UnixMilli() {
			t.Fatalf("a member's session recorded a visit at %v", time.UnixMilli(last).UTC())
		}
		e.clk.Set(created.Add(tl.SessionIdleTimeout))
		_, err := e.app.SessionUser(e.ctx, tok)
		wantCode(t, err, tl.EUNAUTHORIZED)
	})
}

// TestPublicationAfterAClockSetForward: a publication recorded in the
// future (a clock once set forward) does not stop the next ones.
func TestPublicationAfterAClockSetForward(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		lena := e.signupOwner(t)
		e.team(lena.LeaderID, 10)
		now := e.clk.Now()
		e.clk.Set(now.Add(30 * 24 * time.Hour))
		must(e.app.Tick(e.ctx))(t)
		e.clk.Set(now)
		p := must(e.app.LaunchPulse(e.ctx, lena.LeaderID, tl.PulseInput{}))(t)
		e.answerN(p.Pulse.ID, 5, func(int) tl.PulseAnswers { return uniform(4) })
		e.publish()
		if c := must(e.app.PulseReport(e.ctx, lena.LeaderID, p.Pulse.ID))(t).Count; c != tl.CountK {
			t.Fatalf("after a publication the band is %q, want %q", c, tl.CountK)
		}
	})
}
