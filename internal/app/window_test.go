package app_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

func TestWindowShowsOnlyWhatConcernsThePerson(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Ana", Email: "ana@example.org", Kind: engine.DirectReport}))(t)
		must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Ben", Email: "ben@example.org", Kind: engine.DirectReport}))(t)
		must(e.app.AddTeam(e.ctx, l.ID, "design"))(t)
		cleo := must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Cleo", Email: "cleo@example.org", Kind: engine.Peer, Team: "design"}))(t)
		e.confirm(ana, cleo)
		// The window link goes only to a confirmed address.
		_, err := e.windowLink(l.ID, "Ben")
		wantCode(t, err, tl.EINVALID, "has not confirmed")
		due := e.clk.Now().Add(3 * day)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Ana", What: "to Ana", Due: due}))(t)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Ben", What: "to Ben", Due: due}))(t)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "team", What: "to the team", Due: due}))(t)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "design", What: "to design", Due: due}))(t)
		must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "team decision", Why: "because", Affects: "team"}))(t)
		must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "Ben decision", Why: "private", Affects: "Ben"}))(t)
		e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "person-valued", Note: "secret ledger note"})

		tok := must(e.windowLink(l.ID, "Ana"))(t)
		pass := must(e.app.OpenWindowLink(e.ctx, tok))(t)
		rel := must(e.app.WindowForPass(e.ctx, pass))(t)
		if rel != ana.ID {
			t.Fatalf("pass stands for %s, want Ana", rel)
		}
		w := must(e.app.Window(e.ctx, rel))(t)
		var open []string
		for _, p := range w.Open {
			open = append(open, p.Promise.What)
		}
		slices.Sort(open)
		if !slices.Equal(open, []string{"to Ana", "to the team"}) || w.Leader != "Lena" || w.Team != "team" {
			t.Fatalf("Ana's window: open %v, %+v", open, w)
		}
		if len(w.Decisions) != 1 || w.Decisions[0].Decision.What != "team decision" || w.Decisions[0].Decision.Why != "because" {
			t.Fatalf("Ana's decisions %+v", w.Decisions)
		}
		if w.SayDo != nil {
			t.Fatal("say/do shown without the leader choosing to")
		}
		// The team's voice lists Ana's team only, each with where they
		// stand.
		var voice []string
		for _, st := range w.Voice {
			voice = append(voice, st.Person+":"+st.Step)
		}
		if !slices.Equal(voice, []string{"Ana:" + tl.StepWait, "Ben:" + tl.StepConfirm}) || w.Counts || w.Standing.Step != tl.StepWait {
			t.Fatalf("Ana's window: voice %v, counts %v, standing %+v", voice, w.Counts, w.Standing)
		}
		noErr(t, e.app.SetSetting(e.ctx, l.ID, "share_say_do", 1))
		if w := must(e.app.Window(e.ctx, rel))(t); w.SayDo == nil {
			t.Fatal("say/do hidden after the leader chose to share it")
		}
		// A new link replaces the old one.
		must(e.windowLink(l.ID, "Ana"))(t)
		_, err = e.app.OpenWindowLink(e.ctx, tok)
		wantCode(t, err, tl.ENOTFOUND, "replaced")
		_, err = e.app.WindowForPass(e.ctx, pass)
		wantCode(t, err, tl.ENOTFOUND, "expired")
	})
}

