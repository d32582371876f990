package storetest

import (
	"slices"
	"strings"
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for named check-ins and the team's window (docs/ANONYMITY.md).
func init() {
	register("Checkins", testCheckins)
	register("WindowLinks", testWindowLinks)
	register("PromiseConfirmations", testConfirmations)
	register("DecisionReactions", testDecisionReactions)
	register("PartialReversal", testPartialReversal)
}

// relWithEmail is f.rel with an address.
func (f *fixture) relWithEmail(leaderID, teamID, person, email string, active bool) tl.Relationship {
	f.t.Helper()
	r := tl.Relationship{ID: f.id(), LeaderID: leaderID, Person: person, TeamID: teamID, Email: email,
		Kind: engine.DirectReport, Bases: engine.Bases{3, 2, 1, 2, 1, 0}, Active: active,
		StartedAt: f.now, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error { return tx.CreateRelationship(f.ctx, &r) })
	return r
}

func testCheckins(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	o := f.leader("Omar")
	ana := f.rel(l.ID, "", "Ana")
	ben := f.rel(l.ID, "", "Ben")
	omars := f.rel(o.ID, "", "Ana")
	mk := func(r tl.Relationship, delivery, hash string) *store.CheckinRow {
		c := &store.CheckinRow{Checkin: tl.Checkin{ID: f.id(), LeaderID: r.LeaderID, RelationshipID: r.ID, Delivery: delivery,
			CreatedAt: f.now}, TokenHash: hash}
		f.write(func(tx *store.Tx) error { return tx.CreateCheckin(f.ctx, c) })
		return c
	}
	// Two mailed check-ins have no token yet: NULL hashes do not collide.
	mailedAna := mk(ana, tl.DeliveryEmail, "")
	mailedBen := mk(ben, tl.DeliveryEmail, "")
	linked := mk(omars, tl.DeliveryLink, "hash-omar")
	f.read(func(tx *store.Tx) error {
		got, err := tx.CheckinByID(f.ctx, mailedAna.ID)
		if err != nil {
			return err
		}
		if got.Person != "Ana" || got.TokenHash != "" || !got.AnsweredAt.IsZero() || got.Ratings != "" || got.EventID != "" {
			t.Errorf("mailed check-in back: %+v", got)
		}
		if got, err := tx.CheckinByHash(f.ctx, "hash-omar"); err != nil || got.ID != linked.ID || got.LeaderID != o.ID {
			t.Errorf("by hash: %+v %v", got, err)
		}
		_, err = tx.CheckinByHash(f.ctx, "")
		wantCode(t, err, tl.ENOTFOUND)
		list, err := tx.Checkins(f.ctx, l.ID)
		if err != nil {
			return err
		}
		// Newest first, and only this leader's.
		diff(t, "Lena's check-ins", ids(list, func(c store.CheckinRow) string { return c.ID }), []string{mailedBen.ID, mailedAna.ID})
		if open, err := tx.OpenCheckinFor(f.ctx, ana.ID); err != nil || open.ID != mailedAna.ID {
			t.Errorf("open check-in of Ana: %+v %v", open, err)
		}
		return nil
	})
	// The mail goes out: a token is issued; the same hash cannot serve
	// two check-ins.
	mailedAna.TokenHash = "hash-ana"
	f.write(func(tx *store.Tx) error { return tx.UpdateCheckin(f.ctx, mailedAna) })
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		mailedBen.TokenHash = "hash-ana"
		return tx.UpdateCheckin(f.ctx, mailedBen)
	})
	wantCode(t, err, tl.ECONFLICT)
	// Answered: it is no longer open, and cannot be deleted as replaced.
	ev := f.event(ana, engine.KindCheckin)
	ev.Source = engine.Confirmed
	ev.Snapshot = &engine.Snapshot{At: ev.OccurredAt, P: [engine.NumDims]float64{1, 0.75, 0.5}, Rwg: [engine.NumDims]float64{1, 1, 1}, N: 1}
	f.append(ev)
	mailedAna.Ratings, mailedAna.Comment, mailedAna.AnsweredAt, mailedAna.EventID = "ca=5;cb=4;ci=3", "thanks", f.tick(), ev.ID
	f.write(func(tx *store.Tx) error { return tx.UpdateCheckin(f.ctx, mailedAna) })
	f.read(func(tx *store.Tx) error {
		got, err := tx.CheckinByHash(f.ctx, "hash-ana")
		if err != nil {
			return err
		}
		diff(t, "answered check-in", *got, store.CheckinRow{Checkin: tl.Checkin{ID: mailedAna.ID, LeaderID: l.ID, RelationshipID: ana.ID,
			Person: "Ana", Delivery: tl.DeliveryEmail, CreatedAt: mailedAna.CreatedAt, AnsweredAt: mailedAna.AnsweredAt, Comment: "thanks"},
			TokenHash: "hash-ana", Ratings: "ca=5;cb=4;ci=3", EventID: ev.ID})
		_, err = tx.OpenCheckinFor(f.ctx, ana.ID)
		wantCode(t, err, tl.ENOTFOUND)
		return nil
	})
	err = f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.DeleteCheckin(f.ctx, mailedAna.ID) })
	wantCode(t, err, tl.ENOTFOUND)
	// A replaced (unanswered) check-in goes, and its link with it.
	f.write(func(tx *store.Tx) error { return tx.DeleteCheckin(f.ctx, linked.ID) })
	f.read(func(tx *store.Tx) error {
		_, err := tx.CheckinByHash(f.ctx, "hash-omar")
		wantCode(t, err, tl.ENOTFOUND)
		_, err = tx.CheckinByID(f.ctx, linked.ID)
		wantCode(t, err, tl.ENOTFOUND)
		all, err := tx.CheckinsFor(f.ctx, ana.ID)
		if err != nil || len(all) != 1 || all[0].ID != mailedAna.ID {
			t.Errorf("Ana's check-ins: %+v %v", all, err)
		}
		return nil
	})
}

