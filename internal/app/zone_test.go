package app_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// Time zones (docs/MODEL.md, choice 39): a leader in Tokyo (UTC+9) and one
// in Los Angeles (UTC−8, UTC−7 from Sunday 8 March 2026) keep their weeks
// and due dates where they live, while every time stays UTC in storage.

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// zoneLeaders signs up the owner in Tokyo, as a browser there would, and
// invites a leader who moves their account to Los Angeles.
func (e *env) zoneLeaders(t *testing.T) (tokyo, la *tl.User) {
	t.Helper()
	tokyo = must(e.app.Signup(e.ctx, tl.SignupInput{Email: "aiko@example.org", Name: "Aiko", Password: ownerPass, TimeZone: "Asia/Tokyo"}))(t)
	la = e.inviteAndAccept(t, tokyo.ID, "luis@example.org", "Luis", tl.RoleLeader)
	if la.TimeZone != "UTC" {
		t.Fatalf("an invited account starts in %q, want UTC", la.TimeZone)
	}
	la = must(e.app.SetTimeZone(e.ctx, la.ID, "America/Los_Angeles"))(t)
	for _, u := range []*tl.User{tokyo, la} {
		e.person(u.LeaderID, "Ana", engine.DirectReport)
	}
	return tokyo, la
}

// TestZoneWeeksTurnAtLocalMonday: each leader's week, this week's step and
// a journal entry turn at Monday 00:00 where the leader lives.
func TestZoneWeeksTurnAtLocalMonday(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		tokyo, la := e.zoneLeaders(t)
		before, after := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC), time.Date(2026, 3, 9, 0, 0, 0, 0, time.UTC)
		for _, c := range []struct {
			u      *tl.User
			monday time.Time // Monday 9 March, 00:00 there
		}{
			{tokyo, time.Date(2026, 3, 9, 0, 0, 0, 0, zone(t, "Asia/Tokyo"))},       // Sunday 15:00 UTC
			{la, time.Date(2026, 3, 9, 0, 0, 0, 0, zone(t, "America/Los_Angeles"))}, // Monday 07:00 UTC (PDT)
		} {
			lid := c.u.LeaderID
			e.clk.Set(c.monday.Add(-time.Millisecond))
			wk := must(e.app.Week(e.ctx, lid))(t)
			if !wk.WeekStart.Equal(before) || wk.Step == nil || !wk.Step.WeekStart.Equal(before) {
				t.Fatalf("%s, Sunday 23:59:59.999 local: week %v, step %+v; want the week of %v", c.u.Name, wk.WeekStart, wk.Step, before)
			}
			j := must(e.app.AddJournal(e.ctx, lid, 1, "Sunday night"))(t)
			if !j.WeekStart.Equal(before) {
				t.Fatalf("%s: Sunday night's entry in the week of %v", c.u.Name, j.WeekStart)
			}
			first := wk.Step.ID
			e.clk.Set(c.monday)
			wk = must(e.app.Week(e.ctx, lid))(t)
			if !wk.WeekStart.Equal(after) || wk.Step == nil || wk.Step.ID == first || !wk.Step.WeekStart.Equal(after) {
				t.Fatalf("%s, Monday 00:00 local: week %v, step %+v; want a new step for the week of %v", c.u.Name, wk.WeekStart, wk.Step, after)
			}
			j = must(e.app.AddJournal(e.ctx, lid, 1, "Monday morning"))(t)
			if !j.WeekStart.Equal(after) {
				t.Fatalf("%s: Monday's entry in the week of %v", c.u.Name, j.WeekStart)
			}
			// The accepted step is due at the end of Sunday there.
			_, p := must2(e.app.AcceptStep(e.ctx, lid))(t)
			loc := zone(t, c.u.TimeZone)
			if due := p.Due.In(loc); due.Weekday() != time.Sunday || due.Format("2006-01-02 15:04:05") != "2026-03-15 23:59:59" {
				t.Fatalf("%s: the step is due %v, want Sunday 15 March 23:59:59 there", c.u.Name, due)
			}
		}
	})
}

