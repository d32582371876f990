package storetest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Run is the conformance suite: every store backend must pass it. open
// returns a fresh, empty, migrated database for each subtest.
func Run(t *testing.T, open func(t *testing.T) *store.DB) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"Leaders", testLeaders},
		{"Teams", testTeams},
		{"Relationships", testRelationships},
		{"EventRoundTrip", testEventRoundTrip},
		{"EventsForFlags", testEventsFor},
		{"EventsPagination", testEventsPagination},
		{"AppendEventsBatch", testAppendEvents},
		{"State", testState},
		{"Commitments", testCommitments},
		{"Decisions", testDecisions},
		{"Steps", testSteps},
		{"Journal", testJournal},
		{"Settings", testSettings},
		{"Isolation", testIsolation},
		{"Rollback", testRollback},
		{"ReadOnly", testReadOnly},
	}
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		tests = append(tests, struct {
			name string
			fn   func(t *testing.T, f *fixture)
		}{name, extra[name]})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db := open(t)
			tc.fn(t, &fixture{t: t, db: db, ctx: context.Background(),
				now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)})
		})
	}
}

// extra holds conformance tests registered from other files of this
// package (team voice, the outbox) with register, in init.
var extra = map[string]func(t *testing.T, f *fixture){}

// register adds a conformance test; names must be unique.
func register(name string, fn func(t *testing.T, f *fixture)) {
	if _, dup := extra[name]; dup {
		panic("storetest: duplicate test " + name)
	}
	extra[name] = fn
}

// fixture is one subtest's database and its fake clock.
type fixture struct {
	t   *testing.T
	db  *store.DB
	ctx context.Context
	now time.Time
}

// tick advances the clock by a second and returns it (ms precision, UTC:
// what the store keeps).
func (f *fixture) tick() time.Time {
	f.now = f.now.Add(time.Second)
	return f.now
}

func (f *fixture) id() string { return store.NewID(f.tick()) }

func (f *fixture) write(fn func(tx *store.Tx) error) {
	f.t.Helper()
	if err := f.db.Write(f.ctx, fn); err != nil {
		f.t.Fatalf("write: %v", err)
	}
}

func (f *fixture) read(fn func(tx *store.Tx) error) {
	f.t.Helper()
	if err := f.db.Read(f.ctx, fn); err != nil {
		f.t.Fatalf("read: %v", err)
	}
}

// wantCode fails unless err is a *tl.Error with code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var te *tl.Error
	if err == nil || !errors.As(err, &te) || te.Code != code {
		t.Fatalf("got error %v (code %q), want code %q", err, tl.ErrorCode(err), code)
	}
	if code != tl.EINTERNAL && te.Message == "" {
		t.Fatalf("%s error without a message: %#v", code, te)
	}
}

func diff(t *testing.T, what string, got, want any) {
	t.Helper()
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("%s mismatch (-want +got):\n%s", what, d)
	}
}

func (f *fixture) leader(name string) tl.Leader {
	f.t.Helper()
	l := tl.Leader{ID: f.id(), Name: name, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error { return tx.CreateLeader(f.ctx, &l) })
	return l
}

func (f *fixture) team(leaderID, name string) tl.Team {
	f.t.Helper()
	tm := tl.Team{ID: f.id(), LeaderID: leaderID, Name: name, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error { return tx.CreateTeam(f.ctx, &tm) })
	return tm
}

func (f *fixture) rel(leaderID, teamID, person string) tl.Relationship {
	f.t.Helper()
	r := tl.Relationship{ID: f.id(), LeaderID: leaderID, Person: person, TeamID: teamID,
		Kind: engine.DirectReport, Bases: engine.Bases{3, 2, 1, 2, 1, 0}, Active: true,
		StartedAt: f.now.Add(-24 * time.Hour), CreatedAt: f.now}
	f.write(func(tx *store.Tx) error { return tx.CreateRelationship(f.ctx, &r) })
	return r
}

