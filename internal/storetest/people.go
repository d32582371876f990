package storetest

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for leaders, their teams and the relationships they lead.
func init() {
	register("Leaders", testLeaders)
	register("Teams", testTeams)
	register("Relationships", testRelationships)
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