// TestConfirmAndDispute: confirming moves the leader's self-logged "kept"
// to confirmed evidence for that person only; disputing removes it for
// that person only; the rest of the team keeps theirs.
func TestConfirmAndDispute(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := e.person(l.ID, "Ana", engine.DirectReport)
		ben := e.person(l.ID, "Ben", engine.DirectReport)
		cleo := e.person(l.ID, "Cleo", engine.DirectReport)
		c := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "team", What: "share the roadmap", Due: e.clk.Now().Add(2 * day)}))(t)
		e.clk.Advance(day)
		must(e.app.ResolvePromise(e.ctx, l.ID, c.ID, tl.PromiseKept, time.Time{}))(t)
		e.clk.Advance(time.Hour)
		st0 := e.states(l.ID)
		noErr(t, e.app.ConfirmPromise(e.ctx, ana.ID, c.ID, true))
		noErr(t, e.app.ConfirmPromise(e.ctx, ben.ID, c.ID, false))
		wantCode(t, e.app.ConfirmPromise(e.ctx, ana.ID, c.ID, false), tl.ECONFLICT, "already")
		st1 := e.states(l.ID)
		I, self, conf := engine.Integrity, engine.Self, engine.Confirmed
		if st1[ana.ID].R[I][self] >= st0[ana.ID].R[I][self]-1e-9 || st1[ana.ID].R[I][conf] <= st0[ana.ID].R[I][conf] {
			t.Fatalf("Ana's kept did not move from self to confirmed: %v → %v", st0[ana.ID].R[I], st1[ana.ID].R[I])
		}
		if st1[ben.ID].R[I][self] >= st0[ben.ID].R[I][self]-1e-9 || st1[ben.ID].R[I][conf] != st0[ben.ID].R[I][conf] {
			t.Fatalf("Ben's dispute did not remove the self evidence: %v → %v", st0[ben.ID].R[I], st1[ben.ID].R[I])
		}
		if st1[ben.ID].S[I] != st0[ben.ID].S[I] {
			t.Fatal("a dispute added negative evidence")
		}
		if st1[cleo.ID].R[I] != st0[cleo.ID].R[I] {
			t.Fatal("Cleo's evidence changed with the others' words")
		}
		// Read as the dashboard reads it: Ana's corroborated trust rose,
		// Ben's did not fall (a dispute is no penalty), Cleo's is as it was.
		set := must(e.app.Settings(e.ctx, l.ID))(t)
		now := e.clk.Now()
		read := func(st map[string]engine.State, id string) engine.Reading { return set.Read(st[id], now) }
		if a0, a1 := read(st0, ana.ID), read(st1, ana.ID); !(a1.RCorr > a0.RCorr) || !(a1.SelfShare[I] < a0.SelfShare[I]) {
			t.Fatalf("Ana's confirmation: corroborated %.3f → %.3f, self share %.2f → %.2f", a0.RCorr, a1.RCorr, a0.SelfShare[I], a1.SelfShare[I])
		}
		if b0, b1 := read(st0, ben.ID), read(st1, ben.ID); !closeTo(b1.RCorr, b0.RCorr) || !closeTo(b1.SCorr, b0.SCorr) || !(b1.RTotal < b0.RTotal) {
			t.Fatalf("Ben's dispute: corroborated %.3f/%.3f → %.3f/%.3f, total r %.3f → %.3f", b0.RCorr, b0.SCorr, b1.RCorr, b1.SCorr, b0.RTotal, b1.RTotal)
		}
		e.checkReplay(l.ID)
		e.checkStatus(l.ID)
		e.checkExplain(l.ID)
		w := must(e.app.Window(e.ctx, ana.ID))(t)
		if len(w.Kept) != 1 || w.Kept[0].Mine != "confirmed" {
			t.Fatalf("Ana's kept %+v", w.Kept)
		}
		// The leader can still reverse the rest; it is then gone for Cleo.
		evs := must(e.app.Events(e.ctx, l.ID, tl.EventFilter{Who: "Cleo"}))(t)
		var keptID string
		for _, ev := range evs {
			if ev.Kind == "promise-kept" && ev.Reverses == "" {
				keptID = ev.ID
			}
		}
		must(e.app.Reverse(e.ctx, l.ID, keptID, "logged by mistake"))(t)
		_, err := e.app.Reverse(e.ctx, l.ID, keptID, "again")
		wantCode(t, err, tl.ECONFLICT, "already reversed")
		e.checkReplay(l.ID)
		e.checkStatus(l.ID)
		e.checkExplain(l.ID)
		if s := e.states(l.ID); s[cleo.ID].R[I][self] > 1e-9 || s[ana.ID].R[I][conf] <= 0 {
			t.Fatalf("after the reversal: Cleo %v, Ana %v", s[cleo.ID].R[I], s[ana.ID].R[I])
		}
		// Open and other people's promises cannot be confirmed.
		open := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Ben", What: "x", Due: e.clk.Now().Add(day)}))(t)
		wantCode(t, e.app.ConfirmPromise(e.ctx, ana.ID, open.ID, true), tl.ENOTFOUND)
		wantCode(t, e.app.ConfirmPromise(e.ctx, ben.ID, open.ID, true), tl.EINVALID, "not kept")
	})
}