func testWindowLinks(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	o := f.leader("Omar")
	ana := f.relWithEmail(l.ID, "", "Ana", "ana@example.org", true)
	anaO := f.relWithEmail(o.ID, "", "Ana Lima", "ana@example.org", true)
	f.relWithEmail(o.ID, "", "Old Ana", "ana@example.org", false)
	f.relWithEmail(l.ID, "", "Ben", "ben@example.org", true)
	f.rel(l.ID, "", "Cleo") // no address
	f.write(func(tx *store.Tx) error { return tx.PutWindowLink(f.ctx, ana.ID, "w1", f.now) })
	f.read(func(tx *store.Tx) error {
		if id, err := tx.WindowLinkByHash(f.ctx, "w1"); err != nil || id != ana.ID {
			t.Errorf("window link: %q %v", id, err)
		}
		return nil
	})
	// A new link replaces the old one.
	f.write(func(tx *store.Tx) error { return tx.PutWindowLink(f.ctx, ana.ID, "w2", f.tick()) })
	f.read(func(tx *store.Tx) error {
		_, err := tx.WindowLinkByHash(f.ctx, "w1")
		wantCode(t, err, tl.ENOTFOUND)
		if id, err := tx.WindowLinkByHash(f.ctx, "w2"); err != nil || id != ana.ID {
			t.Errorf("the new window link: %q %v", id, err)
		}
		n, err := tx.CountRows(f.ctx, "SELECT COUNT(*) FROM window_links WHERE relationship_id = $1", ana.ID)
		if err != nil || n != 1 {
			t.Errorf("%d window links for Ana (%v), want 1", n, err)
		}
		// Any leader's relationship, by id.
		if r, err := tx.RelationshipAny(f.ctx, anaO.ID); err != nil || r.LeaderID != o.ID || r.Email != "ana@example.org" {
			t.Errorf("relationship of another leader: %+v %v", r, err)
		}
		_, err = tx.RelationshipAny(f.ctx, "nope")
		wantCode(t, err, tl.ENOTFOUND)
		// By address: active ones only, of every leader; nothing for
		// an address nobody has.
		rs, err := tx.RelationshipsByEmail(f.ctx, "ana@example.org")
		if err != nil {
			return err
		}
		got := ids(rs, func(r tl.Relationship) string { return r.Person })
		slices.Sort(got)
		diff(t, "relationships of ana@example.org", got, []string{"Ana", "Ana Lima"})
		if rs, err := tx.RelationshipsByEmail(f.ctx, "nobody@example.org"); err != nil || len(rs) != 0 {
			t.Errorf("relationships of an unknown address: %+v %v", rs, err)
		}
		return nil
	})
}