// event builds a person event for rel at the next tick.
func (f *fixture) event(r tl.Relationship, kind engine.Kind) tl.Event {
	at := f.tick()
	return tl.Event{ID: store.NewID(at), LeaderID: r.LeaderID, Subject: tl.SubjectPerson, RelationshipID: r.ID,
		Kind: kind, OccurredAt: at, RecordedAt: at, Source: engine.Self, Severity: engine.Normal,
		RecordedBy: "leader", Targets: []string{r.ID}}
}

func (f *fixture) append(evs ...tl.Event) {
	f.t.Helper()
	f.write(func(tx *store.Tx) error {
		for i := range evs {
			if err := tx.AppendEvent(f.ctx, &evs[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func testLeaders(t *testing.T, f *fixture) {
	f.read(func(tx *store.Tx) error {
		ls, err := tx.Leaders(f.ctx)
		if err != nil {
			return err
		}
		if ls == nil || len(ls) != 0 {
			t.Fatalf("Leaders on an empty database = %#v, want an empty non-nil slice", ls)
		}
		return nil
	})
	zoe := f.leader("Zoë Brandt")
	ana := f.leader("ana Lima")
	f.read(func(tx *store.Tx) error {
		ls, err := tx.Leaders(f.ctx)
		if err != nil {
			return err
		}
		diff(t, "leaders by name", ls, []tl.Leader{ana, zoe})
		got, err := tx.LeaderByID(f.ctx, zoe.ID)
		if err != nil {
			return err
		}
		diff(t, "leader by id", *got, zoe)
		got, err = tx.LeaderByName(f.ctx, "ZOË BRANDT")
		if err != nil {
			return err
		}
		diff(t, "leader by name, other case", *got, zoe)
		_, err = tx.LeaderByName(f.ctx, "nobody")
		wantCode(t, err, tl.ENOTFOUND)
		_, err = tx.LeaderByID(f.ctx, "nope")
		wantCode(t, err, tl.ENOTFOUND)
		return nil
	})
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		return tx.CreateLeader(f.ctx, &tl.Leader{ID: f.id(), Name: "ANA LIMA", CreatedAt: f.now})
	})
	wantCode(t, err, tl.ECONFLICT)
}

func testTeams(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	other := f.leader("Other")
	f.read(func(tx *store.Tx) error {
		ts, err := tx.Teams(f.ctx, l.ID)
		if err != nil {
			return err
		}
		if ts == nil || len(ts) != 0 {
			t.Fatalf("Teams = %#v, want an empty non-nil slice", ts)
		}
		return nil
	})
	core := f.team(l.ID, "Core")
	base := f.team(l.ID, "team")
	f.team(other.ID, "core") // the same name for another leader is fine
	f.read(func(tx *store.Tx) error {
		ts, err := tx.Teams(f.ctx, l.ID)
		if err != nil {
			return err
		}
		diff(t, "teams", ts, []tl.Team{core, base})
		got, err := tx.TeamByName(f.ctx, l.ID, "CORE")
		if err != nil {
			return err
		}
		diff(t, "team by name", *got, core)
		_, err = tx.TeamByName(f.ctx, l.ID, "ops")
		wantCode(t, err, tl.ENOTFOUND)
		return nil
	})
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		return tx.CreateTeam(f.ctx, &tl.Team{ID: f.id(), LeaderID: l.ID, Name: "core", CreatedAt: f.now})
	})
	wantCode(t, err, tl.ECONFLICT)
}

func testRelationships(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	other := f.leader("Other")
	core := f.team(l.ID, "core")
	ops := f.team(l.ID, "ops")
	f.read(func(tx *store.Tx) error {
		rs, err := tx.Relationships(f.ctx, l.ID)
		if err != nil {
			return err
		}
		if rs == nil || len(rs) != 0 {
			t.Fatalf("Relationships = %#v, want an empty non-nil slice", rs)
		}
		return nil
	})
	ana := tl.Relationship{ID: f.id(), LeaderID: l.ID, Person: "Ana", TeamID: core.ID, Kind: engine.SkipLevel,
		Bases: engine.Bases{4, 3, 2, 1, 0, 4}, Active: false,
		StartedAt: time.Date(2025, 11, 3, 8, 30, 0, 123e6, time.UTC), CreatedAt: f.now}
	f.write(func(tx *store.Tx) error { return tx.CreateRelationship(f.ctx, &ana) })
	ben := f.rel(l.ID, core.ID, "ben")
	cy := f.rel(l.ID, "", "Cy") // no team
	f.rel(other.ID, "", "ANA")  // the same person name under another leader is fine

	f.read(func(tx *store.Tx) error {
		rs, err := tx.Relationships(f.ctx, l.ID)
		if err != nil {
			return err
		}
		diff(t, "relationships by name", rs, []tl.Relationship{ana, ben, cy})
		got, err := tx.RelationshipByID(f.ctx, l.ID, ana.ID)
		if err != nil {
			return err
		}
		diff(t, "relationship by id", *got, ana)
		got, err = tx.RelationshipByName(f.ctx, l.ID, "aNA")
		if err != nil {
			return err
		}
		diff(t, "relationship by name", *got, ana)
		_, err = tx.RelationshipByName(f.ctx, l.ID, "Dee")
		wantCode(t, err, tl.ENOTFOUND)
		_, err = tx.RelationshipByID(f.ctx, other.ID, ana.ID)
		wantCode(t, err, tl.ENOTFOUND)
		ms, err := tx.TeamMembers(f.ctx, l.ID, core.ID)
		if err != nil {
			return err
		}
		diff(t, "active members of core", ms, []tl.Relationship{ben})
		return nil
	})

	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		return tx.CreateRelationship(f.ctx, &tl.Relationship{ID: f.id(), LeaderID: l.ID, Person: "BEN",
			Kind: engine.Peer, Active: true, StartedAt: f.now, CreatedAt: f.now})
	})
	wantCode(t, err, tl.ECONFLICT)

	// Update kind, bases, team and active.
	ana.Kind, ana.Bases, ana.TeamID, ana.Active = engine.Peer, engine.Bases{0, 1, 0, 1, 3, 2}, ops.ID, true
	f.write(func(tx *store.Tx) error { return tx.UpdateRelationship(f.ctx, &ana) })
	cy.TeamID = core.ID
	f.write(func(tx *store.Tx) error { return tx.UpdateRelationship(f.ctx, &cy) })
	ben.Active, ben.TeamID = false, ""
	f.write(func(tx *store.Tx) error { return tx.UpdateRelationship(f.ctx, &ben) })
	f.read(func(tx *store.Tx) error {
		got, err := tx.RelationshipByID(f.ctx, l.ID, ana.ID)
		if err != nil {
			return err
		}
		diff(t, "updated relationship", *got, ana)
		got, err = tx.RelationshipByID(f.ctx, l.ID, ben.ID)
		if err != nil {
			return err
		}
		diff(t, "relationship moved off its team", *got, ben)
		ms, err := tx.TeamMembers(f.ctx, l.ID, core.ID)
		if err != nil {
			return err
		}
		diff(t, "members of core after updates", ms, []tl.Relationship{cy})
		ms, err = tx.TeamMembers(f.ctx, l.ID, ops.ID)
		if err != nil {
			return err
		}
		diff(t, "members of ops after updates", ms, []tl.Relationship{ana})
		return nil
	})
	// Another leader cannot update it.
	stolen := ana
	stolen.LeaderID, stolen.Active = other.ID, false
	err = f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.UpdateRelationship(f.ctx, &stolen) })
	wantCode(t, err, tl.ENOTFOUND)
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
		CommitmentID: "c-1", DecisionID: "d-1", Targets: []string{b.ID, a.ID}}
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