// TestZoneFridayEndsWhereTheLeaderIs: "friday" is due until Friday is over
// in the leader's zone: kept by then is on time, after it late, and the
// tick breaks it when the grace has passed by the leader's calendar (in
// Los Angeles across the change to summer time, so an hour before two
// times 24 hours).
func TestZoneFridayEndsWhereTheLeaderIs(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		tokyo, la := e.zoneLeaders(t)
		friday := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC) // the date, as a front end reads "friday"
		for _, c := range []struct {
			u                *tl.User
			endOfFriday      time.Time // 23:59:59.999 there, in UTC
			brokenAt         time.Time // the end of Sunday there: two days of grace
			sundayNightLocal string
		}{
			{tokyo, time.Date(2026, 3, 6, 14, 59, 59, int(999*time.Millisecond), time.UTC),
				time.Date(2026, 3, 8, 14, 59, 59, int(999*time.Millisecond), time.UTC), "Sun 8 Mar 23:59 JST"},
			{la, time.Date(2026, 3, 7, 7, 59, 59, int(999*time.Millisecond), time.UTC),
				time.Date(2026, 3, 9, 6, 59, 59, int(999*time.Millisecond), time.UTC), "Sun 8 Mar 23:59 PDT"},
		} {
			lid := c.u.LeaderID
			loc := zone(t, c.u.TimeZone)
			due := tl.DayEnd(friday, loc)
			if !due.Equal(c.endOfFriday) {
				t.Fatalf("%s: Friday ends at %v, want %v", c.u.Name, due, c.endOfFriday)
			}
			e.clk.Set(time.Date(2026, 3, 4, 12, 0, 0, 0, time.UTC))
			add := func(what string) *tl.Promise {
				return must(e.app.AddPromise(e.ctx, lid, tl.PromiseInput{To: "Ana", What: what, Due: due}))(t)
			}
			onTime, late, open := add("send the budget"), add("book the room"), add("share the roadmap")

			e.clk.Set(c.endOfFriday)
			if got := must(e.app.ResolvePromise(e.ctx, lid, onTime.ID, tl.PromiseKept, time.Time{}))(t); got.Status != tl.PromiseKept {
				t.Fatalf("%s: kept at the last moment of Friday there is %s, want kept", c.u.Name, got.Status)
			}
			e.clk.Set(c.endOfFriday.Add(time.Millisecond))
			if got := must(e.app.ResolvePromise(e.ctx, lid, late.ID, tl.PromiseKept, time.Time{}))(t); got.Status != tl.PromiseKeptLate {
				t.Fatalf("%s: kept on Saturday there is %s, want kept-late", c.u.Name, got.Status)
			}
			if kept, due := must2(e.app.SayDo(e.ctx, lid))(t); kept != 2 || due != 3 {
				t.Fatalf("%s: say/do %d of %d on Saturday, want 2 of 3 (the open one is past its day)", c.u.Name, kept, due)
			}

			e.clk.Set(c.brokenAt)
			if got := must(e.app.Tick(e.ctx))(t); len(got) != 0 {
				t.Fatalf("%s: broken at the last moment of its grace: %+v", c.u.Name, got)
			}
			e.clk.Set(c.brokenAt.Add(time.Second))
			got := must(e.app.Tick(e.ctx))(t)
			if len(got) != 1 || got[0].ID != open.ID {
				t.Fatalf("%s: after the grace the tick broke %+v, want the open promise", c.u.Name, got)
			}
			for _, ev := range must(e.app.Events(e.ctx, lid, tl.EventFilter{}))(t) {
				if ev.PromiseID == open.ID && ev.Kind == "promise-broken" {
					if !ev.OccurredAt.Equal(c.brokenAt) || ev.OccurredAt.In(loc).Format("Mon 2 Jan 15:04 MST") != c.sundayNightLocal {
						t.Fatalf("%s: broken at %v, want %s", c.u.Name, ev.OccurredAt.In(loc), c.sundayNightLocal)
					}
				}
			}
		}
	})
}

// TestZoneOfLeaderWithoutAccount: a leader made by the CLI has no zone of
// its own and follows the zone its caller gives (the CLI's), UTC without
// one; a zone set on its account is the one its weeks follow after.
func TestZoneOfLeaderWithoutAccount(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		if l.TimeZone != "" {
			t.Fatalf("a leader made without an account has zone %q", l.TimeZone)
		}
		e.person(l.ID, "Ana", engine.DirectReport)
		// Sunday 20:00 UTC is Monday 05:00 in Tokyo.
		e.clk.Set(time.Date(2026, 3, 8, 20, 0, 0, 0, time.UTC))
		inTokyo := tl.WithZone(e.ctx, zone(t, "Asia/Tokyo"))
		if wk := must(e.app.Week(inTokyo, l.ID))(t); wk.WeekStart.Format(time.DateOnly) != "2026-03-09" {
			t.Fatalf("week with a caller in Tokyo: %v", wk.WeekStart)
		}
		if j := must(e.app.AddJournal(e.ctx, l.ID, 0, "no zone given"))(t); j.WeekStart.Format(time.DateOnly) != "2026-03-02" {
			t.Fatalf("journal without a caller's zone in the week of %v, want UTC's", j.WeekStart)
		}
	})
}

