package app_test

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

func TestCheckin(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Ana", Email: "ana@example.org", Kind: engine.DirectReport}))(t)
		ben := e.person(l.ID, "Ben", engine.DirectReport)
		_, _, err := e.app.AskCheckin(e.ctx, l.ID, ben.Person, tl.DeliveryEmail)
		wantCode(t, err, tl.EINVALID, "Ben has no email address")

		// By mail: queued, and the link is made when the mail goes out.
		c, tok, err := e.app.AskCheckin(e.ctx, l.ID, ana.Person, "")
		noErr(t, err)
		if tok != "" || c.Delivery != tl.DeliveryEmail {
			t.Fatalf("mailed check-in returned a token or delivery %q", c.Delivery)
		}
		var queued []store.Mail
		noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			queued, err = tx.Outbox(e.ctx)
			return err
		}))
		if len(queued) != 1 || queued[0].DedupeKey != "checkin:"+c.ID || queued[0].To != "ana@example.org" {
			t.Fatalf("outbox %+v", queued)
		}

		// By link, replacing the mailed one.
		c2, tok, err := e.app.AskCheckin(e.ctx, l.ID, ana.Person, tl.DeliveryLink)
		noErr(t, err)
		if tok == "" {
			t.Fatal("no token for a link check-in")
		}
		pass := must(e.app.OpenCheckinLink(e.ctx, tok))(t)
		form := must(e.app.CheckinForm(e.ctx, pass))(t)
		if form.Leader != "Lena" || form.Person != "Ana" || form.Question != tl.CheckinQuestion || len(form.Items) != 3 {
			t.Fatalf("form %+v", form)
		}
		wantCode(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 4}, ""), tl.EINVALID, "answer every question")
		wantCode(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 4, "cb": 9, "ci": 4}, ""), tl.EINVALID, "1–5")
		before := must(e.app.Status(e.ctx, l.ID))(t).Relationships[0].Assessment
		noErr(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 5, "cb": 5, "ci": 5}, "Thanks for asking."))
		after := must(e.app.Status(e.ctx, l.ID))(t).Relationships[0].Assessment
		if !(after.Trust.E > before.Trust.E) || !(after.Trust.N > before.Trust.N) {
			t.Fatalf("a check-in of 5s did not raise trust: before %+v after %+v", before.Trust, after.Trust)
		}
		wantCode(t, e.app.AnswerCheckin(e.ctx, pass, map[string]int{"ca": 1, "cb": 1, "ci": 1}, ""), tl.ENOTFOUND)
		_, err = e.app.OpenCheckinLink(e.ctx, tok)
		wantCode(t, err, tl.ECONFLICT, "already answered")
		list := must(e.app.Checkins(e.ctx, l.ID))(t)
		if len(list) != 1 || list[0].ID != c2.ID || !slices.Equal(list[0].Ratings, []int{5, 5, 5}) || list[0].Comment != "Thanks for asking." {
			t.Fatalf("checkins %+v", list)
		}
		// The replaced mailed check-in renders to nothing.
		e.checkReplay(l.ID)
		o := e.leader("Omar")
		if got := must(e.app.Checkins(e.ctx, o.ID))(t); len(got) != 0 {
			t.Fatalf("another leader sees %d check-ins", len(got))
		}
	})
}

func TestWindowShowsOnlyWhatConcernsThePerson(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		l := e.leader("Lena")
		ana := e.person(l.ID, "Ana", engine.DirectReport)
		e.person(l.ID, "Ben", engine.DirectReport)
		must(e.app.AddTeam(e.ctx, l.ID, "design"))(t)
		must(e.app.AddPerson(e.ctx, l.ID, tl.PersonInput{Name: "Cleo", Kind: engine.Peer, Team: "design"}))(t)
		due := e.clk.Now().Add(3 * day)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Ana", What: "to Ana", Due: due}))(t)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "Ben", What: "to Ben", Due: due}))(t)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "team", What: "to the team", Due: due}))(t)
		must(e.app.AddPromise(e.ctx, l.ID, tl.PromiseInput{To: "design", What: "to design", Due: due}))(t)
		must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "team decision", Why: "because", Affects: "team"}))(t)
		must(e.app.Decide(e.ctx, l.ID, tl.DecisionInput{What: "Ben decision", Why: "private", Affects: "Ben"}))(t)
		e.log(l.ID, tl.EventInput{Who: "Ana", Kind: "person-valued", Note: "secret ledger note"})

		tok := must(e.app.WindowLink(e.ctx, l.ID, "Ana"))(t)
		pass := must(e.app.OpenWindowLink(e.ctx, tok))(t)
		rel := must(e.app.WindowForPass(e.ctx, pass))(t)
		if rel != ana.ID {
			t.Fatalf("pass stands for %s, want Ana", rel)
		}
		w := must(e.app.Window(e.ctx, rel))(t)
		var open []string
		for _, p := range w.Open {
			open = append(open, p.Commitment.What)
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
		noErr(t, e.app.SetSetting(e.ctx, l.ID, "share_say_do", 1))
		if w := must(e.app.Window(e.ctx, rel))(t); w.SayDo == nil {
			t.Fatal("say/do hidden after the leader chose to share it")
		}
		// A new link replaces the old one.
		must(e.app.WindowLink(e.ctx, l.ID, "Ana"))(t)
		_, err := e.app.OpenWindowLink(e.ctx, tok)
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
		must(e.app.ResolvePromise(e.ctx, l.ID, c.ID, tl.CommitmentKept, time.Time{}))(t)
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
		e.checkReplay(l.ID)
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
		reactions := []string{tl.ReactionNotClear, tl.ReactionNotClear, tl.ReactionUnderstood, tl.ReactionNotClear, tl.ReactionDisagree,
			tl.ReactionUnderstood, tl.ReactionUnderstood, tl.ReactionUnderstood, tl.ReactionUnderstood, tl.ReactionDisagree, tl.ReactionNotClear}
		for i, r := range reactions {
			noErr(t, e.app.React(e.ctx, people[i].ID, d.ID, r))
			c := counts()
			switch n := i + 1; {
			case n < 5:
				if c.N != 0 {
					t.Fatalf("after %d reactions the counts show %+v", n, c)
				}
			case n < 10:
				if c != (tl.ReactionCounts{N: 5, Understood: 1, NotClear: 3, Disagree: 1}) {
					t.Fatalf("after %d reactions: %+v", n, c)
				}
			case n == 10 || n == 11:
				if c.N != 10 || c.Understood != 5 {
					t.Fatalf("after %d reactions: %+v", n, c)
				}
			}
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

func TestMemberRelationships(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := must(e.app.Signup(e.ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: "correct horse battery"}))(t)
		must(e.app.AddPerson(e.ctx, owner.LeaderID, tl.PersonInput{Name: "Ana", Email: "ana@example.org", Kind: engine.DirectReport}))(t)
		_, tok, err := e.app.Invite(e.ctx, owner.ID, "ana@example.org", tl.RoleMember)
		noErr(t, err)
		ana := must(e.app.AcceptInvite(e.ctx, tok, "Ana", "another long password"))(t)
		rels := must(e.app.MemberRelationships(e.ctx, ana.ID))(t)
		if len(rels) != 1 || rels[0].Person != "Ana" {
			t.Fatalf("member relationships %+v", rels)
		}
		if rels := must(e.app.MemberRelationships(e.ctx, owner.ID))(t); len(rels) != 0 {
			t.Fatalf("the owner stands for %d relationships", len(rels))
		}
	})
}