func ids[T any](vs []T, id func(T) string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, id(v))
	}
	return out
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

// someState fills every field of a State with distinct values.
func someState(seed float64, at time.Time, checkin, pulse bool) engine.State {
	var st engine.State
	for d := range engine.NumDims {
		for s := range engine.NumSources {
			st.R[d][s] = seed + float64(d*10+s) + 0.125
			st.S[d][s] = seed/3 + float64(d*7+s*2) + 1e-9
		}
	}
	st.TLast = at
	if checkin {
		st.Checkin = &engine.Snapshot{At: at.Add(-48 * time.Hour), P: [3]float64{0.1, 0.55, 0.9},
			Rwg: [3]float64{1, 1, 1}, N: 1}
	}
	if pulse {
		st.Pulse = &engine.Snapshot{At: at.Add(-96 * time.Hour), P: [3]float64{0.71, 0.62, 0.33},
			Rwg: [3]float64{0.8, 0.45, 0.91}, N: 7}
	}
	return st
}

func testState(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	other := f.leader("Other")
	a := f.rel(l.ID, "", "Ana")
	b := f.rel(l.ID, "", "Ben")
	c := f.rel(l.ID, "", "Cy")
	o := f.rel(other.ID, "", "Olga")
	f.read(func(tx *store.Tx) error {
		st, err := tx.State(f.ctx, a.ID)
		if err != nil {
			return err
		}
		diff(t, "state before anything", st, engine.State{})
		sts, err := tx.States(f.ctx, l.ID)
		if err != nil {
			return err
		}
		if sts == nil || len(sts) != 0 {
			t.Fatalf("States = %#v, want an empty non-nil map", sts)
		}
		return nil
	})
	sa := someState(1, f.tick(), true, true)
	sb := someState(2, f.tick(), false, true)
	sc := someState(3, f.tick(), false, false)
	so := someState(4, f.tick(), true, false)
	f.write(func(tx *store.Tx) error {
		for _, p := range []struct {
			id string
			st engine.State
		}{{a.ID, sa}, {b.ID, sb}, {c.ID, sc}, {o.ID, so}} {
			if err := tx.PutState(f.ctx, p.id, p.st); err != nil {
				return err
			}
		}
		return nil
	})
	f.read(func(tx *store.Tx) error {
		st, err := tx.State(f.ctx, a.ID)
		if err != nil {
			return err
		}
		diff(t, "state with both snapshots", st, sa)
		sts, err := tx.States(f.ctx, l.ID)
		if err != nil {
			return err
		}
		diff(t, "states of the leader", sts, map[string]engine.State{a.ID: sa, b.ID: sb, c.ID: sc})
		return nil
	})
	// Upsert replaces everything, including dropping a snapshot.
	sa2 := someState(9, f.tick(), false, true)
	sa2.R[2][0] = 0
	f.write(func(tx *store.Tx) error { return tx.PutState(f.ctx, a.ID, sa2) })
	f.read(func(tx *store.Tx) error {
		st, err := tx.State(f.ctx, a.ID)
		if err != nil {
			return err
		}
		diff(t, "replaced state", st, sa2)
		return nil
	})
}

