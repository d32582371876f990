package cli

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	tl "github.com/trustledger/trustledger"
)

// Limits that keep a typo ("3000000 days ago") from producing a date no
// one meant, or overflowing time arithmetic.
const (
	maxDays  = 36600 // about a hundred years
	maxWeeks = maxDays / 7
	maxHours = maxDays * 24
)

// dateHint is the end of every date error: what the user may type instead.
const dateHint = `use YYYY-MM-DD, "yesterday", "3 days ago" or a weekday`

func invalidDate(s string) error {
	return tl.Errorf(tl.EINVALID, "invalid date %q: %s", s, dateHint)
}

// direction says which way a bare weekday name points: back for when
// something happened, forward for when something is due.
type direction int

const (
	past direction = iota
	future
)

// ParseWhen reads when something happened, relative to now, with days
// counted in loc (the zone of whoever types; nil is UTC): YYYY-MM-DD,
// RFC 3339, today, yesterday, tomorrow, a weekday name (the most recent
// such day, today included; "last friday" excludes today), "N days ago",
// "N weeks ago", "in N days", "in N weeks". Forms that name a day keep
// now's time of day there, so "yesterday" is the same hour of the day
// before and a date given as today is never in the future. RFC 3339 is
// taken as written. The result is in UTC. The error is a
// *trustledger.Error (EINVALID) that says what may be typed instead.
func ParseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	t, _, err := parseDate(s, now, loc, past)
	return t, err
}

// ParseDue reads a due date: the same forms as ParseWhen, except that a
// bare weekday name means the next such day, today included ("next
// friday" excludes today), and that a form naming a day means the end of
// that day in loc (its last millisecond: docs/MODEL.md, choice 39), so
// "friday" is due until Friday is over where the leader is. "now" and
// RFC 3339 name a moment and are taken as they are.
func ParseDue(s string, now time.Time, loc *time.Location) (time.Time, error) {
	t, isDay, err := parseDate(s, now, loc, future)
	if err != nil || !isDay {
		return t, err
	}
	return inYears(tl.EndOfDay(t, loc), s)
}

// inYears keeps a result within the years 1–9999 in UTC, which RFC 3339
// writes and every store reads; a date at either end in a zone far from
// UTC may fall outside.
func inYears(t time.Time, s string) (time.Time, error) {
	if y := t.Year(); y < 1 || y > 9999 {
		return time.Time{}, invalidDate(s)
	}
	return t, nil
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "sun": time.Sunday,
	"monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday,
	"thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday,
	"friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
}

// parseDate reads s relative to now in loc; isDay says that s named a
// day (rather than a moment: "now" or RFC 3339). The result is in UTC.
func parseDate(s string, now time.Time, loc *time.Location, dir direction) (t time.Time, isDay bool, err error) {
	if loc == nil {
		loc = time.UTC
	}
	now = now.In(loc)
	day := func(t time.Time) (time.Time, bool, error) {
		t, err := inYears(t.UTC(), s)
		return t, err == nil, err
	}
	fields := strings.Fields(strings.ToLower(s))
	if len(fields) == 0 {
		return time.Time{}, false, tl.Errorf(tl.EINVALID, "no date given: %s", dateHint)
	}
	if len(fields) == 1 {
		f := fields[0]
		switch f {
		case "now":
			return now.UTC(), false, nil
		case "today":
			return day(now)
		case "yesterday":
			return day(now.AddDate(0, 0, -1))
		case "tomorrow":
			return day(now.AddDate(0, 0, 1))
		}
		if wd, ok := weekdays[f]; ok {
			return day(onWeekday(now, wd, dir, true))
		}
		if d, err := time.Parse(time.DateOnly, f); err == nil {
			return day(onDay(d, now))
		}
		// RFC 3339 keeps its case-sensitive T and Z: parse the original.
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s)); err == nil {
			return t.UTC(), false, nil
		}
		return time.Time{}, false, invalidDate(s)
	}
	if len(fields) == 2 {
		if wd, ok := weekdays[fields[1]]; ok {
			switch fields[0] {
			case "last":
				return day(onWeekday(now, wd, past, false))
			case "next":
				return day(onWeekday(now, wd, future, false))
			case "this":
				return day(onWeekday(now, wd, dir, true))
			}
		}
		return time.Time{}, false, invalidDate(s)
	}
	// "N days ago", "N weeks ago", "in N days", "in N weeks".
	var nStr, unit string
	sign := -1
	switch {
	case len(fields) == 3 && fields[2] == "ago":
		nStr, unit = fields[0], fields[1]
	case len(fields) == 3 && fields[0] == "in":
		nStr, unit, sign = fields[1], fields[2], 1
	default:
		return time.Time{}, false, invalidDate(s)
	}
	n, err := smallCount(nStr)
	if err != nil {
		return time.Time{}, false, invalidDate(s)
	}
	switch unit {
	case "day", "days":
		if n > maxDays {
			return time.Time{}, false, tl.Errorf(tl.EINVALID, "invalid date %q: at most %d days", s, maxDays)
		}
		return day(now.AddDate(0, 0, sign*n))
	case "week", "weeks":
		if n > maxWeeks {
			return time.Time{}, false, tl.Errorf(tl.EINVALID, "invalid date %q: at most %d weeks", s, maxWeeks)
		}
		return day(now.AddDate(0, 0, sign*7*n))
	}
	return time.Time{}, false, invalidDate(s)
}

