package app

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below, whatever the machine has installed

	tl "github.com/trustledger/trustledger"
)

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestDigestTimesInZones: the weekly digest is due at the chosen day and
// hour on the leader's clock, whatever their zone, across daylight saving
// time, and not a minute before; its links end when the leader's week
// ends. The zone is passed in, as leaderZone will give it.
func TestDigestTimesInZones(t *testing.T) {
	berlin, ny, kolkata, kiritimati, samoa := mustZone(t, "Europe/Berlin"), mustZone(t, "America/New_York"),
		mustZone(t, "Asia/Kolkata"), mustZone(t, "Pacific/Kiritimati"), mustZone(t, "Pacific/Pago_Pago")
	for _, c := range []struct {
		name          string
		loc           *time.Location
		now           time.Time // any moment of the week
		weekday, hour int
		week          string // its name
		due, until    time.Time
	}{
		{"UTC Monday 08:00", time.UTC, time.Date(2026, 3, 25, 12, 0, 0, 0, time.UTC), 0, 8,
			"2026-03-23", time.Date(2026, 3, 23, 8, 0, 0, 0, time.UTC), time.Date(2026, 3, 24, 0, 0, 0, 0, time.UTC)},
		// Berlin moves to summer time on Sunday 29 March 2026: the Monday
		// after, 08:00 is 06:00 UTC, the Monday before 07:00 UTC.
		{"Berlin before summer time", berlin, time.Date(2026, 3, 26, 12, 0, 0, 0, time.UTC), 0, 8,
			"2026-03-23", time.Date(2026, 3, 23, 7, 0, 0, 0, time.UTC), time.Date(2026, 3, 23, 23, 0, 0, 0, time.UTC)},
		{"Berlin in summer time", berlin, time.Date(2026, 4, 1, 12, 0, 0, 0, time.UTC), 0, 8,
			"2026-03-30", time.Date(2026, 3, 30, 6, 0, 0, 0, time.UTC), time.Date(2026, 3, 30, 22, 0, 0, 0, time.UTC)},
		// Sunday 08:00 on the night the clocks move: still 08:00 there.
		{"Berlin Sunday of the change", berlin, time.Date(2026, 3, 25, 12, 0, 0, 0, time.UTC), 6, 8,
			"2026-03-23", time.Date(2026, 3, 29, 6, 0, 0, 0, time.UTC), time.Date(2026, 3, 29, 22, 0, 0, 0, time.UTC)},
		// Sunday evening in New York is already Monday in UTC: the week
		// is New York's.
		{"New York Friday 17:00", ny, time.Date(2026, 3, 30, 2, 0, 0, 0, time.UTC), 4, 17,
			"2026-03-23", time.Date(2026, 3, 27, 21, 0, 0, 0, time.UTC), time.Date(2026, 3, 28, 4, 0, 0, 0, time.UTC)},
		{"Kolkata half hour", kolkata, time.Date(2026, 3, 24, 0, 0, 0, 0, time.UTC), 0, 8,
			"2026-03-23", time.Date(2026, 3, 23, 2, 30, 0, 0, time.UTC), time.Date(2026, 3, 23, 18, 30, 0, 0, time.UTC)},
		// UTC+14: Monday 08:00 there is Sunday 18:00 UTC.
		{"Kiritimati", kiritimati, time.Date(2026, 3, 22, 18, 30, 0, 0, time.UTC), 0, 8,
			"2026-03-23", time.Date(2026, 3, 22, 18, 0, 0, 0, time.UTC), time.Date(2026, 3, 23, 10, 0, 0, 0, time.UTC)},
		// UTC−11: Monday 00:00 there is Monday 11:00 UTC.
		{"Pago Pago midnight", samoa, time.Date(2026, 3, 23, 12, 0, 0, 0, time.UTC), 0, 0,
			"2026-03-23", time.Date(2026, 3, 23, 11, 0, 0, 0, time.UTC), time.Date(2026, 3, 24, 11, 0, 0, 0, time.UTC)},
	} {
		t.Run(c.name, func(t *testing.T) {
			week, due, until := digestTimes(c.now, c.loc, c.weekday, c.hour)
			if got := week.Format(time.DateOnly); got != c.week {
				t.Errorf("week %s, want %s", got, c.week)
			}
			if !due.Equal(c.due) || !until.Equal(c.until) {
				t.Errorf("due %s until %s, want %s until %s", due.UTC(), until.UTC(), c.due, c.until)
			}
			if l := due.In(c.loc); l.Hour() != c.hour || (int(l.Weekday())+6)%7 != c.weekday {
				t.Errorf("due %s on the leader's clock", l)
			}
			// Its week's name does not change between the due time and the
			// end of its day.
			for _, at := range []time.Time{due, until.Add(-time.Minute)} {
				if w, _, _ := digestTimes(at, c.loc, c.weekday, c.hour); !w.Equal(week) {
					t.Errorf("at %s the week is %s, want %s", at, w.Format(time.DateOnly), c.week)
				}
			}
			if ends := weekEnds(week, c.loc); !ends.Equal(tl.WeekBegins(week.AddDate(0, 0, 7), c.loc)) || ends.In(c.loc).Weekday() != time.Monday || ends.In(c.loc).Hour() != 0 {
				t.Errorf("the week ends %s", ends.In(c.loc))
			}
		})
	}
}

// TestNextDigest: the account page's "next one" is this week's digest
// until it went or its day ended, then next week's.
func TestNextDigest(t *testing.T) {
	berlin := mustZone(t, "Europe/Berlin")
	mon := time.Date(2026, 3, 23, 7, 0, 0, 0, time.UTC) // Monday 08:00 in Berlin
	for _, c := range []struct {
		now  time.Time
		sent bool
		want time.Time
	}{
		{mon.Add(-time.Minute), false, mon},
		{mon, false, mon},
		{mon.Add(time.Hour), false, mon.Add(time.Hour)},                  // due, goes at the next tick
		{mon.Add(time.Hour), true, mon.AddDate(0, 0, 7).Add(-time.Hour)}, // summer time next week
		{mon.Add(16 * time.Hour), false, mon.AddDate(0, 0, 7).Add(-time.Hour)},
	} {
		if got := nextDigest(c.now, berlin, 0, 8, c.sent); !got.Equal(c.want) {
			t.Errorf("at %s (sent %v): next %s, want %s", c.now, c.sent, got.UTC(), c.want)
		}
	}
}

// TestReminderTimes: a promise is reminded of at the leader's hour on the
// date it falls due on their clock.
func TestReminderTimes(t *testing.T) {
	ny := mustZone(t, "America/New_York")
	// Due Wednesday 02:00 UTC is Tuesday 22:00 in New York: reminded on
	// Tuesday at 08:00 there.
	at, until := reminderTimes(time.Date(2026, 3, 25, 2, 0, 0, 0, time.UTC), ny, 8)
	if want := time.Date(2026, 3, 24, 12, 0, 0, 0, time.UTC); !at.Equal(want) {
		t.Errorf("reminded at %s, want %s", at.UTC(), want)
	}
	if want := time.Date(2026, 3, 25, 4, 0, 0, 0, time.UTC); !until.Equal(want) {
		t.Errorf("until %s, want %s", until.UTC(), want)
	}
}