func testCommitments(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	other := f.leader("Other")
	tm := f.team(l.ID, "core")
	a := f.rel(l.ID, tm.ID, "Ana")
	o := f.rel(other.ID, "", "Olga")
	day := 24 * time.Hour
	c1 := tl.Commitment{ID: f.id(), LeaderID: l.ID, RelationshipID: a.ID, To: "Ana", What: "review her proposal",
		Due: f.now.Add(3 * day), Status: tl.CommitmentOpen, CreatedAt: f.now, StepID: "step-1"}
	c2 := tl.Commitment{ID: f.id(), LeaderID: l.ID, TeamID: tm.ID, To: "core", What: "share the roadmap",
		Due: f.now.Add(1 * day), Status: tl.CommitmentOpen, CreatedAt: f.now}
	c3 := tl.Commitment{ID: f.id(), LeaderID: l.ID, RelationshipID: a.ID, To: "Ana", What: "budget",
		Due: f.now.Add(-5 * day), Status: tl.CommitmentKept, CreatedAt: f.now, ResolvedAt: f.now.Add(-6 * day)}
	co := tl.Commitment{ID: f.id(), LeaderID: other.ID, RelationshipID: o.ID, To: "Olga", What: "call back",
		Due: f.now.Add(2 * day), Status: tl.CommitmentOpen, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error {
		for _, c := range []*tl.Commitment{&c1, &c2, &c3, &co} {
			if err := tx.CreateCommitment(f.ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
	f.read(func(tx *store.Tx) error {
		got, err := tx.CommitmentByID(f.ctx, l.ID, c1.ID)
		if err != nil {
			return err
		}
		diff(t, "commitment", *got, c1)
		_, err = tx.CommitmentByID(f.ctx, other.ID, c1.ID)
		wantCode(t, err, tl.ENOTFOUND)
		all, err := tx.Commitments(f.ctx, l.ID, "")
		if err != nil {
			return err
		}
		diff(t, "all commitments by due", all, []tl.Commitment{c3, c2, c1})
		open, err := tx.Commitments(f.ctx, l.ID, tl.CommitmentOpen)
		if err != nil {
			return err
		}
		diff(t, "open commitments", open, []tl.Commitment{c2, c1})
		broken, err := tx.Commitments(f.ctx, l.ID, tl.CommitmentBroken)
		if err != nil {
			return err
		}
		if broken == nil || len(broken) != 0 {
			t.Fatalf("broken = %#v, want an empty non-nil slice", broken)
		}
		over, err := tx.OverdueCommitments(f.ctx, f.now.Add(2*day+time.Millisecond))
		if err != nil {
			return err
		}
		diff(t, "overdue across leaders", over, []tl.Commitment{c2, co})
		return nil
	})
	c2.Status, c2.ResolvedAt, c2.Due, c2.StepID = tl.CommitmentRenegotiated, f.tick(), f.now.Add(10*day), "step-9"
	f.write(func(tx *store.Tx) error { return tx.UpdateCommitment(f.ctx, &c2) })
	f.read(func(tx *store.Tx) error {
		got, err := tx.CommitmentByID(f.ctx, l.ID, c2.ID)
		if err != nil {
			return err
		}
		diff(t, "updated commitment", *got, c2)
		return nil
	})
	bad := c1
	bad.LeaderID = other.ID
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.UpdateCommitment(f.ctx, &bad) })
	wantCode(t, err, tl.ENOTFOUND)
}

func testDecisions(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	tm := f.team(l.ID, "team")
	a := f.rel(l.ID, tm.ID, "Ana")
	d1 := tl.Decision{ID: f.id(), LeaderID: l.ID, What: "move the launch to March", Why: "QA found two blockers",
		TeamID: tm.ID, Affects: "team", DecidedAt: f.now.Add(-time.Hour), CreatedAt: f.now}
	d2 := tl.Decision{ID: f.id(), LeaderID: l.ID, What: "Ana leads the review", RelationshipID: a.ID,
		Affects: "Ana", DecidedAt: f.now, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreateDecision(f.ctx, &d1); err != nil {
			return err
		}
		return tx.CreateDecision(f.ctx, &d2)
	})
	f.read(func(tx *store.Tx) error {
		ds, err := tx.Decisions(f.ctx, l.ID)
		if err != nil {
			return err
		}
		diff(t, "decisions newest first", ds, []tl.Decision{d2, d1})
		return nil
	})
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.CreateDecision(f.ctx, &d1) })
	wantCode(t, err, tl.ECONFLICT)
}

