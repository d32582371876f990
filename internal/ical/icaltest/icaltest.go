// Package icaltest reads a feed with an independent parser, Python's
// icalendar library, so tests check what ical writes against code that
// did not write it. Without python3 and icalendar the caller's test
// skips, or fails under TRUSTLEDGER_TEST_STRICT=1 (.ci/run installs the
// Debian package python3-icalendar).
package icaltest

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/trustledger/trustledger/internal/testenv"
)

// Event is one VEVENT as the parser decoded it. Dates are ISO 8601 as
// Python writes them (2026-12-04, 2026-12-04 09:30:00+00:00).
type Event struct {
	UID      string `json:"uid"`
	Sequence int    `json:"sequence"`
	Stamp    string `json:"dtstamp"`
	Start    string `json:"dtstart"`
	End      string `json:"dtend"`
	Status   string `json:"status"`
	Summary  string `json:"summary"`
}

// script parses stdin and fails on anything the library reports: a
// property it cannot decode, a VEVENT without UID, DTSTAMP or DTSTART, an
// end not after its start, a UID used twice.
const script = `
import json, sys, icalendar
cal = icalendar.Calendar.from_ical(sys.stdin.buffer.read())
out, uids = [], set()
for c in cal.walk():
    if c.errors:
        sys.exit("%s: %s" % (c.name, c.errors))
for name in ("VERSION", "PRODID"):
    if name not in cal:
        sys.exit("VCALENDAR lacks " + name)
for e in cal.walk("VEVENT"):
    for name in ("UID", "DTSTAMP", "DTSTART"):
        if name not in e:
            sys.exit("VEVENT lacks " + name)
    uid = str(e["UID"])
    if uid in uids:
        sys.exit("UID used twice: " + uid)
    uids.add(uid)
    start = e.decoded("DTSTART")
    end = e.decoded("DTEND") if "DTEND" in e else None
    if end is not None and not end > start:
        sys.exit("%s ends %s, not after its start %s" % (uid, end, start))
    out.append({"uid": uid, "sequence": int(e.get("SEQUENCE", 0)),
        "dtstamp": str(e.decoded("DTSTAMP")), "dtstart": str(start),
        "dtend": "" if end is None else str(end), "status": str(e.get("STATUS", "")),
        "summary": str(e.get("SUMMARY", ""))})
json.dump(out, sys.stdout)
`

// python is an interpreter that imports icalendar: the system one first
// (where the Debian package puts it), then whichever python3 is on PATH.
func python() string {
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		if exec.Command(p, "-c", "import icalendar").Run() == nil {
			return p
		}
	}
	return ""
}

// Parse reads feed with icalendar and returns its events; it fails t on
// any error the parser reports.
func Parse(t testing.TB, feed string) []Event {
	t.Helper()
	py := python()
	if py == "" {
		msg := "python3 with icalendar (Debian: python3-icalendar) is not installed"
		testenv.Missing(t, msg)
	}
	cmd := exec.Command(py, "-c", script)
	cmd.Stdin = strings.NewReader(feed)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("icalendar refuses the feed: %v %s\n%s", err, stderr.String(), feed)
	}
	var evs []Event
	if err := json.Unmarshal(stdout.Bytes(), &evs); err != nil {
		t.Fatalf("reading the parser's answer: %v", err)
	}
	return evs
}
