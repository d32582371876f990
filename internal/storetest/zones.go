package storetest

import (
	"testing"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// Conformance tests for time zones (docs/MODEL.md, choice 39): a leader's
// zone is kept on the leader, and an account that leads shows it; an
// account that leads no one keeps its own.
func init() {
	register("Zones", testZones)
}

func testZones(t *testing.T, f *fixture) {
	tokyo := tl.Leader{ID: f.id(), Name: "Aiko", CreatedAt: f.now, TimeZone: "Asia/Tokyo"}
	f.write(func(tx *store.Tx) error { return tx.CreateLeader(f.ctx, &tokyo) })
	cli := f.leader("Made by the CLI")
	aiko := f.user("aiko@example.org", "Aiko", tl.RoleLeader, tokyo.ID)
	coach := tl.User{ID: f.id(), Email: "coach@example.org", Name: "Cole", Role: tl.RoleCoach, CreatedAt: f.now, TimeZone: "America/Los_Angeles"}
	f.write(func(tx *store.Tx) error { return tx.CreateUser(f.ctx, &coach, "hash") })
	member := f.user("member@example.org", "Mia", tl.RoleMember, "")

	zoneOf := func(tx *store.Tx, userID string) string {
		t.Helper()
		u, err := tx.UserByID(f.ctx, userID)
		if err != nil {
			t.Fatal(err)
		}
		return u.TimeZone
	}
	f.read(func(tx *store.Tx) error {
		l, err := tx.LeaderByID(f.ctx, tokyo.ID)
		if err != nil {
			return err
		}
		diff(t, "leader with a zone", *l, tokyo)
		if l, err = tx.LeaderByID(f.ctx, cli.ID); err != nil {
			return err
		}
		if l.TimeZone != "" {
			t.Errorf("a leader made without a zone has %q, want none", l.TimeZone)
		}
		for _, c := range []struct{ id, want string }{
			{aiko.ID, "Asia/Tokyo"},           // the leader's
			{coach.ID, "America/Los_Angeles"}, // its own
			{member.ID, "UTC"},                // none given: UTC
		} {
			if got := zoneOf(tx, c.id); got != c.want {
				t.Errorf("account %s: zone %q, want %q", c.id, got, c.want)
			}
		}
		cred, err := tx.CredentialsByEmail(f.ctx, "aiko@example.org")
		if err != nil {
			return err
		}
		if cred.User.TimeZone != "Asia/Tokyo" || cred.PasswordHash != "hash" {
			t.Errorf("credentials read zone %q and hash %q", cred.User.TimeZone, cred.PasswordHash)
		}
		byLeader, err := tx.UserByLeader(f.ctx, tokyo.ID)
		if err != nil {
			return err
		}
		if byLeader.TimeZone != "Asia/Tokyo" {
			t.Errorf("UserByLeader zone %q", byLeader.TimeZone)
		}
		return nil
	})

	// Changing the leader's zone changes what its account shows, and only
	// that; an account of its own changes alone.
	f.write(func(tx *store.Tx) error {
		if err := tx.SetLeaderZone(f.ctx, tokyo.ID, "America/Los_Angeles"); err != nil {
			return err
		}
		return tx.SetUserZone(f.ctx, member.ID, "Europe/Berlin")
	})
	f.read(func(tx *store.Tx) error {
		for _, c := range []struct{ id, want string }{
			{aiko.ID, "America/Los_Angeles"}, {coach.ID, "America/Los_Angeles"}, {member.ID, "Europe/Berlin"},
		} {
			if got := zoneOf(tx, c.id); got != c.want {
				t.Errorf("after the change, account %s: zone %q, want %q", c.id, got, c.want)
			}
		}
		us, err := tx.Users(f.ctx)
		if err != nil {
			return err
		}
		for _, u := range us {
			if u.TimeZone == "" {
				t.Errorf("Users: %s has no zone", u.Email)
			}
		}
		return nil
	})
	err := f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.SetLeaderZone(f.ctx, "nope", "UTC") })
	wantCode(t, err, tl.ENOTFOUND)
	err = f.db.Write(f.ctx, func(tx *store.Tx) error { return tx.SetUserZone(f.ctx, "nope", "UTC") })
	wantCode(t, err, tl.ENOTFOUND)
}
