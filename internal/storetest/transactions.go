package storetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for transactions: one leader's data unseen by another,
// a failed write leaving nothing, and reads that cannot write.
func init() {
	register("Isolation", testIsolation)
	register("Rollback", testRollback)
	register("ReadOnly", testReadOnly)
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
			if err := tx.CreatePromise(f.ctx, &tl.Promise{ID: f.id(), LeaderID: w.l.ID, RelationshipID: w.rel.ID,
				To: "Ana", What: "x", Due: f.now, Status: tl.PromiseOpen, CreatedAt: f.now}); err != nil {
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
			cs, _ := tx.Promises(f.ctx, mine, "")
			check("Promises", ids(cs, func(v tl.Promise) string { return v.LeaderID }))
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
