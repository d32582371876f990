package app_test

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestListsNeverNil checks every list a new leader sees is empty, not nil,
// so that JSON shows [] rather than null.
func TestListsNeverNil(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		checks := map[string]bool{
			"people":    must(e.app.People(ctx, l.ID))(t) != nil,
			"events":    must(e.app.Events(ctx, l.ID, tl.EventFilter{}))(t) != nil,
			"promises":  must(e.app.Promises(ctx, l.ID, ""))(t) != nil,
			"decisions": must(e.app.Decisions(ctx, l.ID))(t) != nil,
			"journal":   must(e.app.Journal(ctx, l.ID))(t) != nil,
			"tick":      must(e.app.Tick(ctx))(t) != nil,
		}
		st := must(e.app.Status(ctx, l.ID))(t)
		checks["status"] = st.Relationships != nil && st.Broken != nil
		wk := must(e.app.Week(ctx, l.ID))(t)
		checks["week"] = wk.Earlier != nil && wk.Outcomes != nil && wk.Step == nil && wk.None != ""
		b := must(e.app.Export(ctx, l.ID))(t)
		checks["export"] = b.People != nil && b.Events != nil && b.Promises != nil && b.Decisions != nil &&
			b.Steps != nil && b.Journal != nil && b.Settings != nil
		e.person(l.ID, "Ana", engine.Peer)
		ex := must(e.app.Explain(ctx, l.ID, "Ana"))(t)
		checks["explain"] = ex.Weights != nil && ex.Events != nil
		for name, ok := range checks {
			if !ok {
				t.Errorf("%s: a nil list", name)
			}
		}
		if wk.None != "you have not added anyone you lead yet" {
			t.Errorf("week without a step says %q", wk.None)
		}
	})
}

// TestEventsPaging lists a person's, the team's and the whole ledger in
// pages with the cursor, and checks inactive people leave team fan-out.
func TestEventsPaging(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		e.person(l.ID, "Ben", engine.Peer)
		var all []string
		for i := range 9 {
			e.clk.Advance(time.Minute)
			who := "Ana"
			if i%3 == 0 {
				who = "team"
			}
			all = append(all, e.log(l.ID, tl.EventInput{Who: who, Kind: "recognition"}).ID)
		}
		collect := func(who string) []string {
			var got []string
			cursor := ""
			for {
				page := must(e.app.Events(ctx, l.ID, tl.EventFilter{Who: who, Limit: 2, Before: cursor}))(t)
				for _, ev := range page {
					got = append(got, ev.ID)
				}
				if len(page) < 2 {
					return got
				}
				cursor = page[len(page)-1].ID
			}
		}
		rev := func(ids []string) []string {
			out := make([]string, len(ids))
			for i, id := range ids {
				out[len(ids)-1-i] = id
			}
			return out
		}
		if got := collect(""); len(got) != 9 || got[0] != all[8] || got[8] != all[0] {
			t.Fatalf("whole ledger in pages = %v, want %v", got, rev(all))
		}
		if got := collect("team"); len(got) != 3 || got[0] != all[6] || got[2] != all[0] {
			t.Fatalf("team entries in pages = %v", got)
		}
		if got := collect("Ana"); len(got) != 9 {
			t.Fatalf("Ana's entries = %d, want all 9 (6 about her, 3 team-wide)", len(got))
		}
		if got := collect("Ben"); len(got) != 3 {
			t.Fatalf("Ben's entries = %d, want the 3 team-wide", len(got))
		}
		// An inactive person no longer receives team entries.
		must(e.app.SetActive(ctx, l.ID, "Ben", false))(t)
		ev := e.log(l.ID, tl.EventInput{Who: "team", Kind: "recognition"})
		if len(ev.Targets) != 1 {
			t.Fatalf("a team entry after Ben left reached %d people", len(ev.Targets))
		}
		if got := collect("Ben"); len(got) != 3 {
			t.Fatalf("Ben's entries after leaving = %d, want 3", len(got))
		}
		must(e.app.SetActive(ctx, l.ID, "Ana", false))(t)
		_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "team", Kind: "recognition"})
		wantCode(t, err, tl.EINVALID, "no active members")
	})
}
