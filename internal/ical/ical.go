// Package ical writes iCalendar (RFC 5545) feeds: a leader's promises as
// all-day events on their due dates, for any calendar that subscribes to
// a URL.
package ical

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Event is one all-day entry.
type Event struct {
	UID         string
	Summary     string
	Description string
	Day         time.Time // the date: its calendar day in its own zone
	Status      string    // CONFIRMED or CANCELLED ("" for none)
	Stamp       time.Time // when the entry last changed (LAST-MODIFIED; zero: none)
	Sequence    int       // its revision: 0 as first written, one more for each change of date or status
}

// Write renders a calendar named name with its events, as of now: every
// DTSTAMP is now, the time the object is created (RFC 5545, 3.8.7.2).
// Lines end in CRLF and are folded at 75 octets, as the RFC requires. A
// DATE holds four-digit years only (3.3.4): an event on a day outside
// 0001–9999 is left out, and one on 9999-12-31 has no DTEND, which for a
// DATE start means the event lasts that day (3.6.1).
func Write(name string, events []Event, now time.Time) string {
	var b strings.Builder
	line := func(s string) { fold(&b, s) }
	line("BEGIN:VCALENDAR")
	line("VERSION:2.0")
	line("PRODID:-//trustledger//promises//EN")
	line("CALSCALE:GREGORIAN")
	line("METHOD:PUBLISH")
	line("X-WR-CALNAME:" + Escape(name))
	for _, e := range events {
		y, m, d := e.Day.Date()
		if y < 1 || y > 9999 {
			continue
		}
		day := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		line("BEGIN:VEVENT")
		line("UID:" + Escape(e.UID))
		line("DTSTAMP:" + stamp(now))
		line("DTSTART;VALUE=DATE:" + day.Format("20060102"))
		if end := day.AddDate(0, 0, 1); end.Year() <= 9999 {
			line("DTEND;VALUE=DATE:" + end.Format("20060102"))
		}
		line("SEQUENCE:" + strconv.Itoa(max(e.Sequence, 0)))
		if !e.Stamp.IsZero() && e.Stamp.UTC().Year() >= 1 && e.Stamp.UTC().Year() <= 9999 {
			line("LAST-MODIFIED:" + stamp(e.Stamp))
		}
		line("SUMMARY:" + Escape(e.Summary))
		if e.Description != "" {
			line("DESCRIPTION:" + Escape(e.Description))
		}
		if e.Status != "" {
			line("STATUS:" + e.Status)
		}
		line("TRANSP:TRANSPARENT")
		line("END:VEVENT")
	}
	line("END:VCALENDAR")
	return b.String()
}

// stamp is a DATE-TIME in UTC.
func stamp(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// Escape writes text for a TEXT property value: backslash, semicolon,
// comma and newlines escaped; other control characters dropped.
func Escape(s string) string {
	var b strings.Builder
	for _, r := range strings.ReplaceAll(s, "\r\n", "\n") {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < ' ' || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// fold writes one content line, folded at 75 octets without splitting a
// UTF-8 character, and its CRLF.
func fold(b *strings.Builder, s string) {
	limit := 75
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
}
