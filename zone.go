package trustledger

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	// The zone database travels inside the binary, so that a zone name
	// works the same on a host without /usr/share/zoneinfo (a container
	// from scratch) as on one with it.
	_ "time/tzdata"
)

// Time zones (docs/MODEL.md, choice 39). Times are stored in UTC; a zone
// says where the leader's weeks begin, when a day given without a time
// ends, and how times are shown. A leader's zone is kept on the leader,
// and an account that leads has its leader's zone; an account that leads
// no one (a coach, a member) keeps its own. Zones are IANA names.

// MaxZoneLength bounds a time zone's name; the longest IANA name is 32
// characters.
const MaxZoneLength = 64

// zones caches loaded locations by name: time.LoadLocation reads and
// parses the zone's data on every call.
var zones sync.Map // name → *time.Location

// LoadZone checks a time zone's IANA name and returns its location. An
// empty name is UTC. A name the zone database does not know is EINVALID
// on the field time_zone, with a message that says what to write.
func LoadZone(name string) (*time.Location, error) {
	name = strings.TrimSpace(name)
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location), nil
	}
	// "Local" is the server's own zone, which says nothing about where a
	// person is; names with a path in them are not zones.
	bad := len(name) > MaxZoneLength || name == "Local" || strings.HasPrefix(name, "/") || strings.Contains(name, "..") || strings.ContainsAny(name, "\\ \t\n")
	loc, err := time.LoadLocation(name)
	if bad || err != nil {
		return nil, Invalidf("time_zone", "%q is not a time zone we know: write its IANA name, a region and a city such as Europe/Berlin, America/Los_Angeles or Asia/Tokyo (or UTC), spelled as in the list at https://en.wikipedia.org/wiki/List_of_tz_database_time_zones", clip(name, MaxZoneLength))
	}
	zones.Store(name, loc)
	return loc, nil
}

// clip shortens s to at most n bytes for a message, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// ZoneName is the name a zone is stored and shown by: "UTC" for nil.
func ZoneName(loc *time.Location) string {
	if loc == nil {
		return "UTC"
	}
	return loc.String()
}

// EndOfDay is the last millisecond of the calendar day that holds t in
// loc (nil: UTC): what a day given without a time means as a due date.
// Stored times have millisecond precision, so nothing of that day comes
// after it. A day that is 23 or 25 hours long (a change of clocks) still
// ends at midnight there.
func EndOfDay(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, loc).Add(-time.Millisecond).UTC()
}

// DayEnd is EndOfDay of a calendar date named by its year, month and day
// (as a date input or YYYY-MM-DD gives it), in loc.
func DayEnd(date time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	return time.Date(date.Year(), date.Month(), date.Day()+1, 0, 0, 0, 0, loc).Add(-time.Millisecond).UTC()
}

type zoneKey struct{}

// WithZone says which zone the caller lives in: the CLI passes its own
// (the system's, or --tz). The services use it only for a leader who has
// no zone of their own (a leader made by the CLI, without an account).
func WithZone(ctx context.Context, loc *time.Location) context.Context {
	return context.WithValue(ctx, zoneKey{}, loc)
}

// ZoneFrom is the caller's zone WithZone gave ctx; nil when none.
func ZoneFrom(ctx context.Context) *time.Location {
	loc, _ := ctx.Value(zoneKey{}).(*time.Location)
	return loc
}
