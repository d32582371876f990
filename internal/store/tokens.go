package store

import (
	"context"
	"time"

	tl "github.com/trustledger/trustledger"
)

const tokenCols = "id, user_id, name, scope, created_at, last_used_at, revoked_at"

func scanToken(rows rowScanner, t *tl.APIToken) error {
	return rows.Scan(&t.ID, &t.UserID, &t.Name, &t.Scope, msTime{&t.CreatedAt}, msTime{&t.LastUsed}, msTime{&t.RevokedAt})
}

// CreateAPIToken stores a token by the hash of its secret.
func (tx *Tx) CreateAPIToken(ctx context.Context, t *tl.APIToken, hash string) error {
	_, err := tx.exec(ctx, "create token", "INSERT INTO api_tokens ("+tokenCols+", token_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
		t.ID, t.UserID, t.Name, t.Scope, ms(t.CreatedAt), ms(t.LastUsed), ms(t.RevokedAt), hash)
	return err
}

// APITokens lists a user's tokens, newest first.
func (tx *Tx) APITokens(ctx context.Context, userID string) ([]tl.APIToken, error) {
	return list(ctx, tx, "tokens", "SELECT "+tokenCols+" FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
		[]any{userID}, scanToken)
}

// APITokenUser finds a live token and its account in one statement (the
// check every API request makes first; see single.go).
func (tx *Tx) APITokenUser(ctx context.Context, hash string) (*tl.APIToken, *tl.User, error) {
	type both struct {
		t tl.APIToken
		u tl.User
	}
	got, err := one(ctx, tx, "token",
		"SELECT t.id, t.user_id, t.name, t.scope, t.created_at, t.last_used_at, t.revoked_at, "+
			"users.id, users.email, users.name, users.role, users.leader_id, users.created_at, users.email_verified_at, "+
			"COALESCE(NULLIF((SELECT l.tz FROM leaders l WHERE l.id = users.leader_id), ''), users.tz) "+
			"FROM api_tokens t JOIN users ON users.id = t.user_id WHERE t.token_hash = $1 AND t.revoked_at = 0",
		[]any{hash}, func(rows rowScanner, b *both) error {
			var role string
			err := rows.Scan(&b.t.ID, &b.t.UserID, &b.t.Name, &b.t.Scope, msTime{&b.t.CreatedAt}, msTime{&b.t.LastUsed}, msTime{&b.t.RevokedAt},
				&b.u.ID, &b.u.Email, &b.u.Name, &role, optStr{&b.u.LeaderID}, msTime{&b.u.CreatedAt}, msTime{&b.u.EmailVerifiedAt}, &b.u.TimeZone)
			b.u.Role = tl.Role(role)
			return err
		},
		tl.Errorf(tl.EUNAUTHORIZED, "this token is not valid: it may have been revoked; make a new one with: trustledger token create"))
	if err != nil {
		return nil, nil, err
	}
	return &got.t, &got.u, nil
}

// RevokeAPIToken ends one of the user's tokens.
func (tx *Tx) RevokeAPIToken(ctx context.Context, userID, id string, at time.Time) error {
	return tx.execOne(ctx, "revoke token", "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at = 0",
		[]any{ms(at), id, userID}, notFound("no live token %q: list yours with: trustledger token list", id))
}

// RevokeUserAPITokens revokes every API token of a user still in force,
// at at.
func (tx *Tx) RevokeUserAPITokens(ctx context.Context, userID string, at time.Time) error {
	_, err := tx.exec(ctx, "revoke tokens", "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at = 0", ms(at), userID)
	return err
}

// TouchAPIToken records a use (at most once a minute is enough).
func (tx *Tx) TouchAPIToken(ctx context.Context, id string, at time.Time) error {
	_, err := tx.exec(ctx, "touch token", "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND last_used_at < $3",
		ms(at), id, ms(at.Add(-time.Minute)))
	return err
}

// UserByLeader finds the account that keeps a leader's trust accounts.
func (tx *Tx) UserByLeader(ctx context.Context, leaderID string) (*tl.User, error) {
	return one(ctx, tx, "user", "SELECT "+userCols+" FROM users WHERE leader_id = $1", []any{leaderID}, scanUser,
		notFound("this leader has no account yet: sign up in the web app (trustledger serve) to make API tokens"))
}
