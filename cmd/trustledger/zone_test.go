package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestCLIZone: the CLI reads and shows dates in its zone, --tz, else $TZ,
// else the system's (docs/MODEL.md, choice 39), and a leader it made,
// without an account, has their weeks there. Sunday 8 March 2026 at 20:00
// UTC is already Monday 05:00 in Tokyo and still Sunday 13:00 in Los
// Angeles (summer time since that morning).
func TestCLIZone(t *testing.T) {
	s := newSession(t)
	s.env["TRUSTLEDGER_NOW"] = "2026-03-08T20:00:00Z"
	s.run(step{args: []string{"init", "--leader", "Lena"}})
	s.run(step{args: []string{"person", "add", "Ana", "--kind", "direct-report"}})

	due := func(args ...string) time.Time {
		t.Helper()
		out := s.run(step{args: append([]string{"--json", "promise", "add", "Ana", "call back"}, args...)})
		var p struct {
			Due time.Time `json:"due"`
		}
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatalf("%s: %v", out, err)
		}
		return p.Due
	}
	// $TZ: "friday" is the end of Friday 13 March in Tokyo.
	s.env["TZ"] = "Asia/Tokyo"
	if got, want := due("--due", "friday"), time.Date(2026, 3, 13, 14, 59, 59, 999e6, time.UTC); !got.Equal(want) {
		t.Errorf("TZ=Asia/Tokyo, --due friday: %v, want %v", got, want)
	}
	if out := s.run(step{args: []string{"promise", "add", "Ana", "send the notes", "--due", "tomorrow"}}); !strings.Contains(out, "due Tue 2026-03-10") {
		t.Errorf("TZ=Asia/Tokyo, tomorrow is Tuesday there: %q", out)
	}
	if out := s.run(step{args: []string{"week"}}); !strings.Contains(out, "Week of Mon 2026-03-09") {
		t.Errorf("TZ=Asia/Tokyo: the week has turned there: %q", out)
	}
	if out := s.run(step{args: []string{"journal"}}); !strings.Contains(out, "Week of Mon 2026-03-09") {
		t.Errorf("TZ=Asia/Tokyo: the journal's week: %q", out)
	}

	// --tz wins over $TZ: in Los Angeles it is still Sunday, and Friday
	// ends at 23:59:59.999 PDT.
	if got, want := due("--due", "friday", "--tz", "America/Los_Angeles"), time.Date(2026, 3, 14, 6, 59, 59, 999e6, time.UTC); !got.Equal(want) {
		t.Errorf("--tz America/Los_Angeles, --due friday: %v, want %v", got, want)
	}
	if out := s.run(step{args: []string{"--tz", "America/Los_Angeles", "promise", "list"}}); !strings.Contains(out, "Fri 2026-03-13") || strings.Contains(out, "Sat 2026-03-14") {
		t.Errorf("--tz America/Los_Angeles: every due shown on Friday there: %q", out)
	}
	if out := s.run(step{args: []string{"--tz", "America/Los_Angeles", "week"}}); !strings.Contains(out, "Week of Mon 2026-03-02") {
		t.Errorf("--tz America/Los_Angeles: still the week of 2 March there: %q", out)
	}

	// A leading colon in $TZ is the system's way of writing a name.
	s.env["TZ"] = ":Europe/Berlin"
	if out := s.run(step{args: []string{"promise", "add", "Ana", "book the room", "--due", "2026-03-20"}}); !strings.Contains(out, "due Fri 2026-03-20") {
		t.Errorf("TZ=:Europe/Berlin: %q", out)
	}
	// A name the zone database does not know is a usage mistake that says
	// what to write.
	s.run(step{args: []string{"--tz", "Asia/Tokio", "status"}, code: exitUsage, err: `"Asia/Tokio" is not a time zone we know: write its IANA name`})
	s.env["TZ"] = "Mars/Olympus"
	s.run(step{args: []string{"status"}, code: exitUsage, err: "--tz (or $TZ)"})
}

// TestCLIZoneSystem: without --tz and $TZ the CLI is in the system's zone.
func TestCLIZoneSystem(t *testing.T) {
	c := DefaultConfig()
	if loc, err := c.zone(); err != nil || loc != time.Local {
		t.Fatalf("no --tz and no $TZ: %v, %v; want the system's zone", loc, err)
	}
	c.TZ = "Asia/Tokyo"
	if loc, err := c.zone(); err != nil || loc.String() != "Asia/Tokyo" {
		t.Fatalf("--tz Asia/Tokyo: %v, %v", loc, err)
	}
}