// TestReactionsInBatchesOfK: counts are hidden below k, then move only in
// steps of k; one reaction per person; who and what are not linked.
func TestReactionsInBatchesOfK(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		people := e.team(l.ID, 11)
		d := must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "move the launch", Why: "the tests are not ready", Affects: "team"}))(t)
		counts := func() tl.ReactionCounts {
			return must(e.app.Window(e.ctx, people[0].ID))(t).Decisions[0].Reactions
		}
		// Only people who count may react: a newcomer still waiting may
		// not (docs/ANONYMITY.md, rule 1).
		newcomer := must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Newcomer", Email: "new@example.org", Kind: engine.DirectReport}))(t)
		wantCode(t, e.app.React(e.ctx, newcomer.ID, d.ID, tl.ReactionDisagree), tl.EFORBIDDEN, "cannot be counted")
		e.confirm(newcomer)
		wantCode(t, e.app.React(e.ctx, newcomer.ID, d.ID, tl.ReactionDisagree), tl.EFORBIDDEN, "cannot be counted")
		reactions := []string{tl.ReactionNotClear, tl.ReactionNotClear, tl.ReactionUnderstood, tl.ReactionNotClear, tl.ReactionDisagree,
			tl.ReactionUnderstood, tl.ReactionUnderstood, tl.ReactionUnderstood, tl.ReactionUnderstood, tl.ReactionDisagree, tl.ReactionNotClear}
		first5 := tl.ReactionCounts{N: 5, Understood: 1, NotClear: 3, Disagree: 1}
		var published tl.ReactionCounts
		for i, r := range reactions {
			noErr(t, e.app.React(e.ctx, people[i].ID, d.ID, r))
			// Nothing moves as a reaction arrives, only at publication.
			if c := counts(); c != published {
				t.Fatalf("right after reaction %d the counts moved to %+v from %+v", i+1, c, published)
			}
			e.publish()
			c := counts()
			switch n := i + 1; {
			case n < 5:
				if c.N != 0 {
					t.Fatalf("after %d reactions the counts show %+v", n, c)
				}
			case n < 10:
				if c != first5 {
					t.Fatalf("after %d reactions: %+v", n, c)
				}
			case n == 10 || n == 11:
				if c.N != 10 || c.Understood != 5 {
					t.Fatalf("after %d reactions: %+v", n, c)
				}
			}
			published = c
		}
		wantCode(t, e.app.React(e.ctx, people[0].ID, d.ID, tl.ReactionUnderstood), tl.ECONFLICT, "already reacted")
		wantCode(t, e.app.React(e.ctx, people[0].ID, d.ID, "meh"), tl.EINVALID)
		// A majority "not clear" at the first release logged one
		// transparency withdrawal for the team.
		var n int
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			n, err = tx.CountRows(e.ctx, "SELECT COUNT(*) FROM events WHERE kind = 'decision-unexplained' AND recorded_by = 'system'")
			return err
		}))
		if n != 1 {
			t.Fatalf("%d system decision-unexplained entries, want 1", n)
		}
		// Concurrent reactions by one person store one.
		d2 := must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "second", Why: "why", Affects: "team"}))(t)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() { _ = e.app.React(e.ctx, people[1].ID, d2.ID, tl.ReactionDisagree) })
		}
		wg.Wait()
		var cols []string
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			if n, err = tx.CountRows(e.ctx, "SELECT COUNT(*) FROM decision_reactions WHERE decision_id = $1", d2.ID); err != nil {
				return err
			}
			cols, err = tx.Columns(e.ctx, "decision_reactions")
			return err
		}))
		if n != 1 {
			t.Fatalf("%d reactions stored for one person, want 1", n)
		}
		if strings.Join(cols, ",") != "decision_id,id,reaction" {
			t.Fatalf("decision_reactions holds %v: it must not link a reaction to a person", cols)
		}
		e.checkReplay(l.ID)
	})
}