func testSteps(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	a := f.rel(l.ID, "", "Ana")
	w1 := time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)
	w2 := w1.Add(7 * 24 * time.Hour)
	s1 := tl.Step{ID: f.id(), LeaderID: l.ID, RelationshipID: a.ID, Person: "Ana", WeekStart: w1,
		Rule: engine.RuleRepair, Dim: engine.Integrity, Move: "apologise", Text: "Apologise to Ana for the missed review",
		Status: tl.StepSuggested, BaselineE: 0.4375, BaselineQuad: engine.Compliance, BaselineN: 6.5, CreatedAt: f.now}
	s2 := tl.Step{ID: f.id(), LeaderID: l.ID, RelationshipID: a.ID, Person: "Ana", WeekStart: w2,
		Rule: engine.RuleWeakest, Dim: engine.Benevolence, Move: "recognize", Text: "Recognise Ana's work",
		Status: tl.StepSuggested, BaselineE: 0.5, BaselineQuad: engine.Undetermined, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreateStep(f.ctx, &s1); err != nil {
			return err
		}
		return tx.CreateStep(f.ctx, &s2)
	})
	f.read(func(tx *store.Tx) error {
		got, err := tx.StepForWeek(f.ctx, l.ID, w1)
		if err != nil {
			return err
		}
		diff(t, "step for week 1", *got, s1)
		_, err = tx.StepForWeek(f.ctx, l.ID, w2.Add(7*24*time.Hour))
		wantCode(t, err, tl.ENOTFOUND)
		ss, err := tx.Steps(f.ctx, l.ID)
		if err != nil {
			return err
		}
		diff(t, "steps newest first", ss, []tl.Step{s2, s1})
		return nil
	})
	s1.Status, s1.CommitmentID, s1.AcceptedAt, s1.ClosedAt = tl.StepDone, "c-1", f.tick(), f.tick()
	s1.Text = "Apologised"
	f.write(func(tx *store.Tx) error { return tx.UpdateStep(f.ctx, &s1) })
	f.read(func(tx *store.Tx) error {
		got, err := tx.StepForWeek(f.ctx, l.ID, w1)
		if err != nil {
			return err
		}
		diff(t, "updated step", *got, s1)
		return nil
	})
	missing := s2
	missing.ID = "nope"
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.UpdateStep(f.ctx, &missing) })
	wantCode(t, err, tl.ENOTFOUND)
}

