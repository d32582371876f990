package app_test

import (
	"strings"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
)

// TestBadInput checks that each user mistake gets its code and a message
// that says what is wrong and how to fix it.
func TestBadInput(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		e.person(l.ID, "Ben", engine.Peer)
		breach := e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "promise-broken"})
		kept := e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "promise-kept"})
		now := e.clk.Now()

		cases := []struct {
			name  string
			call  func() error
			code  string
			parts []string
		}{
			{"unknown person", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Anna", Kind: "recognition"})
				return err
			},
				tl.ENOTFOUND, []string{`unknown person "Anna": `, "known people are Ana, Ben", "(add one with: trustledger person add NAME --kind KIND)"}},
			{"unknown kind", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "promise-kep"})
				return err
			},
				tl.EINVALID, []string{`unknown kind "promise-kep" (did you mean promise-kept? see: trustledger log --help)`}},
			{"far-off kind", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "zzzzzzzzzz"})
				return err
			},
				tl.EINVALID, []string{`unknown kind "zzzzzzzzzz"`, "trustledger log --help"}},
			{"no who", func() error { _, err := e.app.Log(ctx, l.ID, tl.EventInput{Kind: "recognition"}); return err },
				tl.EINVALID, []string{"say who"}},
			{"future", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "recognition", At: now.Add(day)})
				return err
			}, tl.EINVALID, []string{"in the future"}},
			{"bad severity", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "recognition", Severity: 3})
				return err
			}, tl.EINVALID, []string{"severity"}},
			{"snapshot through log", func() error { _, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "pulse"}); return err },
				tl.EINVALID, []string{"pulse"}},
			{"power without base", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "authority-granted"})
				return err
			}, tl.EINVALID, []string{"--base"}},
			{"power with bad base", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "authority-granted", Base: "charm"})
				return err
			}, tl.EINVALID, []string{`unknown power base "charm"`, "legitimate"}},
			{"base on a plain kind", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "recognition", Base: "reward"})
				return err
			}, tl.EINVALID, []string{"authority-granted"}},
			{"apology without breach", func() error { _, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "apology"}); return err },
				tl.EINVALID, []string{"--repairs"}},
			{"apology for a non-breach", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Kind: "apology", Repairs: kept.ID})
				return err
			}, tl.EINVALID, []string{"not a breach"}},
			{"apology to someone else", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ben", Kind: "apology", Repairs: breach.ID})
				return err
			}, tl.EINVALID, []string{"not about Ben"}},
			{"repairs on a plain kind", func() error {
				_, err := e.app.Log(ctx, l.ID, tl.EventInput{Who: "Ana", Kind: "recognition", Repairs: breach.ID})
				return err
			}, tl.EINVALID, []string{"only an apology"}},
			{"person without kind", func() error { _, err := e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: "Cy"}); return err },
				tl.EINVALID, nil},
			{"person named team", func() error {
				_, err := e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: "Team", Kind: engine.Peer})
				return err
			}, tl.EINVALID, []string{"whole team"}},
			{"duplicate person", func() error {
				_, err := e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: "ana", Kind: engine.Peer})
				return err
			}, tl.ECONFLICT, []string{"already exists"}},
			{"bad power score", func() error {
				_, err := e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: "Cy", Kind: engine.Peer, Power: map[string]int{"reward": 5}})
				return err
			}, tl.EINVALID, []string{"0–4"}},
			{"unknown team", func() error {
				_, err := e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: "Cy", Kind: engine.Peer, Team: "desgin"})
				return err
			}, tl.ENOTFOUND, []string{`unknown team "desgin"`, "trustledger team add"}},
			{"long name", func() error {
				_, err := e.app.AddPerson(ctx, l.ID, tl.PersonInput{Name: strings.Repeat("x", 101), Kind: engine.Peer})
				return err
			}, tl.EINVALID, []string{"at most 100"}},
			{"reverse a reversal", func() error {
				r := e.log(l.ID, tl.EventInput{Who: "Ben", Kind: "recognition"})
				rev, err := e.app.Reverse(ctx, l.ID, r.ID, "wrong person")
				if err != nil {
					return err
				}
				_, err = e.app.Reverse(ctx, l.ID, rev.ID, "")
				return err
			}, tl.EINVALID, []string{"itself a reversal"}},
			{"reverse twice", func() error {
				r := e.log(l.ID, tl.EventInput{Who: "Ben", Kind: "recognition"})
				if _, err := e.app.Reverse(ctx, l.ID, r.ID, ""); err != nil {
					return err
				}
				_, err := e.app.Reverse(ctx, l.ID, r.ID, "")
				return err
			}, tl.ECONFLICT, []string{"already reversed"}},
			{"reverse unknown", func() error { _, err := e.app.Reverse(ctx, l.ID, "nope", ""); return err },
				tl.ENOTFOUND, []string{"trustledger ledger"}},
			{"journal question", func() error { _, err := e.app.AddJournal(ctx, l.ID, 4, "x"); return err },
				tl.EINVALID, []string{"question"}},
			{"journal empty", func() error { _, err := e.app.AddJournal(ctx, l.ID, 1, " "); return err },
				tl.EINVALID, []string{"empty"}},
			{"journal too long", func() error { _, err := e.app.AddJournal(ctx, l.ID, 1, strings.Repeat("x", 10001)); return err },
				tl.EINVALID, []string{"at most 10000"}},
			{"unknown setting", func() error { return e.app.SetSetting(ctx, l.ID, "half_life", 30) },
				tl.EINVALID, []string{`unknown setting "half_life"`}},
			{"bad setting value", func() error { return e.app.SetSetting(ctx, l.ID, "base_rate", 2) },
				tl.EINVALID, []string{"base_rate"}},
			{"fractional integer setting", func() error { return e.app.SetSetting(ctx, l.ID, "anonymity_k", 5.5) },
				tl.EINVALID, []string{"whole number"}},
			{"close step as suggested", func() error { _, err := e.app.CloseStep(ctx, l.ID, tl.StepSuggested); return err },
				tl.EINVALID, []string{"done or skipped"}},
			{"events limit", func() error { _, err := e.app.Events(ctx, l.ID, tl.EventFilter{Limit: -1}); return err },
				tl.EINVALID, []string{"limit"}},
			{"promise status", func() error { _, err := e.app.Promises(ctx, l.ID, "late"); return err },
				tl.EINVALID, []string{"unknown promise status"}},
			{"duplicate leader", func() error { _, err := e.app.CreateLeader(ctx, "lena"); return err },
				tl.ECONFLICT, []string{"already exists"}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) { wantCode(t, tc.call(), tc.code, tc.parts...) })
		}
	})
}