// TestMemberRelationships: a member account opens the windows of the
// people at its address only when the address was proved, for the account
// by accepting an invitation that came by mail, and for each person by a
// confirmation (docs/ANONYMITY.md, rule 6).
func TestMemberRelationships(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := must(e.app.Signup(e.ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: "correct horse battery"}))(t)
		must(e.app.AddPerson(e.ctx, owner.LeaderID, tl.PersonInput{Name: "Ana", Email: "ana@example.org", Kind: engine.DirectReport}))(t)
		// No member invitation as a link the inviter sees.
		_, _, err := e.app.Invite(e.ctx, owner.ID, "ana@example.org", tl.RoleMember)
		wantCode(t, err, tl.EINVALID, "goes by email")
		must(e.app.InviteByMail(e.ctx, owner.ID, "ana@example.org", tl.RoleMember))(t)
		ana := must(e.app.AcceptInvite(e.ctx, e.mailedInvitation(t, "ana@example.org"), "Ana", "another long password"))(t)
		if ana.EmailVerifiedAt.IsZero() {
			t.Fatal("accepting a mailed invitation did not verify the account's address")
		}
		// Another leader's person at the same address, whose address
		// nobody confirmed, is not opened.
		o := e.leader("Omar")
		must(e.app.AddPerson(e.ctx, o.ID, tl.PersonInput{Name: "Ana O.", Email: "ana@example.org", Kind: engine.Peer}))(t)
		rels := must(e.app.MemberRelationships(e.ctx, ana.ID))(t)
		if len(rels) != 1 || rels[0].Person != "Ana" || rels[0].EmailConfirmedAt.IsZero() {
			t.Fatalf("member relationships %+v, want Lena's Ana, confirmed by the accepted invitation", rels)
		}
		if rels := must(e.app.MemberRelationships(e.ctx, owner.ID))(t); len(rels) != 0 {
			t.Fatalf("the owner stands for %d relationships", len(rels))
		}
		// A member account whose address was never proved (made before
		// the rule, from a link its inviter saw) opens nothing.
		old := &tl.User{ID: "user-old-member", Email: "ben@example.org", Name: "Ben", Role: tl.RoleMember, CreatedAt: e.clk.Now()}
		noErr(t, e.db.Write(e.ctx, func(tx *store.Tx) error { return tx.CreateUser(e.ctx, old, "") }))
		ben := must(e.app.AddPerson(e.ctx, owner.LeaderID, tl.PersonInput{Name: "Ben", Email: "ben@example.org", Kind: engine.DirectReport}))(t)
		e.confirm(ben)
		if rels := must(e.app.MemberRelationships(e.ctx, old.ID))(t); len(rels) != 0 {
			t.Fatalf("an account whose address nobody proved opens %d windows", len(rels))
		}
	})
}