func testJournal(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	w := time.Date(2026, 2, 23, 0, 0, 0, 0, time.UTC)
	j1 := tl.JournalEntry{ID: f.id(), LeaderID: l.ID, WeekStart: w, Question: 2,
		Text: "When I moved the launch without asking.", CreatedAt: f.now}
	j2 := tl.JournalEntry{ID: f.id(), LeaderID: l.ID, WeekStart: w, Question: 0, Text: "free note",
		Shared: true, CreatedAt: f.now}
	f.write(func(tx *store.Tx) error {
		if err := tx.CreateJournal(f.ctx, &j1); err != nil {
			return err
		}
		return tx.CreateJournal(f.ctx, &j2)
	})
	f.read(func(tx *store.Tx) error {
		js, err := tx.Journal(f.ctx, l.ID)
		if err != nil {
			return err
		}
		diff(t, "journal newest first", js, []tl.JournalEntry{j2, j1})
		return nil
	})
}

func testSettings(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	f.write(func(tx *store.Tx) error {
		for _, s := range []tl.Setting{{LeaderID: l.ID, Name: "half_life_days", Value: 60},
			{LeaderID: l.ID, Name: "gap_threshold", Value: 0.15}, {LeaderID: l.ID, Name: "half_life_days", Value: 45.5}} {
			if err := tx.PutSetting(f.ctx, s); err != nil {
				return err
			}
		}
		return nil
	})
	f.read(func(tx *store.Tx) error {
		ss, err := tx.Settings(f.ctx, l.ID)
		if err != nil {
			return err
		}
		diff(t, "settings by name, last write wins", ss, []tl.Setting{
			{LeaderID: l.ID, Name: "gap_threshold", Value: 0.15}, {LeaderID: l.ID, Name: "half_life_days", Value: 45.5}})
		return nil
	})
}