// TestResolveLeader covers no leader, one, several and a name.
func TestResolveLeader(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		_, err := e.app.ResolveLeader(ctx, "")
		wantCode(t, err, tl.ENOTFOUND, "trustledger init")
		if ls := must(e.app.Leaders(ctx))(t); ls == nil || len(ls) != 0 {
			t.Fatalf("Leaders() = %#v, want an empty, non-nil list", ls)
		}
		a := e.leader("Lena")
		e.leader("Marc")
		_, err = e.app.ResolveLeader(ctx, "")
		wantCode(t, err, tl.EINVALID, "Lena, Marc", "--leader")
		if got := must(e.app.ResolveLeader(ctx, "LENA"))(t); got.ID != a.ID {
			t.Fatalf("ResolveLeader(LENA) = %+v", got)
		}
		_, err = e.app.ResolveLeader(ctx, "Lina")
		wantCode(t, err, tl.ENOTFOUND, "did you mean Lena?")
	})
}

// TestPowerEvents checks that authority-granted and -removed move the
// bases of every target, clamped, and that reversing moves them back.
func TestPowerEvents(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport) // legitimate 4
		e.person(l.ID, "Ben", engine.Peer)         // legitimate 0
		ev := e.log(l.ID, tl.EventInput{Who: "team", Kind: "authority-granted", Base: "Legitimate", Shift: 2})
		if ev.Base != "legitimate" || ev.Shift != 2 || len(ev.Targets) != 2 {
			t.Fatalf("power entry = %+v", ev)
		}
		bases := func() map[string]engine.Bases {
			out := map[string]engine.Bases{}
			for _, p := range must(e.app.People(ctx, l.ID))(t) {
				out[p.Person] = p.Bases
			}
			return out
		}
		if b := bases(); b["Ana"][engine.Legitimate] != 4 || b["Ben"][engine.Legitimate] != 2 {
			t.Fatalf("after granting 2: %v", b)
		}
		rm := e.log(l.ID, tl.EventInput{Who: "Ben", Kind: "authority-removed", Base: "reward"})
		if rm.Shift != -1 {
			t.Fatalf("removal shift = %d, want -1", rm.Shift)
		}
		if b := bases(); b["Ben"][engine.Reward] != 0 {
			t.Fatalf("reward below 0: %v", b["Ben"])
		}
		must(e.app.Reverse(ctx, l.ID, ev.ID, "granted by mistake"))(t)
		if b := bases(); b["Ben"][engine.Legitimate] != 0 || b["Ana"][engine.Legitimate] != 2 {
			// Ana's grant was clamped at 4, so its reversal takes 2 off.
			t.Fatalf("after reversing: %v", b)
		}
		_ = time.Time{}
	})
}