// TestWindowKeepsPrivateThingsOut: the window holds promises and
// decisions, never the leader's ledger notes, journal, scores or the
// weekly step a promise came from, and never another person's or
// another team's promises and decisions.
func TestWindowKeepsPrivateThingsOut(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := e.person(l.ID, "Ana", engine.DirectReport)
		ben := e.person(l.ID, "Ben", engine.DirectReport)
		must(e.app.AddTeam(e.ctx, l.ID, "design"))(t)
		cleo := must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Cleo", Kind: engine.Peer, Team: "design"}))(t)
		e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "person-valued", Note: "secret ledger note about Ana"})
		e.log(l.ID, tl.EventInput{Who: "team", Kind: "recognition", Note: "secret team note"})
		must(e.app.AddJournal(e.ctx, l.ID, 0, "private journal words"))(t)
		wk := must(e.app.Week(e.ctx, l.ID))(t)
		if wk.Step == nil || wk.Step.Person != "Ana" && wk.Step.Person != "Ben" {
			t.Fatalf("no step for Ana or Ben: %+v", wk)
		}
		step, _ := must2(e.app.AcceptStep(e.ctx, l.ID))(t)
		due := e.clk.Now().Add(3 * day)
		toAna := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Ana", What: "to Ana", Due: due}))(t)
		e.clk.Advance(time.Hour)
		toTeam := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "team", What: "to the team", Due: due}))(t)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Ben", What: "to Ben", Due: due}))(t)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "design", What: "to design", Due: due}))(t)
		must(e.app.ResolvePromise(e.ctx, l.ID, toAna.ID, tl.PromiseKept, time.Time{}))(t)
		e.clk.Advance(time.Hour)
		must(e.app.ResolvePromise(e.ctx, l.ID, toTeam.ID, tl.PromiseKept, time.Time{}))(t)
		teamD := must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "team decision", Why: "because", Affects: "team"}))(t)
		benD := must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "Ben decision", Why: "private to Ben", Affects: "Ben"}))(t)
		designD := must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "design decision", Why: "design only", Affects: "design"}))(t)

		for _, who := range []*tl.Relationship{ana, ben} {
			w := must(e.app.Window(e.ctx, who.ID))(t)
			raw, err := json.Marshal(w)
			noErr(t, err)
			for _, secret := range []string{"secret", "private journal", "design", step.ID, "step_id", "Cleo"} {
				if strings.Contains(string(raw), secret) {
					t.Errorf("%s's window holds %q: %s", who.Person, secret, raw)
				}
			}
			other := map[string]string{ana.ID: "Ben", ben.ID: "Ana"}[who.ID]
			for _, p := range append(slices.Clone(w.Open), w.Kept...) {
				if p.Promise.RelationshipID != "" && p.Promise.RelationshipID != who.ID || strings.Contains(p.Promise.What, other) {
					t.Errorf("%s's window shows %+v", who.Person, p.Promise)
				}
			}
		}
		w := must(e.app.Window(e.ctx, ana.ID))(t)
		// Kept: newest first, Ana's own marked as hers.
		if len(w.Kept) != 2 || w.Kept[0].Promise.ID != toTeam.ID || w.Kept[0].ToMe || w.Kept[1].Promise.ID != toAna.ID || !w.Kept[1].ToMe {
			t.Fatalf("Ana's kept promises %+v", w.Kept)
		}
		if len(w.Decisions) != 1 || w.Decisions[0].Decision.ID != teamD.ID {
			t.Fatalf("Ana's decisions %+v", w.Decisions)
		}
		// What Ana cannot see she cannot act on either.
		wantCode(t, e.app.React(e.ctx, ana.ID, benD.ID, tl.ReactionDisagree), tl.ENOTFOUND)
		wantCode(t, e.app.React(e.ctx, ana.ID, designD.ID, tl.ReactionDisagree), tl.ENOTFOUND)
		wantCode(t, e.app.React(e.ctx, cleo.ID, teamD.ID, tl.ReactionDisagree), tl.ENOTFOUND)
		wantCode(t, e.app.ConfirmPromise(e.ctx, cleo.ID, toTeam.ID, true), tl.ENOTFOUND)
		wantCode(t, e.app.ConfirmPromise(e.ctx, ben.ID, toAna.ID, false), tl.ENOTFOUND)
		// Another leader's person with a window cannot reach Lena's.
		o := e.leader("Omar")
		omars := e.person(o.ID, "Ana", engine.DirectReport)
		if w := must(e.app.Window(e.ctx, omars.ID))(t); len(w.Open)+len(w.Kept)+len(w.Decisions) != 0 || w.Leader != "Omar" {
			t.Fatalf("Omar's Ana sees %+v", w)
		}
		wantCode(t, e.app.React(e.ctx, omars.ID, teamD.ID, tl.ReactionUnderstood), tl.ENOTFOUND)
		wantCode(t, e.app.ConfirmPromise(e.ctx, omars.ID, toTeam.ID, true), tl.ENOTFOUND)
		_, err := e.app.Window(e.ctx, "no-such-relationship")
		wantCode(t, err, tl.ENOTFOUND)
	})
}

