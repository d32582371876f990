package trustledger

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestLoadZone(t *testing.T) {
	for _, name := range []string{"", " UTC ", "UTC"} {
		if loc, err := LoadZone(name); err != nil || loc != time.UTC {
			t.Errorf("LoadZone(%q) = %v, %v; want UTC", name, loc, err)
		}
	}
	for _, name := range []string{"Asia/Tokyo", "America/Los_Angeles", "Europe/Kyiv", " Europe/Berlin"} {
		loc, err := LoadZone(name)
		if err != nil || loc.String() != strings.TrimSpace(name) {
			t.Errorf("LoadZone(%q) = %v, %v", name, loc, err)
		}
		if again, _ := LoadZone(name); again != loc {
			t.Errorf("LoadZone(%q) read the zone again instead of keeping it", name)
		}
	}
	for _, name := range []string{"Tokio", "Asia/Tokio", "Local", "/etc/localtime", "../zoneinfo/UTC", "Europe/ Berlin",
		"asia/tokyo", strings.Repeat("A", MaxZoneLength+1)} {
		_, err := LoadZone(name)
		if ErrorCode(err) != EINVALID || ErrorField(err) != "time_zone" {
			t.Errorf("LoadZone(%q): %v, want EINVALID on time_zone", name, err)
			continue
		}
		// The message says what to write instead.
		if msg := ErrorMessage(err); !strings.Contains(msg, "IANA") || !strings.Contains(msg, "Europe/Berlin") || strings.Contains(msg, "\n") {
			t.Errorf("LoadZone(%q): message %q", name, msg)
		}
	}
}

func TestEndOfDay(t *testing.T) {
	la, _ := LoadZone("America/Los_Angeles")
	tokyo, _ := LoadZone("Asia/Tokyo")
	ms := int(999 * time.Millisecond)
	for _, c := range []struct {
		at   time.Time
		loc  *time.Location
		want time.Time
	}{
		{time.Date(2026, 3, 6, 10, 0, 0, 0, time.UTC), nil, time.Date(2026, 3, 6, 23, 59, 59, ms, time.UTC)},
		// 20:00 UTC on Friday is already Saturday in Tokyo.
		{time.Date(2026, 3, 6, 20, 0, 0, 0, time.UTC), tokyo, time.Date(2026, 3, 7, 23, 59, 59, ms, tokyo)},
		{time.Date(2026, 3, 6, 20, 0, 0, 0, time.UTC), la, time.Date(2026, 3, 6, 23, 59, 59, ms, la)},
		// The day the clocks go forward in Los Angeles has 23 hours and
		// still ends at midnight there.
		{time.Date(2026, 3, 8, 1, 30, 0, 0, la), la, time.Date(2026, 3, 8, 23, 59, 59, ms, la)},
	} {
		got := EndOfDay(c.at, c.loc)
		if !got.Equal(c.want) || got.Location() != time.UTC {
			t.Errorf("EndOfDay(%v, %v) = %v, want %v", c.at, c.loc, got, c.want)
		}
	}
	friday := time.Date(2026, 3, 6, 0, 0, 0, 0, time.UTC)
	if got, want := DayEnd(friday, tokyo), time.Date(2026, 3, 6, 14, 59, 59, ms, time.UTC); !got.Equal(want) {
		t.Errorf("DayEnd(Friday, Tokyo) = %v, want %v", got, want)
	}
	if got, want := DayEnd(friday, la), time.Date(2026, 3, 7, 7, 59, 59, ms, time.UTC); !got.Equal(want) {
		t.Errorf("DayEnd(Friday, Los Angeles) = %v, want %v", got, want)
	}
}

func TestWithZone(t *testing.T) {
	ctx := context.Background()
	if ZoneFrom(ctx) != nil {
		t.Error("a context without a zone has one")
	}
	tokyo, _ := LoadZone("Asia/Tokyo")
	if ZoneFrom(WithZone(ctx, tokyo)) != tokyo {
		t.Error("WithZone's zone is not read back")
	}
}
