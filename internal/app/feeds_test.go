package app_test

import (
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/ical/icaltest"
)

// TestCalendarFeedRevisions: the feed is stamped with the time it is made;
// a promise renegotiated twice is one event under the first promise's UID,
// on its latest due day, with SEQUENCE 2, and SEQUENCE 3 once kept; an
// independent parser reads the feed.
func TestCalendarFeedRevisions(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		due := tl.EndOfDay(e.clk.Now().Add(3*day), time.UTC)
		first := must(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "send the budget", Due: due}))(t)
		other := must(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "book the review", Due: due}))(t)
		e.clk.Advance(time.Hour)
		second := must(e.app.ResolvePromise(ctx, l.ID, first.ID, tl.PromiseRenegotiated, due.Add(2*day)))(t)
		e.clk.Advance(time.Hour)
		third := must(e.app.ResolvePromise(ctx, l.ID, second.ID, tl.PromiseRenegotiated, due.Add(5*day)))(t)
		e.clk.Advance(26 * time.Hour)
		token := must(e.app.CalendarLink(ctx, l.ID))(t)

		feed := must(e.app.Calendar(ctx, token))(t)
		evs := icaltest.Parse(t, feed)
		byUID := map[string]icaltest.Event{}
		for _, ev := range evs {
			byUID[ev.UID] = ev
		}
		stamp := e.clk.Now().UTC().Format("2006-01-02 15:04:05+00:00")
		moved, kept := byUID["promise-"+first.ID+"@trustledger"], byUID["promise-"+other.ID+"@trustledger"]
		if len(evs) != 2 || moved.Sequence != 2 || moved.Start != due.Add(5*day).Format("2006-01-02") || moved.Status != "CONFIRMED" ||
			kept.Sequence != 0 || moved.Stamp != stamp || kept.Stamp != stamp {
			t.Fatalf("want the moved promise once, on its last day, SEQUENCE 2, stamped %s:\n%+v\n%s", stamp, evs, feed)
		}
		if strings.Contains(feed, second.ID) || strings.Contains(feed, third.ID) {
			t.Fatalf("the renegotiated promises have events of their own:\n%s", feed)
		}

		e.clk.Advance(time.Hour)
		must(e.app.ResolvePromise(ctx, l.ID, third.ID, tl.PromiseKept, time.Time{}))(t)
		evs = icaltest.Parse(t, must(e.app.Calendar(ctx, token))(t))
		for _, ev := range evs {
			if ev.UID == moved.UID && (ev.Sequence != 3 || !strings.HasPrefix(ev.Summary, "✓")) {
				t.Fatalf("kept after two renegotiations: %+v", ev)
			}
		}
	})
}

// TestPromiseDueInRange: a due date after 9998-12-31 is refused, when made
// and when renegotiated, so that no zone's calendar day of it, nor the day
// after, leaves the four-digit years a calendar can hold.
func TestPromiseDueInRange(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		far := time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC)
		_, err := e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "send the budget", Due: far})
		wantCode(t, err, tl.EINVALID, "9998-12-31")
		last := time.Date(9998, 12, 31, 23, 59, 59, 0, time.UTC)
		p := must(e.app.AddPromise(ctx, l.ID, tl.PromiseInput{To: "Ana", What: "send the budget", Due: last}))(t)
		_, err = e.app.ResolvePromise(ctx, l.ID, p.ID, tl.PromiseRenegotiated, far)
		wantCode(t, err, tl.EINVALID, "9998-12-31")
		icaltest.Parse(t, must(e.app.Calendar(ctx, must(e.app.CalendarLink(ctx, l.ID))(t)))(t))
	})
}
