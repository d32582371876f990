package app

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	tl "github.com/trustledger/trustledger"
	"github.com/trustledger/trustledger/internal/store"
)

// Limits on what an identity provider may hand us, so that a strange
// token cannot fill the database.
const (
	maxIssuerLength  = 2000
	maxSubjectLength = 255 // OpenID Connect Core 1.0 §2
)

// msgNoInvitation is what a person with a verified email but neither an
// account nor an open invitation is told.
const msgNoInvitation = "there is no account or open invitation for %s here: ask an admin of this trustledger to invite that address, then sign in again"

// SignInExternal finds or makes the account an external identity signs
// in as, in one transaction:
//
//   - an identity linked before signs in as its account;
//   - otherwise the verified email of an existing account links the
//     identity to it (at most one identity per account and issuer);
//   - otherwise an open invitation for the email is accepted, creating
//     an account without a password (and a Leader for roles that lead);
//   - otherwise it is EFORBIDDEN, saying to ask for an invitation.
//
// An email the provider has not verified is EFORBIDDEN in every case:
// the email is what links a person to an account or an invitation.
func (a *App) SignInExternal(ctx context.Context, id tl.ExternalIdentity) (*tl.User, error) {
	if id.Issuer == "" || id.Subject == "" || len(id.Issuer) > maxIssuerLength || len(id.Subject) > maxSubjectLength {
		return nil, tl.Errorf(tl.EINVALID, "the identity provider sent an identity without a usable issuer or subject")
	}
	if !id.EmailVerified {
		return nil, tl.Errorf(tl.EFORBIDDEN, "your identity provider has not verified your email address: verify it there, then sign in again")
	}
	email, err := checkEmail(id.Email)
	if err != nil {
		return nil, tl.Errorf(tl.EFORBIDDEN, "your identity provider sent no usable email address: %w", err)
	}
	now := a.clock()
	var u *tl.User
	err = a.db.Write(ctx, func(tx *store.Tx) error {
		var err error
		u, err = signInExternalTx(ctx, tx, id, email, now)
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

func signInExternalTx(ctx context.Context, tx *store.Tx, id tl.ExternalIdentity, email string, now time.Time) (*tl.User, error) {
	link, err := tx.IdentityBySubject(ctx, id.Issuer, id.Subject)
	switch {
	case err == nil:
		if err := tx.TouchIdentity(ctx, id.Issuer, id.Subject, now); err != nil {
			return nil, err
		}
		return tx.UserByID(ctx, link.UserID)
	case tl.ErrorCode(err) != tl.ENOTFOUND:
		return nil, err
	}
	newLink := &store.Identity{Issuer: id.Issuer, Subject: id.Subject, Email: email, CreatedAt: now, LastUsed: now}

	u, err := tx.UserByEmail(ctx, email)
	switch {
	case err == nil:
		others, err := tx.IdentitiesOfUser(ctx, u.ID)
		if err != nil {
			return nil, err
		}
		for _, o := range others {
			if o.Issuer == id.Issuer {
				return nil, tl.Errorf(tl.ECONFLICT, "the account for %s is already linked to another identity at this provider: sign in with that one, or with your password", email)
			}
		}
		newLink.UserID = u.ID
		if err := tx.CreateIdentity(ctx, newLink); err != nil {
			return nil, err
		}
		if err := providerVouches(ctx, tx, u, now); err != nil {
			return nil, err
		}
		return u, nil
	case tl.ErrorCode(err) != tl.ENOTFOUND:
		return nil, err
	}

	inv, err := tx.OpenInvitationByEmail(ctx, email, now)
	if tl.ErrorCode(err) == tl.ENOTFOUND {
		return nil, tl.Errorf(tl.EFORBIDDEN, msgNoInvitation, email)
	}
	if err != nil {
		return nil, err
	}
	u = &tl.User{ID: store.NewID(now), Email: email, Name: externalName(id.Name, email), Role: inv.Role, CreatedAt: now, TimeZone: "UTC"}
	// The provider verified the address: it is proved, as a mailed
	// invitation's would be (docs/ANONYMITY.md, rule 6).
	u.EmailVerifiedAt = now
	if _, err := tx.ConfirmEmail(ctx, email, now); err != nil {
		return nil, err
	}
	if leads(inv.Role) {
		l, err := createExternalLeader(ctx, tx, u.Name, email, now)
		if err != nil {
			return nil, err
		}
		u.LeaderID, u.Name = l.ID, l.Name
	}
	// No password: such an account signs in only through its provider.
	if err := tx.CreateUser(ctx, u, ""); err != nil {
		return nil, err
	}
	if err := tx.UseInvitation(ctx, inv.ID, now); err != nil {
		return nil, err
	}
	newLink.UserID = u.ID
	if err := tx.CreateIdentity(ctx, newLink); err != nil {
		return nil, err
	}
	return u, nil
}

// externalName is the name an account made through a provider goes by:
// the provider's name claim when it is usable, else the email's local
// part.
func externalName(name, email string) string {
	name = strings.Join(strings.Fields(name), " ")
	if name == "" || utf8.RuneCountInString(name) > tl.MaxNameLength {
		name, _, _ = strings.Cut(email, "@")
	}
	if utf8.RuneCountInString(name) > tl.MaxNameLength {
		name = string([]rune(name)[:tl.MaxNameLength])
	}
	return name
}

// createExternalLeader creates the Leader of an account made through a
// provider. Leader names are unique and nobody is there to pick another,
// so a taken name falls back to the email address, which is unique among
// accounts.
func createExternalLeader(ctx context.Context, tx *store.Tx, name, email string, now time.Time) (*tl.Leader, error) {
	l, err := createLeaderTx(ctx, tx, name, "UTC", now)
	if tl.ErrorCode(err) != tl.ECONFLICT || utf8.RuneCountInString(email) > tl.MaxNameLength {
		return l, err
	}
	return createLeaderTx(ctx, tx, email, "UTC", now)
}

// SignInMethods says how an account signs in: whether it has a password,
// and the issuers of the identities linked to it, for the account page.
func (a *App) SignInMethods(ctx context.Context, userID string) (hasPassword bool, issuers []string, err error) {
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		c, err := tx.CredentialsByID(ctx, userID)
		if err != nil {
			return err
		}
		hasPassword = c.PasswordHash != ""
		ids, err := tx.IdentitiesOfUser(ctx, userID)
		for _, id := range ids {
			issuers = append(issuers, id.Issuer)
		}
		return err
	})
	return hasPassword, nonNil(issuers), err
}

// providerVouches records, for an account the provider just signed in with
// a verified address, that the address is proved, and confirms it wherever
// a leader gave it to a person.
func providerVouches(ctx context.Context, tx *store.Tx, u *tl.User, now time.Time) error {
	if !u.EmailVerifiedAt.IsZero() {
		return nil
	}
	if err := tx.VerifyUserEmail(ctx, u.ID, now); err != nil {
		return err
	}
	u.EmailVerifiedAt = now
	_, err := tx.ConfirmEmail(ctx, u.Email, now)
	return err
}
