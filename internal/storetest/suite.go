package storetest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Run is the conformance suite: every store backend must pass it. open
// returns a fresh, empty, migrated database for each subtest. The checks
// live in files named for what they check, each registering its own in
// init; they run in the order of their names, each on its own database.
func Run(t *testing.T, open func(t *testing.T) *store.DB) {
	for _, name := range slices.Sorted(maps.Keys(checks)) {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			checks[name](t, &fixture{t: t, db: db, ctx: context.Background(),
				now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)})
		})
	}
}

// checks holds every conformance check by name, registered with register
// in the init of the file that holds it.
var checks = map[string]func(t *testing.T, f *fixture){}

// register adds a conformance check; names must be unique.
func register(name string, fn func(t *testing.T, f *fixture)) {
	if _, dup := checks[name]; dup {
		panic("storetest: duplicate test " + name)
	}
	checks[name] = fn
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

func ids[T any](vs []T, id func(T) string) []string {
	out := make([]string, 0, len(vs))
	for _, v := range vs {
		out = append(out, id(v))
	}
	return out
}
