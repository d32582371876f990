package cli

import (
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
)

// now is a Wednesday afternoon.
var now = time.Date(2026, 11, 25, 15, 4, 5, 0, time.UTC)

func day(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 15, 4, 5, 0, time.UTC)
}

func TestParseWhen(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"today", now},
		{"now", now},
		{"  Yesterday ", day(2026, 11, 24)},
		{"tomorrow", day(2026, 11, 26)},
		{"2026-11-20", day(2026, 11, 20)},
		{"2026-11-20T09:30:00Z", time.Date(2026, 11, 20, 9, 30, 0, 0, time.UTC)},
		{"2026-11-20T09:30:00+02:00", time.Date(2026, 11, 20, 7, 30, 0, 0, time.UTC)},
		{"3 days ago", day(2026, 11, 22)},
		{"1 day ago", day(2026, 11, 24)},
		{"a day ago", day(2026, 11, 24)},
		{"2 weeks ago", day(2026, 11, 11)},
		{"in 5 days", day(2026, 11, 30)},
		{"in 1 week", day(2026, 12, 2)},
		{"0 days ago", now},
		// Weekdays point back for --when, today included.
		{"wednesday", now},
		{"monday", day(2026, 11, 23)},
		{"Thu", day(2026, 11, 19)},
		{"last wednesday", day(2026, 11, 18)},
		{"next monday", day(2026, 11, 30)},
		{"this friday", day(2026, 11, 20)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseWhen(tt.in, now, time.UTC)
			if err != nil {
				t.Fatalf("ParseWhen(%q): %v", tt.in, err)
			}
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("ParseWhen(%q) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

// endOf is the last millisecond of a date in UTC: a due day's end.
func endOf(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 23, 59, 59, int(999*time.Millisecond), time.UTC)
}

func TestParseDue(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"friday", endOf(2026, 11, 27)},
		{"wednesday", endOf(2026, 11, 25)},
		{"today", endOf(2026, 11, 25)},
		{"next wednesday", endOf(2026, 12, 2)},
		{"monday", endOf(2026, 11, 30)},
		{"in 5 days", endOf(2026, 11, 30)},
		{"2026-12-04", endOf(2026, 12, 4)},
		{"tomorrow", endOf(2026, 11, 26)},
		// A moment is taken as it is.
		{"now", now},
		{"2026-12-04T09:30:00Z", time.Date(2026, 12, 4, 9, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		got, err := ParseDue(tt.in, now, time.UTC)
		if err != nil {
			t.Fatalf("ParseDue(%q): %v", tt.in, err)
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseDue(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestParseInZone reads days where the person typing is: now, Wednesday
// 15:04 UTC, is already Thursday 00:04 in Tokyo and still Wednesday 07:04
// in Los Angeles.
func TestParseInZone(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	at := func(loc *time.Location, m time.Month, d, h, min int) time.Time {
		return time.Date(2026, m, d, h, min, 5, 0, loc)
	}
	end := func(loc *time.Location, m time.Month, d int) time.Time {
		return time.Date(2026, m, d+1, 0, 0, 0, 0, loc).Add(-time.Millisecond)
	}
	dues := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		// "friday" is the end of Friday there: 23:59:59.999 local.
		{"friday", tokyo, end(tokyo, 11, 27)},
		{"friday", la, end(la, 11, 27)},
		// "thursday" is today in Tokyo, tomorrow in Los Angeles.
		{"thursday", tokyo, end(tokyo, 11, 26)},
		{"thursday", la, end(la, 11, 26)},
		{"wednesday", tokyo, end(tokyo, 12, 2)},
		{"wednesday", la, end(la, 11, 25)},
		{"today", tokyo, end(tokyo, 11, 26)},
		{"tomorrow", la, end(la, 11, 26)},
		{"2026-12-04", tokyo, end(tokyo, 12, 4)},
		{"2026-12-04", la, end(la, 12, 4)},
	}
	for _, tt := range dues {
		got, err := ParseDue(tt.in, now, tt.loc)
		if err != nil {
			t.Fatalf("ParseDue(%q, %v): %v", tt.in, tt.loc, err)
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseDue(%q, %v) = %v, want %v", tt.in, tt.loc, got.In(tt.loc), tt.want)
		}
	}
	whens := []struct {
		in   string
		loc  *time.Location
		want time.Time
	}{
		{"today", tokyo, now},
		{"yesterday", tokyo, at(tokyo, 11, 25, 0, 4)},
		{"yesterday", la, at(la, 11, 24, 7, 4)},
		{"wednesday", tokyo, at(tokyo, 11, 25, 0, 4)},
		{"wednesday", la, now},
		{"2026-11-20", tokyo, at(tokyo, 11, 20, 0, 4)},
		{"2026-11-20", la, at(la, 11, 20, 7, 4)},
	}
	for _, tt := range whens {
		got, err := ParseWhen(tt.in, now, tt.loc)
		if err != nil {
			t.Fatalf("ParseWhen(%q, %v): %v", tt.in, tt.loc, err)
		}
		if !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("ParseWhen(%q, %v) = %v, want %v", tt.in, tt.loc, got.In(tt.loc), tt.want)
		}
	}
}

func TestParseWhenErrors(t *testing.T) {
	for _, in := range []string{"", "2026-13-01", "2026-02-30", "26-11-20", "soon", "3 days", "in days",
		"3 fortnights ago", "-3 days ago", "in -2 weeks", "last", "next month", "99999999 days ago", "2026-11-20T25:00:00Z"} {
		_, err := ParseWhen(in, now, time.UTC)
		if err == nil {
			t.Errorf("ParseWhen(%q) succeeded, want an error", in)
			continue
		}
		if tl.ErrorCode(err) != tl.EINVALID {
			t.Errorf("ParseWhen(%q): code %s, want EINVALID", in, tl.ErrorCode(err))
		}
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseWhen(%q): message has several lines: %q", in, err)
		}
	}
	_, err := ParseWhen("2026-13-01", now, time.UTC)
	want := `invalid date "2026-13-01": use YYYY-MM-DD, "yesterday", "3 days ago" or a weekday`
	if err == nil || err.Error() != want {
		t.Errorf("ParseWhen(2026-13-01) = %v, want %s", err, want)
	}
	if _, err := ParseWhen("40000 days ago", now, time.UTC); err == nil || !strings.Contains(err.Error(), "at most") {
		t.Errorf("ParseWhen(40000 days ago) = %v, want a limit error", err)
	}
}

func TestParseDuration(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		out  string
	}{
		{"36h", 36 * time.Hour, "1d12h"},
		{"3d", 72 * time.Hour, "3d"},
		{"2w", 14 * 24 * time.Hour, "2w"},
		{"1w3d", 10 * 24 * time.Hour, "1w3d"},
		{"1w 3d 2h", (10*24 + 2) * time.Hour, "1w3d2h"},
		{" 7D ", 7 * 24 * time.Hour, "1w"},
		{"0d", 0, "0h"},
	}
	for _, tt := range tests {
		got, err := ParseDuration(tt.in)
		if err != nil {
			t.Fatalf("ParseDuration(%q): %v", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("ParseDuration(%q) = %v, want %v", tt.in, got, tt.want)
		}
		if s := FormatDuration(got); s != tt.out {
			t.Errorf("FormatDuration(%v) = %q, want %q", got, s, tt.out)
		}
	}
	for _, in := range []string{"", "3", "d", "3x", "3dd", "3d3d", "-3d", "1.5d", "3 d", "99999999w", "100000d"} {
		if _, err := ParseDuration(in); err == nil {
			t.Errorf("ParseDuration(%q) succeeded, want an error", in)
		} else if tl.ErrorCode(err) != tl.EINVALID {
			t.Errorf("ParseDuration(%q): code %s, want EINVALID", in, tl.ErrorCode(err))
		}
	}
}

// FuzzParseWhen checks that no input panics, that results are UTC, and
// that the forms with a canonical spelling read back to the same instant,
// in UTC and in a zone whose days differ from UTC's.
func FuzzParseWhen(f *testing.F) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range []struct {
			parse func(string, time.Time, *time.Location) (time.Time, error)
			loc   *time.Location
		}{{ParseWhen, time.UTC}, {ParseDue, time.UTC}, {ParseWhen, tokyo}, {ParseDue, tokyo}} {
			parse := func(s string, now time.Time) (time.Time, error) { return p.parse(s, now, p.loc) }
			got, err := parse(s, now)
			if err != nil {
				if tl.ErrorCode(err) != tl.EINVALID {
					t.Fatalf("%q: error code %s, want EINVALID", s, tl.ErrorCode(err))
				}
				if strings.ContainsAny(tl.ErrorMessage(err), "\n") {
					t.Fatalf("%q: multi-line message %q", s, tl.ErrorMessage(err))
				}
				continue
			}
			if got.Location() != time.UTC {
				t.Fatalf("%q: result %v is not UTC", s, got)
			}
			// RFC 3339 round trip.
			again, err := parse(got.Format(time.RFC3339Nano), now)
			if err != nil || !again.Equal(got) {
				t.Fatalf("%q → %v → %q → %v, %v", s, got, got.Format(time.RFC3339Nano), again, err)
			}
			// A calendar date keeps its day.
			if _, derr := time.Parse(time.DateOnly, strings.TrimSpace(s)); derr == nil {
				if d := got.In(p.loc).Format(time.DateOnly); d != strings.TrimSpace(s) {
					t.Fatalf("%q read as %s", s, d)
				}
			}
			// Forms relative to now stay within the limits.
			if got.Sub(now) > maxDays*24*time.Hour+time.Hour && !strings.Contains(s, "T") && !strings.Contains(s, "-") {
				t.Fatalf("%q is %v away from now", s, got.Sub(now))
			}
		}
	})
}

// FuzzParseDuration checks that no input panics and that every accepted
// duration formats to text that reads back to it.
func FuzzParseDuration(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDuration(s)
		if err != nil {
			if tl.ErrorCode(err) != tl.EINVALID {
				t.Fatalf("%q: error code %s", s, tl.ErrorCode(err))
			}
			return
		}
		if d < 0 || d%time.Hour != 0 || d > maxHours*time.Hour {
			t.Fatalf("%q → %v out of range", s, d)
		}
		again, err := ParseDuration(FormatDuration(d))
		if err != nil || again != d {
			t.Fatalf("%q → %v → %q → %v, %v", s, d, FormatDuration(d), again, err)
		}
	})
}