// TestWindowSayDoAsTheLeaderSeesIt: when shared, the ratio is the one
// the leader sees, overdue open promises included.
func TestWindowSayDoAsTheLeaderSeesIt(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := e.person(l.ID, "Ana", engine.DirectReport)
		e.person(l.ID, "Ben", engine.DirectReport)
		kept := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Ben", What: "a", Due: e.clk.Now().Add(day)}))(t)
		broken := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Ana", What: "b", Due: e.clk.Now().Add(day)}))(t)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "team", What: "c", Due: e.clk.Now().Add(day)}))(t)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "team", What: "d", Due: e.clk.Now().Add(10 * day)}))(t)
		must(e.app.ResolvePromise(e.ctx, l.ID, kept.ID, tl.PromiseKept, time.Time{}))(t)
		must(e.app.ResolvePromise(e.ctx, l.ID, broken.ID, tl.PromiseBroken, time.Time{}))(t)
		e.clk.Advance(2 * day) // "c" is past due, not yet broken
		noErr(t, e.app.SetSetting(e.ctx, l.ID, "share_say_do", 1))
		k, d, err := e.app.SayDo(e.ctx, l.ID)
		noErr(t, err)
		w := must(e.app.Window(e.ctx, ana.ID))(t)
		if w.SayDo == nil || *w.SayDo != (tl.SayDoRatio{Kept: k, Due: d}) || d != 3 {
			t.Fatalf("window say/do %+v, the leader's %d/%d (want 1/3)", w.SayDo, k, d)
		}
		noErr(t, e.app.SetSetting(e.ctx, l.ID, "share_say_do", 0))
		if w := must(e.app.Window(e.ctx, ana.ID))(t); w.SayDo != nil {
			t.Fatal("say/do still shown after the leader stopped sharing it")
		}
		wantCode(t, e.app.SetSetting(e.ctx, l.ID, "share_say_do", 2), tl.EINVALID)
	})
}

// TestWindowClosesForInactive: a window is for the people a leader leads
// now; made inactive, a person can no longer see it, confirm or react.
func TestWindowClosesForInactive(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := e.team(l.ID, 1)[0]
		c := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "team", What: "w", Due: e.clk.Now().Add(day)}))(t)
		must(e.app.ResolvePromise(e.ctx, l.ID, c.ID, tl.PromiseKept, time.Time{}))(t)
		d := must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "x", Why: "y", Affects: "team"}))(t)
		pass := must(e.app.OpenWindowLink(e.ctx, must(e.windowLink(l.ID, ana.Person))(t)))(t)
		// While active, Ana counts and may react.
		noErr(t, e.app.React(e.ctx, ana.ID, d.ID, tl.ReactionUnderstood))
		d = must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "x2", Why: "y2", Affects: "team"}))(t)
		must(e.app.SetActive(e.ctx, l.ID, ana.Person, false))(t)
		_, err := e.app.WindowForPass(e.ctx, pass)
		wantCode(t, err, tl.ENOTFOUND, "closed")
		_, err = e.app.Window(e.ctx, ana.ID)
		wantCode(t, err, tl.ENOTFOUND, "closed")
		wantCode(t, e.app.ConfirmPromise(e.ctx, ana.ID, c.ID, false), tl.ENOTFOUND)
		wantCode(t, e.app.React(e.ctx, ana.ID, d.ID, tl.ReactionDisagree), tl.ENOTFOUND)
		_, err = e.windowLink(l.ID, ana.Person)
		wantCode(t, err, tl.EINVALID, "not active")
		// Back in the team, the same pass works again.
		must(e.app.SetActive(e.ctx, l.ID, ana.Person, true))(t)
		if got := must(e.app.WindowForPass(e.ctx, pass))(t); got != ana.ID {
			t.Fatalf("pass stands for %s", got)
		}
	})
}

