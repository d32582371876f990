package storetest

import (
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for what a write of an entry reads first, in one
// statement, and keeps for the rest of its transaction.
func init() {
	register("SettingsAndPerson", testSettingsAndPerson)
}

func testSettingsAndPerson(t *testing.T, f *fixture) {
	l := f.leader("Lena")
	core := f.team(l.ID, "core")
	ana := f.rel(l.ID, core.ID, "Ana")
	ben := f.rel(l.ID, "", "Ben") // no team, no running state yet
	st := engine.State{TLast: f.tick()}
	st.R[engine.Integrity][engine.Self] = 2.5
	st.Checkin = &engine.Snapshot{At: f.now, N: 1}
	st.Checkin.P[engine.Ability] = 0.75
	f.write(func(tx *store.Tx) error {
		for _, s := range []tl.Setting{{LeaderID: l.ID, Name: "kappa_integrity", Value: 3}, {LeaderID: l.ID, Name: "half_life_days", Value: 90}} {
			if err := tx.PutSetting(f.ctx, s); err != nil {
				return err
			}
		}
		return tx.PutState(f.ctx, ana.ID, st)
	})

	// What one statement reads is what the separate reads find.
	f.write(func(tx *store.Tx) error {
		got, err := tx.SettingsAndPerson(f.ctx, l.ID, "aNA")
		if err != nil {
			t.Fatal(err)
		}
		want, err := tx.LeaderSettings(f.ctx, l.ID)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "settings", got, want)
		r, err := tx.RelationshipByName(f.ctx, l.ID, "ana")
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "the person kept", *r, ana)
		s, err := tx.State(f.ctx, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "the state kept", s, st)

		// A person without a team or a state, and someone who is not one.
		if _, err := tx.SettingsAndPerson(f.ctx, l.ID, "Ben"); err != nil {
			t.Fatal(err)
		}
		r, err = tx.RelationshipByName(f.ctx, l.ID, "Ben")
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "a person with no team", *r, ben)
		if s, _ := tx.State(f.ctx, ben.ID); s != (engine.State{}) {
			t.Errorf("a person with no running state read %+v", s)
		}
		if _, err := tx.SettingsAndPerson(f.ctx, l.ID, "Cy"); err != nil {
			t.Fatal(err)
		}
		_, err = tx.RelationshipByName(f.ctx, l.ID, "Cy")
		wantCode(t, err, tl.ENOTFOUND)

		// Kept until the transaction changes something: a person added
		// now is found.
		cy := tl.Relationship{ID: f.id(), LeaderID: l.ID, Person: "Cy", Kind: engine.Peer, Active: true, StartedAt: f.now, CreatedAt: f.now}
		if err := tx.CreateRelationship(f.ctx, &cy); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.RelationshipByName(f.ctx, l.ID, "Cy"); err != nil {
			t.Errorf("a person added in the transaction is not found after a miss was kept: %v", err)
		}
		// A state stored is the state read.
		st2 := st
		st2.R[engine.Ability][engine.Confirmed] = 1
		st2.Checkin = nil
		if err := tx.PutState(f.ctx, ana.ID, st2); err != nil {
			t.Fatal(err)
		}
		s, err = tx.State(f.ctx, ana.ID)
		if err != nil {
			t.Fatal(err)
		}
		diff(t, "the state after PutState", s, st2)
		return nil
	})
	f.read(func(tx *store.Tx) error {
		_, err := tx.SettingsAndPerson(f.ctx, "no-such-leader", "Ana")
		wantCode(t, err, tl.ENOTFOUND)
		return nil
	})
}