// TestZoneChange: a name the zone database does not know is refused on
// the field time_zone with what to write, and changes nothing; an account
// that leads moves its leader's weeks, one that does not moves only
// itself.
func TestZoneChange(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := e.signupOwner(t)
		if owner.TimeZone != "UTC" {
			t.Fatalf("an owner who gave no zone starts in %q, want UTC", owner.TimeZone)
		}
		for _, bad := range []string{"Tokio", "Asia/Tokio", "Local", "../../etc/passwd", "Mars/Olympus_Mons"} {
			_, err := e.app.SetTimeZone(e.ctx, owner.ID, bad)
			wantCode(t, err, tl.EINVALID, "is not a time zone we know", "Europe/Berlin")
			if f := tl.ErrorField(err); f != "time_zone" {
				t.Fatalf("%q: error on field %q, want time_zone", bad, f)
			}
		}
		_, err := e.app.SetTimeZone(e.ctx, owner.ID, "")
		if err != nil {
			t.Fatalf("an empty zone is UTC: %v", err)
		}
		if u := must(e.app.LeaderUser(e.ctx, owner.LeaderID))(t); u.TimeZone != "UTC" {
			t.Fatalf("after bad names the zone is %q", u.TimeZone)
		}
		u := must(e.app.SetTimeZone(e.ctx, owner.ID, " Asia/Tokyo "))(t)
		if u.TimeZone != "Asia/Tokyo" {
			t.Fatalf("zone %q", u.TimeZone)
		}
		ls := must(e.app.Leaders(e.ctx))(t)
		if len(ls) != 1 || ls[0].TimeZone != "Asia/Tokyo" {
			t.Fatalf("the leader's zone did not follow the account: %+v", ls)
		}
		coach := e.inviteAndAccept(t, owner.ID, "cole@example.org", "Cole", tl.RoleCoach)
		if c := must(e.app.SetTimeZone(e.ctx, coach.ID, "America/Los_Angeles"))(t); c.TimeZone != "America/Los_Angeles" || c.LeaderID != "" {
			t.Fatalf("coach %+v", c)
		}
		if ls := must(e.app.Leaders(e.ctx))(t); ls[0].TimeZone != "Asia/Tokyo" {
			t.Fatalf("a coach's zone moved the leader's: %+v", ls)
		}
		_, err = e.app.SetTimeZone(e.ctx, "nobody", "UTC")
		wantCode(t, err, tl.ENOTFOUND)
		// Signing up with a zone the database does not know is refused too:
		// the web leaves out a browser's zone it cannot read instead.
		other := e.fresh(t)
		_, err = other.app.Signup(other.ctx, tl.SignupInput{Email: "x@example.org", Name: "X", Password: ownerPass, TimeZone: "Nowhere/Atall"})
		wantCode(t, err, tl.EINVALID, "Nowhere/Atall")
		if has := must(other.app.HasUsers(other.ctx))(t); has {
			t.Fatal("a refused signup made an account")
		}
	})
}

// TestZoneBackup: an export carries each leader's zone and an import puts
// it back; a zone the database does not know is refused, naming the row.
func TestZoneBackup(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		tokyo, _ := e.zoneLeaders(t)
		b := must(e.app.Export(e.ctx, tokyo.LeaderID))(t)
		if len(b.Leaders) != 1 || b.Leaders[0].TimeZone != "Asia/Tokyo" {
			t.Fatalf("export: %+v", b.Leaders)
		}
		data, err := json.Marshal(b)
		noErr(t, err)
		if !bytes.Contains(data, []byte(`"time_zone":"Asia/Tokyo"`)) {
			t.Fatalf("the backup's JSON carries no zone: %s", data[:200])
		}
		var back tl.Backup
		noErr(t, json.Unmarshal(data, &back))
		dst := e.fresh(t)
		noErr(t, dst.app.Import(dst.ctx, tl.Operator, &back))
		ls := must(dst.app.Leaders(dst.ctx))(t)
		if len(ls) != 1 || ls[0].TimeZone != "Asia/Tokyo" {
			t.Fatalf("imported: %+v", ls)
		}

		var bad tl.Backup
		noErr(t, json.Unmarshal(bytes.Replace(data, []byte(`"Asia/Tokyo"`), []byte(`"Asia/Tokio"`), 1), &bad))
		err = e.fresh(t).app.Import(e.ctx, tl.Operator, &bad)
		wantCode(t, err, tl.EINVALID, "leader 1", "Asia/Tokio")
	})
}
