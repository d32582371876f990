package store

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
)

// Identity links an account to a person at an OpenID Connect issuer: the
// issuer's stable subject for them, and the verified email the link was
// made by.
type Identity struct {
	Issuer    string
	Subject   string
	UserID    string
	Email     string
	CreatedAt time.Time
	LastUsed  time.Time
}

const identityCols = "issuer, subject, user_id, email, created_at, last_used_at"

func scanIdentity(rows rowScanner, id *Identity) error {
	return rows.Scan(&id.Issuer, &id.Subject, &id.UserID, &id.Email, msTime{&id.CreatedAt}, msTime{&id.LastUsed})
}

// CreateIdentity links an identity to an account; ECONFLICT when the
// identity is linked already or the account already has one at that
// issuer.
func (tx *Tx) CreateIdentity(ctx context.Context, id *Identity) error {
	_, err := tx.exec(ctx, "create identity", "INSERT INTO identities ("+identityCols+") VALUES ($1, $2, $3, $4, $5, $6)",
		id.Issuer, id.Subject, id.UserID, id.Email, ms(id.CreatedAt), ms(id.LastUsed))
	if tl.ErrorCode(err) == tl.ECONFLICT {
		return &tl.Error{Code: tl.ECONFLICT, Op: "create identity",
			Message: "this identity, or another one at " + id.Issuer + ", is already linked to an account", Err: err}
	}
	return err
}

// IdentityBySubject finds the link of an issuer's subject; ENOTFOUND when
// there is none.
func (tx *Tx) IdentityBySubject(ctx context.Context, issuer, subject string) (*Identity, error) {
	return one(ctx, tx, "identity", "SELECT "+identityCols+" FROM identities WHERE issuer = $1 AND subject = $2",
		[]any{issuer, subject}, scanIdentity, notFound("no account is linked to this identity"))
}

// IdentitiesOfUser lists an account's links, by issuer.
func (tx *Tx) IdentitiesOfUser(ctx context.Context, userID string) ([]Identity, error) {
	return list(ctx, tx, "identities", "SELECT "+identityCols+" FROM identities WHERE user_id = $1 ORDER BY issuer",
		[]any{userID}, scanIdentity)
}

// TouchIdentity records a sign-in through a link.
func (tx *Tx) TouchIdentity(ctx context.Context, issuer, subject string, at time.Time) error {
	_, err := tx.exec(ctx, "touch identity", "UPDATE identities SET last_used_at = $1 WHERE issuer = $2 AND subject = $3",
		ms(at), issuer, subject)
	return err
}

// OpenInvitationByEmail finds the newest invitation for the lower-cased
// email that is neither used nor expired at now.
func (tx *Tx) OpenInvitationByEmail(ctx context.Context, email string, now time.Time) (*tl.Invitation, error) {
	return one(ctx, tx, "invitation", "SELECT "+invitationCols+" FROM invitations WHERE email = $1 AND used_at = 0 AND expires_at > $2 ORDER BY created_at DESC, id DESC LIMIT 1",
		[]any{email, ms(now)}, scanInvitation, notFound("no open invitation for %s", email))
}
