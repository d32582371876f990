package trustledger

import (
	"testing"
	"time"
)

func TestWeekStartIn(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skipf("no zone database: %v", err)
	}
	la, _ := time.LoadLocation("America/Los_Angeles")
	// Sunday 20:00 UTC is Monday 05:00 in Tokyo and Sunday 12:00 in Los Angeles.
	at := time.Date(2026, 12, 6, 20, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		loc  *time.Location
		want string
	}{{time.UTC, "2026-11-30"}, {tokyo, "2026-12-07"}, {la, "2026-11-30"}, {nil, "2026-11-30"}} {
		got := WeekStartIn(at, c.loc)
		if got.Format("2006-01-02") != c.want || got.Location() != time.UTC || got.Hour() != 0 {
			t.Errorf("WeekStartIn(%v, %v) = %v, want %s 00:00 UTC", at, c.loc, got, c.want)
		}
		if b := WeekBegins(got, c.loc); b.After(at) || !b.AddDate(0, 0, 7).After(at) || b.In(locOr(c.loc)).Weekday() != time.Monday || b.In(locOr(c.loc)).Hour() != 0 {
			t.Errorf("WeekBegins(%v, %v) = %v does not begin the week holding %v", got, c.loc, b, at)
		}
	}
	if !WeekStart(at).Equal(WeekStartIn(at, time.UTC)) {
		t.Error("WeekStart is not the week in UTC")
	}
}

func locOr(l *time.Location) *time.Location {
	if l == nil {
		return time.UTC
	}
	return l
}
