package storetest

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for what the model keeps per relationship (its state)
// and per leader (the settings).
func init() {
	register("State", testState)
	register("Settings", testSettings)
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
