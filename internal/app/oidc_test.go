package app_test

import (
	"testing"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/app"
	"github.com/trustledger/trustledger/internal/engine"
	"github.com/trustledger/trustledger/internal/store"
)

const issuer = "https://login.example.org/realms/acme"

func ext(sub, email string) tl.ExternalIdentity {
	return tl.ExternalIdentity{Issuer: issuer, Subject: sub, Email: email, EmailVerified: true, Name: "Ana Lima"}
}

func TestSignInExternal(t *testing.T) {
	forEachDB(t, func(t *testing.T, e *env) {
		owner := must(e.app.Signup(e.ctx, tl.SignupInput{Email: "lena@example.org", Name: "Lena", Password: "correct horse battery"}))(t)

		// Refusals change nothing.
		unverified := ext("sub-lena", "lena@example.org")
		unverified.EmailVerified = false
		_, err := e.app.SignInExternal(e.ctx, unverified)
		wantCode(t, err, tl.EFORBIDDEN, "not verified")
		_, err = e.app.SignInExternal(e.ctx, ext("", "lena@example.org"))
		wantCode(t, err, tl.EINVALID, "subject")
		_, err = e.app.SignInExternal(e.ctx, ext("sub-x", "not an email"))
		wantCode(t, err, tl.EFORBIDDEN, "email")
		_, err = e.app.SignInExternal(e.ctx, ext("sub-stranger", "stranger@example.org"))
		wantCode(t, err, tl.EFORBIDDEN, "stranger@example.org", "ask an admin")
		countRows(t, e, "identities", 0)
		countRows(t, e, "users", 1)

		// An existing account is linked by its verified email, whatever
		// the case of the address, and then found by its subject even
		// after the email changes at the provider.
		u := must(e.app.SignInExternal(e.ctx, ext("sub-lena", "Lena@Example.org")))(t)
		if u.ID != owner.ID {
			t.Fatalf("signed in as %+v, want the owner", u)
		}
		moved := ext("sub-lena", "lena@elsewhere.example")
		u = must(e.app.SignInExternal(e.ctx, moved))(t)
		if u.ID != owner.ID {
			t.Fatalf("linked sign-in as %+v, want the owner", u)
		}
		has, issuers := mustMethods(t, e, owner.ID)
		if !has || len(issuers) != 1 || issuers[0] != issuer {
			t.Fatalf("methods: password %v, issuers %v", has, issuers)
		}
		// A second identity at the same issuer with the same email is
		// refused: one link per account and issuer.
		_, err = e.app.SignInExternal(e.ctx, ext("sub-impostor", "lena@example.org"))
		wantCode(t, err, tl.ECONFLICT, "already linked")
		// The password still works for a linked account.
		must(e.app.Login(e.ctx, "lena@example.org", "correct horse battery"))(t)

		// An open invitation is accepted: an account without a password,
		// with the invitation's role and a Leader for roles that lead.
		_, _, err = e.app.Invite(e.ctx, owner.ID, "ana@example.org", tl.RoleLeader)
		noErr(t, err)
		ana := must(e.app.SignInExternal(e.ctx, ext("sub-ana", "ana@example.org")))(t)
		if ana.Email != "ana@example.org" || ana.Role != tl.RoleLeader || ana.Name != "Ana Lima" || ana.LeaderID == "" {
			t.Fatalf("invited account %+v", ana)
		}
		invs := must(e.app.Invitations(e.ctx, owner.ID))(t)
		if len(invs) != 1 || invs[0].UsedAt.IsZero() {
			t.Fatalf("invitation not used up: %+v", invs)
		}
		has, issuers = mustMethods(t, e, ana.ID)
		if has || len(issuers) != 1 {
			t.Fatalf("invited methods: password %v, issuers %v", has, issuers)
		}
		// No password means no password works, the empty one included.
		for _, pw := range []string{"", "correct horse battery"} {
			_, err = e.app.Login(e.ctx, "ana@example.org", pw)
			wantCode(t, err, tl.EUNAUTHORIZED)
		}
		err = e.app.ChangePassword(e.ctx, ana.ID, "", "", "a brand new password")
		wantCode(t, err, tl.EINVALID, "no password")
		again := must(e.app.SignInExternal(e.ctx, ext("sub-ana", "ana@example.org")))(t)
		if again.ID != ana.ID {
			t.Fatalf("second sign-in made %+v", again)
		}

		// A leader name already taken falls back to the email; a member
		// gets no Leader.
		_, _, err = e.app.Invite(e.ctx, owner.ID, "ana.l@example.org", tl.RoleLeader)
		noErr(t, err)
		twin := must(e.app.SignInExternal(e.ctx, ext("sub-twin", "ana.l@example.org")))(t)
		if twin.Name != "ana.l@example.org" || twin.LeaderID == "" || twin.LeaderID == ana.LeaderID {
			t.Fatalf("namesake %+v", twin)
		}
		// (A member's invitation goes only by mail.) The provider verified
		// the address, so it is proved: the member's window opens.
		_, _, err = e.app.Invite(e.ctx, owner.ID, "max@example.org", tl.RoleMember)
		wantCode(t, err, tl.EINVALID, "goes by email")
		maxRel := must(e.app.AddPerson(e.ctx, owner.LeaderID, tl.PersonInput{Name: "Max", Email: "max@example.org", Kind: engine.DirectReport}))(t)
		must(e.app.InviteByMail(e.ctx, owner.ID, "max@example.org", tl.RoleMember))(t)
		noName := ext("sub-max", "max@example.org")
		noName.Name = "  "
		max := must(e.app.SignInExternal(e.ctx, noName))(t)
		if max.Name != "max" || max.LeaderID != "" || max.Role != tl.RoleMember || max.EmailVerifiedAt.IsZero() {
			t.Fatalf("member %+v", max)
		}
		if rels := must(e.app.MemberRelationships(e.ctx, max.ID))(t); len(rels) != 1 || rels[0].ID != maxRel.ID {
			t.Fatalf("the provider's member opens %+v, want Max's window", rels)
		}

		// An expired invitation does not open the door.
		_, _, err = e.app.Invite(e.ctx, owner.ID, "late@example.org", tl.RoleLeader)
		noErr(t, err)
		e.clk.Advance(app.InvitationLifetime + time.Minute)
		_, err = e.app.SignInExternal(e.ctx, ext("sub-late", "late@example.org"))
		wantCode(t, err, tl.EFORBIDDEN, "ask an admin")
		countRows(t, e, "identities", 4)
	})
}

func countRows(t *testing.T, e *env, table string, want int) {
	t.Helper()
	var n int
	noErr(t, e.db.Read(e.ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountRows(e.ctx, "SELECT COUNT(*) FROM "+table)
		return err
	}))
	if n != want {
		t.Fatalf("%s has %d rows, want %d", table, n, want)
	}
}

func mustMethods(t *testing.T, e *env, userID string) (bool, []string) {
	t.Helper()
	has, issuers, err := e.app.SignInMethods(e.ctx, userID)
	noErr(t, err)
	return has, issuers
}
