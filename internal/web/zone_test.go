package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
)

// Time zones on the pages (docs/MODEL.md, choice 39).

// zoneOfAccount reads an account's zone from the services.
func zoneOfAccount(t *testing.T, e *env, email string) string {
	t.Helper()
	us, err := e.app.Users(context.Background(), e.accounts[0].User.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Email == email {
			return u.TimeZone
		}
	}
	t.Fatalf("no account %s", email)
	return ""
}

// TestZoneSignupFromBrowser: the sign-up and invitation forms carry the
// browser's zone in a hidden field that the script fills; the account
// starts there. Without it (scripts off), or with a name we do not know,
// it starts in UTC, and the account page says so.
func TestZoneSignupFromBrowser(t *testing.T) {
	e := newEnv(t)
	e.run(t, []scenario{
		{name: "the signup form has the hidden field", url: "/signup", status: 200,
			contains: []string{`<input type="hidden" name="tz" value="" data-browser-zone>`}},
		{name: "signing up from a browser in Tokyo", method: "POST", url: "/signup",
			form: form("name", "Aiko", "email", "aiko@example.org", "password", testPassword, "password2", testPassword,
				"tz", "Asia/Tokyo"),
			status: 303, location: "/"},
	})
	u, err := e.app.Login(context.Background(), "aiko@example.org", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if u.TimeZone != "Asia/Tokyo" {
		t.Fatalf("the owner signed up from Tokyo is in %q", u.TimeZone)
	}
	owner := e.session(u)
	e.accounts = append(e.accounts, owner)

	for _, c := range []struct{ email, tz, want string }{
		{"luis@example.org", "America/Los_Angeles", "America/Los_Angeles"},
		{"noscript@example.org", "", "UTC"},
		{"odd@example.org", "Nowhere/Land", "UTC"},
	} {
		_, token, err := e.app.Invite(context.Background(), owner.User.ID, c.email, tl.RoleLeader)
		if err != nil {
			t.Fatal(err)
		}
		e.run(t, []scenario{
			{name: "the invitation form has the hidden field", url: "/invite/" + token, status: 200,
				contains: []string{`name="tz"`, `data-browser-zone`}},
			{name: "accepting with tz=" + c.tz, method: "POST", url: "/invite/" + token,
				form:   form("name", strings.Split(c.email, "@")[0], "password", testPassword, "password2", testPassword, "tz", c.tz),
				status: 303, location: "/"},
		})
		if got := zoneOfAccount(t, e, c.email); got != c.want {
			t.Errorf("accepted with tz %q: zone %q, want %q", c.tz, got, c.want)
		}
	}
	u, err = e.app.Login(context.Background(), "noscript@example.org", testPassword)
	if err != nil {
		t.Fatal(err)
	}
	e.run(t, []scenario{
		{name: "the account page says UTC was not chosen", url: "/account", as: e.session(u), status: 200,
			contains: []string{`Times are shown in <strong>UTC</strong>`, `id="zone-utc"`, `name="time_zone"`, `value="UTC"`}},
		{name: "one in Tokyo says Tokyo", url: "/account", as: owner, status: 200,
			contains: []string{`Times are shown in <strong>Asia/Tokyo</strong>. Your weeks begin on Monday at midnight there`},
			excludes: []string{`id="zone-utc"`}},
	})
}

// TestZoneChangeOnAccountPage: a name we do not know is shown again
// beside the field with what to write, and nothing changes; a good one
// changes the zone, and the pages follow.
func TestZoneChangeOnAccountPage(t *testing.T) {
	e := newPagesEnv(t)
	lena := e.lena
	zoneNow := func() string {
		u, err := e.app.LeaderUser(e.ctx, lena.leader)
		e.must(err)
		return u.TimeZone
	}
	e.run(t, []pagesCase{
		{name: "a misspelt zone", method: "POST", url: "/account/time-zone", as: lena, form: pagesForm("time_zone", "Asia/Tokio"),
			status: http.StatusUnprocessableEntity,
			contains: []string{`value="Asia/Tokio"`, `aria-invalid="true"`, `&#34;Asia/Tokio&#34; is not a time zone we know`,
				"Europe/Berlin", "Times are shown in <strong>UTC</strong>"}},
		{name: "an empty one", method: "POST", url: "/account/time-zone", as: lena, form: pagesForm("time_zone", "Local"),
			status: http.StatusUnprocessableEntity, contains: []string{"is not a time zone we know"}},
	})
	if z := zoneNow(); z != "UTC" {
		t.Fatalf("refused names changed the zone to %q", z)
	}
	e.run(t, []pagesCase{
		{name: "Tokyo", method: "POST", url: "/account/time-zone", as: lena, form: pagesForm("time_zone", "Asia/Tokyo"),
			status: http.StatusSeeOther, location: "/account#time-zone",
			then: []string{"Time zone set to Asia/Tokyo", "Times are shown in <strong>Asia/Tokyo</strong>"}},
	})
	if z := zoneNow(); z != "Asia/Tokyo" {
		t.Fatalf("zone %q after choosing Tokyo", z)
	}
}

// TestZonePagesShowLocalDates: a leader in Tokyo and one in Los Angeles
// give a promise the same day; each is due at the end of that day where
// they live and each page shows that day, though in UTC one of them falls
// on the next. Their weeks turn at their own Monday.
func TestZonePagesShowLocalDates(t *testing.T) {
	e := newPagesEnv(t)
	lena, omar := e.lena, e.omar // Lena in Tokyo, Omar in Los Angeles
	_, err := e.app.SetTimeZone(e.ctx, lena.id, "Asia/Tokyo")
	e.must(err)
	_, err = e.app.SetTimeZone(e.ctx, omar.id, "America/Los_Angeles")
	e.must(err)
	e.pagesPeople()
	// Thursday 26 November, 15:04 UTC: Friday 00:04 in Tokyo, Thursday
	// 07:04 in Los Angeles.
	e.run(t, []pagesCase{
		{name: "Tokyo's promise form starts from its Friday", url: "/promises", as: lena, status: 200,
			contains: []string{`min="2026-11-27"`, `value="2026-12-04"`}},
		{name: "Los Angeles's from its Thursday", url: "/promises", as: omar, status: 200,
			contains: []string{`min="2026-11-26"`, `value="2026-12-03"`}},
		{name: "Lena promises for Monday 30", method: "POST", url: "/promises", as: lena,
			form: pagesForm("to", "Ana", "what", "Review the plan", "due", "2026-11-30"), status: http.StatusSeeOther,
			then: []string{"due Mon 30 Nov 2026", "Due Mon 30 Nov 2026"}},
		{name: "Omar promises for Monday 30", method: "POST", url: "/promises", as: omar,
			form: pagesForm("to", "Zed", "what", "Send the budget", "due", "2026-11-30"), status: http.StatusSeeOther,
			then: []string{"due Mon 30 Nov 2026", "Due Mon 30 Nov 2026"}},
		{name: "Omar's dashboard says Monday, not UTC's Tuesday", url: "/", as: omar, status: 200,
			contains: []string{"Due Mon 30 Nov 2026"}, excludes: []string{"Tue 1 Dec 2026"}},
	})
	for _, c := range []struct {
		u    *pagesUser
		want time.Time
	}{
		{lena, time.Date(2026, 11, 30, 14, 59, 59, 999e6, time.UTC)}, // Monday 23:59:59.999 in Tokyo
		{omar, time.Date(2026, 12, 1, 7, 59, 59, 999e6, time.UTC)},   // Monday 23:59:59.999 in Los Angeles
	} {
		ps, err := e.app.Promises(e.ctx, c.u.leader, tl.PromiseOpen)
		e.must(err)
		if len(ps) != 1 || !ps[0].Due.Equal(c.want) {
			t.Fatalf("promises %+v, want one due %v", ps, c.want)
		}
	}

	// Sunday 29 November, 20:00 UTC: Monday 05:00 in Tokyo, Sunday noon in
	// Los Angeles.
	e.clock.Advance(time.Date(2026, 11, 29, 20, 0, 0, 0, time.UTC).Sub(pagesNow))
	e.signIn(lena)
	e.signIn(omar)
	e.run(t, []pagesCase{
		{name: "Tokyo's journal is in the new week", url: "/journal", as: lena, status: 200,
			contains: []string{"week of Mon 30 Nov 2026"}},
		{name: "Los Angeles's is not yet", url: "/journal", as: omar, status: 200,
			contains: []string{"week of Mon 23 Nov 2026"}},
		{name: "Lena's promise is due today there", url: "/promises", as: lena, status: 200,
			contains: []string{"Due today"}},
		{name: "Omar's tomorrow there", url: "/promises", as: omar, status: 200,
			contains: []string{"Due Mon 30 Nov 2026"}, excludes: []string{"Due today"}},
	})
}

// TestCommonZonesLoad: every zone the account page suggests is one the
// services take.
func TestCommonZonesLoad(t *testing.T) {
	for _, z := range commonZones {
		if loc, err := tl.LoadZone(z); err != nil || loc.String() != z {
			t.Errorf("%s: %v, %v", z, loc, err)
		}
	}
}
