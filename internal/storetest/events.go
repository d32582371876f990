package storetest

import (
	"fmt"
	"slices"
	"sort"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for the ledger's events: round trips, the flags
// EventsFor filters on, pages, and appending in batches.
func init() {
	register("EventRoundTrip", testEventRoundTrip)
	register("EventsForFlags", testEventsFor)
	register("EventsPagination", testEventsPagination)
	register("AppendEventsBatch", testAppendEvents)
}

func testEventRoundTrip(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	core := f.team(l.ID, "core")
	a := f.rel(l.ID, core.ID, "Ana")
	b := f.rel(l.ID, core.ID, "Ben")
	// Every field set, a team event with two targets given out of order.
	at := time.Date(2026, 2, 27, 16, 45, 12, 345e6, time.UTC)
	full := tl.Event{ID: store.NewID(at), LeaderID: l.ID, Subject: tl.SubjectTeam, TeamID: core.ID,
		Kind: engine.KindAuthorityGranted, OccurredAt: at, RecordedAt: f.tick(), Source: engine.Confirmed,
		Severity: engine.Major, Note: "promoted — à l'équipe", RecordedBy: "system",
		Reverses: "", Repairs: "", Acknowledges: true, OffersRepair: true, Base: "legitimate", Shift: -2,
		PromiseID: "c-1", DecisionID: "d-1", Targets: []string{b.ID, a.ID}}
	// A breach, an apology that repairs it and a reversal, with links.
	breach := f.event(a, engine.KindPromiseBroken)
	breach.Severity = engine.Severe
	breach.Source = engine.System
	apology := f.event(a, engine.KindApology)
	apology.Repairs, apology.Acknowledges = breach.ID, true
	apology.Severity = 0 // read as normal by the engine; must come back as 0
	rev := f.event(a, engine.KindPromiseBroken)
	rev.Reverses = breach.ID
	rev.Severity = engine.Minor
	f.append(full, breach, apology, rev)

	f.read(func(tx *store.Tx) error {
		got, err := tx.EventByID(f.ctx, l.ID, full.ID)
		if err != nil {
			return err
		}
		want := full
		want.Targets = slices.Sorted(slices.Values(full.Targets))
		diff(t, "event with every field", *got, want)
		for _, e := range []tl.Event{breach, apology, rev} {
			got, err := tx.EventByID(f.ctx, l.ID, e.ID)
			if err != nil {
				return err
			}
			diff(t, "event "+string(e.Kind), *got, e)
		}
		_, err = tx.EventByID(f.ctx, l.ID, "missing")
		wantCode(t, err, tl.ENOTFOUND)
		for _, c := range []struct {
			id   string
			want bool
		}{{breach.ID, true}, {apology.ID, false}, {rev.ID, false}, {"missing", false}} {
			got, err := tx.IsReversed(f.ctx, c.id)
			if err != nil {
				return err
			}
			if got != c.want {
				t.Errorf("IsReversed(%s) = %v, want %v", c.id, got, c.want)
			}
		}
		return nil
	})
	// The same id twice is a conflict.
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.AppendEvent(f.ctx, &breach) })
	wantCode(t, err, tl.ECONFLICT)
	// A severity the engine does not know is refused, not stored.
	bad := f.event(a, engine.KindPromiseKept)
	bad.Severity = 3
	err = f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.AppendEvent(f.ctx, &bad) })
	wantCode(t, err, tl.EINVALID)
}