// testIsolation fills two leaders with the same shapes of data and checks
// that no listing of one returns a row of the other.
func testIsolation(t *testing.T, f *fixture) {
	type world struct {
		l   tl.Leader
		tm  tl.Team
		rel tl.Relationship
		ev  tl.Event
	}
	var ws [2]world
	for i := range ws {
		w := &ws[i]
		w.l = f.leader(fmt.Sprintf("Leader %d", i))
		w.tm = f.team(w.l.ID, "team")
		w.rel = f.rel(w.l.ID, w.tm.ID, "Ana") // the same person name under both
		w.ev = f.event(w.rel, engine.KindRecognition)
		f.append(w.ev)
		f.write(func(tx *store.Tx) error {
			if err := tx.PutState(f.ctx, w.rel.ID, someState(float64(i), f.now, true, true)); err != nil {
				return err
			}
			if err := tx.CreateCommitment(f.ctx, &tl.Commitment{ID: f.id(), LeaderID: w.l.ID, RelationshipID: w.rel.ID,
				To: "Ana", What: "x", Due: f.now, Status: tl.CommitmentOpen, CreatedAt: f.now}); err != nil {
				return err
			}
			if err := tx.CreateDecision(f.ctx, &tl.Decision{ID: f.id(), LeaderID: w.l.ID, What: "d", Affects: "team",
				TeamID: w.tm.ID, DecidedAt: f.now, CreatedAt: f.now}); err != nil {
				return err
			}
			if err := tx.CreateStep(f.ctx, &tl.Step{ID: f.id(), LeaderID: w.l.ID, RelationshipID: w.rel.ID,
				Person: "Ana", WeekStart: f.now, Status: tl.StepSuggested, CreatedAt: f.now}); err != nil {
				return err
			}
			if err := tx.CreateJournal(f.ctx, &tl.JournalEntry{ID: f.id(), LeaderID: w.l.ID, WeekStart: f.now,
				Text: "j", CreatedAt: f.now}); err != nil {
				return err
			}
			return tx.PutSetting(f.ctx, tl.Setting{LeaderID: w.l.ID, Name: "w", Value: float64(i)})
		})
	}
	for i, w := range ws {
		o := ws[1-i]
		mine := w.l.ID
		f.read(func(tx *store.Tx) error {
			check := func(what string, leaders []string) {
				t.Helper()
				if len(leaders) == 0 {
					t.Errorf("%s of %s: nothing listed, want its own rows", what, w.l.Name)
				}
				for _, id := range leaders {
					if id != mine {
						t.Errorf("%s of %s lists a row of leader %s", what, w.l.Name, id)
					}
				}
			}
			ts, _ := tx.Teams(f.ctx, mine)
			check("Teams", ids(ts, func(v tl.Team) string { return v.LeaderID }))
			rs, _ := tx.Relationships(f.ctx, mine)
			check("Relationships", ids(rs, func(v tl.Relationship) string { return v.LeaderID }))
			ms, _ := tx.TeamMembers(f.ctx, mine, w.tm.ID)
			check("TeamMembers", ids(ms, func(v tl.Relationship) string { return v.LeaderID }))
			es, _ := tx.Events(f.ctx, mine, "", "", 100)
			check("Events", ids(es, func(v tl.Event) string { return v.LeaderID }))
			ef, _ := tx.EventsFor(f.ctx, mine, w.rel.ID, time.Time{})
			check("EventsFor", ids(ef, func(v store.TargetEvent) string { return v.LeaderID }))
			cs, _ := tx.Commitments(f.ctx, mine, "")
			check("Commitments", ids(cs, func(v tl.Commitment) string { return v.LeaderID }))
			ds, _ := tx.Decisions(f.ctx, mine)
			check("Decisions", ids(ds, func(v tl.Decision) string { return v.LeaderID }))
			ss, _ := tx.Steps(f.ctx, mine)
			check("Steps", ids(ss, func(v tl.Step) string { return v.LeaderID }))
			js, _ := tx.Journal(f.ctx, mine)
			check("Journal", ids(js, func(v tl.JournalEntry) string { return v.LeaderID }))
			se, _ := tx.Settings(f.ctx, mine)
			check("Settings", ids(se, func(v tl.Setting) string { return v.LeaderID }))
			sts, err := tx.States(f.ctx, mine)
			if err != nil {
				return err
			}
			if _, ok := sts[o.rel.ID]; ok || len(sts) != 1 {
				t.Errorf("States of %s = %d rows, includes the other's: %v", w.l.Name, len(sts), ok)
			}
			// Asking for the other's rows by id finds nothing.
			if _, err := tx.RelationshipByID(f.ctx, mine, o.rel.ID); tl.ErrorCode(err) != tl.ENOTFOUND {
				t.Errorf("RelationshipByID of the other leader's: %v, want ENOTFOUND", err)
			}
			if _, err := tx.EventByID(f.ctx, mine, o.ev.ID); tl.ErrorCode(err) != tl.ENOTFOUND {
				t.Errorf("EventByID of the other leader's: %v, want ENOTFOUND", err)
			}
			if got, _ := tx.EventsFor(f.ctx, mine, o.rel.ID, time.Time{}); len(got) != 0 {
				t.Errorf("EventsFor the other leader's relationship listed %d entries", len(got))
			}
			if got, err := tx.Events(f.ctx, mine, o.rel.ID, "", 10); err != nil || len(got) != 0 {
				t.Errorf("Events for the other leader's relationship: %d entries, %v", len(got), err)
			}
			if _, err := tx.Events(f.ctx, mine, "", o.ev.ID, 10); tl.ErrorCode(err) != tl.ENOTFOUND {
				t.Errorf("Events with the other leader's cursor: %v, want ENOTFOUND", err)
			}
			if _, err := tx.TeamByName(f.ctx, mine, "TEAM"); err != nil {
				t.Errorf("TeamByName: %v", err)
			}
			return nil
		})
	}
}

