package app

// Invitations: made by an owner or admin, shown once or sent by mail, and
// accepted by whoever holds the link. A member's goes only by mail, since
// accepting it proves the address (docs/ANONYMITY.md, rule 6).

import (
	"context"
	"crypto/rand"
	"time"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// Invite creates an invitation for email with role, valid for
// InvitationLifetime, and returns it with its token. Only the token's
// hash is kept: the token is shown to the inviter this once.
func (a *App) Invite(ctx context.Context, actorID, email string, role tl.Role) (*tl.Invitation, string, error) {
	return a.invite(ctx, actorID, email, role, false)
}

// invite creates an invitation; byMail also queues the message that
// carries it, in the same transaction (its link is made when it is sent).
func (a *App) invite(ctx context.Context, actorID, email string, role tl.Role, byMail bool) (*tl.Invitation, string, error) {
	email, err := checkEmail(email)
	if err != nil {
		return nil, "", tl.WithField(err, "email")
	}
	if _, err := tl.ParseRole(string(role)); err != nil {
		return nil, "", tl.WithField(err, "role")
	}
	if role == tl.RoleOwner {
		return nil, "", tl.Invalidf("role", "an installation has one owner: invite as admin instead")
	}
	if role == tl.RoleMember && !byMail {
		return nil, "", tl.Invalidf("role", "a member's invitation goes by email, never as a link you see: accepting it proves the address is theirs, so nobody else can open their window (docs/ANONYMITY.md, rule 6); send it by email instead")
	}
	token := rand.Text()
	now := a.clock()
	inv := &tl.Invitation{
		ID: store.NewID(now), Email: email, Role: role, InvitedBy: actorID,
		CreatedAt: now, ExpiresAt: now.Add(InvitationLifetime), ByMail: byMail,
	}
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		if _, err := requireAdmin(ctx, tx, actorID, "invite people"); err != nil {
			return err
		}
		if _, err := tx.UserByEmail(ctx, email); err == nil {
			return tl.Errorf(tl.ECONFLICT, "%s already has an account", email)
		} else if tl.ErrorCode(err) != tl.ENOTFOUND {
			return err
		}
		if err := tx.CreateInvitation(ctx, inv, hashToken(token)); err != nil || !byMail {
			return err
		}
		return queueInvitation(ctx, tx, inv, "", now)
	})
	if err != nil {
		return nil, "", err
	}
	return inv, token, nil
}

// Invitations lists every invitation, newest first (owner/admin only),
// for the page that shows which are still open.
func (a *App) Invitations(ctx context.Context, actorID string) ([]tl.Invitation, error) {
	var out []tl.Invitation
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		if _, err := requireAdmin(ctx, tx, actorID, "see invitations"); err != nil {
			return err
		}
		var err error
		out, err = tx.Invitations(ctx)
		return err
	})
	return nonNil(out), err
}

// openInvitation finds the invitation for token and checks that it can
// still be used.
func openInvitation(ctx context.Context, tx *store.Tx, token string, now time.Time) (*tl.Invitation, error) {
	inv, err := tx.InvitationByHash(ctx, hashToken(token))
	if err != nil {
		if tl.ErrorCode(err) == tl.ENOTFOUND {
			return nil, tl.Errorf(tl.ENOTFOUND, "this invitation link is not valid: check that you copied all of it, or ask for a new one")
		}
		return nil, err
	}
	switch {
	case inv.Open(now):
	case !inv.UsedAt.IsZero():
		return nil, tl.Errorf(tl.ECONFLICT, "this invitation was already used: sign in instead")
	default:
		return nil, tl.Errorf(tl.EINVALID, "this invitation expired on %s: ask for a new one", inv.ExpiresAt.Format("2 January 2006"))
	}
	return inv, nil
}

// errShownMemberInvitation refuses a member invitation whose link its
// inviter saw: it proves nothing about who accepts it.
var errShownMemberInvitation = tl.Errorf(tl.EFORBIDDEN, "this member invitation was shown to the person who made it, so it cannot prove the address is yours: ask for a new invitation by email")

// InvitationByToken returns the invitation a link carries if it can
// still be accepted, so the accept page can show its email and role.
func (a *App) InvitationByToken(ctx context.Context, token string) (*tl.Invitation, error) {
	now := a.clock()
	var out *tl.Invitation
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = openInvitation(ctx, tx, token, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// AcceptInvite creates the invited account, with a Leader of its name
// for roles that lead, and uses up the invitation in the same
// transaction: of two racing acceptances one wins, the other is
// ECONFLICT. An unknown token is ENOTFOUND, an expired one EINVALID.
func (a *App) AcceptInvite(ctx context.Context, token, name, password string) (*tl.User, error) {
	name, err := checkUserName(name)
	if err != nil {
		return nil, tl.WithField(err, "name")
	}
	if err := checkPassword(password); err != nil {
		return nil, tl.WithField(err, "password")
	}
	// A dead link is refused before a hash is spent on it.
	if _, err := a.InvitationByToken(ctx, token); err != nil {
		return nil, err
	}
	hash, err := hashPassword(ctx, password)
	if err != nil {
		return nil, hashFailed("accept invitation", err)
	}
	now := a.clock()
	var u *tl.User
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		inv, err := openInvitation(ctx, tx, token, now)
		if err != nil {
			return err
		}
		if inv.Role == tl.RoleMember && !inv.ByMail {
			return errShownMemberInvitation
		}
		if _, err := tx.UserByEmail(ctx, inv.Email); err == nil {
			return tl.Errorf(tl.ECONFLICT, "%s already has an account: sign in instead", inv.Email)
		} else if tl.ErrorCode(err) != tl.ENOTFOUND {
			return err
		}
		u = &tl.User{ID: store.NewID(now), Email: inv.Email, Name: name, Role: inv.Role, CreatedAt: now, TimeZone: "UTC"}
		if inv.ByMail {
			// The link came to this mailbox: the address is proved, for
			// the account and wherever a leader gave it to a person.
			u.EmailVerifiedAt = now
			if _, err := tx.ConfirmEmail(ctx, inv.Email, now); err != nil {
				return err
			}
		}
		if leads(inv.Role) {
			l, err := createLeaderTx(ctx, tx, name, u.TimeZone, now)
			if err != nil {
				return err
			}
			u.LeaderID = l.ID
		}
		if err := tx.CreateUser(ctx, u, hash); err != nil {
			return err
		}
		return tx.UseInvitation(ctx, inv.ID, now)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