// smallCount reads a non-negative decimal count ("3", "a"/"an" for 1).
func smallCount(s string) (int, error) {
	if s == "a" || s == "an" || s == "one" {
		return 1, nil
	}
	if s == "" || len(s) > 7 {
		return 0, fmt.Errorf("bad count %q", s)
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return 0, fmt.Errorf("bad count %q", s)
		}
	}
	return strconv.Atoi(s)
}

// onDay returns day d (a date at midnight UTC) at now's time of day in
// now's zone.
func onDay(d, now time.Time) time.Time {
	y, m, dd := d.Date()
	return time.Date(y, m, dd, now.Hour(), now.Minute(), now.Second(), now.Nanosecond(), now.Location())
}

// onWeekday finds the nearest wd from now in direction dir, by now's
// calendar (in its zone); with includeToday, today counts when it is wd.
func onWeekday(now time.Time, wd time.Weekday, dir direction, includeToday bool) time.Time {
	if dir == past {
		back := (int(now.Weekday()) - int(wd) + 7) % 7
		if back == 0 && !includeToday {
			back = 7
		}
		return now.AddDate(0, 0, -back)
	}
	ahead := (int(wd) - int(now.Weekday()) + 7) % 7
	if ahead == 0 && !includeToday {
		ahead = 7
	}
	return now.AddDate(0, 0, ahead)
}

// ParseDuration reads a length of time as whole hours, days and weeks:
// "36h", "3d", "2w", or a sequence such as "1w3d". Go's time.ParseDuration
// stops at hours, which is not how people count days of grace.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	s = strings.ToLower(strings.TrimSpace(s))
	bad := func() error {
		return tl.Errorf(tl.EINVALID, "invalid duration %q: use a number and a unit, such as 36h, 3d or 2w", orig)
	}
	if s == "" {
		return 0, bad()
	}
	var hours int64
	seen := map[byte]bool{}
	for s != "" {
		i := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == 0 || i > 7 || i == len(s) {
			return 0, bad()
		}
		n, _ := strconv.ParseInt(s[:i], 10, 64)
		unit := s[i]
		if seen[unit] {
			return 0, bad()
		}
		seen[unit] = true
		switch unit {
		case 'h':
			hours += n
		case 'd':
			hours += n * 24
		case 'w':
			hours += n * 24 * 7
		default:
			return 0, bad()
		}
		if hours > maxHours {
			return 0, tl.Errorf(tl.EINVALID, "invalid duration %q: at most %d days", orig, maxDays)
		}
		s = strings.TrimLeft(s[i+1:], " ")
	}
	return time.Duration(hours) * time.Hour, nil
}

// FormatDuration writes d the way ParseDuration reads it ("1w3d12h"),
// rounded down to the hour; "0h" for zero or less.
func FormatDuration(d time.Duration) string {
	h := int64(d / time.Hour)
	if h <= 0 {
		return "0h"
	}
	var b strings.Builder
	if w := h / (24 * 7); w > 0 {
		fmt.Fprintf(&b, "%dw", w)
		h -= w * 24 * 7
	}
	if dd := h / 24; dd > 0 {
		fmt.Fprintf(&b, "%dd", dd)
		h -= dd * 24
	}
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	return b.String()
}
