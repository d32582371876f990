package app_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// clock is a fixed clock the test moves by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(t time.Time) *clock { return &clock{t: t.UTC()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t.UTC()
}

// start is a Wednesday, so a week has days on both sides.
var start = time.Date(2026, 3, 4, 9, 30, 0, 0, time.UTC)

const day = 24 * time.Hour

// tb is what the helpers need from *testing.T and *rapid.T alike.
type tb interface {
	Helper()
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
}

// env is one App on one database with a fixed clock.
type env struct {
	t   tb
	be  backend
	ctx context.Context
	db  *store.DB
	clk *clock
	app *app.App
}

func newEnv(t testing.TB, be backend) *env {
	t.Helper()
	db := be.open(t)
	clk := newClock(start)
	return &env{t: t, be: be, ctx: context.Background(), db: db, clk: clk, app: app.New(db, app.Options{Now: clk.Now})}
}

// fresh is another App on a new, empty database of the same kind, with
// its clock at the same time.
func (e *env) fresh(t testing.TB) *env {
	t.Helper()
	o := newEnv(t, e.be)
	o.clk.Set(e.clk.Now())
	return o
}

// forEachDB runs fn on SQLite and, when configured, on PostgreSQL.
func forEachDB(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Helper()
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) {
			fn(t, newEnv(t, b))
		})
	}
}

// must checks a call's error: must(f())(t).
func must[T any](v T, err error) func(tb) T {
	return func(t tb) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func noErr(t tb, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantCode checks err's code and that its message contains every part.
func wantCode(t tb, err error, code string, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s error, got nil", code)
	}
	var te *tl.Error
	if !errors.As(err, &te) {
		t.Fatalf("want *trustledger.Error %s, got %T: %v", code, err, err)
	}
	if got := tl.ErrorCode(err); got != code {
		t.Fatalf("want code %s, got %s: %v", code, got, err)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Fatalf("error %q does not contain %q", err.Error(), p)
		}
	}
}

// close reports whether two floats agree within 1e-9 relative (or 1e-12
// absolute near zero).
func closeTo(a, b float64) bool {
	d := math.Abs(a - b)
	return d <= 1e-12 || d <= 1e-9*math.Max(math.Abs(a), math.Abs(b))
}

// sameReading compares two readings of evidence.
func sameReading(a, b engine.Reading) bool {
	for d := range engine.NumDims {
		if !closeTo(a.R[d], b.R[d]) || !closeTo(a.S[d], b.S[d]) {
			return false
		}
	}
	return closeTo(a.RCorr, b.RCorr) && closeTo(a.RTotal, b.RTotal) && closeTo(a.STotal, b.STotal)
}

// states reads the stored running state of every relationship of a leader.
func (e *env) states(leaderID string) map[string]engine.State {
	e.t.Helper()
	var out map[string]engine.State
	noErr(e.t, e.db.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.States(e.ctx, leaderID)
		return err
	}))
	return out
}

// replayed replays one relationship's live ledger with the leader's
// settings, as an independent check of the running state.
func (e *env) replayed(leaderID, relID string) engine.State {
	e.t.Helper()
	set := must(e.app.Settings(e.ctx, leaderID))(e.t)
	var evs []store.TargetEvent
	noErr(e.t, e.db.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		evs, err = tx.EventsFor(e.ctx, leaderID, relID, time.Time{})
		return err
	}))
	byID := map[string]tl.Event{}
	reversed := map[string]bool{}
	for _, ev := range evs {
		byID[ev.ID] = ev.Event
		if ev.Reverses != "" {
			reversed[ev.Reverses] = true
		}
	}
	var live []engine.Event
	for _, ev := range evs {
		if ev.Reverses != "" || reversed[ev.ID] {
			continue
		}
		ee := engine.Event{ID: ev.ID, Kind: ev.Kind, At: ev.OccurredAt, Source: ev.Source, Severity: ev.Severity,
			Acknowledges: ev.Acknowledges, OffersRepair: ev.OffersRepair, Snapshot: ev.Snapshot}
		if ev.Repairs != "" {
			b := byID[ev.Repairs]
			ee.Repairs = &engine.Event{ID: b.ID, Kind: b.Kind, At: b.OccurredAt, Source: b.Source, Severity: b.Severity}
		}
		live = append(live, ee)
	}
	return set.Replay(live)
}

// checkReplay asserts that every relationship's running state reads the
// same as a replay of its ledger.
func (e *env) checkReplay(leaderID string) {
	e.t.Helper()
	set := must(e.app.Settings(e.ctx, leaderID))(e.t)
	now := e.clk.Now()
	people := must(e.app.People(e.ctx, leaderID))(e.t)
	states := e.states(leaderID)
	for _, p := range people {
		got := set.Read(states[p.ID], now)
		want := set.Read(e.replayed(leaderID, p.ID), now)
		if !sameReading(got, want) {
			e.t.Fatalf("%s: running state %+v differs from replay %+v", p.Person, got, want)
		}
	}
}