func testRollback(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	a := f.rel(l.ID, "", "Ana")
	boom := tl.Errorf(tl.EINVALID, "stop here")
	ev := f.event(a, engine.KindRecognition)
	err := f.db.Write(f.ctx, func(tx *store.Tx) error {
		if err := tx.CreateLeader(f.ctx, &tl.Leader{ID: f.id(), Name: "Ghost", CreatedAt: f.now}); err != nil {
			return err
		}
		if err := tx.AppendEvent(f.ctx, &ev); err != nil {
			return err
		}
		if err := tx.PutState(f.ctx, a.ID, someState(1, f.now, true, true)); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Write returned %v, want fn's *tl.Error unchanged", err)
	}
	// A plain error from fn is EINTERNAL, wrapping it.
	plain := errors.New("disk on fire")
	err = f.db.Write(f.ctx, func(tx *store.Tx) error { return plain })
	wantCode(t, err, tl.EINTERNAL)
	if !errors.Is(err, plain) {
		t.Fatalf("Write's EINTERNAL %v does not wrap fn's error", err)
	}
	// A conflict midway rolls back what came before it.
	err = f.db.Write(f.ctx, func(tx *store.Tx) error {
		if err := tx.CreateTeam(f.ctx, &tl.Team{ID: f.id(), LeaderID: l.ID, Name: "ops", CreatedAt: f.now}); err != nil {
			return err
		}
		return tx.CreateLeader(f.ctx, &tl.Leader{ID: f.id(), Name: "LENA", CreatedAt: f.now})
	})
	wantCode(t, err, tl.ECONFLICT)
	f.read(func(tx *store.Tx) error {
		ls, err := tx.Leaders(f.ctx)
		if err != nil {
			return err
		}
		diff(t, "leaders after rollback", ls, []tl.Leader{l})
		if _, err := tx.EventByID(f.ctx, l.ID, ev.ID); tl.ErrorCode(err) != tl.ENOTFOUND {
			t.Errorf("event of a rolled-back transaction: %v, want ENOTFOUND", err)
		}
		st, err := tx.State(f.ctx, a.ID)
		if err != nil {
			return err
		}
		diff(t, "state after rollback", st, engine.State{})
		if _, err := tx.TeamByName(f.ctx, l.ID, "ops"); tl.ErrorCode(err) != tl.ENOTFOUND {
			t.Errorf("team of a rolled-back transaction: %v, want ENOTFOUND", err)
		}
		return nil
	})
}

func testReadOnly(t *testing.T, f *fixture) {
	err := f.db.Read(f.ctx, func(tx *store.Tx) error {
		return tx.CreateLeader(f.ctx, &tl.Leader{ID: f.id(), Name: "Sneaky", CreatedAt: f.now})
	})
	if err == nil {
		t.Fatal("a write inside Read succeeded")
	}
	f.read(func(tx *store.Tx) error {
		ls, err := tx.Leaders(f.ctx)
		if err != nil {
			return err
		}
		if len(ls) != 0 {
			t.Fatalf("a write inside Read left %d leaders", len(ls))
		}
		return nil
	})
}
