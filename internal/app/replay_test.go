package app_test

import (
	"flag"
	"fmt"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"pgregory.net/rapid"
)

// fewChecks lowers rapid's default of 100 runs for tests where each run
// writes to a real database, unless -rapid.checks was given.
func fewChecks(n int) {
	set := false
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "rapid.checks" {
			set = true
		}
	})
	if !set {
		_ = flag.Set("rapid.checks", fmt.Sprint(n))
	}
}

// TestIncrementalEqualsReplay drives the services with a random mix of
// entries (backdated, team-wide, every source and severity), reversals
// and apologies, and checks after each run that every relationship's
// running state reads the same as a replay of its ledger (MODEL.md §14),
// and that changing a setting keeps it so.
func TestIncrementalEqualsReplay(t *testing.T) {
	checks := 25
	if testing.Short() {
		checks = 5
	}
	fewChecks(checks)
	var kinds []engine.Kind
	var breaches []engine.Kind
	for _, k := range engine.Kinds() {
		if k.IsSnapshot || k.IsApology || k.IsPower {
			continue
		}
		kinds = append(kinds, k.Kind)
		if k.Breach {
			breaches = append(breaches, k.Kind)
		}
	}
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		run := 0
		rapid.Check(t, func(rt *rapid.T) {
			run++
			re := *e
			re.t = rt
			l := re.leader(fmt.Sprintf("leader %d", run))
			people := []string{"Ana", "Ben", "Cy"}
			kindsOf := []engine.RelKind{engine.DirectReport, engine.Peer, engine.SkipLevel}
			for i, p := range people {
				re.person(l.ID, p, kindsOf[i])
			}
			var live []*tl.Event
			n := rapid.IntRange(5, 40).Draw(rt, "ops")
			for range n {
				e.clk.Advance(time.Duration(rapid.IntRange(0, 72).Draw(rt, "hours")) * time.Hour)
				switch op := rapid.IntRange(0, 9).Draw(rt, "op"); {
				case op < 6: // an entry
					who := rapid.SampledFrom(append(people, "team")).Draw(rt, "who")
					kind := rapid.SampledFrom(kinds).Draw(rt, "kind")
					if op == 5 {
						kind = rapid.SampledFrom(breaches).Draw(rt, "breach")
					}
					in := tl.EventInput{
						Who: who, Kind: kind,
						At:       e.clk.Now().Add(-time.Duration(rapid.IntRange(0, 60*24).Draw(rt, "back")) * time.Hour),
						Source:   engine.Source(rapid.IntRange(0, engine.NumSources-1).Draw(rt, "source")),
						Severity: rapid.SampledFrom([]engine.Severity{0, engine.Minor, engine.Normal, engine.Major, engine.Severe}).Draw(rt, "severity"),
					}
					live = append(live, re.log(l.ID, in))
				case op < 8: // a reversal
					if len(live) == 0 {
						continue
					}
					i := rapid.IntRange(0, len(live)-1).Draw(rt, "reverse")
					_, err := e.app.Reverse(ctx, l.ID, live[i].ID, "")
					if err != nil && tl.ErrorCode(err) != tl.ECONFLICT {
						rt.Fatalf("reverse: %v", err)
					}
					if err == nil {
						live = append(live[:i], live[i+1:]...)
					}
				default: // an apology for a breach still standing
					var bs []*tl.Event
					for _, ev := range live {
						if info, _ := engine.LookupKind(string(ev.Kind)); info.Breach {
							bs = append(bs, ev)
						}
					}
					if len(bs) == 0 {
						continue
					}
					b := rapid.SampledFrom(bs).Draw(rt, "breach")
					ap, err := e.app.Log(ctx, l.ID, tl.EventInput{
						Kind: "apology", Repairs: b.ID,
						Acknowledges: rapid.Bool().Draw(rt, "ack"), OffersRepair: rapid.Bool().Draw(rt, "offer"),
					})
					if err != nil && tl.ErrorCode(err) != tl.ECONFLICT {
						rt.Fatalf("apology: %v", err)
					}
					if err == nil {
						live = append(live, ap)
					}
				}
			}
			re.checkReplay(l.ID)
			re.checkStatus(l.ID)
			re.checkExplain(l.ID)
			if rapid.Bool().Draw(rt, "change setting") {
				noErr(rt, e.app.SetSetting(ctx, l.ID, "kappa_integrity", rapid.Float64Range(1, 8).Draw(rt, "kappa")))
				re.checkReplay(l.ID)
			}
		})
	})
}

// TestStatusRecentEntries checks Status against a per-relationship
// assessment with few and with many team-wide entries in the window (the
// two ways Status gathers recent entries), including a reversed team
// entry and an apology for a team-wide breach.
func TestStatusRecentEntries(t *testing.T) {
	for _, teamEntries := range []int{3, 20} {
		t.Run(fmt.Sprint(teamEntries), func(t *testing.T) {
			forEachDB(t, func(t *testing.T, e *env) {
				l := e.leader("Lena")
				e.person(l.ID, "Ana", engine.DirectReport)
				e.person(l.ID, "Ben", engine.Peer)
				e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "directive", At: e.clk.Now().Add(-50 * day)})
				for i := range teamEntries {
					e.clk.Advance(time.Hour)
					kind := engine.Kind("directive")
					if i%2 == 1 {
						kind = "person-valued"
					}
					e.log(l.ID, tl.EventInput{Who: "team", Kind: kind})
				}
				br := e.log(l.ID, tl.EventInput{Who: "team", Kind: "information-withheld"})
				rev := e.log(l.ID, tl.EventInput{Who: "team", Kind: "authority-overused"})
				e.log(l.ID, tl.EventInput{Who: "Ben", Kind: "authority-overused", At: e.clk.Now().Add(-time.Hour)})
				e.clk.Advance(day)
				must(e.app.Reverse(e.ctx, l.ID, rev.ID, ""))(t)
				e.log(l.ID, tl.EventInput{Kind: "apology", Repairs: br.ID, Acknowledges: true})
				e.checkStatus(l.ID)
				e.clk.Advance(20 * day)
				e.checkStatus(l.ID)
			})
		})
	}
}