// TestApology checks the repair path: an apology raises trust by removing
// part of the breach, a breach is repaired once, a repaired breach is
// reversed only after its apology, and reversing the apology restores
// the breach's full weight.
func TestApology(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		ctx := e.ctx
		l := e.leader("Lena")
		e.person(l.ID, "Ana", engine.DirectReport)
		for range 3 {
			e.clk.Advance(day)
			e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "expertise-shown", Source: engine.Confirmed})
		}
		br := e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "competence-failure", Source: engine.System})
		e.clk.Advance(2 * day)
		trust := func() float64 {
			return must(e.app.Explain(ctx, l.ID, "Ana"))(t).Assessment.Dims[engine.Ability].E
		}
		before := trust()
		ap := e.log(l.ID, tl.EventInput{Kind: "apology", Repairs: br.ID, Acknowledges: true, OffersRepair: true})
		if ap.Subject != tl.SubjectPerson || ap.RelationshipID != br.RelationshipID || ap.Repairs != br.ID {
			t.Fatalf("apology = %+v, want it to go to Ana and link the breach", ap)
		}
		after := trust()
		if !(after > before) {
			t.Fatalf("ability trust %.4f → %.4f: the apology did not repair", before, after)
		}
		_, err := e.app.Log(ctx, l.ID, tl.EventInput{Kind: "apology", Repairs: br.ID})
		wantCode(t, err, tl.ECONFLICT, "already has an apology")
		_, err = e.app.Reverse(ctx, l.ID, br.ID, "")
		wantCode(t, err, tl.ECONFLICT, "reverse the apology first")
		must(e.app.Reverse(ctx, l.ID, ap.ID, "sent to the wrong person"))(t)
		if got := trust(); !closeTo(got, before) {
			t.Fatalf("after reversing the apology ability trust is %.6f, want %.6f", got, before)
		}
		must(e.app.Reverse(ctx, l.ID, br.ID, "it was not her"))(t)
		_, err = e.app.Log(ctx, l.ID, tl.EventInput{Kind: "apology", Repairs: br.ID})
		wantCode(t, err, tl.EINVALID, "was reversed")
		e.checkReplay(l.ID)
		e.checkExplain(l.ID)
	})
}