func testEventsFor(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	a := f.rel(l.ID, "", "Ana")
	b := f.rel(l.ID, "", "Ben")
	old := f.event(a, engine.KindPromiseKept)
	f.now = f.now.Add(30 * 24 * time.Hour)
	since := f.now
	breach1 := f.event(a, engine.KindPromiseBroken) // repaired by a live apology
	breach2 := f.event(a, engine.KindFavoritism)    // its only apology was reversed
	breach3 := f.event(a, engine.KindInformationWithheld)
	ap1 := f.event(a, engine.KindApology)
	ap1.Repairs = breach1.ID
	ap2 := f.event(a, engine.KindApology)
	ap2.Repairs = breach2.ID
	ap2rev := f.event(a, engine.KindApology)
	ap2rev.Reverses = ap2.ID
	b3rev := f.event(a, engine.KindInformationWithheld)
	b3rev.Reverses = breach3.ID
	onlyB := f.event(b, engine.KindRecognition)
	// Two events at the same instant: ordered by id.
	same1 := f.event(a, engine.KindRecognition)
	same2 := same1
	same2.ID = store.NewID(same1.OccurredAt)
	f.append(old, breach1, breach2, breach3, ap1, ap2, ap2rev, b3rev, onlyB, same2, same1)

	f.read(func(tx *store.Tx) error {
		all, err := tx.EventsFor(f.ctx, l.ID, a.ID, time.Time{})
		if err != nil {
			return err
		}
		diff(t, "all events of Ana, oldest first", ids(all, func(e store.TargetEvent) string { return e.ID }),
			[]string{old.ID, breach1.ID, breach2.ID, breach3.ID, ap1.ID, ap2.ID, ap2rev.ID, b3rev.ID, same1.ID, same2.ID})
		got, err := tx.EventsFor(f.ctx, l.ID, a.ID, since)
		if err != nil {
			return err
		}
		if len(got) != len(all)-1 || got[0].ID != breach1.ID {
			t.Fatalf("EventsFor since %v: got %d events starting %s, want %d starting %s", since, len(got), got[0].ID, len(all)-1, breach1.ID)
		}
		flags := map[string][2]bool{}
		for _, e := range got {
			if e.Targets != nil {
				t.Errorf("EventsFor filled Targets of %s", e.ID)
			}
			flags[e.ID] = [2]bool{e.Reversed, e.Repaired}
		}
		want := map[string][2]bool{
			breach1.ID: {false, true}, breach2.ID: {false, false}, breach3.ID: {true, false},
			ap1.ID: {false, false}, ap2.ID: {true, false}, ap2rev.ID: {false, false}, b3rev.ID: {false, false},
			same1.ID: {false, false}, same2.ID: {false, false},
		}
		diff(t, "[reversed, repaired] per event", flags, want)
		// A full event comes back with every field but Targets.
		wantAp := ap1
		wantAp.Targets = nil
		for _, e := range got {
			if e.ID == ap1.ID {
				diff(t, "apology via EventsFor", e.Event, wantAp)
			}
		}
		bs, err := tx.EventsFor(f.ctx, l.ID, b.ID, time.Time{})
		if err != nil {
			return err
		}
		diff(t, "events of Ben", ids(bs, func(e store.TargetEvent) string { return e.ID }), []string{onlyB.ID})
		none, err := tx.EventsFor(f.ctx, l.ID, "no-such-rel", time.Time{})
		if err != nil {
			return err
		}
		if none == nil || len(none) != 0 {
			t.Fatalf("EventsFor an unknown relationship = %#v, want an empty non-nil slice", none)
		}
		return nil
	})
}

