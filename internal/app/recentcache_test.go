package app_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestReadAfterWriteReadsOnlyNewEntries: status and this week's step,
// read after a write, read in full only the entries written since the
// last read, not every entry of the last weeks (before, a read after any
// write read them all, and one person with 1,600 recent entries took
// most of a second). The copies an App keeps stay right when another
// instance on the same database writes: new entries, team-wide entries,
// a reversal of a team-wide entry for one person, a breach and its
// apology, an erased person. Every answer is compared with a new App's,
// which has no copies, and with checkStatus's independent recomputation
// from the store's own flags.
func TestReadAfterWriteReadsOnlyNewEntries(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		other := app.New(e.db, app.Options{Now: e.clk.Now}) // a second instance
		l := e.leader("Lena")
		must(e.app.AddTeam(ctx, l.ID, "platform"))(t)
		for _, name := range []string{"Ana", "Ben", "Chen"} {
			must(e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: name, Kind: engine.DirectReport, Team: "platform"}))(t)
		}
		kinds := []engine.Kind{engine.KindPromiseKept, engine.KindDirective, engine.KindDecisionUnexplained, engine.KindPersonValued}
		for i := range 40 {
			who := []string{"Ana", "Ben", "Chen", "platform"}[i%4]
			e.log(l.ID, tl.EventInput{Who: who, Kind: kinds[i%len(kinds)]})
			e.clk.Advance(7 * 3600e9)
		}
		same := func(step string) {
			t.Helper()
			cold := app.New(e.db, app.Options{Now: e.clk.Now})
			for _, a := range []*app.App{e.app, other} {
				got := must(a.Status(ctx, l.ID))(t)
				want := must(cold.Status(ctx, l.ID))(t)
				if d := cmp.Diff(want, got, cmpopts.EquateApprox(1e-9, 1e-12), cmpopts.EquateEmpty()); d != "" {
					t.Fatalf("%s: status from kept copies differs from a fresh read (-fresh +kept):\n%s", step, d)
				}
				gw := must(a.Week(ctx, l.ID))(t)
				ww := must(cold.Week(ctx, l.ID))(t)
				if d := cmp.Diff(ww, gw, cmpopts.EquateApprox(1e-9, 1e-12), cmpopts.EquateEmpty()); d != "" {
					t.Fatalf("%s: the week from kept copies differs from a fresh read (-fresh +kept):\n%s", step, d)
				}
			}
			e.checkStatus(l.ID)
		}
		same("first read")

		// A write, then a read: one entry read in full, not all 40.
		before := e.app.EntriesReadForTest()
		e.log(l.ID, tl.EventInput{Who: "Ana", Kind: engine.KindInputSought})
		must(e.app.Status(ctx, l.ID))(t)
		must(e.app.Week(ctx, l.ID))(t)
		if n := e.app.EntriesReadForTest() - before; n != 1 {
			t.Fatalf("status and the week after one new entry read %d entries in full, want 1", n)
		}
		same("after a new entry")

		// The other instance writes a team-wide entry and reverses it for
		// everyone, then a breach and its apology to Ben.
		team := must(other.Log(ctx, l.ID, tl.EventInput{Who: "platform", Kind: engine.KindAuthorityOverused}))(t)
		same("after another instance's team-wide entry")
		must(other.Reverse(ctx, l.ID, team.ID, "logged twice"))(t)
		same("after another instance's reversal")
		br := must(other.Log(ctx, l.ID, tl.EventInput{Who: "Ben", Kind: engine.KindPromiseBroken}))(t)
		same("after a breach")
		e.clk.Advance(3600e9)
		must(other.Log(ctx, l.ID, tl.EventInput{Who: "Ben", Kind: "apology", Repairs: br.ID, Acknowledges: true, OffersRepair: true}))(t)
		same("after the apology")

		// Erasing a person keeps the ledger's shape; the copies hold no
		// notes to leak.
		must(other.ErasePerson(ctx, l.ID, "Chen"))(t)
		same("after an erasure")

		// Time passes: entries leave the window without any write.
		e.clk.Advance(30 * 24 * 3600e9)
		same("thirty days on")
	})
}