func testConfirmations(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	tm := f.team(l.ID, "team")
	ana := f.rel(l.ID, tm.ID, "Ana")
	ben := f.rel(l.ID, tm.ID, "Ben")
	c := tl.Promise{ID: f.id(), LeaderID: l.ID, TeamID: tm.ID, To: "team", What: "share the roadmap", Due: f.now,
		Status: tl.PromiseKept, CreatedAt: f.now, ResolvedAt: f.now}
	f.write(func(tx *store.Tx) error { return tx.CreatePromise(f.ctx, &c) })
	f.write(func(tx *store.Tx) error {
		if err := tx.AddConfirmation(f.ctx, &store.Confirmation{PromiseID: c.ID, RelationshipID: ana.ID, State: "confirmed", CreatedAt: f.now}); err != nil {
			return err
		}
		return tx.AddConfirmation(f.ctx, &store.Confirmation{PromiseID: c.ID, RelationshipID: ben.ID, State: "disputed", CreatedAt: f.now})
	})
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		return tx.AddConfirmation(f.ctx, &store.Confirmation{PromiseID: c.ID, RelationshipID: ana.ID, State: "disputed", CreatedAt: f.tick()})
	})
	wantCode(t, err, tl.ECONFLICT)
	f.read(func(tx *store.Tx) error {
		a, err := tx.Confirmations(f.ctx, ana.ID)
		if err != nil {
			return err
		}
		diff(t, "Ana's confirmations", a, map[string]string{c.ID: "confirmed"})
		b, err := tx.Confirmations(f.ctx, ben.ID)
		if err != nil {
			return err
		}
		diff(t, "Ben's confirmations", b, map[string]string{c.ID: "disputed"})
		return nil
	})
}

func testDecisionReactions(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	o := f.leader("Omar")
	tm := f.team(l.ID, "team")
	var rels []tl.Relationship
	for _, p := range []string{"Ana", "Ben", "Cleo"} {
		rels = append(rels, f.rel(l.ID, tm.ID, p))
	}
	d := tl.Decision{ID: f.id(), LeaderID: l.ID, What: "move the launch", Why: "tests", TeamID: tm.ID, Affects: "team", DecidedAt: f.now, CreatedAt: f.now}
	d2 := tl.Decision{ID: f.id(), LeaderID: l.ID, What: "other", TeamID: tm.ID, Affects: "team", DecidedAt: f.now, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreateDecision(f.ctx, &d); err != nil {
			return err
		}
		return tx.CreateDecision(f.ctx, &d2)
	})
	f.read(func(tx *store.Tx) error {
		if got, err := tx.DecisionByID(f.ctx, l.ID, d.ID); err != nil || got.What != d.What {
			t.Errorf("decision by id: %+v %v", got, err)
		}
		_, err := tx.DecisionByID(f.ctx, o.ID, d.ID)
		wantCode(t, err, tl.ENOTFOUND)
		rc, err := tx.ReleasedReactions(f.ctx, d.ID)
		if err != nil || rc != (store.ReactionCounts{}) {
			t.Errorf("released before any reaction: %+v %v", rc, err)
		}
		return nil
	})
	say := []string{tl.ReactionNotClear, tl.ReactionUnderstood, tl.ReactionNotClear}
	f.write(func(tx *store.Tx) error {
		for i, r := range rels {
			if err := tx.AddReacted(f.ctx, d.ID, r.ID); err != nil {
				return err
			}
			if err := tx.AddReaction(f.ctx, d.ID, f.id(), say[i]); err != nil {
				return err
			}
		}
		return tx.AddReacted(f.ctx, d2.ID, rels[0].ID)
	})
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.AddReacted(f.ctx, d.ID, rels[1].ID) })
	wantCode(t, err, tl.ECONFLICT)
	f.read(func(tx *store.Tx) error {
		got, err := tx.Reacted(f.ctx, rels[0].ID)
		if err != nil {
			return err
		}
		diff(t, "Ana reacted to", got, map[string]bool{d.ID: true, d2.ID: true})
		if got, err := tx.Reacted(f.ctx, rels[1].ID); err != nil || !got[d.ID] || got[d2.ID] {
			t.Errorf("Ben reacted to %v (%v)", got, err)
		}
		c, err := tx.TallyReactions(f.ctx, d.ID)
		if err != nil || c != (tl.ReactionCounts{N: 3, Understood: 1, NotClear: 2}) {
			t.Errorf("tally %+v %v", c, err)
		}
		// Nothing joins who reacted to what they said: the only column
		// the two tables share is the decision.
		who, err := tx.Columns(f.ctx, "decision_reacted")
		if err != nil {
			return err
		}
		what, err := tx.Columns(f.ctx, "decision_reactions")
		if err != nil {
			return err
		}
		diff(t, "decision_reacted columns", who, []string{"decision_id", "relationship_id"})
		diff(t, "decision_reactions columns", what, []string{"decision_id", "id", "reaction"})
		return nil
	})
	ev := f.event(rels[0], engine.KindDecisionUnexplained)
	f.append(ev)
	first := store.ReactionCounts{ReactionCounts: tl.ReactionCounts{N: 3, Understood: 1, NotClear: 2}, EventID: ev.ID}
	f.write(func(tx *store.Tx) error { return tx.PutReleasedReactions(f.ctx, d.ID, first) })
	next := store.ReactionCounts{ReactionCounts: tl.ReactionCounts{N: 6, Understood: 3, NotClear: 2, Disagree: 1}, EventID: ev.ID}
	f.write(func(tx *store.Tx) error { return tx.PutReleasedReactions(f.ctx, d.ID, next) })
	f.read(func(tx *store.Tx) error {
		got, err := tx.ReleasedReactions(f.ctx, d.ID)
		if err != nil {
			return err
		}
		diff(t, "released counts", got, next)
		n, err := tx.CountRows(f.ctx, "SELECT COUNT(*) FROM decision_reaction_counts WHERE decision_id = $1", d.ID)
		if err != nil || n != 1 {
			t.Errorf("%d count rows (%v), want 1", n, err)
		}
		return nil
	})
}