// TestDecisionUnexplainedOnce: the first released count with a strict
// majority "not clear" logs one decision-unexplained for the people the
// decision affects; later releases, majority or not, log no more.
func TestDecisionUnexplainedOnce(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		noErr(t, e.app.SetSetting(e.ctx, l.ID, "anonymity_k", 3))
		people := e.team(l.ID, 9)
		must(e.app.AddTeam(e.ctx, l.ID, "design"))(t)
		cleo := must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Cleo", Kind: engine.Peer, Team: "design"}))(t)
		d := must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "move the launch", Why: "tests", Affects: "team"}))(t)
		unexplained := func() []tl.Event {
			var out []tl.Event
			for _, ev := range must(e.app.Events(e.ctx, l.ID, tl.EventFilter{}))(t) {
				if ev.Kind == "decision-unexplained" {
					out = append(out, ev)
				}
			}
			return out
		}
		say := []string{
			tl.ReactionUnderstood, tl.ReactionNotClear, tl.ReactionDisagree, // 3: released, 1 of 3 not clear
			tl.ReactionNotClear, tl.ReactionNotClear, tl.ReactionNotClear, // 6: released, 4 of 6
			tl.ReactionNotClear, tl.ReactionNotClear, tl.ReactionNotClear, // 9: released, 7 of 9
		}
		for i, r := range say {
			noErr(t, e.app.React(e.ctx, people[i].ID, d.ID, r))
			want := 0
			if i+1 >= 7 {
				want = 1
			}
			// Nothing is released, nor logged, before the publication.
			if got := len(unexplained()); got != want {
				t.Fatalf("right after %d reactions: %d decision-unexplained entries, want %d", i+1, got, want)
			}
			e.publish()
			if i+1 >= 6 {
				want = 1
			}
			if got := len(unexplained()); got != want {
				t.Fatalf("after %d reactions and a publication: %d decision-unexplained entries, want %d", i+1, got, want)
			}
		}
		ev := unexplained()[0]
		if ev.Source != engine.System || ev.RecordedBy != "system" || ev.DecisionID != d.ID || ev.Subject != tl.SubjectTeam {
			t.Fatalf("entry %+v", ev)
		}
		var full *tl.Event
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			full, err = tx.EventByID(e.ctx, l.ID, ev.ID)
			return err
		}))
		var want []string
		for _, p := range people {
			want = append(want, p.ID)
		}
		slices.Sort(want)
		if !slices.Equal(full.Targets, want) || slices.Contains(full.Targets, cleo.ID) {
			t.Fatalf("the entry reached %v, want the team %v", full.Targets, want)
		}
		if c := must(e.app.Window(e.ctx, people[0].ID))(t).Decisions[0].Reactions; c != (tl.ReactionCounts{N: 9, Understood: 1, NotClear: 7, Disagree: 1}) {
			t.Fatalf("counts %+v", c)
		}
		e.checkReplay(l.ID)
	})
}

