package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	tl "github.com/trustledger/trustledger"
)

// TestBrowserSignupZone: a browser in Tokyo signs up with scripts on. The
// page's script puts the browser's zone into the sign-up form, and the
// account starts there: its page says Tokyo, and a promise given for
// Friday is due on Friday there (docs/MODEL.md, choice 39). Moved to Los
// Angeles, the account page offers the browser's new zone. The clock
// stands on Wednesday 4 March 2026 at 10:00 UTC, 19:00 in Tokyo.
func TestBrowserSignupZone(t *testing.T) {
	s := newSite(t, newUserNow, false)
	b := newBrowser(t, s.URL, scriptsOn)
	if _, err := chromedp.Call(b.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "Asia/Tokyo"}); err != nil {
		t.Fatalf("put the browser in Tokyo: %v", err)
	}
	b.open("/signup", 200)
	if got := b.attr(`input[name=tz]`, "value"); got != "Asia/Tokyo" {
		b.fail("the sign-up form carries the zone %q, want the browser's", got)
	}
	b.typeIn("#name", "Aiko")
	b.typeIn("#email", "aiko@example.org")
	b.typeIn("#password", "a long enough password")
	b.typeIn("#password2", "a long enough password")
	b.submit(`form[action="/signup"] button[type=submit]`, 200)
	b.wantFlash("Welcome, Aiko")

	b.open("/account", 200)
	if got := b.text("#zone-now"); !strings.Contains(got, "Times are shown in Asia/Tokyo") || !strings.Contains(got, "Your weeks begin on Monday at midnight there") {
		b.fail("the account page says %q", got)
	}
	if n := b.count("#zone-utc"); n != 0 {
		b.fail("the account page says the zone was not chosen")
	}
	if got := b.attr("#zone-name", "value"); got != "Asia/Tokyo" {
		b.fail("the zone field holds %q", got)
	}

	b.open("/", 200)
	b.typeIn("#person-name", "Ana")
	b.fill("#person-kind", "direct-report")
	b.submit(`form[action="/people"] button[type=submit]`, 200)
	b.open("/promises", 200)
	b.fill("#promise-to", "Ana")
	b.typeIn("#promise-what", "Send Ana the budget numbers")
	b.fill("#promise-due", "2026-03-06")
	b.submit(`form[action="/promises"] button[type=submit]`, 200)
	b.wantFlash("Promise made to Ana, due Fri 6 Mar 2026")
	u, err := s.App.Login(context.Background(), "aiko@example.org", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	ps, err := s.App.Promises(context.Background(), u.LeaderID, tl.PromiseOpen)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 3, 6, 14, 59, 59, 999e6, time.UTC); len(ps) != 1 || !ps[0].Due.Equal(want) {
		b.fail("promises %+v, want one due at the end of Friday in Tokyo (%v)", ps, want)
	}

	// Aiko travels: the account page offers the browser's new zone, and
	// one click and a save move her account there.
	if _, err := chromedp.Call(b.ctx, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: "America/Los_Angeles"}); err != nil {
		t.Fatalf("put the browser in Los Angeles: %v", err)
	}
	b.open("/account", 200)
	if got := b.text("#zone-browser"); !strings.Contains(got, "This browser is set to America/Los_Angeles") {
		b.fail("the account page offers %q", got)
	}
	b.do("use the browser's zone", chromedp.Click(chromedp.CSS("#zone-browser button")))
	b.submit(`form[action="/account/time-zone"] button[type=submit]`, 200)
	b.wantFlash("Time zone set to America/Los_Angeles")
	if got := b.text("#zone-now"); !strings.Contains(got, "Times are shown in America/Los_Angeles") {
		b.fail("after the change the account page says %q", got)
	}
}