func (e *env) leader(name string) *tl.Leader {
	e.t.Helper()
	return must(e.app.CreateLeader(e.ctx, name))(e.t)
}

func (e *env) person(leaderID, name string, kind engine.RelKind) *tl.Relationship {
	e.t.Helper()
	return must(e.app.AddPerson(e.ctx, leaderID, tl.PersonInput{Name: name, Kind: kind}))(e.t)
}

func (e *env) log(leaderID string, in tl.EventInput) *tl.Event {
	e.t.Helper()
	return must(e.app.Log(e.ctx, leaderID, in))(e.t)
}

// checkStatus recomputes every assessment of Status independently, one
// relationship at a time from the store's EventsFor and its reversed and
// repaired flags, and compares.
func (e *env) checkStatus(leaderID string) {
	e.t.Helper()
	rep := must(e.app.Status(e.ctx, leaderID))(e.t)
	set := must(e.app.Settings(e.ctx, leaderID))(e.t)
	now := e.clk.Now()
	since := now.Add(-time.Duration(max(set.BarrierWindow, set.CommandWindow, set.BreachWindow) * float64(day)))
	states := e.states(leaderID)
	for _, rs := range rep.Relationships {
		r := rs.Relationship
		var evs []store.TargetEvent
		noErr(e.t, e.db.Read(e.ctx, func(tx *store.Tx) error {
			var err error
			evs, err = tx.EventsFor(e.ctx, leaderID, r.ID, since)
			return err
		}))
		var recent []engine.Recent
		for _, ev := range evs {
			if ev.Reverses != "" {
				continue
			}
			ee := engine.Event{ID: ev.ID, Kind: ev.Kind, At: ev.OccurredAt, Source: ev.Source, Severity: ev.Severity,
				Acknowledges: ev.Acknowledges, OffersRepair: ev.OffersRepair}
			if ev.Repairs != "" {
				var b *tl.Event
				noErr(e.t, e.db.Read(e.ctx, func(tx *store.Tx) error {
					var err error
					b, err = tx.EventByID(e.ctx, leaderID, ev.Repairs)
					return err
				}))
				ee.Repairs = &engine.Event{ID: b.ID, Kind: b.Kind, At: b.OccurredAt, Source: b.Source, Severity: b.Severity}
			}
			recent = append(recent, engine.Recent{Event: ee, Repaired: ev.Repaired, Reversed: ev.Reversed})
		}
		want := set.Assess(states[r.ID], r.Bases, recent, now)
		if d := cmp.Diff(want, rs.Assessment, cmpopts.EquateApprox(1e-9, 1e-12), cmpopts.EquateEmpty()); d != "" {
			e.t.Fatalf("%s: status differs from a per-relationship assessment (-want +got):\n%s", r.Person, d)
		}
	}
}

// checkExplain checks that the weights Explain lists add up, per
// accumulator, to the stored running state read at now (MODEL.md §3,
// §14): the explanation covers exactly the entries that count.
func (e *env) checkExplain(leaderID string) {
	e.t.Helper()
	set := must(e.app.Settings(e.ctx, leaderID))(e.t)
	now := e.clk.Now()
	states := e.states(leaderID)
	for _, p := range must(e.app.People(e.ctx, leaderID))(e.t) {
		ex := must(e.app.Explain(e.ctx, leaderID, p.Person))(e.t)
		var r, s [engine.NumDims][engine.NumSources]float64
		for _, w := range ex.Weights {
			if w.Negative {
				s[w.Dim][w.Source] += w.Now
			} else {
				r[w.Dim][w.Source] += w.Now
			}
		}
		st := states[p.ID]
		g := 0.0
		if !st.TLast.IsZero() {
			g = math.Exp2(-now.Sub(st.TLast).Hours() / 24 / set.HalfLifeDays)
		}
		for d := range engine.NumDims {
			for src := range engine.NumSources {
				if !near(r[d][src], st.R[d][src]*g) || !near(s[d][src], st.S[d][src]*g) {
					e.t.Fatalf("%s %s/%s: explained r %.12g s %.12g, stored r %.12g s %.12g", p.Person,
						engine.Dim(d), engine.Source(src), r[d][src], s[d][src], st.R[d][src]*g, st.S[d][src]*g)
				}
			}
		}
	}
}

// near is closeTo with room for sums of many terms.
func near(a, b float64) bool {
	d := math.Abs(a - b)
	return d <= 1e-9 || d <= 1e-7*math.Max(math.Abs(a), math.Abs(b))
}
