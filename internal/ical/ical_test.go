package ical

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/trustledger/trustledger/internal/ical/icaltest"
)

// unfold and unescape read a feed back, as a calendar client does.
func unfold(s string) []string {
	s = strings.ReplaceAll(s, "\r\n ", "")
	return strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n")
}

func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
			if s[i] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i])
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func TestWrite(t *testing.T) {
	day := time.Date(2026, 12, 4, 0, 0, 0, 0, time.UTC)
	long := strings.Repeat("Review Ana's proposal; then, the budget\\plan — ", 4)
	out := Write("Lena's promises", []Event{{UID: "promise-1@trustledger", Summary: long, Day: day, Status: "CONFIRMED"}}, day)
	for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Fatalf("a line of %d octets: %q", len(l), l)
		}
		if !utf8.ValidString(l) {
			t.Fatalf("a fold split a character: %q", l)
		}
	}
	lines := unfold(out)
	want := map[string]bool{"BEGIN:VCALENDAR": true, "VERSION:2.0": true, "DTSTART;VALUE=DATE:20261204": true,
		"DTEND;VALUE=DATE:20261205": true, "UID:promise-1@trustledger": true, "STATUS:CONFIRMED": true, "END:VCALENDAR": true}
	var summary string
	for _, l := range lines {
		delete(want, l)
		if v, ok := strings.CutPrefix(l, "SUMMARY:"); ok {
			summary = unescape(v)
		}
	}
	if len(want) != 0 {
		t.Fatalf("missing lines %v in:\n%s", want, out)
	}
	if summary != long {
		t.Fatalf("summary came back as %q", summary)
	}
}

// FuzzEscape: any text survives escaping, folding and unfolding, and no
// line is longer than 75 octets.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"plain", "a;b,c\\d\ne", "ünïcødé ✓ " + strings.Repeat("x", 100), "\x00\x7f\r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		out := Write("n", []Event{{UID: "u", Summary: s, Day: time.Unix(0, 0)}}, time.Unix(0, 0))
		for _, l := range strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n") {
			if len(l) > 75 {
				t.Fatalf("line of %d octets", len(l))
			}
		}
		var got string
		for _, l := range unfold(out) {
			if v, ok := strings.CutPrefix(l, "SUMMARY:"); ok {
				got = unescape(v)
			}
		}
		var want strings.Builder
		for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
			if r == '\n' || (r >= ' ' && r != 0x7f) {
				want.WriteRune(r)
			}
		}
		if got != want.String() {
			t.Fatalf("%q came back as %q", s, got)
		}
	})
}

// TestWriteDayInItsZone: an event falls on its day where the leader
// lives: the end of Friday in Los Angeles is Saturday morning in UTC, and
// the feed still says Friday.
func TestWriteDayInItsZone(t *testing.T) {
	la, err := time.LoadLocation("America/Los_Angeles")
	if err != nil {
		t.Fatal(err)
	}
	due := time.Date(2026, 12, 5, 7, 59, 59, 0, time.UTC).In(la) // Friday 23:59:59 there
	out := Write("Luis's promises", []Event{{UID: "p@trustledger", Summary: "x", Day: due}}, due)
	for _, want := range []string{"DTSTART;VALUE=DATE:20261204", "DTEND;VALUE=DATE:20261205"} {
		if !strings.Contains(out, want) {
			t.Errorf("the feed lacks %s:\n%s", want, out)
		}
	}
}

// TestWriteLastDay: an event on 9999-12-31 would end on a day in year
// 10000, which no DATE value can hold (RFC 5545, 3.3.4: four digits): it
// is written without DTEND, which for a DATE start means one day (3.6.1).
// Days beyond 9999 are left out. An independent parser reads the feed.
func TestWriteLastDay(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	out := Write("Lena's promises", []Event{
		{UID: "last@trustledger", Summary: "the last day", Day: time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)},
		{UID: "beyond@trustledger", Summary: "beyond", Day: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{UID: "before@trustledger", Summary: "before", Day: time.Date(0, 12, 31, 0, 0, 0, 0, time.UTC)},
	}, now)
	if strings.Contains(out, "10000") || strings.Contains(out, "beyond") || strings.Contains(out, "before") {
		t.Fatalf("a year outside 0001–9999 in the feed:\n%s", out)
	}
	if !strings.Contains(out, "DTSTART;VALUE=DATE:99991231\r\n") {
		t.Fatalf("the last day is missing:\n%s", out)
	}
	evs := icaltest.Parse(t, out)
	if len(evs) != 1 || evs[0].Start != "9999-12-31" || evs[0].End != "" {
		t.Fatalf("parsed %+v", evs)
	}
}

// TestWriteStampAndSequence: DTSTAMP is when the feed is made (RFC 5545,
// 3.8.7.2: for an object not sent by a scheduling method, the time the
// object was created), the time of the entry's last change is
// LAST-MODIFIED, and SEQUENCE counts its revisions.
func TestWriteStampAndSequence(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 30, 0, 0, time.UTC)
	changed := time.Date(2026, 11, 2, 8, 0, 0, 0, time.UTC)
	out := Write("Lena's promises", []Event{
		{UID: "a@trustledger", Summary: "moved twice", Day: now.AddDate(0, 0, 3), Stamp: changed, Sequence: 2, Status: "CONFIRMED"},
		{UID: "b@trustledger", Summary: "never moved", Day: now.AddDate(0, 0, 4)},
	}, now)
	for _, want := range []string{"DTSTAMP:20261207T093000Z\r\n", "LAST-MODIFIED:20261102T080000Z\r\n", "SEQUENCE:2\r\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("the feed lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "DTSTAMP:20261102") || !strings.Contains(out, "SEQUENCE:0\r\n") {
		t.Fatalf("DTSTAMP is the change time, or the unrevised entry lacks SEQUENCE:0:\n%s", out)
	}
	evs := icaltest.Parse(t, out)
	if len(evs) != 2 || evs[0].Sequence != 2 || evs[1].Sequence != 0 || evs[0].Stamp != "2026-12-07 09:30:00+00:00" || evs[0].End != "2026-12-11" {
		t.Fatalf("parsed %+v", evs)
	}
}
