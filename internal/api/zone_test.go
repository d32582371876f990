package api_test

import (
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/api"
)

// TestTimeZone: the account's zone is in /me, for the account and the
// leader it leads, and PUT /me/time-zone changes it; a name the zone
// database does not know is refused with what to write, and changes
// nothing. Every exchange is checked against the served document.
func TestTimeZone(t *testing.T) {
	bothDatabases(t, func(t *testing.T, e *env) {
		c := e.c
		me := as[api.Me](t, c.get("/me"), 200)
		if me.User.TimeZone != "UTC" || me.Leader == nil || me.Leader.TimeZone != "UTC" {
			t.Fatalf("a new owner's zone: account %q, leader %+v; want UTC", me.User.TimeZone, me.Leader)
		}
		u := as[tl.User](t, c.put("/me/time-zone", obj{"time_zone": "Asia/Tokyo"}), 200)
		if u.TimeZone != "Asia/Tokyo" || u.ID != e.owner.ID {
			t.Fatalf("PUT /me/time-zone answered %+v", u)
		}
		me = as[api.Me](t, c.get("/me"), 200)
		if me.User.TimeZone != "Asia/Tokyo" || me.Leader.TimeZone != "Asia/Tokyo" {
			t.Fatalf("after the change: account %q, leader %q", me.User.TimeZone, me.Leader.TimeZone)
		}

		eb := envelope(t, c.put("/me/time-zone", obj{"time_zone": "Asia/Tokio"}), 400, tl.EINVALID)
		if !strings.Contains(eb.Message, "Asia/Tokio") || !strings.Contains(eb.Message, "IANA") {
			t.Errorf("the refusal says %q", eb.Message)
		}
		envelope(t, c.put("/me/time-zone", obj{"time_zone": ""}, refused), 400, tl.EINVALID)
		envelope(t, c.put("/me/time-zone", obj{"time_zone": strings.Repeat("A", tl.MaxZoneLength+1)}, refused), 400, tl.EINVALID)
		envelope(t, e.client(e.read).put("/me/time-zone", obj{"time_zone": "UTC"}), 403, tl.EFORBIDDEN)
		if me := as[api.Me](t, c.get("/me"), 200); me.User.TimeZone != "Asia/Tokyo" {
			t.Fatalf("a refused change moved the zone to %q", me.User.TimeZone)
		}
	})
}