func testEventsPagination(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	a := f.rel(l.ID, "", "Ana")
	b := f.rel(l.ID, "", "Ben")
	var evs []tl.Event
	for i := range 23 {
		r := a
		if i%3 == 0 {
			r = b
		}
		e := f.event(r, engine.KindRecognition)
		if i%4 == 1 { // several entries share an instant: the id breaks the tie
			e.OccurredAt = evs[len(evs)-1].OccurredAt
			e.ID = store.NewID(e.OccurredAt)
		}
		if i == 7 { // backdated: logged late, sorts by when it happened
			e.OccurredAt = f.now.Add(-72 * time.Hour)
			e.ID = store.NewID(f.now)
		}
		evs = append(evs, e)
	}
	f.append(evs...)
	newestFirst := func(rel string) []string {
		var sel []tl.Event
		for _, e := range evs {
			if rel == "" || e.RelationshipID == rel {
				sel = append(sel, e)
			}
		}
		sort.Slice(sel, func(i, j int) bool {
			if !sel[i].OccurredAt.Equal(sel[j].OccurredAt) {
				return sel[i].OccurredAt.After(sel[j].OccurredAt)
			}
			return sel[i].ID > sel[j].ID
		})
		return ids(sel, func(e tl.Event) string { return e.ID })
	}
	for _, rel := range []string{"", a.ID, b.ID} {
		for _, limit := range []int{1, 4, 7, 100} {
			t.Run(fmt.Sprintf("rel=%q/limit=%d", rel, limit), func(t *testing.T) {
				var got []string
				cursor := ""
				for page := 0; ; page++ {
					if page > 30 {
						t.Fatal("pagination does not end")
					}
					var evs []tl.Event
					f.read(func(tx *store.Tx) error {
						var err error
						evs, err = tx.Events(f.ctx, l.ID, rel, cursor, limit)
						return err
					})
					if len(evs) > limit {
						t.Fatalf("page of %d entries, limit %d", len(evs), limit)
					}
					for _, e := range evs {
						if e.LeaderID != l.ID {
							t.Fatalf("entry %s of leader %s listed for %s", e.ID, e.LeaderID, l.ID)
						}
					}
					got = append(got, ids(evs, func(e tl.Event) string { return e.ID })...)
					if len(evs) < limit {
						break
					}
					cursor = evs[len(evs)-1].ID
				}
				diff(t, "paged ledger", got, newestFirst(rel))
			})
		}
	}
	f.read(func(tx *store.Tx) error {
		_, err := tx.Events(f.ctx, l.ID, "", "no-such-id", 5)
		wantCode(t, err, tl.ENOTFOUND)
		_, err = tx.Events(f.ctx, l.ID, "", "", 0)
		wantCode(t, err, tl.EINVALID)
		got, err := tx.Events(f.ctx, l.ID, "", "", 1)
		if err != nil {
			return err
		}
		want := evs[0]
		for _, e := range evs {
			if e.ID == newestFirst("")[0] {
				want = e
			}
		}
		want.Targets = nil
		diff(t, "newest entry, every field", got, []tl.Event{want})
		return nil
	})
}

func testAppendEvents(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	tm := f.team(l.ID, "core")
	rels := []tl.Relationship{f.rel(l.ID, tm.ID, "Ana"), f.rel(l.ID, tm.ID, "Ben"), f.rel(l.ID, tm.ID, "Cy")}
	const n = 1237 // several batches and a ragged last one
	evs := make([]tl.Event, n)
	perRel := map[string]int{}
	for i := range evs {
		r := rels[i%len(rels)]
		evs[i] = f.event(r, engine.KindInputSought)
		evs[i].Note = fmt.Sprintf("note %d", i)
		evs[i].Severity = []engine.Severity{0, engine.Minor, engine.Normal, engine.Major, engine.Severe}[i%5]
		evs[i].Source = engine.Source(i % int(engine.NumSources))
		if i%10 == 0 { // a team event applied to everyone
			evs[i].Subject, evs[i].RelationshipID, evs[i].TeamID = tl.SubjectTeam, "", tm.ID
			evs[i].Targets = []string{rels[0].ID, rels[1].ID, rels[2].ID}
		}
		for _, tg := range evs[i].Targets {
			perRel[tg]++
		}
	}
	f.write(func(tx *store.Tx) error { return tx.AppendEvents(f.ctx, evs) })
	f.read(func(tx *store.Tx) error {
		for _, r := range rels {
			got, err := tx.EventsFor(f.ctx, l.ID, r.ID, time.Time{})
			if err != nil {
				return err
			}
			if len(got) != perRel[r.ID] {
				t.Errorf("%s has %d events, want %d", r.Person, len(got), perRel[r.ID])
			}
		}
		for _, i := range []int{0, 1, 499, 500, 501, 999, n - 1} {
			got, err := tx.EventByID(f.ctx, l.ID, evs[i].ID)
			if err != nil {
				return err
			}
			want := evs[i]
			want.Targets = slices.Sorted(slices.Values(want.Targets))
			diff(t, fmt.Sprintf("batched event %d", i), *got, want)
		}
		all, err := tx.Events(f.ctx, l.ID, "", "", 10*n)
		if err != nil {
			return err
		}
		if len(all) != n {
			t.Errorf("ledger has %d entries, want %d", len(all), n)
		}
		return nil
	})
	// A batch with a duplicate writes nothing of itself.
	dup := []tl.Event{f.event(rels[0], engine.KindRecognition), evs[5]}
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.AppendEvents(f.ctx, dup) })
	wantCode(t, err, tl.ECONFLICT)
	f.read(func(tx *store.Tx) error {
		_, err := tx.EventByID(f.ctx, l.ID, dup[0].ID)
		wantCode(t, err, tl.ENOTFOUND)
		return nil
	})
}