// TestConfirmKeptLate: a promise kept late is confirmed as kept late,
// with the weight of its kind, dated when it was kept.
func TestConfirmKeptLate(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := e.person(l.ID, "Ana", engine.DirectReport)
		c := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Ana", What: "the review", Due: e.clk.Now()}))(t)
		e.clk.Advance(day)
		got := must(e.app.ResolvePromise(e.ctx, l.ID, c.ID, tl.PromiseKept, time.Time{}))(t)
		keptAt := e.clk.Now()
		if got.Status != tl.PromiseKeptLate {
			t.Fatalf("status %s", got.Status)
		}
		e.clk.Advance(3 * day)
		noErr(t, e.app.ConfirmPromise(e.ctx, ana.ID, c.ID, true))
		var confirmed []tl.Event
		for _, ev := range must(e.app.Events(e.ctx, l.ID, tl.EventFilter{Who: "Ana"}))(t) {
			if ev.Source == engine.Confirmed {
				confirmed = append(confirmed, ev)
			}
		}
		if len(confirmed) != 1 || confirmed[0].Kind != "promise-kept-late" || !confirmed[0].OccurredAt.Equal(keptAt) ||
			confirmed[0].PromiseID != c.ID || confirmed[0].RecordedBy != "person" {
			t.Fatalf("confirmed entries %+v", confirmed)
		}
		st := e.states(l.ID)[ana.ID]
		I := engine.Integrity
		if st.R[I][engine.Self] > 1e-9 || !(st.R[I][engine.Confirmed] > 0) {
			t.Fatalf("Ana's integrity evidence %v", st.R[I])
		}
		if w := must(e.app.Window(e.ctx, ana.ID))(t); len(w.Kept) != 1 || w.Kept[0].Mine != "confirmed" || !w.Kept[0].ToMe {
			t.Fatalf("Ana's kept %+v", w.Kept)
		}
		e.checkReplay(l.ID)
		// The leader reversing their own entry now finds nothing left to
		// take back: Ana's confirmation replaced it for her.
		var selfID string
		for _, ev := range must(e.app.Events(e.ctx, l.ID, tl.EventFilter{Who: "Ana"}))(t) {
			if ev.Source == engine.Self && ev.Reverses == "" {
				selfID = ev.ID
			}
		}
		_, err := e.app.Reverse(e.ctx, l.ID, selfID, "mistake")
		wantCode(t, err, tl.ECONFLICT, "already reversed")
	})
}

// TestWindowListsTheLatest: kept promises and decisions are the latest
// 50, newest first, with their released counts.
func TestWindowListsTheLatest(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := e.person(l.ID, "Ana", engine.DirectReport)
		const n = 53
		var lastD, lastC string
		for i := range n {
			e.clk.Advance(time.Hour)
			lastD = must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: fmt.Sprintf("decision %d", i), Why: "why", Affects: "team"}))(t).ID
			c := must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "team", What: fmt.Sprintf("promise %d", i), Due: e.clk.Now().Add(day)}))(t)
			must(e.app.ResolvePromise(e.ctx, l.ID, c.ID, tl.PromiseKept, time.Time{}))(t)
			lastC = c.ID
		}
		w := must(e.app.Window(e.ctx, ana.ID))(t)
		if len(w.Decisions) != 50 || w.Decisions[0].Decision.ID != lastD || w.Decisions[49].Decision.What != "decision 3" {
			t.Fatalf("%d decisions, first %s, last %q", len(w.Decisions), w.Decisions[0].Decision.What, w.Decisions[len(w.Decisions)-1].Decision.What)
		}
		if len(w.Kept) != 50 || w.Kept[0].Promise.ID != lastC || w.Kept[49].Promise.What != "promise 3" {
			t.Fatalf("%d kept, first %s, last %q", len(w.Kept), w.Kept[0].Promise.What, w.Kept[len(w.Kept)-1].Promise.What)
		}
	})
}