// testPartialReversal: a reversal counts only for the relationships it
// was applied to, so one person's dispute of a team entry leaves it live
// for the others.
func testPartialReversal(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	tm := f.team(l.ID, "team")
	a := f.rel(l.ID, tm.ID, "Ana")
	b := f.rel(l.ID, tm.ID, "Ben")
	c := tl.Promise{ID: f.id(), LeaderID: l.ID, TeamID: tm.ID, To: "team", What: "w", Due: f.now, Status: tl.PromiseKept, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error { return tx.CreatePromise(f.ctx, &c) })
	kept := f.event(a, engine.KindPromiseKept)
	kept.Subject, kept.RelationshipID, kept.TeamID, kept.PromiseID = tl.SubjectTeam, "", tm.ID, c.ID
	kept.Targets = []string{a.ID, b.ID}
	other := f.event(b, engine.KindRecognition)
	rev := f.event(a, engine.KindPromiseKept)
	rev.Reverses, rev.PromiseID, rev.RecordedBy = kept.ID, c.ID, "person"
	f.append(kept, other, rev)
	flag := func(tx *store.Tx, relID, eventID string) bool {
		evs, err := tx.EventsFor(f.ctx, l.ID, relID, f.now.AddDate(-1, 0, 0))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.ID == eventID {
				return e.Reversed
			}
		}
		t.Fatalf("%s not among the entries of %s", eventID, relID)
		return false
	}
	f.read(func(tx *store.Tx) error {
		if !flag(tx, a.ID, kept.ID) {
			t.Error("the team entry is not reversed for Ana, whose reversal it was")
		}
		if flag(tx, b.ID, kept.ID) {
			t.Error("Ana's reversal reversed the team entry for Ben too")
		}
		gone, err := tx.ReversedTargets(f.ctx, kept.ID)
		if err != nil {
			return err
		}
		diff(t, "reversed targets", gone, []string{a.ID})
		if gone, err := tx.ReversedTargets(f.ctx, other.ID); err != nil || len(gone) != 0 {
			t.Errorf("reversed targets of a live entry: %v %v", gone, err)
		}
		evs, err := tx.EventsForPromise(f.ctx, l.ID, c.ID)
		if err != nil {
			return err
		}
		var got []string
		for _, e := range evs {
			got = append(got, e.ID+":"+strings.Join(e.Targets, ","))
		}
		want := []string{kept.ID + ":" + strings.Join(slices.Sorted(slices.Values([]string{a.ID, b.ID})), ","), rev.ID + ":" + a.ID}
		diff(t, "entries of the promise, with targets", got, want)
		return nil
	})
	// The rest reversed too: now gone for both.
	rest := f.event(b, engine.KindPromiseKept)
	rest.Reverses = kept.ID
	f.append(rest)
	f.read(func(tx *store.Tx) error {
		if !flag(tx, b.ID, kept.ID) || !flag(tx, a.ID, kept.ID) {
			t.Error("after the second reversal the team entry is still live for someone")
		}
		gone, err := tx.ReversedTargets(f.ctx, kept.ID)
		if err != nil {
			return err
		}
		diff(t, "reversed targets after both", gone, slices.Sorted(slices.Values([]string{a.ID, b.ID})))
		return nil
	})
}
